"""A person's iCalendar feed (decision 1001): turn it on, replace its secret URL, turn it off.
Only ever the acting person's own feed."""

from __future__ import annotations

from django.db import transaction

from portal.accounts.models import User
from portal.core import audit
from portal.records.deals.models import CalendarFeed
from portal.records.deals.models.calendar import new_feed_token


@transaction.atomic
def regenerate_calendar_feed(*, acting_user: User) -> CalendarFeed:
    """A new secret URL for the acting person's feed: the old one answers 404 from now on."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=acting_user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
    audit.record(
        acting_user,
        "calendar.feed_created" if created else "calendar.feed_regenerated",
        acting_user,
    )
    return feed


@transaction.atomic
def revoke_calendar_feed(*, acting_user: User) -> bool:
    """Turn the acting person's feed off; its URL answers 404."""
    deleted, _rows = CalendarFeed.objects.filter(user=acting_user).delete()
    if deleted:
        audit.record(acting_user, "calendar.feed_revoked", acting_user)
    return bool(deleted)
