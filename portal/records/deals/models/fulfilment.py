"""The won deal's order lines, contract, deliveries, payment plan and payments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.bounds import BoundedDecimalField
from portal.core.models import CreatedModel, TimeStampedModel

from .deals import MONEY, Deal, DealDocument


class OrderLine(models.Model):
    """What a won deal sells: product, quantity, unit price."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="order_lines"
    )
    product = models.ForeignKey(
        "knowledge.ProductPage",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = BoundedDecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = BoundedDecimalField(_("unit price"), **MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["deal", "position", "id"]

    def __str__(self) -> str:
        return self.description or str(self.product or "")

    @property
    def total(self) -> Decimal:
        return (self.quantity or 0) * (self.unit_price or 0)


class Contract(TimeStampedModel):
    """The contract of a won deal (one per deal)."""

    deal = models.OneToOneField(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="contract"
    )
    number = models.CharField(_("contract number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    amount = BoundedDecimalField(_("contract amount"), **MONEY)
    document = models.ForeignKey(
        DealDocument,
        verbose_name=_("contract file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        # My tasks reads the contracts ending within a window first (ADR 1006)
        indexes = [models.Index(fields=["ends_on"], name="records_contract_ends")]

    def __str__(self) -> str:
        return self.number


class Delivery(CreatedModel):
    """A planned or made delivery; a deal is delivered when every delivery is made."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="deliveries"
    )
    description = models.CharField(_("description"), max_length=200)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["deal", "planned_on", "id"]

    def __str__(self) -> str:
        return self.description


class PaymentInstallment(CreatedModel):
    """One entry of a won deal's payment plan: an amount due on a date."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="installments"
    )
    due_on = models.DateField(_("due on"))
    amount = BoundedDecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment plan entry")
        verbose_name_plural = _("payment plan")
        ordering = ["deal", "due_on", "id"]
        indexes = [models.Index(fields=["due_on"], name="records_installment_due")]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.amount}"


class Payment(CreatedModel):
    """Money received for a won deal (optionally against one plan entry)."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="payments"
    )
    installment = models.ForeignKey(
        PaymentInstallment,
        verbose_name=_("plan entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    received_on = models.DateField(_("received on"))
    amount = BoundedDecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["deal", "received_on", "id"]
        indexes = [models.Index(fields=["received_on"], name="records_payment_received")]

    def __str__(self) -> str:
        return f"{self.received_on}: {self.amount}"
