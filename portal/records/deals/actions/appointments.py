"""Appointments (decision 1001): the reminder before a planned activity, through the
notifications' reminder machinery, and the e-mail with an .ics invitation to the colleagues
and contacts invited."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.accounts.models import User
from portal.records.customers.models import Contact
from portal.records.deals.models import Activity

log = logging.getLogger(__name__)

#: Kinds whose planned activities are appointments: those invited get an e-mail.
APPOINTMENT_KINDS = (Activity.Kind.MEETING, Activity.Kind.VISIT)


def schedule_reminder(activity: Activity, acting_user: User | None) -> None:
    """Remind the owner and the colleagues invited `remind_minutes` before it starts (at once
    when that moment has passed but the activity has not begun)."""
    from portal.notifications.actions import create_reminder

    if activity.remind_minutes is None or activity.status != Activity.Status.PLANNED:
        return
    now = timezone.now()
    if activity.due_at <= now:
        return
    due_at = max(activity.due_at - datetime.timedelta(minutes=activity.remind_minutes), now)
    people = [activity.owner_id, *activity.attendees.values_list("pk", flat=True)]
    create_reminder(
        user_ids=people,
        due_at=due_at,
        subject=activity.subject,
        body=_("%(kind)s with %(customer)s at %(time)s%(place)s")
        % {
            "kind": activity.get_kind_display(),
            "customer": activity.customer.name,
            "time": timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M"),
            "place": f" · {activity.place}" if activity.place else "",
        },
        url=activity.get_absolute_url(),
        source=activity.source,
        acting_user=acting_user,
    )


def cancel_reminder(activity: Activity) -> None:
    from portal.notifications.actions import cancel_reminders

    cancel_reminders(sources=[activity.source])


def _item(activity: Activity):
    from portal.records.deals.calendar import CalendarItem

    return CalendarItem(
        uid=f"activity-{activity.pk}",
        kind="appointment",
        title=f"{activity.get_kind_display()}: {activity.subject}",
        start=activity.due_at,
        end=activity.ends,
        url=activity.get_absolute_url(),
        detail=activity.customer.name,
        place=activity.place,
        sequence=1 if activity.status == Activity.Status.CANCELLED else 0,
    )


def invite(
    activity: Activity,
    *,
    contacts: Iterable[Contact] | None = None,
    attendees: Iterable[User] | None = None,
    cancelled: bool = False,
) -> None:
    """On commit, e-mail an .ics invitation (or its cancellation) to the invited colleagues
    and contacts who have an e-mail address (contacts marked "do not email" are left out)."""
    if activity.kind not in APPOINTMENT_KINDS:
        return
    contacts = list(activity.contacts.all() if contacts is None else contacts)
    attendees = list(activity.attendees.all() if attendees is None else attendees)
    people = [(str(p), p.email) for p in attendees if p.email]
    people += [(c.name, c.email) for c in contacts if c.may_email]
    if not people:
        return
    owner = activity.owner
    item = _item(activity)

    def send() -> None:
        from portal.records.deals.ics import invitation

        with override(getattr(owner, "language", None) or settings.LANGUAGE_CODE):
            subject = (
                _("Cancelled: %(subject)s") if cancelled else _("Invitation: %(subject)s")
            ) % {"subject": activity.subject}
            when = timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M")
            body = _(
                "%(kind)s with %(customer)s\nWhen: %(time)s\nWhere: %(place)s\nBy: %(owner)s"
            ) % {
                "kind": activity.get_kind_display(),
                "customer": activity.customer.name,
                "time": when,
                "place": activity.place or "—",
                "owner": owner,
            }
        ics = invitation(
            item,
            organizer=(str(owner), owner.email),
            attendees=people,
            cancelled=cancelled,
        )
        method = "CANCEL" if cancelled else "REQUEST"
        message = mail.EmailMessage(
            subject,
            body,
            to=[email for _name, email in people],
            reply_to=[owner.email] if owner.email else None,
        )
        message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
        try:
            message.send()
        except Exception:  # the backend's errors are many; the appointment stands
            log.exception("Invitation for activity %s could not be sent", activity.pk)

    transaction.on_commit(send)
