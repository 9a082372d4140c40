"""The notification socket: auth, live frames, resume without loss, hostile frames, origin."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from portal.notifications import actions
from portal.notifications.models import Kind, Notification, Presence
from tests.notifications.sockets import connect, notifications, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


notify = database_sync_to_async(actions.notify)


async def _frames(communicator, n: int, timeout: float = 3) -> list[dict]:
    return [await communicator.receive_json_from(timeout=timeout) for _ in range(n)]


async def test_unauthenticated_socket_is_closed(people):
    communicator, connected, code = await connect(None)
    assert not connected
    assert code == 4401


async def test_socket_gets_unread_count_then_live_frames_in_the_design_shape(people):
    sales2 = people["sales2"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Before", dedupe_key="before")
    communicator, connected, _ = await connect(sales2)
    assert connected
    assert await communicator.receive_json_from() == {"type": "unread", "count": 1}
    await communicator.send_json_to({"type": "resume", "after": 1})
    await notify([sales2.pk], Kind.TOPIC, "新话题", "正文", "/forum/t/1/", dedupe_key="t1")
    (frame,) = await _frames(communicator, 1)
    # the frame carries the unread count with it, and no unread frame follows (ADR 0714)
    assert set(frame) == {"type", "id", "kind", "title", "body", "url", "created_at", "unread"}
    assert (
        frame["type"],
        frame["id"],
        frame["kind"],
        frame["title"],
        frame["url"],
        frame["unread"],
    ) == ("notification", 2, "topic", "新话题", "/forum/t/1/", 2)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_resume_replays_exactly_what_was_missed_in_order(people):
    sales2 = people["sales2"]
    # given a tab that saw notification 2, then lost its connection while 3, 4, 5 were made
    for n in range(1, 6):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    communicator = await open_socket(sales2)
    # when it resumes after 2
    await communicator.send_json_to({"type": "resume", "after": 2})
    replayed = await notifications(communicator)
    # then exactly 3, 4, 5 arrive, once each, in order; and a new one follows once
    assert [f["id"] for f in replayed] == [3, 4, 5]
    assert [f["title"] for f in replayed] == ["N3", "N4", "N5"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N6", dedupe_key="n6")
    assert [f["id"] for f in await notifications(communicator)] == [6]
    await communicator.disconnect()


async def test_a_live_frame_racing_the_resume_is_not_sent_twice(people):
    sales2 = people["sales2"]
    communicator = await open_socket(sales2)
    # a notification is made before the client has said where it stands
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Early", dedupe_key="early")
    await communicator.send_json_to({"type": "resume", "after": 0})
    assert [f["id"] for f in await notifications(communicator)] == [1]
    await communicator.disconnect()


async def test_without_resume_live_frames_start_after_a_moment(people):
    sales2 = people["sales2"]
    communicator = await open_socket(sales2)
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Live", dedupe_key="live")
    frames = await notifications(communicator, timeout=2.5)
    assert [f["title"] for f in frames] == ["Live"]
    await communicator.disconnect()


async def test_a_resume_arriving_after_the_live_stream_began_sends_nothing_twice(people):
    """A slow client (a loaded machine, a phone) says where it stands only after the moment
    without a resume has passed and live frames have gone out: its resume must not rewind the
    socket over what it was just sent (the kill-daphne drill saw 3 frames twice)."""
    sales2 = people["sales2"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Seen", dedupe_key="seen")
    communicator = await open_socket(sales2)
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Live", dedupe_key="live")
    live = await notifications(communicator, timeout=2.5)  # the stream began without a resume
    assert [f["id"] for f in live] == [2]
    # the client had seen 1 when it connected; its resume arrives now
    await communicator.send_json_to({"type": "resume", "after": 1})
    assert await notifications(communicator) == []
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Next", dedupe_key="next")
    assert [f["id"] for f in await notifications(communicator)] == [3]
    await communicator.disconnect()


async def test_a_late_resume_from_further_back_still_gets_what_it_missed_once(people):
    sales2 = people["sales2"]
    for n in range(1, 4):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    communicator = await open_socket(sales2)
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N4", dedupe_key="n4")
    assert [f["id"] for f in await notifications(communicator, timeout=2.5)] == [4]
    # a tab that had seen only 1 resumes late: 2 and 3 were never sent on this socket
    await communicator.send_json_to({"type": "resume", "after": 1})
    assert [f["id"] for f in await notifications(communicator)] == [2, 3]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N5", dedupe_key="n5")
    assert [f["id"] for f in await notifications(communicator)] == [5]
    await communicator.disconnect()


async def test_every_tab_of_the_user_gets_it_and_nobody_else_does(people):
    sales1, sales2 = people["sales1"], people["sales2"]
    tab1 = await open_socket(sales2, after=0)
    tab2 = await open_socket(sales2, after=0)
    other = await open_socket(sales1, after=0)
    await notify([sales2.pk], Kind.MENTION, "For sales2", dedupe_key="m")
    assert [f["title"] for f in await notifications(tab1)] == ["For sales2"]
    assert [f["title"] for f in await notifications(tab2)] == ["For sales2"]
    assert await notifications(other) == []
    for socket in (tab1, tab2, other):
        await socket.disconnect()


def _store_without_push(user, title: str) -> None:
    """A notification whose live message is lost (made by another process on an in-memory
    layer, or dropped by a full Redis channel): only the store has it."""
    from portal.notifications.models import Notification, UserSequence

    sequence, _ = UserSequence.objects.get_or_create(user=user)
    sequence.last += 1
    sequence.unread += 1
    sequence.save()
    Notification.objects.create(
        user=user, seq=sequence.last, kind=Kind.REMINDER, title=title, dedupe_key=title
    )


async def test_a_gap_in_live_numbers_is_filled_from_the_store(people, settings):
    settings.NOTIFICATIONS_CATCHUP_SECONDS = 60  # only the gap may bring it back here
    sales2 = people["sales2"]
    communicator = await open_socket(sales2, after=0)
    assert await notifications(communicator, timeout=0.2) == []  # the resume is handled
    # given notification 1 whose live message never arrived
    await database_sync_to_async(_store_without_push)(sales2, "Lost")
    assert await notifications(communicator, timeout=0.3) == []
    # when notification 2 arrives live, the socket sees the gap and replays both, in order
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Next", dedupe_key="next")
    assert [f["title"] for f in await notifications(communicator)] == ["Lost", "Next"]
    await communicator.disconnect()


async def test_a_lost_message_arrives_with_the_periodic_catch_up(people, settings):
    settings.NOTIFICATIONS_CATCHUP_SECONDS = 0.3
    sales2 = people["sales2"]
    communicator = await open_socket(sales2, after=0)
    assert await notifications(communicator, timeout=0.1) == []
    await database_sync_to_async(_store_without_push)(sales2, "From the worker")
    frames = await notifications(communicator, timeout=2.5)
    assert [f["title"] for f in frames] == ["From the worker"]
    await communicator.disconnect()


async def test_presence_is_recorded_while_connected(people):
    sales2 = people["sales2"]
    communicator = await open_socket(sales2)
    present = await database_sync_to_async(actions.present_user_ids)([sales2.pk])
    assert present == {sales2.pk}
    await communicator.disconnect()
    count = await database_sync_to_async(Presence.objects.filter(user=sales2).count)()
    assert count == 0


async def _everything(communicator, timeout: float = 0.5) -> list[dict]:
    """Every frame, unread frames included, until the socket goes quiet."""
    found = []
    while not await communicator.receive_nothing(timeout=timeout, interval=0.02):
        found.append(await communicator.receive_json_from())
    return found


def _shape(frames: list[dict]) -> list[tuple]:
    return [
        ("notification", f["id"], f["unread"])
        if f["type"] == "notification"
        else (f["type"], f["count"])
        for f in frames
    ]


async def test_live_frames_carry_the_count_and_no_unread_frame_follows_them(people, monkeypatch):
    """ADR 0714: each live frame says the recipient's unread count including it — through the
    bus's direct hand-over and through the socket's queue alike — and is the only frame."""
    from portal.notifications.consumers import NotificationConsumer

    queued = []
    original = NotificationConsumer.queue_live

    def spy(self, message):
        queued.append(message["frame"]["id"])
        original(self, message)

    monkeypatch.setattr(NotificationConsumer, "queue_live", spy)
    sales1, sales2 = people["sales1"], people["sales2"]
    communicator = await open_socket(sales2, after=0)
    assert await _everything(communicator, timeout=0.2) == []
    for n in range(1, 4):  # an idle socket: handed over directly
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    assert _shape(await _everything(communicator)) == [
        ("notification", 1, 1),
        ("notification", 2, 2),
        ("notification", 3, 3),
    ]
    (socket,) = [s for s in _local_sockets() if s.user_id == sales2.pk]
    socket.busy += 1  # a handler of its own is in flight: the bus queues
    await notify([sales2.pk, sales1.pk], Kind.ANNOUNCEMENT, "N4", dedupe_key="n4")  # a fan-out
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N5", dedupe_key="n5")
    assert _shape(await _everything(communicator)) == [
        ("notification", 4, 4),
        ("notification", 5, 5),
    ]
    socket.busy -= 1
    assert queued == [4, 5]
    await communicator.disconnect()


async def test_a_read_still_sends_an_unread_frame(people):
    sales2 = people["sales2"]
    communicator = await open_socket(sales2, after=0)
    assert await _everything(communicator, timeout=0.2) == []
    for n in range(1, 4):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    assert [f["unread"] for f in await _everything(communicator)] == [1, 2, 3]
    await database_sync_to_async(actions.mark_read)([2], acting_user=sales2)
    assert await _everything(communicator) == [{"type": "unread", "count": 2}]
    await database_sync_to_async(actions.mark_all_read)(acting_user=sales2)
    assert await _everything(communicator) == [{"type": "unread", "count": 0}]
    # and the next frame counts from there
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N4", dedupe_key="n4")
    assert _shape(await _everything(communicator)) == [("notification", 4, 1)]
    await communicator.disconnect()


async def test_a_count_waiting_to_go_out_is_dropped_when_a_newer_frame_carries_one(
    people, monkeypatch
):
    """A badge from the socket's queue waits a moment (only the latest goes out); a
    notification frame handled after it carries a newer count, so the older one must not
    follow the frame and undo it."""
    from portal.notifications import consumers

    monkeypatch.setattr(consumers, "UNREAD_DELAY_SECONDS", 1.0)
    sales2 = people["sales2"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N1", dedupe_key="n1")
    communicator = await open_socket(sales2, after=1)
    assert await _everything(communicator, timeout=0.2) == []
    (socket,) = _local_sockets()
    socket.busy += 1  # everything goes through the queue: the count waits there
    await database_sync_to_async(actions.mark_all_read)(acting_user=sales2)
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N2", dedupe_key="n2")
    assert _shape(await _everything(communicator, timeout=1.5)) == [("notification", 2, 1)]
    socket.busy -= 1
    await communicator.disconnect()


async def test_replayed_frames_carry_the_current_count_and_no_unread_frame_follows(
    people, settings
):
    settings.NOTIFICATIONS_CATCHUP_SECONDS = 60  # only the gap may bring the lost one here
    sales2 = people["sales2"]
    for n in range(1, 6):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    await database_sync_to_async(actions.mark_read)([1, 4], acting_user=sales2)
    communicator, connected, _ = await connect(sales2)
    assert connected
    assert await communicator.receive_json_from() == {"type": "unread", "count": 3}
    # a resume: every replayed frame says the count now, which counts each one still unread
    await communicator.send_json_to({"type": "resume", "after": 2})
    assert _shape(await _everything(communicator)) == [
        ("notification", 3, 3),
        ("notification", 4, 3),
        ("notification", 5, 3),
    ]
    # a gap: the live frame brings the lost one from the store, both with the count
    await database_sync_to_async(_store_without_push)(sales2, "Lost")
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N7", dedupe_key="n7")
    assert _shape(await _everything(communicator)) == [
        ("notification", 6, 5),
        ("notification", 7, 5),
    ]
    # a resume with nothing to replay sends nothing at all
    await communicator.send_json_to({"type": "resume", "after": 7})
    assert await _everything(communicator) == []
    await communicator.disconnect()


async def test_read_elsewhere_updates_the_badge_of_open_tabs(people):
    sales2 = people["sales2"]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N1", dedupe_key="n1")
    communicator, _, _ = await connect(sales2)
    assert await communicator.receive_json_from() == {"type": "unread", "count": 1}
    await database_sync_to_async(actions.mark_all_read)(acting_user=sales2)
    assert await communicator.receive_json_from() == {"type": "unread", "count": 0}
    await communicator.disconnect()


# --- hostile and careless frames (issue 17) ------------------------------------------------


async def _presence_rows(user=None) -> int:
    rows = Presence.objects.all() if user is None else Presence.objects.filter(user=user)
    return await database_sync_to_async(rows.count)()


def _local_sockets() -> list:
    from portal.notifications import delivery

    return list(delivery.local_sockets())


MALFORMED = [
    {"text_data": "not json {"},
    {"bytes_data": b"\x00\x01binary"},
    {"text_data": '{"type": "subscribe", "topic": "all"}'},
    {"text_data": '{"type": "resume", "after": "12"}'},
    {"text_data": '{"type": "resume", "after": -1}'},
    {"text_data": '{"type": "resume", "after": 18446744073709551616}'},
    {"text_data": '{"type": "resume", "after": true}'},
    {"text_data": "[1, 2, 3]"},
    {"text_data": "null"},
    {"text_data": '{"type": "resume", "after": 0, "pad": "' + "x" * 100_000 + '"}'},
]


async def test_a_non_json_frame_gets_an_error_and_a_resume_afterwards_still_works(people):
    sales2 = people["sales2"]
    for n in range(1, 4):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    communicator = await open_socket(sales2)
    # when the client sends garbage
    await communicator.send_to(text_data="not json {")
    # then it is told so, and the socket stays open and registered
    answer = await communicator.receive_json_from(timeout=10)
    assert answer == {"type": "error", "code": "invalid_json"}
    # and a valid resume afterwards replays exactly what was missed
    await communicator.send_json_to({"type": "resume", "after": 1})
    assert [f["id"] for f in await notifications(communicator)] == [2, 3]
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "N4", dedupe_key="n4")
    assert [f["id"] for f in await notifications(communicator)] == [4]
    await communicator.disconnect(timeout=20)


async def test_every_kind_of_malformed_frame_gets_an_error_frame_and_the_socket_lives(people):
    sales2 = people["sales2"]
    communicator = await open_socket(sales2)
    codes = []
    for frame in MALFORMED:
        await communicator.send_to(**frame)
        answer = await communicator.receive_json_from(timeout=10)
        assert answer["type"] == "error"
        codes.append(answer["code"])
    assert codes == [
        "invalid_json",
        "binary_frame",
        "unknown_type",
        "invalid_resume",
        "invalid_resume",
        "invalid_resume",
        "invalid_resume",
        "unknown_type",
        "unknown_type",
        "too_large",
    ]
    # still alive: a ping is answered and the presence row is there
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=10) == {"type": "pong"}
    assert await _presence_rows(sales2) == 1
    await communicator.disconnect(timeout=20)
    assert await _presence_rows(sales2) == 0


async def test_300_malformed_connections_leave_no_ghost_presence(people):
    sales2 = people["sales2"]

    async def one(i: int) -> None:
        communicator = await open_socket(sales2)
        await communicator.send_to(**MALFORMED[i % len(MALFORMED)])
        assert (await communicator.receive_json_from(timeout=10))["type"] == "error"
        await communicator.disconnect(timeout=20)

    for start in range(0, 300, 10):  # ten at a time: a loaded CI machine connects slowly
        await asyncio.gather(*(one(i) for i in range(start, start + 10)))
    assert await _presence_rows() == 0
    assert _local_sockets() == []
    # and with nobody connected any more, sales2 counts as away: the e-mail goes at once
    created = await notify([sales2.pk], Kind.MENTION, "Ping", dedupe_key="after-ghosts")
    assert created[0].email_state == Notification.EmailState.IMMEDIATE


async def test_a_handler_that_crashes_still_unregisters_and_clears_presence(people, monkeypatch):
    from portal.notifications.consumers import NotificationConsumer

    sales2 = people["sales2"]

    async def broken(self, event):
        raise RuntimeError("bug in a handler")

    # given a bug that makes the socket's own start-up message raise
    monkeypatch.setattr(NotificationConsumer, "notification_start", broken)
    communicator = await open_socket(sales2)
    assert await _presence_rows(sales2) == 1
    # when it fires (a second after connecting without a resume), the socket is closed...
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 1011}
    await communicator.wait(timeout=20)
    # ...and nothing of it stays: no registry entry for the heartbeat, no presence row
    assert _local_sockets() == []
    assert await _presence_rows(sales2) == 0
    # so a notification for the now-absent user is e-mailed immediately
    created = await notify([sales2.pk], Kind.MENTION, "Are you there?", dedupe_key="crash")
    assert created[0].email_state == Notification.EmailState.IMMEDIATE


async def test_an_error_while_handling_a_client_frame_is_answered_not_fatal(people, monkeypatch):
    from portal.notifications import consumers

    sales2 = people["sales2"]
    communicator = await open_socket(sales2)

    def failing(user_id, after):
        raise RuntimeError("database went away")

    monkeypatch.setattr(consumers, "_after", database_sync_to_async(failing))
    await communicator.send_json_to({"type": "resume", "after": 0})
    answer = await communicator.receive_json_from(timeout=10)
    assert answer == {"type": "error", "code": "server_error"}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=10) == {"type": "pong"}
    await communicator.disconnect(timeout=20)
    assert await _presence_rows(sales2) == 0


# --- the origin check: scheme, host and port (issue 17) ----------------------------------


async def _handshake(user, headers: list[tuple[bytes, bytes]], scheme: str = "ws") -> bool:
    communicator, connected, _ = await connect(user, headers=headers, scheme=scheme)
    if connected:
        await communicator.disconnect(timeout=20)
    return connected


async def test_an_origin_on_the_same_host_but_another_port_is_refused(people):
    sales2 = people["sales2"]
    host = [(b"host", b"agora.test:8000")]
    assert await _handshake(sales2, [*host, (b"origin", b"http://agora.test:8000")])
    assert not await _handshake(sales2, [*host, (b"origin", b"http://agora.test:8001")])
    assert not await _handshake(sales2, [*host, (b"origin", b"http://agora.test")])
    assert not await _handshake(sales2, [*host, (b"origin", b"https://agora.test:8000")])
    assert not await _handshake(sales2, [*host, (b"origin", b"null")])
    assert not await _handshake(sales2, host)  # no Origin at all
    assert await _presence_rows() == 0  # refused sockets never became present


async def test_the_host_must_be_allowed_even_when_origin_matches_it(people, settings):
    settings.ALLOWED_HOSTS = ["agora.test"]
    sales2 = people["sales2"]
    assert await _handshake(sales2, [(b"host", b"agora.test"), (b"origin", b"http://agora.test")])
    evil = [(b"host", b"evil.test"), (b"origin", b"http://evil.test")]
    assert not await _handshake(sales2, evil)


async def test_behind_the_proxy_the_forwarded_scheme_counts(people, settings):
    # production: nginx terminates TLS and passes Host and X-Forwarded-Proto to daphne over ws
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["agora.test"]
    sales2 = people["sales2"]
    proxied = [(b"host", b"agora.test"), (b"x-forwarded-proto", b"https")]
    assert await _handshake(sales2, [*proxied, (b"origin", b"https://agora.test")])
    assert not await _handshake(sales2, [*proxied, (b"origin", b"http://agora.test")])
    assert not await _handshake(sales2, [*proxied, (b"origin", b"https://agora.test:8443")])
    # a proxy on a non-default port passes the port in Host ($http_host), and it must match
    on_port = [(b"host", b"agora.test:8443"), (b"x-forwarded-proto", b"https")]
    assert await _handshake(sales2, [*on_port, (b"origin", b"https://agora.test:8443")])
    assert not await _handshake(sales2, [*on_port, (b"origin", b"https://agora.test")])


async def test_deactivating_a_person_closes_their_open_sockets(people):
    from portal.accounts import actions as account_actions
    from portal.core.testing import capture_events

    sales2 = people["sales2"]
    communicator = await open_socket(sales2)
    other = await open_socket(people["sales1"])

    def deactivate():
        with capture_events():  # subscribers run as on commit
            account_actions.deactivate_person(sales2, acting_user=people["admin"])

    await database_sync_to_async(deactivate)()
    # the leaver's socket is closed with 4401 (browsers do not reconnect after it)...
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}
    # ...and nobody else's
    assert await other.receive_nothing(timeout=0.3)
    await other.disconnect()


async def test_an_idle_socket_takes_live_frames_directly_not_through_its_queue(people, monkeypatch):
    """The bus hands a frame to an idle socket in the same call (ADR 0712): a socket always
    has an (empty) queue while it waits, and an empty asyncio.Queue is truthy, so a check on
    the queue's presence once sent every frame through it."""
    from portal.notifications.consumers import NotificationConsumer

    queued = []
    original = NotificationConsumer.queue_live

    def spy(self, message):
        queued.append(message["type"])
        original(self, message)

    monkeypatch.setattr(NotificationConsumer, "queue_live", spy)
    sales2 = people["sales2"]
    communicator = await open_socket(sales2, after=0)
    assert await notifications(communicator, timeout=0.2) == []  # the resume is handled
    for n in range(1, 4):
        await notify([sales2.pk], Kind.ANNOUNCEMENT, f"N{n}", dedupe_key=f"n{n}")
    assert [f["id"] for f in await notifications(communicator)] == [1, 2, 3]
    assert queued == []
    await communicator.disconnect()


async def test_a_socket_busy_with_its_own_handler_gets_bus_frames_through_its_queue(
    people, monkeypatch
):
    """While a socket's own handler is in flight the bus queues its frames (counted until
    handled), and once idle it takes them directly again: every one arrives once, in order."""
    from portal.notifications.consumers import NotificationConsumer

    queued = []
    original = NotificationConsumer.queue_live

    def spy(self, message):
        queued.append(message["frame"]["title"])
        original(self, message)

    monkeypatch.setattr(NotificationConsumer, "queue_live", spy)
    sales2 = people["sales2"]
    communicator = await open_socket(sales2, after=0)
    assert await notifications(communicator, timeout=0.2) == []
    (socket,) = _local_sockets()
    socket.busy += 1  # a handler of its own is in flight
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Queued", dedupe_key="q")
    assert [f["title"] for f in await notifications(communicator)] == ["Queued"]
    socket.busy -= 1
    assert socket.queued == 0
    await notify([sales2.pk], Kind.ANNOUNCEMENT, "Direct", dedupe_key="d")
    assert [f["id"] for f in await notifications(communicator)] == [2]
    assert queued == ["Queued"]
    await communicator.disconnect()
