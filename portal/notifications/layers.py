"""The process-local channel layer every notification socket reads from, and the Redis bus
that carries one message per event to every process (ADR 0502, ADR 0710).

Channels' `InMemoryChannelLayer` sweeps every channel queue and every group membership for
expired entries on *each* `receive` and `group_send` (`_clean_expired`). With one channel per
socket that is O(sockets) work per message, so one notification fanned out to N users costs
O(N²): 1,000 sockets spent most of a fan-out in the sweep (ADR 0502). Messages live for
`expiry` (60 s), so sweeping at most once a second changes nothing a client can observe;
everything else is the stock layer, plus `deliver` for the bus's local hand-over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as StockInMemoryChannelLayer

logger = logging.getLogger(__name__)


class InMemoryChannelLayer(StockInMemoryChannelLayer):
    """Channels' in-memory layer, sweeping expired messages at most every `clean_interval`."""

    clean_interval = 1.0

    def __init__(self, *args, clean_interval: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if clean_interval is not None:
            self.clean_interval = clean_interval
        self._cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < self.clean_interval:
            return
        self._cleaned_at = now
        super()._clean_expired()

    def deliver(self, channel: str, message: dict) -> None:
        """`send` without the copy, from the layer's own event loop: the bus hands one decoded
        message to each of a user's sockets, and handlers never modify what they receive."""
        queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def flush(self) -> None:
        await super().flush()
        self._cleaned_at = 0.0


class RedisBus:
    """One Redis PUBLISH per event (recipient ids inside), one SUBSCRIBE per process.

    Pub/sub keeps nothing for a process that is not listening: what it misses, the store has,
    and sockets fetch it on a gap, on their periodic catch-up, or when the subscription comes
    back (`on_resubscribe`)."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self._client = None
        self._listeners: dict[asyncio.AbstractEventLoop, tuple[asyncio.Task, asyncio.Event]] = {}

    def publish(self, messages: list) -> None:
        """Send from synchronous code (the request's or the worker's thread), one round trip."""
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url, socket_timeout=5)
        self._client.publish(self.channel, json.dumps(messages, separators=(",", ":")))

    async def listening(
        self,
        deliver: Callable[[list], Awaitable[None]],
        on_resubscribe: Callable[[], None],
        timeout: float = 5.0,
    ) -> bool:
        """Make sure this event loop is subscribed; True once Redis confirmed it."""
        loop = asyncio.get_running_loop()
        entry = self._listeners.get(loop)
        if entry is None or entry[0].done():
            ready = asyncio.Event()
            task = loop.create_task(self._listen(deliver, on_resubscribe, ready))
            entry = self._listeners[loop] = (task, ready)
        if entry[1].is_set():
            return True
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
        except TimeoutError:
            logger.warning("The notification bus is not subscribed yet; sockets will catch up")
            return False
        return True

    async def _listen(
        self,
        deliver: Callable[[list], Awaitable[None]],
        on_resubscribe: Callable[[], None],
        ready: asyncio.Event,
    ) -> None:
        from redis import asyncio as aioredis

        subscribed_before = False
        while True:
            client = aioredis.Redis.from_url(self.url)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                ready.set()
                if subscribed_before:
                    on_resubscribe()  # publishes made while away are in the store only
                subscribed_before = True
                async for message in pubsub.listen():
                    if message["type"] != "message":
                        continue
                    try:
                        await deliver(json.loads(message["data"]))
                    except Exception:
                        logger.exception("Delivering a notification bus message failed")
            except asyncio.CancelledError:
                raise
            except Exception:
                ready.clear()
                logger.exception("Notification bus subscription lost; resubscribing in 1 s")
                await asyncio.sleep(1.0)
            finally:
                try:
                    await pubsub.aclose()
                    await client.aclose()
                except Exception:  # noqa: S110 - a dead connection has nothing left to close
                    pass
