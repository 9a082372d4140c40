"""The notification socket: authenticate, join the user's own group, relay, replay on resume."""

from __future__ import annotations

import asyncio
import contextlib

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from .delivery import unread_counts, user_group
from .models import Notification, Presence

REPLAY_LIMIT = 500


def _catchup_seconds() -> float:
    # Notifications made in another process (the worker) cannot reach an in-memory layer, and
    # a full Redis channel drops messages: a periodic look at the store covers both.
    default = (
        15.0 if settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis") else 3.0
    )
    return float(getattr(settings, "NOTIFICATIONS_CATCHUP_SECONDS", default))


HEARTBEAT_SECONDS = 30.0
START_GRACE_SECONDS = 1.0


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
def _heartbeat(channel_name: str, user_id: int) -> None:
    Presence.objects.update_or_create(
        channel_name=channel_name, defaults={"user_id": user_id, "seen_at": timezone.now()}
    )


@database_sync_to_async
def _after(user_id: int, after: int) -> tuple[list[dict], int]:
    rows = Notification.objects.filter(user_id=user_id, seq__gt=after).order_by("seq")
    frames = [row.frame() for row in rows[:REPLAY_LIMIT]]
    return frames, (unread_counts([user_id])[user_id] if frames else 0)


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
        # Live frames wait until the client says where it stands ({"type": "resume"}) or a
        # moment passes without it, so a replay never races a live frame.
        self.started = False
        self.held: list[dict] = []
        self.last_sent, unread = await _open(self.channel_name, self.user_id)
        await self.send_json({"type": "unread", "count": unread})
        self.ticker = asyncio.ensure_future(self._tick())

    async def disconnect(self, code: int) -> None:
        ticker = getattr(self, "ticker", None)
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await _close(self.channel_name)

    async def _tick(self) -> None:
        """Heartbeat presence; ask ourselves (through the layer, so it is handled in order with
        the live messages) to look for anything missed."""
        await asyncio.sleep(START_GRACE_SECONDS)
        await self.channel_layer.send(self.channel_name, {"type": "notification.start"})
        catchup, since_beat = _catchup_seconds(), 0.0
        while True:
            await asyncio.sleep(catchup)
            since_beat += catchup
            await self.channel_layer.send(self.channel_name, {"type": "notification.catchup"})
            if since_beat >= HEARTBEAT_SECONDS:
                since_beat = 0.0
                await _heartbeat(self.channel_name, self.user_id)

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
        frames, unread = await _after(self.user_id, self.last_sent)
        for frame in frames:
            await self.send_json(frame)
            self.last_sent = frame["id"]
        if frames:
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
        await self.send_json({"type": "unread", "count": event["unread"]})

    async def notification_catchup(self, event: dict) -> None:
        if self.started:
            await self._replay()

    async def unread_changed(self, event: dict) -> None:
        await self.send_json({"type": "unread", "count": event["unread"]})
