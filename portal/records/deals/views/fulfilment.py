"""POST views behind the won deal's order lines, contract, deliveries, payment plan and payments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.records.deals import actions
from portal.records.deals.forms import (
    ContractForm,
    DeliveryForm,
    InstallmentForm,
    OrderLineForm,
    PaymentForm,
)
from portal.records.deals.models import Deal
from portal.records.deals.policy import (
    access_deal,
)

from .common import _handle


@login_required
@require_POST
def order_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_order_line(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, OrderLineForm, "order_line_form", run, _("The order line was added."),
        anchor="order",
    )  # fmt: skip


@login_required
@require_POST
def order_line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    line = get_object_or_404(deal.order_lines, pk=line_pk)
    try:
        actions.remove_order_line(line, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url() + "#order")


@login_required
@require_POST
def contract_save(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.save_contract(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, ContractForm, "contract_form", run, _("The contract was saved."),
        anchor="contract", form_kwargs=lambda deal: {"deal": deal},
    )  # fmt: skip


@login_required
@require_POST
def delivery_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_delivery(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, DeliveryForm, "delivery_form", run, _("The delivery was added."),
        anchor="deliveries",
    )  # fmt: skip


@login_required
@require_POST
def delivery_done(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    delivery = get_object_or_404(deal.deliveries, pk=delivery_pk)
    try:
        actions.mark_delivered(delivery, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url() + "#deliveries")


@login_required
@require_POST
def installment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_installment(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, InstallmentForm, "installment_form", run,
        _("The payment plan entry was added; a reminder falls due with it."),
        anchor="payments",
    )  # fmt: skip


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.record_payment(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, PaymentForm, "payment_form", run, _("The payment was recorded."),
        anchor="payments", form_kwargs=lambda deal: {"deal": deal},
    )  # fmt: skip
