"""notify(): one row per recipient, increasing numbers, never the actor, never the unseeing."""

import pytest
from django.db import IntegrityError, transaction

from portal.core import visibility
from portal.notifications import actions
from portal.notifications.models import Kind, Notification, UserSequence


def test_notify_numbers_each_users_notifications_in_increasing_order(people):
    # given two people
    sales1, sales2 = people["sales1"], people["sales2"]
    # when three notifications are made for both
    for n in range(3):
        actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, f"News {n}", dedupe_key=f"k{n}")
    # then each has 1, 2, 3 in creation order
    for user in (sales1, sales2):
        rows = list(Notification.objects.filter(user=user).order_by("seq"))
        assert [row.seq for row in rows] == [1, 2, 3]
        assert [row.title for row in rows] == ["News 0", "News 1", "News 2"]


def test_notify_never_tells_the_actor(people):
    created = actions.notify(
        [people["sales1"].pk, people["sales2"].pk],
        Kind.TOPIC,
        "Hello",
        dedupe_key="t1",
        actor_id=people["sales1"].pk,
    )
    assert [row.user_id for row in created] == [people["sales2"].pk]
    assert not Notification.objects.filter(user=people["sales1"]).exists()


def test_notify_collapses_duplicates_per_item_and_user(people):
    sales2 = people["sales2"]
    first = actions.notify([sales2.pk], Kind.REPLY, "A reply", dedupe_key="forum.post:9")
    second = actions.notify([sales2.pk], Kind.MENTION, "A mention", dedupe_key="forum.post:9")
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(user=sales2).count() == 1
    # the database enforces it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=sales2, seq=99, kind=Kind.REPLY, title="x", dedupe_key="forum.post:9"
        )


def test_notify_skips_people_who_may_not_open_the_item(people):
    # given an object only sales1 (and their managers) may see
    sales1, sales2, admin = people["sales1"], people["sales2"], people["admin"]
    item = UserSequence.objects.create(user=sales1)  # any model carrying visibility keys
    visibility.set_object_keys(item, visibility.owner_keys(sales1))
    # when everyone is offered a notification about it
    created = actions.notify(
        [sales1.pk, sales2.pk, admin.pk], Kind.DEAL, "Secret", dedupe_key="secret", item=item
    )
    # then sales2 gets nothing; the owner and the administrator do
    assert {row.user_id for row in created} == {sales1.pk, admin.pk}
    assert not Notification.objects.filter(user=sales2).exists()


def test_notify_skips_inactive_people(people):
    sales2 = people["sales2"]
    sales2.is_active = False
    sales2.save(update_fields=["is_active"])
    assert actions.notify([sales2.pk], Kind.ANNOUNCEMENT, "x", dedupe_key="x") == []


def test_unknown_kind_is_refused(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.notify([people["sales2"].pk], "gossip", "x", dedupe_key="x")
    assert not Notification.objects.exists()


def test_mark_read_and_mark_all_read_change_only_the_readers_rows(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    for n in range(3):
        actions.notify([sales1.pk, sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    assert actions.mark_read([1], acting_user=sales2) == 1
    assert actions.mark_read([1], acting_user=sales2) == 0
    assert Notification.objects.filter(user=sales2, read_at__isnull=True).count() == 2
    assert actions.mark_all_read(acting_user=sales2) == 2
    assert Notification.objects.filter(user=sales1, read_at__isnull=True).count() == 3


def test_web_off_and_email_off_for_a_kind_means_no_notification(people):
    sales2 = people["sales2"]
    actions.update_delivery_settings(
        email_mode="immediate",
        quiet_start=None,
        quiet_end=None,
        channels={"announcement": {"web": False, "email": False}},
        acting_user=sales2,
    )
    assert actions.notify([sales2.pk], Kind.ANNOUNCEMENT, "x", dedupe_key="x") == []
    # other kinds still arrive
    assert len(actions.notify([sales2.pk], Kind.REMINDER, "y", dedupe_key="y")) == 1


def test_announce_needs_an_administrator_and_reaches_everyone_else(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.announce(people["sales1"], title="Hi")
    assert not Notification.objects.exists()
    created = actions.announce(people["admin"], title="Office closed Friday")
    assert len(created) == len(people) - 1
    assert not Notification.objects.filter(user=people["admin"]).exists()
