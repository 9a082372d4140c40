"""Live delivery: push committed notifications and unread counts to each user's own group."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Count

from .models import Notification

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The one group a user's sockets join (never a global group filtered per socket)."""
    return f"notifications.user.{user_id}"


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    ids = list(user_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        Notification.objects.filter(user_id__in=ids, read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["user_id"]: row["n"] for row in rows})
    return counts


SEND_CONCURRENCY = 64


async def _send_all(messages: list[tuple[str, dict]]) -> None:
    """One group_send per message; different users' groups concurrently (a Redis layer then
    overlaps its round trips), one user's messages strictly in order."""
    layer = get_channel_layer()
    if layer is None:
        return
    by_group: dict[str, list[dict]] = {}
    for group, message in messages:
        by_group.setdefault(group, []).append(message)
    queue = list(by_group.items())
    queue.reverse()

    async def lane() -> None:
        while queue:
            group, in_order = queue.pop()
            for message in in_order:
                await layer.group_send(group, message)

    await asyncio.gather(*(lane() for _ in range(min(SEND_CONCURRENCY, len(queue)))))


def _send(messages: list[tuple[str, dict]]) -> None:
    if not messages:
        return
    try:
        async_to_sync(_send_all)(messages)
    except Exception:
        # The rows are committed; sockets catch up on their next poll or resume.
        logger.exception("Pushing %d notification message(s) failed", len(messages))


def push_frames(frames: list[tuple[int, dict]]) -> None:
    """After commit: send frames already built (user id, frame) with each user's new unread
    count — one count query and one group_send per recipient, whatever the fan-out."""
    if not frames:
        return
    counts = unread_counts({uid for uid, _frame in frames})
    _send(
        [
            (
                user_group(uid),
                {"type": "notification.created", "frame": frame, "unread": counts[uid]},
            )
            for uid, frame in frames
        ]
    )


def push_unread(user_ids: Iterable[int]) -> None:
    """After commit: tell every open tab of these users their new unread count."""
    counts = unread_counts(user_ids)
    _send(
        [
            (user_group(uid), {"type": "unread.changed", "unread": count})
            for uid, count in counts.items()
        ]
    )
