"""The notification socket: authenticate, register with this process's bus, relay, replay on
resume; any frame a client sends gets an answer, never a crash (ADR 0710)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from . import delivery
from .delivery import unread_counts
from .models import Notification, Presence

REPLAY_LIMIT = 500
# Every frame a client may send is a few dozen characters; anything longer is refused unread.
MAX_CLIENT_FRAME = 4096
# Close code on a server shutdown: "service restart" (RFC 6455 registry), the client reconnects
# at once (to another process behind the proxy) and resumes from its last id.
CLOSE_RESTART = 1012
logger = logging.getLogger(__name__)


def _catchup_seconds() -> float:
    # Notifications made in another process (the worker) cannot reach an in-memory layer, and
    # a full Redis channel drops messages: a periodic look at the store covers both.
    default = (
        15.0 if settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis") else 3.0
    )
    return float(getattr(settings, "NOTIFICATIONS_CATCHUP_SECONDS", default))


HEARTBEAT_SECONDS = 30.0
START_GRACE_SECONDS = 1.0
# A notification frame carries its recipient's unread count (`"unread"`, ADR 0714); the other
# changes of the count (read, read all, `unread.changed`) are sent as `{"type": "unread"}`
# frames this long after the change that caused them, only the latest: a burst costs one badge
# frame per socket, and every frame of a fan-out goes out before the badges follow (ADR 0502).
UNREAD_DELAY_SECONDS = 0.05
# Layer messages whose handlers never touch the database themselves (a replay goes through
# database_sync_to_async, which closes stale connections in its own thread). Channels runs
# close_old_connections in the one sync thread before *every* handler; for a fan-out that is a
# thousand hops queued behind the request that made the notification (ADR 0502).
PURE_MESSAGES = frozenset(
    {
        "notification.created",
        "notification.live",
        "notification.start",
        "notification.catchup",
        "unread.changed",
    }
)


@database_sync_to_async
def _open(channel_name: str, user_id: int) -> tuple[int, int]:
    Presence.objects.update_or_create(
        channel_name=channel_name, defaults={"user_id": user_id, "seen_at": timezone.now()}
    )
    latest = (
        Notification.objects.filter(user_id=user_id).order_by("-seq").values_list("seq", flat=True)
    ).first()
    return latest or 0, unread_counts([user_id])[user_id]


@database_sync_to_async
def _close_all(channel_names: list[str]) -> None:
    Presence.objects.filter(channel_name__in=channel_names).delete()


# Sockets leaving at about the same moment (a server stopping, a network blip) clear their
# presence in one statement, not one round trip each through the one database thread.
LEAVE_BATCH_SECONDS = 0.05
_LEAVING: dict[asyncio.AbstractEventLoop, tuple[set[str], asyncio.Task]] = {}


async def _close(channel_name: str) -> None:
    loop = asyncio.get_running_loop()
    batch = _LEAVING.get(loop)
    if batch is None:
        names: set[str] = set()
        batch = _LEAVING[loop] = (names, loop.create_task(_close_batch(loop, names)))
    batch[0].add(channel_name)
    await asyncio.shield(batch[1])


async def _close_batch(loop: asyncio.AbstractEventLoop, names: set[str]) -> None:
    await asyncio.sleep(LEAVE_BATCH_SECONDS)
    del _LEAVING[loop]  # whoever leaves from now on starts the next batch
    await _close_all(sorted(names))


@database_sync_to_async
def _after(user_id: int, after: int, upto: int | None = None) -> list[dict]:
    """The user's notification frames above `after` (up to `upto`), each carrying the user's
    unread count as read now, which counts every one of them still unread (ADR 0714)."""
    rows = Notification.objects.filter(user_id=user_id, seq__gt=after).order_by("seq")
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    frames = [row.frame() for row in rows.select_related("user")[:REPLAY_LIMIT]]
    if frames:
        unread = unread_counts([user_id])[user_id]
        for frame in frames:
            frame["unread"] = unread
    return frames


@database_sync_to_async
def _latest_numbers(user_ids: set[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(user_id__in=list(user_ids))
        .values("user_id")
        .annotate(last=Max("seq"))
        .order_by()
    )
    return {row["user_id"]: row["last"] for row in rows}


@database_sync_to_async
def _heartbeat_all(sockets: list[tuple[str, int]]) -> None:
    """Refresh the presence of every open socket in one statement, re-creating a row that
    the presence job pruned (after a missed beat) so an open tab never counts as away."""
    now = timezone.now()
    Presence.objects.bulk_create(
        [Presence(channel_name=name, user_id=user_id, seen_at=now) for name, user_id in sockets],
        update_conflicts=True,
        unique_fields=["channel_name"],
        update_fields=["seen_at"],
    )


# One watcher per process (not one timer per socket): every few seconds a single query finds the
# sockets that are behind the store, and every 30 s one UPDATE refreshes their presence.
_WATCHER: dict[str, asyncio.Task] = {}


def _watch() -> None:
    task = _WATCHER.get("task")
    if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
        _WATCHER["task"] = asyncio.ensure_future(_watch_forever())


async def _watch_forever() -> None:
    since_beat = 0.0
    loop = asyncio.get_running_loop()
    while True:
        interval = _catchup_seconds()
        await asyncio.sleep(interval)
        since_beat += interval
        consumers = [c for c in delivery.local_sockets() if c.socket_loop is loop]
        if not consumers:
            continue
        try:
            latest = await _latest_numbers({c.user_id for c in consumers})
            for consumer in consumers:
                # Behind what the store held at the previous look: the live message had a whole
                # interval to arrive and did not, so fetch it (a socket merely mid-fan-out is
                # left alone, or a big fan-out would turn into a thousand queries).
                if consumer.started and consumer.store_latest > consumer.last_sent:
                    await consumer.channel_layer.send(
                        consumer.channel_name, {"type": "notification.catchup"}
                    )
                consumer.store_latest = latest.get(consumer.user_id, 0)
            if since_beat >= HEARTBEAT_SECONDS:
                since_beat = 0.0
                await _heartbeat_all([(c.channel_name, c.user_id) for c in consumers])
        except Exception:  # the watcher must outlive a database hiccup
            logger.exception("Notification socket watcher failed; retrying")


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """One socket of one user. `last_sent` is the highest number this socket has delivered;
    a frame is sent only above it, so a replay and the live stream never duplicate."""

    # This process's own layer: the bus hands each event to the sockets here (ADR 0710).
    channel_layer_alias = delivery.LOCAL_LAYER
    registered = False
    began_at = 0  # the store's latest number when this socket opened
    busy = 0  # handlers of this socket in flight: the bus then queues instead of sending
    queued = 0  # bus messages waiting in this socket's queue: later ones queue behind them

    async def __call__(self, scope, receive, send) -> None:
        # Whatever ends the consumer — the client leaving, an exception in a handler, or the
        # server cancelling it on shutdown — the socket leaves the registry and its presence
        # goes, so a dead socket never keeps its user "present" (issue 17).
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:
            # daphne cancels every application when it stops: say "restarting" so the client
            # reconnects (to the other process) and resumes. daphne 4.2 drops the connections
            # before this frame is flushed, so clients still see 1006 for now (ADR 0710).
            if self.registered:
                with contextlib.suppress(Exception):
                    await self.close(code=CLOSE_RESTART)
            raise
        except Exception:
            logger.exception("Notification socket failed; closing it")
            if self.registered:
                with contextlib.suppress(Exception):
                    await self.close(code=1011)
        finally:
            await asyncio.shield(self._leave())

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.user_id = user.pk
        self.socket_loop = asyncio.get_running_loop()
        # Live frames wait until the client says where it stands ({"type": "resume"}) or a
        # moment passes without it, so a replay never races a live frame.
        self.started = False
        self.held: list[dict] = []
        self.pending_unread: int | None = None
        self.pending_version = 0  # bumped by each live count, to tell older from newer
        self.ticker: asyncio.Task | None = None
        self.last_sent = 0
        self.store_latest = 0
        delivery.register(self)
        self.registered = True
        await self.accept()
        # Subscribed before reading where the store stands: whatever commits later reaches
        # this process live, whatever committed before is in the store.
        await delivery.listening()
        self.last_sent, unread = await _open(self.channel_name, self.user_id)
        self.began_at = self.last_sent  # a stream started without a resume sends above this
        await self.send_json({"type": "unread", "count": unread})
        self.ticker = asyncio.ensure_future(self._tick())
        _watch()

    async def dispatch(self, message: dict) -> None:
        self.busy += 1
        try:
            if message.get("type") in PURE_MESSAGES:
                await getattr(self, get_handler_name(message))(message)
                return
            await super().dispatch(message)
        finally:
            self.busy -= 1

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        """Unregister and clear presence, once (disconnect and the final cleanup both ask)."""
        if not self.registered:
            return
        self.registered = False
        delivery.unregister(self)
        _BADGES.get(self.socket_loop, set()).discard(self)
        if self.ticker is not None and self.ticker is not asyncio.current_task():
            self.ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.ticker
        try:
            await _close(self.channel_name)
        except Exception:
            # The row then expires by itself: the heartbeat no longer refreshes it.
            logger.exception("Clearing the presence of %s failed", self.channel_name)

    # --- what the client sends -----------------------------------------------------------

    async def websocket_receive(self, message: dict) -> None:
        """Any frame gets a handled answer: the client's mistakes are told to it, and an
        unexpected error in a handler is logged — neither ends the socket."""
        text = message.get("text")
        if text is None:
            await self._refuse("binary_frame")
            return
        if len(text) > MAX_CLIENT_FRAME:
            await self._refuse("too_large")
            return
        try:
            content = json.loads(text)
        except ValueError:
            await self._refuse("invalid_json")
            return
        try:
            await self.receive_json(content)
        except Exception:
            logger.exception("Handling a client frame failed")
            await self._refuse("server_error")

    async def _refuse(self, code: str) -> None:
        await self.send_json({"type": "error", "code": code})

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resume":
            after = content.get("after")
            if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**63:
                await self._refuse("invalid_resume")
                return
            if self.started and self.last_sent > self.began_at:
                # The resume comes after the live stream began without it (a slow client):
                # this socket already sent (began_at, last_sent]. Never rewind over them; what
                # the client missed below began_at, it gets once (before the newer ones it
                # holds, as the store has them).
                if after < self.began_at:
                    await self._replay(after=after, upto=self.began_at)
                if after > self.last_sent:
                    self.last_sent = after
                await self._replay()
                return
            # The client's cursor wins; everything held is in the store and replayed.
            self.started = True
            self.held = []
            self.last_sent = after
            await self._replay()
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self._refuse("unknown_type")

    async def _tick(self) -> None:
        """After a moment without a resume, start the live stream where the socket began."""
        await asyncio.sleep(START_GRACE_SECONDS)
        await self.channel_layer.send(self.channel_name, {"type": "notification.start"})

    async def _replay(self, *, after: int | None = None, upto: int | None = None) -> None:
        """Send what the store holds above `last_sent` (or the range (after, upto] that this
        socket never sent, which leaves `last_sent` where it is)."""
        version = self.pending_version
        bounded = upto is not None
        frames = await _after(self.user_id, self.last_sent if after is None else after, upto)
        for frame in frames:
            await self.send_json(frame)
            if not bounded:
                self.last_sent = frame["id"]
        if frames and self.pending_version == version:
            # The frames carried the count (ADR 0714), newer than one still waiting to go out.
            self.pending_unread = None

    async def notification_start(self, event: dict) -> None:
        if self.started:
            return
        self.started = True
        held, self.held = self.held, []
        for message in held:
            await self.notification_created(message)

    async def notification_created(self, event: dict) -> None:
        if not self.started:
            self.held.append(event)
            return
        frame = event["frame"]
        if frame["id"] <= self.last_sent:
            return  # already replayed
        if frame["id"] > self.last_sent + 1:
            # A gap: an earlier number is still on its way (or was never sent, e.g. made by the
            # worker on an in-memory layer). The store holds them all, in order.
            await self._replay()
            return
        await self.send_json(self._counted(frame, event["unread"]))
        self.last_sent = frame["id"]

    async def notification_catchup(self, event: dict) -> None:
        if self.started:
            await self._replay()

    async def session_ended(self, event: dict) -> None:
        """The person was deactivated: no more frames; the browser does not reconnect."""
        await self.close(code=4401)

    async def unread_changed(self, event: dict) -> None:
        self._unread_soon(event["unread"])

    def _counted(self, frame: dict, count: int) -> dict:
        """The notification frame as sent: with the recipient's unread count including it
        (ADR 0714), and no `unread` frame after it — a count still waiting to go out is older
        and is dropped. A copy: the bus message may be handed to several tabs."""
        self.pending_unread = None
        self.pending_version += 1
        return {**frame, "unread": count}

    def _unread_soon(self, count: int) -> None:
        self.pending_unread = count
        self.pending_version += 1
        _BADGES.setdefault(self.socket_loop, set()).add(self)
        task = _BADGE_TASKS.get(self.socket_loop)
        if task is None or task.done():
            _BADGE_TASKS[self.socket_loop] = asyncio.ensure_future(_send_badges(self.socket_loop))

    async def send_unread(self) -> None:
        count, self.pending_unread = self.pending_unread, None
        if count is not None and self.registered:
            await self.send_json({"type": "unread", "count": count})

    async def take_live(self, message: dict) -> bool:
        """The bus's direct hand-over, for a socket with nothing of its own in flight and the
        next number in hand: sent now, without a trip through the socket's queue. False lets
        the queue and its ordinary handler decide (a held start, a gap, a duplicate)."""
        if self.busy or self.queued or not self.started or not self.registered:
            return False
        if message["type"] == "unread.changed":
            self._unread_with_frames(message["unread"])
            return True
        if message["type"] != "notification.created":
            return False
        frame = message["frame"]
        if frame["id"] != self.last_sent + 1:
            return False
        self.last_sent = frame["id"]
        self.busy += 1
        try:
            await self.send_json(self._counted(frame, message["unread"]))
        finally:
            self.busy -= 1
        return True

    def _unread_with_frames(self, count: int) -> None:
        """A count alone (`unread.changed`): the bus hand-over sends it (`send_unread`) right
        after the frames it wrote in the same turn of the loop, so the server writes them to the
        kernel at once; a notification frame handed over after it carries a newer count and
        drops this one."""
        self.pending_unread = count
        self.pending_version += 1

    def queue_live(self, message: dict) -> None:
        """The bus's other hand-over: through this socket's queue, handled in order by its own
        task. Counted until handled, so no later message overtakes it by `take_live` (the
        queue alone is not enough: a message taken off it is not yet handled)."""
        self.channel_layer.deliver(
            self.channel_name, {"type": "notification.live", "message": message}
        )
        self.queued += 1

    async def notification_live(self, event: dict) -> None:
        self.queued -= 1  # `busy` covers it from here until it is handled
        message = event["message"]
        await getattr(self, get_handler_name(message))(message)


# Live unread counts go out from one task per event loop, not a timer per socket: a fan-out
# to a thousand sockets schedules one wake-up, then one badge frame each (ADR 0502, 0710).
_BADGES: dict[asyncio.AbstractEventLoop, set[NotificationConsumer]] = {}
_BADGE_TASKS: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


async def _send_badges(loop: asyncio.AbstractEventLoop) -> None:
    await asyncio.sleep(UNREAD_DELAY_SECONDS)
    due = _BADGES.pop(loop, set())
    for consumer in due:
        try:
            await consumer.send_unread()
        except Exception:
            logger.exception("Sending an unread count failed")
