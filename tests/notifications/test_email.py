"""Email for the absent: immediately or in a digest, quiet hours, unsubscribe per kind."""

import datetime

from django.core import mail
from django.utils import timezone

from portal.notifications import actions
from portal.notifications.models import Kind, Notification, Presence


def _notify(user, title="Deal won", kind=Kind.DEAL):
    return actions.notify(
        [user.pk], kind, title, "Body text", "/records/deals/1/", dedupe_key=f"{kind}:{title}"
    )


def test_an_absent_person_gets_one_email_with_an_unsubscribe_link(people):
    sales2 = people["sales2"]
    _notify(sales2)
    assert actions.send_pending_emails() == 1
    assert actions.send_pending_emails() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [sales2.email] and message.subject == "Deal won"
    assert "/notifications/unsubscribe/" in message.body
    assert "List-Unsubscribe" in message.extra_headers


def test_a_connected_person_gets_no_email(people):
    sales2 = people["sales2"]
    Presence.objects.create(channel_name="specific.abc!1", user=sales2, seen_at=timezone.now())
    _notify(sales2)
    assert actions.send_pending_emails() == 0
    assert mail.outbox == []


def test_a_stale_socket_does_not_count_as_present(people):
    sales2 = people["sales2"]
    old = timezone.now() - datetime.timedelta(minutes=10)
    Presence.objects.create(channel_name="specific.dead!1", user=sales2, seen_at=old)
    _notify(sales2)
    assert actions.send_pending_emails() == 1
    assert actions.prune_presence() == 1


def test_read_before_the_email_goes_means_no_email(people):
    sales2 = people["sales2"]
    _notify(sales2)
    actions.mark_all_read(acting_user=sales2)
    assert actions.send_pending_emails() == 0
    assert mail.outbox == []


def test_quiet_hours_hold_the_email_until_they_end(people):
    sales2 = people["sales2"]
    now = timezone.localtime()
    start = (now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    actions.update_delivery_settings(
        email_mode="immediate", quiet_start=start, quiet_end=end, channels={}, acting_user=sales2
    )
    _notify(sales2)
    assert actions.send_pending_emails() == 0
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    assert actions.send_pending_emails(now=later) == 1


def test_daily_digest_lists_what_is_unread_once_a_day(people):
    sales2 = people["sales2"]
    actions.update_delivery_settings(
        email_mode="daily", quiet_start=None, quiet_end=None, channels={}, acting_user=sales2
    )
    _notify(sales2, "First")
    _notify(sales2, "Second", kind=Kind.REMINDER)
    assert actions.send_pending_emails() == 0
    assert actions.send_digests() == 0  # not a day yet
    tomorrow = timezone.now() + datetime.timedelta(days=1, minutes=1)
    assert actions.send_digests(now=tomorrow) == 1
    assert actions.send_digests(now=tomorrow) == 0
    body = mail.outbox[0].body
    assert "First" in body and "Second" in body
    assert not Notification.objects.filter(email_state="digest").exists()


def test_unsubscribe_link_stops_that_kind_only(people, client):
    sales2 = people["sales2"]
    token = actions.unsubscribe_token(sales2.pk, Kind.DEAL)
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200
    _notify(sales2, "Deal news", kind=Kind.DEAL)
    _notify(sales2, "Reminder", kind=Kind.REMINDER)
    assert actions.send_pending_emails() == 1
    assert mail.outbox[0].subject == "Reminder"


def test_a_forged_unsubscribe_link_changes_nothing(people, client):
    sales2 = people["sales2"]
    token = actions.unsubscribe_token(sales2.pk, Kind.DEAL)[:-2] + "xx"
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 400
    assert actions.settings_for(sales2).wants(Kind.DEAL, "email")
