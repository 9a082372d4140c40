"""POST views behind the won deal's order lines, contract, deliveries, payment plan and payments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
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

from .common import _handle, _item_post


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
    return _item_post(request, pk, "order_lines", line_pk, actions.remove_order_line, "order")


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
    return _item_post(request, pk, "deliveries", delivery_pk, actions.mark_delivered, "deliveries")


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
