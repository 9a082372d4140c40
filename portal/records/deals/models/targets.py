"""Sales targets per rep or team and period, and the commission rules statistics apply."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import ChoiceLabels

# The categories commission rules name are the knowledge base's product lines (one source of
# truth for what a "product category" is).
from portal.knowledge.models import ProductLine


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


def period_bounds(kind: str, start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """[first day, first day of the next period) of the period of `kind` containing `start`."""
    if kind == PeriodKind.YEAR:
        first = datetime.date(start.year, 1, 1)
        return first, datetime.date(start.year + 1, 1, 1)
    if kind == PeriodKind.QUARTER:
        month = (start.month - 1) // 3 * 3 + 1
        first = datetime.date(start.year, month, 1)
        months = 3
    else:
        first = datetime.date(start.year, start.month, 1)
        months = 1
    year, month = divmod(first.month - 1 + months, 12)
    return first, datetime.date(first.year + year, month + 1, 1)


class SalesTarget(ChoiceLabels):
    """What a rep — or a whole team (department) — should win in one month, quarter or year."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    period_start = models.DateField(
        _("period starts"),
        help_text=_("Any day in the period; it is stored as the period's first day."),
    )
    amount = models.DecimalField(_("target amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-period_start", "period_kind", "rep", "department"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rep__isnull=False, department__isnull=True)
                | Q(rep__isnull=True, department__isnull=False),
                name="records_target_one_holder",
            ),
            models.UniqueConstraint(
                fields=["rep", "period_kind", "period_start"],
                name="records_target_rep_period",
                condition=Q(rep__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["department", "period_kind", "period_start"],
                name="records_target_team_period",
                condition=Q(department__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep or self.department} · {self.period_label}"

    def save(self, *args, **kwargs) -> None:
        if self.period_start:
            self.period_start = period_bounds(self.period_kind, self.period_start)[0]
        super().save(*args, **kwargs)

    @property
    def period_end(self) -> datetime.date:
        return period_bounds(self.period_kind, self.period_start)[1]

    @property
    def period_label(self) -> str:
        start = self.period_start
        if self.period_kind == PeriodKind.YEAR:
            return f"{start.year}"
        if self.period_kind == PeriodKind.QUARTER:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        return f"{start.year}-{start.month:02d}"

    def clean(self) -> None:
        if bool(self.rep_id) == bool(self.department_id):
            raise ValidationError(_("A target belongs to either one rep or one team."))
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("A target cannot be negative.")})


class CommissionRule(ChoiceLabels):
    """How much commission a rep earns on won order lines of a product category.

    A flat rule pays `rate` percent of the amount. A tiered rule pays its bands progressively
    (like tax brackets) on the rep's total in that category for the period: with bands
    0 → 2 %, 100,000 → 3 %, the first 100,000 earn 2 % and only the rest 3 %. A rule with no
    category applies to every category no other active rule names (and to won amounts without
    order lines).
    """

    class Basis(models.TextChoices):
        FLAT = "flat", _("Flat rate")
        TIERED = "tiered", _("Tiered bands")

    name = models.CharField(_("name"), max_length=100)
    product_line = models.CharField(
        _("product category"),
        max_length=20,
        choices=ProductLine.choices,
        blank=True,
        help_text=_("Leave empty for the default rule (every other category)."),
    )
    basis = models.CharField(_("basis"), max_length=8, choices=Basis.choices, default=Basis.FLAT)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("Percent of the amount, for a flat rule."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["product_line", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_line"],
                name="records_commission_one_active_rule",
                condition=Q(active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommissionTier(models.Model):
    """One band of a tiered rule: from `threshold` upwards the rate is `rate` percent."""

    rule = models.ForeignKey(CommissionRule, on_delete=models.CASCADE, related_name="tiers")
    threshold = models.DecimalField(_("from amount"), max_digits=14, decimal_places=2)
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("commission band")
        verbose_name_plural = _("commission bands")
        ordering = ["rule", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "threshold"], name="records_tier_once"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.threshold}: {self.rate} %"
