"""The notification socket: auth, one group per user, live frames, resume without loss."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from portal.asgi import application
from portal.notifications import actions
from portal.notifications.models import Kind, Presence

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(user=None, *, origin: bytes = b"http://testserver"):
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        cookie = await database_sync_to_async(_cookie_for)(user)
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


notify = database_sync_to_async(actions.notify)


async def _frames(communicator, n: int, timeout: float = 3) -> list[dict]:
    return [await communicator.receive_json_from(timeout=timeout) for _ in range(n)]


async def _notifications(communicator, timeout: float = 0.5) -> list[dict]:
    """Every notification frame until the socket goes quiet (unread frames skipped)."""
    found = []
    while True:
        # receive_nothing waits without cancelling the application (a timed-out receive does)
        if await communicator.receive_nothing(timeout=timeout, interval=0.02):
            return found
        frame = await communicator.receive_json_from()
        if frame["type"] == "notification":
            found.append(frame)


async def test_unauthenticated_socket_is_closed(people):
    communicator, connected, code = await _connect(None)
    assert not connected
    assert code == 4401


async def test_socket_gets_unread_count_then_live_frames_in_the_design_shape(people):
    sales2 = people["sales2"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Before", dedupe_key="before")
    communicator, connected, _ = await _connect(sales2)
    assert connected
    assert await communicator.receive_json_from() == {"type": "unread", "count": 1}
    await communicator.send_json_to({"type": "resume", "after": 1})
    await notify([sales2.pk], Kind.TOPIC, "新话题", "正文", "/forum/t/1/", dedupe_key="t1")
    frame, unread = await _frames(communicator, 2)
    assert set(frame) == {"type", "id", "kind", "title", "body", "url", "created_at"}
    assert (frame["type"], frame["id"], frame["kind"], frame["title"], frame["url"]) == (
        "notification",
        2,
        "topic",
        "新话题",
        "/forum/t/1/",
    )
    assert unread == {"type": "unread", "count": 2}
    await communicator.disconnect()


async def test_resume_replays_exactly_what_was_missed_in_order(people):
    sales2 = people["sales2"]
    # given a tab that saw notification 2, then lost its connection while 3, 4, 5 were made
    for n in range(1, 6):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    communicator, _, _ = await _connect(sales2)
    await communicator.receive_json_from()  # unread
    # when it resumes after 2
    await communicator.send_json_to({"type": "resume", "after": 2})
    replayed = await _notifications(communicator)
    # then exactly 3, 4, 5 arrive, once each, in order; and a new one follows once
    assert [f["id"] for f in replayed] == [3, 4, 5]
    assert [f["title"] for f in replayed] == ["N3", "N4", "N5"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N6", dedupe_key="n6")
    assert [f["id"] for f in await _notifications(communicator)] == [6]
    await communicator.disconnect()


async def test_a_live_frame_racing_the_resume_is_not_sent_twice(people):
    sales2 = people["sales2"]
    communicator, _, _ = await _connect(sales2)
    await communicator.receive_json_from()
    # a notification is made before the client has said where it stands
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Early", dedupe_key="early")
    await communicator.send_json_to({"type": "resume", "after": 0})
    assert [f["id"] for f in await _notifications(communicator)] == [1]
    await communicator.disconnect()


async def test_without_resume_live_frames_start_after_a_moment(people):
    sales2 = people["sales2"]
    communicator, _, _ = await _connect(sales2)
    await communicator.receive_json_from()
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Live", dedupe_key="live")
    frames = await _notifications(communicator, timeout=2.5)
    assert [f["title"] for f in frames] == ["Live"]
    await communicator.disconnect()


async def test_every_tab_of_the_user_gets_it_and_nobody_else_does(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    tab1, _, _ = await _connect(sales2)
    tab2, _, _ = await _connect(sales2)
    other, _, _ = await _connect(sales1)
    for socket in (tab1, tab2, other):
        await socket.receive_json_from()
        await socket.send_json_to({"type": "resume", "after": 0})
    await notify([sales2.pk], Kind.MENTION, "For sales2", dedupe_key="m")
    assert [f["title"] for f in await _notifications(tab1)] == ["For sales2"]
    assert [f["title"] for f in await _notifications(tab2)] == ["For sales2"]
    assert await _notifications(other) == []
    for socket in (tab1, tab2, other):
        await socket.disconnect()


def _store_without_push(user, title: str) -> None:
    """A notification whose live message is lost (made by another process on an in-memory
    layer, or dropped by a full Redis channel): only the store has it."""
    from portal.notifications.models import Notification, UserSequence

    sequence, _ = UserSequence.objects.get_or_create(user=user)
    sequence.last += 1
    sequence.save()
    Notification.objects.create(
        user=user, seq=sequence.last, kind=Kind.REMINDER, title=title, dedupe_key=title
    )


async def test_a_gap_in_live_numbers_is_filled_from_the_store(people, settings):
    settings.NOTIFICATIONS_CATCHUP_SECONDS = 60  # only the gap may bring it back here
    sales2 = people["sales2"]
    communicator, _, _ = await _connect(sales2)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "resume", "after": 0})
    assert await _notifications(communicator, timeout=0.2) == []  # the resume is handled
    # given notification 1 whose live message never arrived
    await database_sync_to_async(_store_without_push)(sales2, "Lost")
    assert await _notifications(communicator, timeout=0.3) == []
    # when notification 2 arrives live, the socket sees the gap and replays both, in order
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Next", dedupe_key="next")
    assert [f["title"] for f in await _notifications(communicator)] == ["Lost", "Next"]
    await communicator.disconnect()


async def test_a_lost_message_arrives_with_the_periodic_catch_up(people, settings):
    settings.NOTIFICATIONS_CATCHUP_SECONDS = 0.3
    sales2 = people["sales2"]
    communicator, _, _ = await _connect(sales2)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "resume", "after": 0})
    assert await _notifications(communicator, timeout=0.1) == []
    await database_sync_to_async(_store_without_push)(sales2, "From the worker")
    frames = await _notifications(communicator, timeout=2.5)
    assert [f["title"] for f in frames] == ["From the worker"]
    await communicator.disconnect()


async def test_presence_is_recorded_while_connected(people):
    sales2 = people["sales2"]
    communicator, _, _ = await _connect(sales2)
    await communicator.receive_json_from()
    present = await database_sync_to_async(actions.present_user_ids)([sales2.pk])
    assert present == {sales2.pk}
    await communicator.disconnect()
    count = await database_sync_to_async(Presence.objects.filter(user=sales2).count)()
    assert count == 0


async def test_read_elsewhere_updates_the_badge_of_open_tabs(people):
    sales2 = people["sales2"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N1", dedupe_key="n1")
    communicator, _, _ = await _connect(sales2)
    assert await communicator.receive_json_from() == {"type": "unread", "count": 1}
    await database_sync_to_async(actions.mark_all_read)(sales2)
    assert await communicator.receive_json_from() == {"type": "unread", "count": 0}
    await communicator.disconnect()
