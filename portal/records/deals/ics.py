"""iCalendar (RFC 5545) for the calendar feed and appointment invitations (decision 1001),
built with the `icalendar` package."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from portal.records.deals.calendar import CalendarItem

PRODID = "-//Agora//Calendar//EN"


def _site(url: str) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000"
    return urljoin(base, url)


def _domain() -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "agora"
    return base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "agora"


def uid_for(item_uid: str) -> str:
    return f"{item_uid}@{_domain()}"


def _calendar(name: str = "", method: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(item: CalendarItem, *, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", uid_for(item.uid))
    event.add("dtstamp", stamp)
    event.add("summary", item.title)
    if item.all_day:
        event.add("dtstart", item.start)
        event.add("dtend", item.end or item.start + datetime.timedelta(days=1))
    else:
        event.add("dtstart", item.start.astimezone(datetime.UTC))
        if item.end:
            event.add("dtend", item.end.astimezone(datetime.UTC))
    description = "\n".join(part for part in (item.detail, _site(item.url)) if part)
    event.add("description", description)
    event.add("url", _site(item.url))
    if item.place:
        event.add("location", item.place)
    event.add("categories", [item.kind])
    if item.status == "done":
        event.add("status", "CONFIRMED")
    event.add("sequence", item.sequence)
    return event


def feed(items: Iterable[CalendarItem], *, name: str) -> bytes:
    """A subscribable calendar of `items`."""
    calendar = _calendar(name=name)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for item in items:
        calendar.add_component(_event(item, stamp=stamp))
    return calendar.to_ical()


def invitation(
    item: CalendarItem,
    *,
    organizer: tuple[str, str],
    attendees: Iterable[tuple[str, str]],
    cancelled: bool = False,
) -> bytes:
    """An iTIP REQUEST (or CANCEL) for one appointment: organizer and attendees are
    (name, e-mail) pairs."""
    calendar = _calendar(method="CANCEL" if cancelled else "REQUEST")
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    event = _event(item, stamp=stamp)
    name, email = organizer
    if email:
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        event.add("organizer", address)
    for name, email in attendees:
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address, encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
