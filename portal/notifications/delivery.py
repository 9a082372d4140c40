"""Live delivery: one message per event carrying its recipients, handed by each process to its
own sockets (Discourse's MessageBus; ADR 0710)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from typing import Protocol

from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer
from django.conf import settings

from .models import UserSequence

logger = logging.getLogger(__name__)

# The layer every notification socket reads from: always this process's own memory. What
# crosses processes is the bus, one message per event, never one per recipient.
LOCAL_LAYER = "notifications"
# One bus message carries at most this many recipients (a huge fan-out becomes a few).
BUS_CHUNK = 1000


class LocalSocket(Protocol):
    channel_name: str
    socket_loop: asyncio.AbstractEventLoop
    user_id: int

    async def take_live(self, message: dict) -> bool: ...

    def queue_live(self, message: dict) -> None: ...

    async def send_unread(self) -> None: ...


# This process's open sockets by user id (MessageBus's per-process registry).
_LOCAL: dict[int, dict[str, LocalSocket]] = {}


def register(socket: LocalSocket) -> None:
    _LOCAL.setdefault(socket.user_id, {})[socket.channel_name] = socket


def unregister(socket: LocalSocket) -> None:
    sockets = _LOCAL.get(socket.user_id)
    if sockets is not None:
        sockets.pop(socket.channel_name, None)
        if not sockets:
            _LOCAL.pop(socket.user_id, None)


def local_sockets() -> Iterator[LocalSocket]:
    for sockets in list(_LOCAL.values()):
        yield from list(sockets.values())


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Each user's unread count: the counter beside their numbers (ADR 0713), one indexed
    row per user — never a count over their notifications."""
    ids = list(user_ids)
    counts = dict.fromkeys(ids, 0)
    counts.update(UserSequence.objects.filter(user_id__in_ids=ids).values_list("user_id", "unread"))
    return counts


# --- the bus ------------------------------------------------------------------------------

_BUS: dict[str, object] = {}


def _bus():
    """The Redis bus when REDIS_URL is set; None embedded (one process, hand over directly)."""
    url = getattr(settings, "NOTIFICATIONS_BUS_URL", "")
    if not url:
        return None
    channel = settings.NOTIFICATIONS_BUS_CHANNEL
    key = f"{url} {channel}"
    if key not in _BUS:
        from .layers import RedisBus

        _BUS.clear()
        _BUS[key] = RedisBus(url, channel)
    return _BUS[key]


async def deliver_here(messages: list) -> None:
    """In the event loop: hand each (user id, message) to that user's sockets served by this
    loop — directly when the socket is idle, else through its queue. One user's messages
    keep their order either way: the socket takes a message directly only while none of its
    earlier ones is queued or being handled.

    A notification frame carries its unread count (ADR 0714). A count alone (`unread.changed`)
    taken here goes out after every frame, in the same turn of the loop: daphne (Twisted)
    writes to a socket when the loop next polls, so a socket's frames and count reach the kernel
    in one write, and no frame waits for a count."""
    loop = asyncio.get_running_loop()
    counted: dict[LocalSocket, None] = {}
    for user_id, message in messages:
        for socket in list(_LOCAL.get(user_id, {}).values()):
            if socket.socket_loop is not loop:
                continue  # another loop (tests run one per test) has its own hand-over
            if await socket.take_live(message):
                if message["type"] == "unread.changed":
                    counted[socket] = None
                continue
            try:
                socket.queue_live(message)
            except ChannelFull:
                # A socket this far behind gets the rest from the store on its next catch-up.
                logger.warning("Notification socket %s is full", socket.channel_name)
    for socket in counted:
        await socket.send_unread()


def catch_up_all() -> None:
    """The bus was away: every local socket looks at the store (what it missed is there)."""
    layer = get_channel_layer(LOCAL_LAYER)
    for socket in local_sockets():
        try:
            layer.deliver(socket.channel_name, {"type": "notification.catchup"})
        except ChannelFull:
            pass


async def listening() -> None:
    """Called by each socket before it reads where it stands: from then on, every event
    published reaches this process."""
    bus = _bus()
    if bus is not None:
        await bus.listening(deliver_here, catch_up_all)


def publish(messages: list[tuple[int, dict]]) -> None:
    """After commit, from synchronous code: one bus message per event (chunked for huge
    fan-outs). Never raises — the rows are committed, and sockets catch up from the store."""
    if not messages:
        return
    try:
        bus = _bus()
        if bus is None:
            # Embedded: the sockets are in this process; hand over in their event loop.
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for user_id, message in messages:
                for loop in {s.socket_loop for s in list(_LOCAL.get(user_id, {}).values())}:
                    by_loop.setdefault(loop, []).append((user_id, message))
            for loop, pending in by_loop.items():
                if not loop.is_closed():
                    asyncio.run_coroutine_threadsafe(deliver_here(pending), loop)
            return
        for start in range(0, len(messages), BUS_CHUNK):
            bus.publish(messages[start : start + BUS_CHUNK])
    except Exception:
        logger.exception("Publishing %d notification message(s) failed", len(messages))


def push_frames(frames: list[tuple[int, dict, int]]) -> None:
    """After commit: send frames already built, as (user id, frame, the user's unread count
    with it) — the count came back from the statement that numbered the rows, so the push is
    one publish and no query, whatever the fan-out (ADR 0713). The socket sends the frame with
    the count in it (`"unread"`, ADR 0714); the bus message keeps it beside the frame, so
    processes of the previous release read it as before during a rolling restart."""
    publish(
        [
            (uid, {"type": "notification.created", "frame": frame, "unread": unread})
            for uid, frame, unread in frames
        ]
    )


def push_unread(user_ids: Iterable[int]) -> None:
    """After commit: tell every open tab of these users their new unread count."""
    counts = unread_counts(user_ids)
    publish([(uid, {"type": "unread.changed", "unread": count}) for uid, count in counts.items()])
