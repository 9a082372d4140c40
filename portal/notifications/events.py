"""The events notifications publishes and their payloads (ADR 0610)."""

from __future__ import annotations

from portal.core.events import declare


@declare("notifications.follow_changed")
class FollowChanged:
    follow_id: int
    level: int | None  # None: the follow was removed
    actor_id: int | None


@declare("notifications.interest_changed")
class InterestChanged:
    interest_id: int
    actor_id: int | None


@declare("notifications.announced")
class Announced:
    recipients: int
    actor_id: int | None


@declare("notifications.reminder_created")
class ReminderCreated:
    reminder_id: int
    user_id: int
    actor_id: int | None


@declare("notifications.reminder_delivered")
class ReminderDelivered:
    reminder_id: int
    user_id: int
    actor_id: int | None
