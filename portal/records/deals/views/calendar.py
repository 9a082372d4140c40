"""The personal calendar (week and month; a manager's team) and its iCalendar feed
(decision 1001)."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.permissions import has_module_perm
from portal.core import formatting
from portal.records.deals import actions
from portal.records.deals.calendar import calendar_items, feed_items, team_ids
from portal.records.deals.models import CalendarFeed

VIEWS = ("week", "month")


def _day(value: str) -> datetime.date:
    """The day asked for (YYYY-MM-DD, within years 1900–2999), else today."""
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()
    if not 1900 <= day.year <= 2999:
        return timezone.localdate()
    return day


def _range(view: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    if view == "month":
        first = day.replace(day=1)
        last = first.replace(day=stdlib_calendar.monthrange(first.year, first.month)[1])
        start = first - datetime.timedelta(days=first.weekday())
        end = last + datetime.timedelta(days=7 - last.weekday())
        return start, end
    start = day - datetime.timedelta(days=day.weekday())
    return start, start + datetime.timedelta(days=7)


def _shift(view: str, day: datetime.date, step: int) -> datetime.date:
    if view == "month":
        month = day.month - 1 + step
        year = day.year + month // 12
        return datetime.date(year, month % 12 + 1, 1)
    return day + datetime.timedelta(days=7 * step)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_module_perm(user, "deals", "view"):
        raise PermissionDenied(_("You have no access to deal tracking."))
    params = request.GET
    view = params.get("view") if params.get("view") in VIEWS else "week"
    day = _day(params.get("date", ""))
    team = team_ids(user)
    scope = "team" if params.get("scope") == "team" and team else "mine"
    start, end = _range(view, day)
    items = calendar_items(user, start, end, people=team if scope == "team" else None)
    by_day: dict[datetime.date, list] = {}
    for item in items:
        by_day.setdefault(item.day, []).append(item)
    today = timezone.localdate()
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days)]
    cells = [
        {
            "day": d,
            "items": by_day.get(d, []),
            "today": d == today,
            "outside": view == "month" and d.month != day.month,
        }
        for d in days
    ]

    def link(**changes) -> str:
        query = {"view": view, "date": day.isoformat(), "scope": scope, **changes}
        return reverse("records:calendar") + "?" + urlencode(query)

    return render(
        request,
        "records/calendar.html",
        {
            "view": view,
            "day": day,
            "start": start,
            "last": end - datetime.timedelta(days=1),
            "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)],
            "cells": cells,
            "items": items,
            "scope": scope,
            "may_pick_team": bool(team),
            "links": {
                "previous": link(date=_shift(view, day, -1).isoformat()),
                "next": link(date=_shift(view, day, 1).isoformat()),
                "today": link(date=today.isoformat()),
                "week": link(view="week"),
                "month": link(view="month"),
                "mine": link(scope="mine"),
                "team": link(scope="team"),
            },
            "weekdays": [formatting.format_weekday(days[i]) for i in range(7)],
        },
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's calendar as text/calendar, for calendar apps: the secret token alone
    opens it (no session); an unknown, replaced or revoked token is a 404."""
    from portal.records.deals.ics import feed

    record = (
        CalendarFeed.objects.select_related("user").filter(token=token[:64]).first()
        if token
        else None
    )
    if record is None or not record.user.is_active:
        raise Http404("No such calendar.")
    user = record.user
    if not has_module_perm(user, "deals", "view"):
        raise Http404("No such calendar.")
    from django.utils.translation import override

    with override(user.language or None):
        body = feed(feed_items(user), name=_("Agora · %(name)s") % {"name": user})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agora.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    if not has_module_perm(request.user, "deals", "view"):
        raise PermissionDenied(_("You have no access to deal tracking."))
    had = CalendarFeed.objects.filter(user=request.user).exists()
    actions.regenerate_calendar_feed(acting_user=request.user)
    messages.success(
        request,
        _("Your calendar has a new address; the old one no longer works.")
        if had
        else _("Your calendar feed is on: subscribe to the address below."),
    )
    return redirect(reverse("accounts:profile") + "#calendar-feed")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    actions.revoke_calendar_feed(acting_user=request.user)
    messages.success(request, _("Your calendar feed is off; its address no longer works."))
    return redirect(reverse("accounts:profile") + "#calendar-feed")
