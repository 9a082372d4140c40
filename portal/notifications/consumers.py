"""The notification socket: authenticate, join the user's own group, relay, replay on resume."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .delivery import unread_counts, user_group
from .models import Notification, Presence

REPLAY_LIMIT = 500
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
# Live unread counts are sent this long after the change that caused them, only the latest:
# a burst of notifications costs one badge frame per socket, not one per notification, and
# every notification frame of a fan-out goes out before the badges follow (ADR 0502).
UNREAD_DELAY_SECONDS = 0.05
# Layer messages whose handlers never touch the database themselves (a replay goes through
# database_sync_to_async, which closes stale connections in its own thread). Channels runs
# close_old_connections in the one sync thread before *every* handler; for a fan-out that is a
# thousand hops queued behind the request that made the notification (ADR 0502).
PURE_MESSAGES = frozenset(
    {"notification.created", "notification.start", "notification.catchup", "unread.changed"}
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
def _close(channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


@database_sync_to_async
def _after(user_id: int, after: int) -> tuple[list[dict], int]:
    rows = Notification.objects.filter(user_id=user_id, seq__gt=after).order_by("seq")
    frames = [row.frame() for row in rows.select_related("user")[:REPLAY_LIMIT]]
    return frames, (unread_counts([user_id])[user_id] if frames else 0)


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
_SOCKETS: dict[str, NotificationConsumer] = {}
_WATCHER: dict[str, asyncio.Task] = {}


def _watch(consumer: NotificationConsumer) -> None:
    _SOCKETS[consumer.channel_name] = consumer
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
        consumers = [c for c in list(_SOCKETS.values()) if c.socket_loop is loop]
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

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.user_id = user.pk
        self.group = user_group(self.user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.socket_loop = asyncio.get_running_loop()
        # Live frames wait until the client says where it stands ({"type": "resume"}) or a
        # moment passes without it, so a replay never races a live frame.
        self.started = False
        self.held: list[dict] = []
        self.pending_unread: int | None = None
        self.pending_version = 0  # bumped by each live count, to tell older from newer
        self.unread_task: asyncio.Task | None = None
        self.last_sent, unread = await _open(self.channel_name, self.user_id)
        self.store_latest = 0
        await self.send_json({"type": "unread", "count": unread})
        self.ticker = asyncio.ensure_future(self._tick())
        _watch(self)

    async def dispatch(self, message: dict) -> None:
        if message.get("type") in PURE_MESSAGES:
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)

    async def disconnect(self, code: int) -> None:
        for task in (getattr(self, "ticker", None), getattr(self, "unread_task", None)):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        _SOCKETS.pop(self.channel_name, None)
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await _close(self.channel_name)

    async def _tick(self) -> None:
        """After a moment without a resume, start the live stream where the socket began."""
        await asyncio.sleep(START_GRACE_SECONDS)
        await self.channel_layer.send(self.channel_name, {"type": "notification.start"})

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "resume":
            after = content.get("after")
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                # The client's cursor wins; everything held is in the store and replayed.
                self.started = True
                self.held = []
                self.last_sent = after
                await self._replay()
        elif content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def _replay(self) -> None:
        version = self.pending_version
        frames, unread = await _after(self.user_id, self.last_sent)
        for frame in frames:
            await self.send_json(frame)
            self.last_sent = frame["id"]
        if frames:
            if self.pending_version == version:
                self.pending_unread = None  # the replay's count is newer than the pending one
            await self.send_json({"type": "unread", "count": unread})

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
        await self.send_json(frame)
        self.last_sent = frame["id"]
        self._unread_soon(event["unread"])

    async def notification_catchup(self, event: dict) -> None:
        if self.started:
            await self._replay()

    async def unread_changed(self, event: dict) -> None:
        self._unread_soon(event["unread"])

    def _unread_soon(self, count: int) -> None:
        self.pending_unread = count
        self.pending_version += 1
        if self.unread_task is None or self.unread_task.done():
            self.unread_task = asyncio.ensure_future(self._send_unread())

    async def _send_unread(self) -> None:
        await asyncio.sleep(UNREAD_DELAY_SECONDS)
        count, self.pending_unread = self.pending_unread, None
        if count is not None:
            await self.send_json({"type": "unread", "count": count})
