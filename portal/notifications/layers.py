"""The embedded (one-process) channel layer, made fit for a thousand sockets.

Channels' `InMemoryChannelLayer` sweeps every channel queue and every group membership for
expired entries on *each* `receive` and `group_send` (`_clean_expired`). With one group and one
channel per socket that is O(sockets) work per message, so one notification fanned out to N
users costs O(N²): 1,000 sockets spent most of a fan-out in the sweep (ADR 0502). Messages
live for `expiry` (60 s) and memberships for a day, so sweeping at most once a second changes
nothing a client can observe; everything else is the stock layer.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as StockInMemoryChannelLayer


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

    async def flush(self) -> None:
        await super().flush()
        self._cleaned_at = 0.0
