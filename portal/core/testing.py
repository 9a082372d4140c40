"""Test helpers shared by every app's tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

from django.db import close_old_connections, connection
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


T = TypeVar("T")


def run_at_once(work: Callable[[int], T], workers: int = 2, *, timeout: float = 120) -> list[T]:
    """Run `work(index)` in `workers` threads released together (a barrier), each on its own
    database connection, closed afterwards; their results in index order. A worker's exception
    is raised here (a thread cannot fail the test itself). For what two workers, or many
    writers, must not do twice: the tests need `django_db(transaction=True)`."""
    results: dict[int, T] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - raised below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    if len(results) != workers:
        raise TimeoutError(f"{workers - len(results)} of {workers} workers did not finish")
    return [results[index] for index in range(workers)]


BASE = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A local TCP port nobody listens on (for a server a test or benchmark starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server process a test starts on the test's own database (SQLite's
    test file or PostgreSQL's test database), with this process's settings otherwise (REDIS_URL
    and the channel-layer prefix: the notification bus crosses the two processes). The server
    sees only committed rows: the tests need `django_db(transaction=True)`."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    elif connection.vendor == "postgresql":
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        raise NotImplementedError(f"no server on a {connection.vendor} test database")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": url,
        **extra,
    }


def start_daphne(
    port: int,
    env: dict[str, str],
    *,
    module: str = "daphne",
    stderr: int | IO | None = None,
    timeout: float = 90,
) -> subprocess.Popen:
    """A real daphne serving the portal on a local port, returned once it accepts connections
    (killed, and RuntimeError, when it does not within `timeout` seconds or exits first).

    `module` is `daphne` or `portal.core.serve` (daphne with the graceful stop that the systemd
    unit runs). Its errors go to `stderr`; by default to a temporary file whose end is in the
    RuntimeError (a pipe nobody reads would block a server that logs much)."""
    log = stderr if stderr is not None else tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, "-b", "127.0.0.1", "-p", str(port),
         "portal.asgi:application"],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    said = ""
    if stderr is None:
        log.seek(0)
        said = ": " + log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"daphne on port {port} did not start{said}")


def stop_daphne(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop it as systemd does (SIGTERM), killed if it is still there after `timeout` s."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
