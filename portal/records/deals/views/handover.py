"""Handing deals over (one, or all of a person's), urging the owner, answering, the urge report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm
from portal.core.forms import form_errors
from portal.records.deals import actions
from portal.records.deals.forms import (
    AnswerForm,
    HandoverAllForm,
    HandoverForm,
    UrgeForm,
)
from portal.records.deals.models import Deal
from portal.records.deals.policy import (
    access_deal,
    can_edit_deal,
    can_see_urge_report,
)
from portal.records.deals.queries import (
    open_urges_visible_to,
)

from .common import _detail_context, _handle


@login_required
@require_POST
def deal_handover(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            actions.handover_deal(
                deal, to_user=form.cleaned_data["to_user"], acting_user=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Deal %(number)s was handed over to %(name)s.")
                % {"number": deal.number, "name": form.cleaned_data["to_user"]},
            )
            # The former owner may no longer see it: go where they surely may.
            if can_edit_deal(request.user, deal) or _still_visible(request.user, pk):
                return redirect(deal)
            return redirect("records:deal_list")
    context = _detail_context(request, deal)
    context["handover_form"] = form
    context["failed_form"] = "handover_form"
    return render(request, "records/deal_detail.html", context, status=400)


def _still_visible(user: User, pk: int) -> bool:
    try:
        access_deal(user, pk)
    except Http404:
        return False
    return True


@login_required
def handover_all(request: HttpRequest) -> HttpResponse:
    """Hand every deal of a leaving rep to another rep."""
    if not has_module_perm(request.user, "deals", "transfer"):
        raise PermissionDenied(_("You may not hand over deals."))
    form = HandoverAllForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.POST.get("confirm"):
            # First the preview of what will move; nothing moves until it is confirmed.
            preview = actions.handover_preview(
                data["from_user"], include_closed=data["include_closed"]
            )
            return render(
                request, "records/deal_handover_all.html", {"form": form, "preview": preview}
            )
        try:
            moved = actions.hand_over_work(
                data["from_user"],
                to_user=data["to_user"],
                acting_user=request.user,
                include_closed=data["include_closed"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The work of %(from)s was handed over to %(to)s: %(deals)s deals, "
                    "%(customers)s customers."
                )
                % {
                    "from": data["from_user"],
                    "to": data["to_user"],
                    "deals": moved["deals"],
                    "customers": moved["customers"],
                },
            )
            return redirect("records:deal_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "records/deal_handover_all.html", {"form": form}, status=status)


@login_required
@require_POST
def deal_urge(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.urge_deal(
            deal, acting_user=request.user, message=data["message"], due_on=data["due_on"]
        )

    return _handle(
        request, pk, UrgeForm, "urge_form", run, _("The owner was urged."), anchor="urges"
    )


@login_required
@require_POST
def urge_answer(request: HttpRequest, pk: int, urge_pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        urge = get_object_or_404(deal.urges.select_related("deal"), pk=urge_pk)
        actions.answer_urge(urge, acting_user=request.user, answer=data["answer"])

    return _handle(
        request, pk, AnswerForm, "answer_form", run, _("Your answer was sent."), anchor="urges"
    )


@login_required
def urge_report(request: HttpRequest) -> HttpResponse:
    """Open urges on the deals a manager can see, oldest answer date first."""
    if not can_see_urge_report(request.user):
        raise PermissionDenied(_("Only managers see the urge report."))
    urges = list(open_urges_visible_to(request.user)[:200])
    return render(
        request,
        "records/deal_urges.html",
        {"urges": urges, "today": timezone.localdate()},
    )
