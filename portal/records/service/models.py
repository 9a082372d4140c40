"""Customer service: complaints with their workflow steps, support questions, service records."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.models import ChoiceLabels, CreatedModel


class ServiceCategory(models.Model):
    """What a complaint is about (quality, delivery, service attitude…); administrators add more."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    approval_for_severe = models.BooleanField(
        _("severe complaints need approval before assignment"),
        default=True,
        help_text=_("High and critical complaints of this category wait for a manager's approval."),
    )

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERE = (Severity.HIGH, Severity.CRITICAL)


def attachment_path(instance: ServiceAttachment, filename: str) -> str:
    # A random stored name: the original name is kept in `name`, never used on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"service-cases/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ServiceCase(ChoiceLabels):
    """A customer complaint and the steps it went through, from registration to closing."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        WEB = "web", _("Web")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSESSED = "assessed", _("Assessed")
        PRE_APPROVAL = "pre_approval", _("Awaiting approval before assignment")
        ASSIGNED = "assigned", _("Assigned")
        PROPOSED = "proposed", _("Resolution proposed")
        APPROVED = "approved", _("Resolution approved")
        CARRIED_OUT = "carried_out", _("Carried out")
        SUMMARISED = "summarised", _("Summary written")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("subject"), max_length=200)
    customer = models.ForeignKey(
        "records.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_cases",
    )
    # The customer's details as they were when the complaint came in ("details come along").
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=40, blank=True)
    customer_address = models.CharField(_("customer address"), max_length=255, blank=True)
    contact = models.ForeignKey(
        "records.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_cases",
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    product = models.ForeignKey(
        "knowledge.ProductPage",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_cases",
    )
    deal = models.ForeignKey(
        "records.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_cases",
    )
    about_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("about person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("registering department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessment = models.TextField(_("assessment"), blank=True)
    needs_pre_approval = models.BooleanField(_("needs approval before assignment"), default=False)
    assigned_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("proposed resolution"), blank=True)
    outcome = models.TextField(_("what was done"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # The deadline of the current step; the overdue job claims a case once per step.
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    qa_draft = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Q&A draft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("service case")
        verbose_name_plural = _("service cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "step_due_at"], name="records_case_status_due"),
            models.Index(fields=["customer", "-created_at"], name="records_case_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("records:service_case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.step_due_at and self.step_due_at < timezone.now())


class ServiceCaseStep(ChoiceLabels):
    """One step of a case's workflow: who did what, when, and how long the case waited."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSESSED = "assessed", _("Assessed")
        PRE_APPROVED = "pre_approved", _("Approved for assignment")
        ASSIGNED = "assigned", _("Assigned")
        PROPOSED = "proposed", _("Resolution proposed")
        APPROVED = "approved", _("Resolution approved")
        SENT_BACK = "sent_back", _("Sent back")
        CARRIED_OUT = "carried_out", _("Carried out")
        SUMMARISED = "summarised", _("Summary written")
        CLOSED = "closed", _("Closed")
        URGED = "urged", _("Urged")

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("what"), blank=True)
    # Time the case spent in `from_status` before this step, and whether that was too long.
    waited_seconds = models.PositiveIntegerField(default=0)
    was_overdue = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("service case step")
        verbose_name_plural = _("service case steps")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ServiceAttachment(models.Model):
    """A file attached to a complaint; served only to people who may see the case."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("records:service_attachment", args=[self.case_id, self.pk])


class SupportQuestion(ChoiceLabels):
    """A customer's question, the answer given (ideally from the Q&A bank) and by whom."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        ESCALATED = "escalated", _("Escalated")

    customer = models.ForeignKey(
        "records.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="support_questions",
    )
    contact_name = models.CharField(_("asked by"), max_length=100, blank=True)
    product = models.ForeignKey(
        "knowledge.ProductPage",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_questions",
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    qa_entry = models.ForeignKey(
        "knowledge.QAPage",
        verbose_name=_("Q&A entry used"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_questions",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalation_note = models.TextField(_("why it was escalated"), blank=True)
    qa_draft = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Q&A draft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("support question")
        verbose_name_plural = _("support questions")
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return self.question[:80]

    def get_absolute_url(self) -> str:
        return reverse("records:support_question_detail", args=[self.pk])


class ServiceRecord(CreatedModel):
    """After-sales service done for a customer: a visit, phone support or a repair."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone support")
        REPAIR = "repair", _("Repair")

    customer = models.ForeignKey(
        "records.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    case = models.ForeignKey(
        ServiceCase,
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_records",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    served_at = models.DateTimeField(_("time"), default=timezone.now)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("what was done"))
    result = models.TextField(_("result"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback = models.TextField(_("customer feedback"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="records_service_satisfaction_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.served_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("records:service_record_list") + f"?customer={self.customer_id}"
