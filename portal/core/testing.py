"""Test helpers shared by every app's tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

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


BASE = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A local TCP port nobody listens on (for a server a test or benchmark starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(
    port: int, env: dict[str, str], *, stderr: int | IO = subprocess.DEVNULL, timeout: float = 90
) -> subprocess.Popen:
    """A real daphne serving the portal on a local port, returned once it accepts connections
    (killed, and RuntimeError, when it does not within `timeout` seconds)."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "portal.asgi:application"],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"daphne on port {port} did not start")
