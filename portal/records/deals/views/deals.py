"""Deal pages: the list, create and edit, the detail page (everything on one screen), and
the deal's state (close, stage, reopen, complete)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.permissions import has_module_perm
from portal.core.bounds import parse_id
from portal.core.forms import form_errors, run_action
from portal.records.customers.policy import access_customer
from portal.records.deals import actions
from portal.records.deals.forms import (
    CloseForm,
    DealForm,
)
from portal.records.deals.models import Deal, DealStage
from portal.records.deals.policy import (
    access_deal,
    can_edit_deal,
    can_see_urge_report,
)
from portal.records.deals.queries import (
    DealFilters,
    deal_page,
    next_contact_due,
    visible_filtered_deals,
)

from .common import _detail_context, _handle, _reps, _require_view


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    filters = DealFilters.from_query(request.GET)
    queryset = visible_filtered_deals(request.user, filters).select_related(
        "owner", "customer", "stage"
    )
    page = deal_page(
        queryset,
        filters.sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    context = {
        "page": page,
        "filters": filters,
        "query": filters.as_query(),
        "states": Deal.State.choices,
        "stages": DealStage.objects.all(),
        "owners": _reps(),
        "customer": (
            access_customer(request.user, customer_id)
            if (customer_id := parse_id(filters.customer)) is not None
            else None
        ),
        "today": timezone.localdate(),
        "may_register": has_module_perm(request.user, "deals", "register"),
        "may_urge": can_see_urge_report(request.user),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "deal-rows":
        return render(request, "records/includes/deal_rows.html", context)
    return render(request, "records/deal_list.html", context)


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    from portal.records.customers.policy import customers_visible_to

    _require_view(request.user)
    if not has_module_perm(request.user, "deals", "register"):
        raise PermissionDenied(_("You may not open deals."))
    customer = None
    if (customer_id := parse_id(request.GET.get("customer"))) is not None:
        customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    actions.ensure_default_stages()
    form = DealForm(request.POST or None, user=request.user, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            deal = actions.create_deal(
                acting_user=request.user, customer=form.customer, **_deal_arguments(form)
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Deal %(number)s was opened for %(customer)s.")
                % {"number": deal.number, "customer": deal.customer.name},
            )
            return redirect(deal)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/deal_form.html", _form_context(form), status=status)


def _deal_arguments(form: DealForm) -> dict[str, Any]:
    """What the deal form gives the create and update actions."""
    return {
        "contacts": form.cleaned_data["contacts"],
        "co_owners": form.cleaned_data["co_owners"],
        "products": form.cleaned_data["products"],
        **form.action_data(),
    }


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    if not can_edit_deal(request.user, deal):
        raise PermissionDenied(
            _("You may not change the deal %(number)s.") % {"number": deal.number}
        )
    form = DealForm(request.POST or None, instance=deal, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_deal(
                access_deal(request.user, pk), acting_user=request.user, **_deal_arguments(form)
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The deal was saved."))
            return redirect(deal)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/deal_form.html", _form_context(form, deal), status=status)


def _form_context(form: DealForm, deal: Deal | None = None) -> dict[str, Any]:
    customer = form.customer
    return {
        "form": form,
        "deal": deal,
        "customer": customer,
        "contact_due": next_contact_due(customer) if customer is not None else None,
        "wide_fields": ["customer_code", "name", "contacts", "notes"],
    }


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    return render(request, "records/deal_detail.html", _detail_context(request, deal))


@login_required
@require_POST
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        if data["outcome"] == Deal.State.WON:
            actions.win_deal(
                deal, acting_user=request.user, closed_on=data["closed_on"], reason=data["reason"]
            )
        else:
            actions.lose_deal(
                deal,
                acting_user=request.user,
                reason=data["reason"],
                abandoned=data["outcome"] == Deal.State.ABANDONED,
                closed_on=data["closed_on"],
            )

    return _handle(request, pk, CloseForm, "close_form", run, _("The deal was closed."))


@login_required
@require_POST
def deal_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a tracked deal to another stage (the quick selector on the deal page)."""
    deal = access_deal(request.user, pk)
    stage_id = parse_id(request.POST.get("stage")) or 0  # not a number: "Choose a stage."
    stage = DealStage.objects.filter(pk=stage_id, is_active=True).first()
    if stage is None:
        messages.error(request, _("Choose a stage."))
        return redirect(deal)
    run_action(
        request,
        lambda: actions.update_deal(deal, acting_user=request.user, stage=stage),
        _("The deal moved to the stage %(stage)s.") % {"stage": stage},
    )
    return redirect(deal)


def _deal_button(act: Callable[..., Any], success: str) -> Callable[..., HttpResponse]:
    """A POST button on the deal page that runs one action on the deal and comes back
    (`success` a lazy translation, read in the language of the request)."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        deal = access_deal(request.user, pk)
        run_action(request, lambda: act(deal, acting_user=request.user), str(success))
        return redirect(deal)

    return view


deal_reopen = _deal_button(actions.reopen_deal, gettext_lazy("The deal is being tracked again."))
deal_complete = _deal_button(actions.complete_deal, gettext_lazy("The deal is completed."))
