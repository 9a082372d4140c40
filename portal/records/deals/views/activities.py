"""POST views behind the deal page's activity, reminder and competitor forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.records.deals import actions
from portal.records.deals.forms import (
    ActivityForm,
    CompetitorForm,
    CompleteActivityForm,
    ReminderForm,
)
from portal.records.deals.models import Deal

from .common import _handle, _item_post


@login_required
@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        fields = {name: data[name] for name in actions.ACTIVITY_FIELDS}
        actions.create_activity(deal, acting_user=request.user, status=data["status"], **fields)

    return _handle(
        request, pk, ActivityForm, "activity_form", run, _("The activity was saved."),
        anchor="activities",
    )  # fmt: skip


@login_required
@require_POST
def activity_complete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        activity = get_object_or_404(deal.activities, pk=activity_pk)
        actions.complete_activity(
            activity,
            acting_user=request.user,
            outcome=data["outcome"],
            next_step=data["next_step"],
            next_kind=data["next_kind"],
            next_due_at=data["next_due_at"],
        )

    return _handle(
        request, pk, CompleteActivityForm, "complete_form", run, _("The activity is done."),
        anchor="activities",
    )  # fmt: skip


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    return _item_post(request, pk, "activities", activity_pk, actions.cancel_activity, "activities")


@login_required
@require_POST
def reminder_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.create_deal_reminder(
            deal,
            acting_user=request.user,
            due_at=data["due_at"],
            subject=data["subject"],
            people=list(data["people"]),
        )

    return _handle(
        request, pk, ReminderForm, "reminder_form", run, _("The reminder was set."),
        anchor="reminders",
    )  # fmt: skip


@login_required
@require_POST
def reminder_delete(request: HttpRequest, pk: int, reminder_pk: int) -> HttpResponse:
    return _item_post(
        request, pk, "reminders", reminder_pk, actions.delete_deal_reminder, "reminders"
    )


@login_required
@require_POST
def competitor_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_competitor(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, CompetitorForm, "competitor_form", run, _("The competitor was added."),
        anchor="competitors",
    )  # fmt: skip


@login_required
@require_POST
def competitor_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    return _item_post(
        request, pk, "competitors", entry_pk, actions.remove_competitor, "competitors"
    )
