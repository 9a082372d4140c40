"""What the deal pages share: the detail page's context, and `_handle` — the thin POST views
behind the detail page's forms parse input, call one action, then redirect or re-render the
page with the form's errors and a 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts import roles
from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm
from portal.core import audit
from portal.core.forms import form_errors, run_action
from portal.records.deals import actions, allocation
from portal.records.deals.forms import (
    ActivityForm,
    AnswerForm,
    CloseForm,
    CompetitorForm,
    CompleteActivityForm,
    ContractForm,
    DeliveryForm,
    DocumentForm,
    HandoverForm,
    InstallmentForm,
    NewVersionForm,
    OrderLineForm,
    PaymentForm,
    ReminderForm,
    UrgeForm,
)
from portal.records.deals.models import Activity, Contract, Deal, DealStage, DocumentVersion
from portal.records.deals.policy import (
    access_deal,
    can_edit_deal,
    can_hand_over,
    can_urge,
)
from portal.records.deals.queries import (
    next_contact_due,
    renewal_links,
)


def _require_view(user: User) -> None:
    if not has_module_perm(user, "deals", "view"):
        raise PermissionDenied(_("You do not have access to deal tracking."))


def _reps():
    return (
        User.objects.filter(groups__name__in=[roles.SALES, roles.MANAGERS], is_active=True)
        .distinct()
        .order_by("username")
    )


def _detail_context(request: HttpRequest, deal: Deal) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    activities = list(
        deal.activities.select_related("owner").prefetch_related("contacts").order_by("-due_at")
    )
    planned = sorted(
        (a for a in activities if a.status == Activity.Status.PLANNED), key=lambda a: a.due_at
    )
    history = [a for a in activities if a.status != Activity.Status.PLANNED]
    installments = list(deal.installments.order_by("due_on", "pk"))
    payments = list(deal.payments.select_related("installment"))
    paid = allocation.allocate(installments, payments)
    for entry in installments:
        entry.paid = paid[entry.pk]
    contract = Contract.objects.filter(deal=deal).select_related("document").first()
    may_edit = can_edit_deal(user, deal)
    renews, renewed_by = renewal_links(deal, user)
    return {
        "deal": deal,
        "renews": renews,
        "renewed_by": renewed_by,
        "object": deal,
        "customer": deal.customer,
        "contacts": deal.contacts.all(),
        "co_owners": deal.co_owners.all(),
        "products": deal.products.all(),
        "planned": planned,
        "history": history,
        "reminders": deal.reminders.select_related("installment")
        .prefetch_related("people")
        .order_by("due_at"),
        "competitors": deal.competitors.select_related("competitor"),
        "documents": deal.documents.prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            )
        ).order_by("-updated_at"),
        "urges": deal.urges.select_related("urged_by", "urged_user", "answered_by"),
        "order_lines": deal.order_lines.select_related("product"),
        "order_total": sum((line.total for line in deal.order_lines.all()), 0),
        "contract": contract,
        "deliveries": deal.deliveries.all(),
        "installments": installments,
        "payments": payments,
        "fulfilment": actions.fulfilment(deal) if deal.is_won else None,
        "contact_due": next_contact_due(deal.customer),
        "entries": audit.history(deal)[:50],
        "now": now,
        "today": timezone.localdate(),
        "may_edit": may_edit,
        "may_hand_over": can_hand_over(user, deal),
        "may_urge": can_urge(user, deal),
        "stages": DealStage.objects.filter(is_active=True) if deal.is_open else [],
        "activity_form": ActivityForm(
            initial={"status": Activity.Status.DONE, "due_at": timezone.localtime(now)}
        ),
        "complete_form": CompleteActivityForm(),
        "reminder_form": ReminderForm(),
        "competitor_form": CompetitorForm(),
        "document_form": DocumentForm(),
        "version_form": NewVersionForm(),
        "close_form": CloseForm(),
        "handover_form": HandoverForm(),
        "urge_form": UrgeForm(),
        "answer_form": AnswerForm(),
        "order_line_form": OrderLineForm(),
        "contract_form": ContractForm(
            deal=deal,
            initial=(
                {
                    "number": contract.number,
                    "signed_on": contract.signed_on,
                    "starts_on": contract.starts_on,
                    "ends_on": contract.ends_on,
                    "amount": contract.amount,
                    "document": contract.document_id,
                }
                if contract
                else {"amount": deal.amount}
            ),
        ),
        "delivery_form": DeliveryForm(),
        "installment_form": InstallmentForm(),
        "payment_form": PaymentForm(deal=deal),
    }


def _item_post(
    request: HttpRequest,
    pk: int,
    relation: str,
    item_pk: int,
    act: Callable[..., Any],
    anchor: str,
) -> HttpResponse:
    """A POST button on one item of a deal (an order line, a delivery, an activity …): the item
    looked up within a deal the user may see (404 otherwise), `act(item, acting_user=…)` run,
    a refusal shown as a message, and back to the deal page at `anchor`."""
    deal = access_deal(request.user, pk)
    item = get_object_or_404(getattr(deal, relation), pk=item_pk)
    run_action(request, lambda: act(item, acting_user=request.user))
    return redirect(f"{deal.get_absolute_url()}#{anchor}")


def _handle(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    context_name: str,
    run: Callable[[Deal, dict[str, Any]], Any],
    success: str,
    *,
    anchor: str = "",
    form_kwargs: Callable[[Deal], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Bind the form, run the action; on refusal show the deal page with the form's errors."""
    deal = access_deal(request.user, pk)
    kwargs = form_kwargs(deal) if form_kwargs else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            run(deal, form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(deal.get_absolute_url() + (f"#{anchor}" if anchor else ""))
    context = _detail_context(request, access_deal(request.user, pk))
    context[context_name] = form
    context["failed_form"] = context_name
    return render(request, "records/deal_detail.html", context, status=400)
