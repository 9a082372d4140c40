"""Deals and what hangs off them while open: stages, contact frequencies, activities,
reminders, competitors, documents, urges."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.bounds import BoundedDecimalField
from portal.core.models import ChoiceLabels, CreatedModel, TimeStampedModel
from portal.records.customers.models import Contact, Customer

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_REMIND_MINUTES = 7 * 24 * 60  # a reminder at most a week before


class DealStage(models.Model):
    """A step within "tracking" (lead, qualified, proposal, negotiation…); administrators
    configure them and the win probability that weights the pipeline."""

    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=60, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, help_text=_("Chance of winning at this stage, 0–100.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("deal stage")
        verbose_name_plural = _("deal stages")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="records_stage_probability"
            )
        ]

    def __str__(self) -> str:
        return self.display_name(self.name, self.name_zh)

    @staticmethod
    def display_name(name: str, name_zh: str = "") -> str:
        """The one place that names a stage in the active language (its Chinese name under
        中文 where it has one): deal pages, forms, the pipeline figures and their cache."""
        from django.utils.translation import get_language

        if name_zh and (get_language() or "").startswith("zh"):
            return name_zh
        return name


class ContactFrequency(ChoiceLabels):
    """How often a customer of a given importance (level A–D) should hear from us."""

    level = models.CharField(_("customer level"), max_length=1, choices=Customer.Level.choices)
    max_days = models.PositiveSmallIntegerField(
        _("days between contacts"), help_text=_("At most this many days without a contact.")
    )

    class Meta:
        verbose_name = _("contact frequency")
        verbose_name_plural = _("contact frequencies")
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["level"], name="records_frequency_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.max_days}"


class Deal(TimeStampedModel):
    """A business opportunity, from first call to money received."""

    class State(models.TextChoices):
        TRACKING = "tracking", _("Tracking")
        WON = "won", _("Won")
        COMPLETED = "completed", _("Completed")
        LOST = "lost", _("Lost")
        ABANDONED = "abandoned", _("Abandoned")

    OPEN_STATES = (State.TRACKING,)
    CLOSED_STATES = (State.LOST, State.ABANDONED)
    WON_STATES = (State.WON, State.COMPLETED)

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deals"
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_deals",
    )
    co_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-owners"),
        blank=True,
        related_name="co_owned_deals",
    )
    # The owner's department when the deal was last assigned (team statistics).
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    products = models.ManyToManyField(
        "knowledge.ProductPage",
        verbose_name=_("products of interest"),
        blank=True,
        related_name="deals",
    )
    amount = BoundedDecimalField(_("expected amount"), default=Decimal("0"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Customer.Source.choices, blank=True
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.TRACKING
    )
    stage = models.ForeignKey(
        DealStage,
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
        # No index of its own: a handful of stages make it unselective, and SQLite would pick
        # it to group a team's pipeline instead of the covering team-pipeline index (4x slower).
        db_index=False,
    )
    # Date it was won, lost or abandoned (cycle length = closed_on - opened_on).
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The deal whose contract this one renews (decision 1003).
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
        editable=False,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="records_deal_updated"),
            models.Index(fields=["expected_close_date", "id"], name="records_deal_closing"),
            models.Index(fields=["owner", "state"], name="records_deal_owner_state"),
            # "My deals" in list order (newest change first) without sorting all owned deals.
            models.Index(fields=["owner", "updated_at", "id"], name="records_deal_owner_updated"),
            # A team's open pipeline by stage, read from the index alone (no table rows), and
            # a team's closed deals by period for the statistics.
            models.Index(
                fields=["department", "state", "stage", "amount", "customer"],
                name="records_deal_team_pipeline",
            ),
            models.Index(
                fields=["department", "state", "closed_on"], name="records_deal_team_closed"
            ),
            models.Index(fields=["state", "closed_on"], name="records_deal_state_closed"),
            models.Index(fields=["customer", "state"], name="records_deal_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("records:deal_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == self.State.TRACKING

    @property
    def is_won(self) -> bool:
        return self.state in self.WON_STATES

    @property
    def probability(self) -> int:
        if self.state in self.WON_STATES:
            return 100
        if self.state in self.CLOSED_STATES:
            return 0
        return self.stage.probability if self.stage_id else 0


class Activity(TimeStampedModel):
    """A call, email, visit or meeting on a customer, on one of its deals or on none
    (decision 1001): planned (with a time) or done (an outcome). A meeting or visit may be an
    appointment: an end, a place, colleagues invited and a reminder before."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.CASCADE,
        related_name="activities",
        null=True,
        blank=True,
    )
    # Always set: the deal's customer when there is a deal ("last contact with this customer"
    # without a join), the customer itself otherwise.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="activities",
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    due_at = models.DateTimeField(_("date and time"))
    subject = models.CharField(_("subject"), max_length=200)
    participants = models.CharField(_("participants"), max_length=255, blank=True)
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="activities"
    )
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="deal_activities",
    )
    # Appointments: until when, where, which colleagues, a reminder how long before.
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleagues invited"),
        blank=True,
        related_name="activity_invitations",
    )
    remind_minutes = models.PositiveIntegerField(
        _("reminder (minutes before)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_REMIND_MINUTES)],
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["deal", "due_at"], name="records_activity_deal"),
            models.Index(fields=["owner", "status", "due_at"], name="records_activity_owner"),
            models.Index(fields=["customer", "status", "due_at"], name="records_activity_cust"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        if self.deal_id is None:
            return (
                reverse("records:customer_detail", args=[self.customer_id]) + f"#activity-{self.pk}"
            )
        return reverse("records:deal_detail", args=[self.deal_id]) + f"#activity-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PLANNED and self.due_at < timezone.now()

    @property
    def source(self) -> str:
        """The notifications.Reminder.source of the reminders scheduled for this one."""
        return f"records.activity:{self.pk}"

    @property
    def ends(self):
        """When it ends: its own end, else an hour after it starts (for calendars)."""
        return self.ends_at or self.due_at + datetime.timedelta(hours=1)


class DealReminder(CreatedModel):
    """An appointment or reminder on a deal; delivered by the notifications worker
    (a notifications.Reminder per person is scheduled when this is created)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        APPOINTMENT = "appointment", _("Appointment")
        PAYMENT = "payment", _("Payment due")
        CONTRACT = "contract", _("Contract ending")

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REMINDER)
    due_at = models.DateTimeField(_("time"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people to remind"), related_name="deal_reminders"
    )
    installment = models.ForeignKey(
        "PaymentInstallment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("deal reminder")
        verbose_name_plural = _("deal reminders")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["deal", "due_at"], name="records_reminder_deal")]

    def __str__(self) -> str:
        return self.subject

    @property
    def title(self) -> str:
        """What it is about, in the reader's language: a payment reminder is named from its
        plan entry when shown (its stored subject is in the words of whoever planned it)."""
        if self.kind == self.Kind.PAYMENT and self.installment_id:
            from django.utils.translation import gettext

            from portal.core.formatting import format_money

            return gettext("Payment of %(amount)s due from %(customer)s") % {
                "amount": format_money(self.installment.amount, self.deal.currency),
                "customer": self.deal.customer.name,
            }
        if self.kind == self.Kind.CONTRACT:
            from django.utils.translation import gettext

            from portal.core.formatting import format_date

            contract = getattr(self.deal, "contract", None)
            if contract is not None and contract.ends_on:
                return gettext("Contract %(number)s with %(customer)s ends on %(date)s") % {
                    "number": contract.number,
                    "customer": self.deal.customer.name,
                    "date": format_date(contract.ends_on),
                }
        return self.subject

    @property
    def source(self) -> str:
        """The notifications.Reminder.source of the reminders scheduled for this one."""
        return f"records.dealreminder:{self.pk}"

    @property
    def is_due(self) -> bool:
        return self.due_at <= timezone.now()


class DealCompetitor(CreatedModel):
    """A competitor bidding on the deal; the deal's result counts toward their record."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="competitors"
    )
    competitor = models.ForeignKey(
        "knowledge.CompetitorPage",
        verbose_name=_("competitor page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deal_entries",
    )
    name = models.CharField(_("competitor"), max_length=120)
    product = models.CharField(_("their product"), max_length=200, blank=True)
    price = BoundedDecimalField(_("their price"), null=True, blank=True, **MONEY)
    strategy = models.TextField(_("their strategy"), blank=True)
    strengths = models.TextField(_("our strengths"), blank=True)
    weaknesses = models.TextField(_("our weaknesses"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("competitor on a deal")
        verbose_name_plural = _("competitors on deals")
        ordering = ["deal", "name", "id"]

    def __str__(self) -> str:
        return self.name


class DealDocument(TimeStampedModel):
    """A quote, contract or other file on a deal; each upload is a new version."""

    class Kind(models.TextChoices):
        QUOTE = "quote", _("Quote")
        CONTRACT = "contract", _("Contract")
        OTHER = "other", _("Other")

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("deal document")
        verbose_name_plural = _("deal documents")
        ordering = ["deal", "-updated_at", "id"]

    def __str__(self) -> str:
        return self.title


def deal_file_path(instance: DocumentVersion, filename: str) -> str:
    document = instance.document
    return f"deals/{document.deal_id}/{document.pk}/v{instance.number}-{filename}"


class PrivateStorage(FileSystemStorage):
    """Deal files live beside MEDIA_ROOT, never under it: media may be served directly by the
    web server, these only through the view that checks the deal's visibility (decision 0111).
    The location follows the settings at each use (tests point MEDIA_ROOT elsewhere)."""

    @property
    def base_location(self):  # type: ignore[override]
        root = getattr(settings, "PRIVATE_FILES_ROOT", None)
        if root is None:
            media = Path(settings.MEDIA_ROOT)
            root = media.with_name(media.name + "-private")
        return str(root)

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):  # type: ignore[override]
        return None


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


class DocumentVersion(models.Model):
    document = models.ForeignKey(DealDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(
        _("file"), upload_to=deal_file_path, storage=private_storage, max_length=300
    )
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="records_docversion_once")
        ]

    def __str__(self) -> str:
        return f"{self.filename} (v{self.number})"

    def get_absolute_url(self) -> str:
        return reverse("records:deal_document_file", args=[self.document.deal_id, self.pk])


class DealUrge(CreatedModel):
    """A manager presses the owner about a deal; it shows on the deal until answered."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="urges"
    )
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whom it was addressed to (the owner at the time).
    urged_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="deal_urges",
    )
    message = models.TextField(_("message"))
    due_on = models.DateField(_("answer by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_on", "id"],
                name="records_urge_open",
                condition=Q(answered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.message[:60]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()
