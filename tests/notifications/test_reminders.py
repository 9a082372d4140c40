"""Reminders: delivered by the worker when due, exactly once even with two workers."""

import datetime

import pytest
from django.utils import timezone

from portal.core.testing import run_at_once
from portal.notifications import actions
from portal.notifications.models import Notification, Reminder


def _schedule(people, n: int, *, due_in: float = -1) -> list[Reminder]:
    due = timezone.now() + datetime.timedelta(seconds=due_in)
    reminders = []
    for i in range(n):
        reminders += actions.create_reminder(
            user_ids=[people["sales1"].pk, people["sales2"].pk],
            due_at=due,
            subject=f"Call back customer {i}",
            url="/records/",
            acting_user=people["manager"],
        )
    return reminders


def test_due_reminder_becomes_one_notification(people):
    _schedule(people, 1)
    assert actions.deliver_due_reminders() == 2
    assert actions.deliver_due_reminders() == 0
    row = Notification.objects.get(user=people["sales2"])
    assert (row.kind, row.title, row.url) == ("reminder", "Call back customer 0", "/records/")
    assert not Reminder.objects.filter(delivered_at__isnull=True).exists()


def test_cancelling_removes_only_the_undelivered_reminders_of_that_source(people):
    # given a delivered reminder and two pending ones from "deal:1", and one from "deal:2"
    due = timezone.now() - datetime.timedelta(seconds=1)
    later = timezone.now() + datetime.timedelta(hours=1)
    delivered = actions.create_reminder(
        user_ids=[people["sales1"].pk], due_at=due, subject="a", source="deal:1"
    )
    assert actions.deliver_due_reminders() == 1
    actions.create_reminder(
        user_ids=[people["sales1"].pk, people["sales2"].pk],
        due_at=later,
        subject="b",
        source="deal:1",
    )
    other = actions.create_reminder(
        user_ids=[people["sales1"].pk], due_at=later, subject="c", source="deal:2"
    )
    # when deal:1's reminders are cancelled
    assert actions.cancel_reminders(sources=["deal:1"]) == 2
    # then the delivered one and the other source's stay
    assert set(Reminder.objects.values_list("pk", flat=True)) == {delivered[0].pk, other[0].pk}
    assert actions.cancel_reminders(sources=[]) == 0


def test_reminder_not_yet_due_waits(people):
    _schedule(people, 1, due_in=3600)
    assert actions.deliver_due_reminders() == 0
    assert not Notification.objects.exists()
    later = timezone.now() + datetime.timedelta(hours=2)
    assert actions.deliver_due_reminders(now=later) == 2


def test_reminder_needs_subject_and_aware_time(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.create_reminder(user_ids=[people["sales1"].pk], due_at=timezone.now(), subject="")
    with pytest.raises(ValidationError):
        actions.create_reminder(
            user_ids=[people["sales1"].pk],
            due_at=datetime.datetime.fromisoformat("2030-01-01T09:00"),
            subject="x",
        )  # noqa: DTZ001
    assert not Reminder.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_reminder_exactly_once(people):
    # given 60 due reminders (30 × 2 people)
    # (on PostgreSQL the workers skip each other's locked rows; on SQLite writers queue and
    # the claim is the atomic UPDATE either way)
    _schedule(people, 30)

    def worker(_index: int) -> int:
        return sum(actions.deliver_due_reminders(batch=7) for _ in range(20))

    # when two workers run at once
    results = run_at_once(worker, 2)
    # then every reminder became exactly one notification
    assert sum(results) == 60
    assert Notification.objects.count() == 60
    assert Reminder.objects.filter(delivered_at__isnull=True).count() == 0
    for user in (people["sales1"], people["sales2"]):
        seqs = sorted(Notification.objects.filter(user=user).values_list("seq", flat=True))
        assert seqs == list(range(1, 31))
