"""Core models: the audit log, code numbering rules and the visibility keys of objects."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


class ChoiceLabels(models.Model):
    """Abstract base: ``get_<field>_display()`` translating only the label it returns.

    Django's own builds ``dict(make_hashable(field.flatchoices))`` on every call, which hashes
    every (value, label) pair, and hashing a lazy label translates it: a field of 15 choices
    cost 15 catalogue look-ups per row shown, two thirds of the customer list's gettext calls
    (ADR 0426). Here only the values are hashed; the one label returned is translated once.
    Same result for every value, in or out of the choices. Every project model with a choices
    field has this base (``tests/core/test_choice_labels.py`` checks).
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        labels = {make_hashable(key): label for key, label in field.flatchoices}
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


class CreatedModel(ChoiceLabels):
    """Abstract base: when the row was made (every app's models share this one field)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class TimeStampedModel(CreatedModel):
    """Abstract base: when the row was made and last changed."""

    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who did what to which object, when, and what changed."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.CASCADE
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    target = GenericForeignKey("content_type", "object_id")

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        from . import audit

        return audit.action_label(self.action)

    @property
    def change_rows(self) -> list[tuple[str, Any, Any]]:
        """``(field label, old, new)`` for each recorded change, in the reader's language."""
        from . import audit

        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        rows = []
        for name, change in (self.changes or {}).items():
            old, new = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
            rows.append(
                (
                    audit.field_label(model, name),
                    audit.field_value(model, name, old),
                    audit.field_value(model, name, new),
                )
            )
        return rows


class NumberingRule(ChoiceLabels):
    """A pattern for the codes Agora issues, e.g. ``C{yyyy}{seq:05}`` for customer codes."""

    class Reset(models.TextChoices):
        NEVER = "never", _("Never")
        YEARLY = "yearly", _("Every year")
        MONTHLY = "monthly", _("Every month")
        DAILY = "daily", _("Every day")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    pattern = models.CharField(
        _("pattern"),
        max_length=100,
        help_text=_(
            "Placeholders: {yyyy} {yy} {mm} {dd} and {seq} or {seq:05} (zero-padded to 5)."
        ),
    )
    reset = models.CharField(
        _("sequence resets"), max_length=10, choices=Reset.choices, default=Reset.YEARLY
    )

    class Meta:
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})"

    def clean(self) -> None:
        from .numbering import validate_pattern

        try:
            validate_pattern(self.pattern)
        except ValueError as exc:
            raise ValidationError({"pattern": str(exc)}) from exc


class NumberSequence(models.Model):
    """The last number issued by one rule in one period (a year, month, day, or forever)."""

    rule = models.ForeignKey(NumberingRule, on_delete=models.CASCADE, related_name="sequences")
    period = models.CharField(max_length=16)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "period"], name="unique_sequence_period")
        ]

    def __str__(self) -> str:
        return f"{self.rule.key}/{self.period}: {self.last_value}"


class ObjectAccess(models.Model):
    """One visibility key of one object: the single access rule (docs/decisions/0001), materialised.

    An object may be read by a user when one of the object's keys is among the user's keys
    (see `portal.core.visibility`). The same keys are indexed with search documents.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "key", "object_id"], name="unique_object_access_key"
            )
        ]
        # With the key in the index, the list pages' correlated EXISTS (filter_visible) and
        # can_see probe it index-only: no heap read per listed row (ADR 0424).
        indexes = [
            models.Index(fields=["content_type", "object_id", "key"], name="core_objacc_ct_obj_key")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} ← {self.key}"


class BackgroundJob(models.Model):
    """Work too large for the request that asked for it (re-keying a moved rep's thousands of
    customers, say), done by the worker one chunk at a time with its progress kept (ADR 0142).

    One unfinished job per (kind, key): asking again while it runs restarts it from the top
    with the new request's payload, so the last request wins and nothing is done twice over."""

    kind = models.CharField(_("kind"), max_length=80)
    key = models.CharField(_("key"), max_length=200)
    payload = models.JSONField(_("payload"), default=dict)
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    # where the next chunk starts (the last primary key handled, for the handlers we have)
    cursor = models.BigIntegerField(default=0)
    # bumped by every restart: a chunk that started before it does not move the cursor
    generation = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=models.Q(finished_at__isnull=True),
                name="core_one_unfinished_job_per_key",
            )
        ]
        indexes = [models.Index(fields=["finished_at", "created_at"], name="core_bgjob_pending")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.finished_at:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
