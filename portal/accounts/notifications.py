"""What notifications a person starts with (ADR 0611): a new person gets the administrators'
default follows for everyone and their department."""

from __future__ import annotations

from portal.core import events
from portal.notifications import actions as notification_actions

from .models import User


@events.subscribe("accounts.person_registered")
def give_default_follows(event: events.Event) -> None:
    user = User.objects.filter(pk=event["user_id"]).first()
    if user is not None:
        notification_actions.apply_default_follows(user)


@events.subscribe("accounts.person_deactivated")
def close_their_sockets(event: events.Event) -> None:
    notification_actions.end_sockets(event["user_id"])
