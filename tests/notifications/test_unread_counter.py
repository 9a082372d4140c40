"""The unread counter beside each person's numbers: it equals their unread rows after every
write, the live frames carry it, and a fan-out's queries do not grow with its recipients."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.notifications import actions, delivery, queries
from portal.notifications.models import Kind, Notification, UserSequence

User = get_user_model()


def _real(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _counter(user) -> int:
    return UserSequence.objects.get(user=user).unread


def _assert_counters_true(*users) -> None:
    for user in users:
        assert _counter(user) == _real(user), user.username


@pytest.fixture
def published(monkeypatch):
    """Every bus message published (user id, message), in order."""
    sent: list[tuple[int, dict]] = []
    monkeypatch.setattr(delivery, "publish", lambda messages: sent.extend(messages))
    return sent


def test_notifying_counts_each_new_unread_row(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    for n in range(3):
        actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    # the same key again is a no-op for both: nothing stored, nothing counted
    actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, "again", dedupe_key="n0")
    assert _counter(sales1) == _counter(sales2) == 3
    _assert_counters_true(sales1, sales2)


def test_a_row_stored_read_web_off_is_not_counted(people):
    sales2 = people["sales2"]
    actions.update_delivery_settings(
        email_mode="immediate",
        quiet_start=None,
        quiet_end=None,
        channels={"announcement": {"web": False, "email": True}},
        acting_user=sales2,
    )
    assert len(actions.notify([sales2.pk], Kind.ANNOUNCEMENT, "x", dedupe_key="x")) == 1
    assert _counter(sales2) == 0
    _assert_counters_true(sales2)


def test_a_row_the_database_ignored_as_a_duplicate_is_not_counted(
    people, monkeypatch, published, django_capture_on_commit_callbacks
):
    """A concurrent call with the same dedupe key wins the race for sales2: it commits after
    this call looked for the key, before this call numbers (and counts) its rows. The insert
    drops ours, and the count follows the rows."""
    sales1, sales2 = people["sales1"], people["sales2"]
    actions.notify([sales2.pk], Kind.ANNOUNCEMENT, "Earlier", dedupe_key="earlier")
    allocate = actions._allocate_numbers
    raced = []

    def the_other_call_wins(user_ids, unread_ids):
        if not raced:
            raced.append(sales2.pk)
            actions.notify([sales2.pk], Kind.MENTION, "Won the race", dedupe_key="post:1")
        return allocate(user_ids, unread_ids)

    monkeypatch.setattr(actions, "_allocate_numbers", the_other_call_wins)
    with django_capture_on_commit_callbacks(execute=True):
        created = actions.notify(
            [sales1.pk, sales2.pk], Kind.REPLY, "Lost the race", dedupe_key="post:1"
        )
    assert [row.user_id for row in created] == [sales1.pk]
    assert [row.title for row in Notification.objects.filter(user=sales2).order_by("seq")] == [
        "Earlier",
        "Won the race",
    ]
    assert _counter(sales2) == 2
    _assert_counters_true(sales1, sales2)
    # the live frames: the winner's for sales2, ours for sales1, each with the true count
    frames = [(uid, m["frame"]["title"], m["unread"]) for uid, m in published]
    assert (sales2.pk, "Won the race", 2) in frames
    assert (sales1.pk, "Lost the race", 1) in frames
    assert (sales2.pk, "Lost the race", 2) not in frames


def test_mark_read_and_mark_all_read_take_rows_off_the_count(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    for n in range(4):
        kind = Kind.ANNOUNCEMENT if n % 2 else Kind.REMINDER
        actions.notify([sales1.pk, sales2.pk], kind, f"N{n}", dedupe_key=f"n{n}")
    assert actions.mark_read([1], acting_user=sales2) == 1
    _assert_counters_true(sales1, sales2)
    assert actions.mark_read([1, 2], acting_user=sales2) == 1  # 1 was read already
    assert _counter(sales2) == 2
    _assert_counters_true(sales1, sales2)
    assert actions.mark_all_read(acting_user=sales2, kind=Kind.ANNOUNCEMENT) == 1
    _assert_counters_true(sales1, sales2)
    assert actions.mark_all_read(acting_user=sales2) == 1
    assert actions.mark_all_read(acting_user=sales2) == 0
    assert _counter(sales2) == 0
    assert _counter(sales1) == 4
    _assert_counters_true(sales1, sales2)
    assert queries.unread_count(sales1) == 4
    assert queries.unread_count(sales2) == 0


def test_deleting_a_person_takes_their_rows_and_counter_and_leaves_the_others_true(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, "N", dedupe_key="n")
    sales1.delete()
    assert not UserSequence.objects.filter(user_id=sales1.pk).exists()
    assert not Notification.objects.filter(user_id=sales1.pk).exists()
    _assert_counters_true(sales2)


def test_live_frames_and_counts_carry_the_true_unread_count_without_a_query_after_commit(
    people, published, django_capture_on_commit_callbacks
):
    sales1, sales2 = people["sales1"], people["sales2"]
    for n in range(3):
        actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    actions.mark_read([2], acting_user=sales2)
    published.clear()
    with django_capture_on_commit_callbacks() as pushes:
        actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, "Now", dedupe_key="now")
    # the push itself asks the database nothing: the count came back with the numbers
    with CaptureQueriesContext(connection) as after_commit:
        for push in pushes:
            push()
    assert len(after_commit) == 0
    counts = {uid: message["unread"] for uid, message in published}
    assert (
        counts
        == {sales1.pk: _real(sales1), sales2.pk: _real(sales2)}
        == {
            sales1.pk: 4,
            sales2.pk: 3,
        }
    )
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_all_read(acting_user=sales1)
    assert published == [(sales1.pk, {"type": "unread.changed", "unread": 0})]


def test_the_migration_counts_what_is_stored(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    for n in range(3):
        actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    actions.mark_read([1, 3], acting_user=sales1)
    # given counters that know nothing (the column was just added), one person without a row
    UserSequence.objects.update(unread=0)
    UserSequence.objects.filter(user=sales2).delete()
    migration = importlib.import_module("portal.notifications.migrations.0006_usersequence_unread")
    migration.count_unread(apps, None)
    assert _counter(sales1) == 1
    assert _counter(sales2) == 3
    assert UserSequence.objects.get(user=sales2).last == 3
    _assert_counters_true(sales1, sales2)


def _announce_queries(admin, n: int, capture_on_commit) -> int:
    """Queries of one announcement to everyone (the cast and a crowd of n), its pushes after
    commit included, once everyone has had a first notification."""
    User.objects.filter(username__startswith="crowd-").delete()
    User.objects.bulk_create([User(username=f"crowd-{i:03d}", password="!") for i in range(n)])
    actions.announce(admin, title="Everyone has had a first notification")
    with CaptureQueriesContext(connection) as queries_run, pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "publish", lambda messages: None)
        with capture_on_commit(execute=True) as pushes:
            created = actions.announce(admin, title="Office closed Friday")
    assert pushes
    assert len(created) == n + 6  # the crowd and the cast but the administrator
    return len(queries_run)


def test_announcing_takes_the_same_queries_for_few_recipients_and_many(
    people, django_capture_on_commit_callbacks
):
    admin = people["admin"]
    few = _announce_queries(admin, 3, django_capture_on_commit_callbacks)
    many = _announce_queries(admin, 120, django_capture_on_commit_callbacks)
    # on both engines: the savepoint and its release, the active people, the keys already
    # notified, the preferences, the numbering, who is present, the insert, the audit row,
    # and the event's subscribers — the push after commit asks nothing
    assert few == many == 12
