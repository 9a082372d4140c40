"""Test helpers shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import TestCase

from . import events
from .events import Event


class CapturedEvents(list[Event]):
    def named(self, name: str) -> list[Event]:
        return [event for event in self if event.name == name]

    @property
    def names(self) -> list[str]:
        return [event.name for event in self]


@contextmanager
def capture_events(*, execute: bool = True, using: str = "default") -> Iterator[CapturedEvents]:
    """Record every event published inside the block and, on leaving it, run the on-commit
    callbacks (the subscribers) as a real commit would (Zulip's capture_send_event_calls)."""
    captured = CapturedEvents()
    events._captures.append(captured)
    try:
        with TestCase.captureOnCommitCallbacks(using=using, execute=execute):
            yield captured
    finally:
        # By identity: two empty captures compare equal, and nested captures are allowed.
        events._captures[:] = [c for c in events._captures if c is not captured]
