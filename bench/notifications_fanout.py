"""Notification fan-out: 1,000 WebSocket clients, one announcement delivered to all of them.

    .venv/bin/python bench/notifications_fanout.py                 # one daphne, in-memory layer
    .venv/bin/python bench/notifications_fanout.py --redis redis://127.0.0.1:6379/5
        # two daphne processes on channels_redis, clients split between them

Prints, per round, commit-to-last-frame latency (from the notification's created_at, stamped
inside the committing transaction, to the last client's receipt), p50/p99 over every delivered
frame, and sustained deliveries per second for a burst of announcements. Uses a throwaway SQLite
database in /tmp/agora-notifications-bench (or DATABASE_URL if set: give it a scratch database).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-notifications-bench"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--redis", default="", help="REDIS_URL: two daphne processes")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--settings", default="portal.settings.dev", help="settings module")
    parser.add_argument(
        "--base-port", type=int, default=0, help="daphne ports from here (default: any free)"
    )
    return parser.parse_args()


def setup_environment(args: argparse.Namespace) -> dict[str, str]:
    if args.fresh and VAR.exists():
        shutil.rmtree(VAR)
    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": f"file://{VAR / 'mail'}",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
        # Redis pub/sub channels ignore the database number: a prefix of this run's own keeps
        # another benchmark on the same Redis from hearing (and counting) our events.
        prefix = f"{os.environ.get('CHANNEL_LAYER_PREFIX', 'agora')}_bench_{os.getpid()}"
        env["CHANNEL_LAYER_PREFIX"] = prefix
        env["CACHE_KEY_PREFIX"] = prefix
    else:
        env.pop("REDIS_URL", None)
    os.environ.update(env)
    if not args.redis:
        os.environ.pop("REDIS_URL", None)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


def make_people(n: int) -> tuple[list[str], str]:
    """n people with a session each (cookies), and an administrator's API token."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from portal.notifications.models import Notification, Presence, UserSequence

    User = get_user_model()  # noqa: N806
    admin, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"is_superuser": True, "is_staff": True, "email": "admin@bench.test"},
    )
    existing = User.objects.filter(username__startswith="bench-user-").count()
    User.objects.bulk_create(
        [
            User(username=f"bench-user-{i:05d}", email="", password="!")  # no email: no mail work
            for i in range(existing, n)
        ]
    )
    users = list(User.objects.filter(username__startswith="bench-user-").order_by("pk")[:n])
    chosen = [u.pk for u in users] + [admin.pk]
    User.objects.filter(pk__in=chosen).update(is_active=True)
    User.objects.exclude(pk__in=chosen).update(is_active=False)
    Notification.objects.all().delete()
    UserSequence.objects.all().delete()
    Presence.objects.all().delete()
    cookies = []
    for user in users:
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    token, _ = Token.objects.get_or_create(user=admin)
    from django.db import connection

    connection.close()
    return cookies, token.key


class Client:
    def __init__(self) -> None:
        self.received: list[tuple[float, dict]] = []
        self.unread_frames = 0  # after the one on connecting
        self.ws = None
        self.closed = ""


async def connect_all(ports: list[int], cookies: list[str]) -> list[Client]:
    import websockets

    clients = [Client() for _ in cookies]

    async def one(i: int) -> None:
        port = ports[i % len(ports)]
        client = clients[i]
        client.ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/notifications/",
            additional_headers={"Cookie": cookies[i]},
            origin=f"http://127.0.0.1:{port}",
            open_timeout=60,
            max_queue=None,
        )
        await client.ws.recv()  # unread count
        await client.ws.send(json.dumps({"type": "resume", "after": 0}))

    # daphne (Twisted) listens with a backlog of 50: connect in small waves
    for start in range(0, len(cookies), 25):
        try:
            await asyncio.gather(*(one(i) for i in range(start, min(start + 25, len(cookies)))))
        except Exception as exc:
            raise SystemExit(f"connecting failed after {start} clients: {exc!r}") from exc
    return clients


async def listen(client: Client) -> None:
    import websockets

    try:
        async for message in client.ws:
            frame = json.loads(message)
            if frame.get("type") == "notification":
                client.received.append((time.time(), frame))
            elif frame.get("type") == "unread":
                client.unread_frames += 1
    except websockets.ConnectionClosed as exc:
        client.closed = repr(exc)  # reported by wait_for instead of a traceback per client


def announce(port: int, token: str, title: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - local server
        f"http://127.0.0.1:{port}/api/v1/notifications/announce/",
        data=json.dumps({"title": title}).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        assert response.status == 201, response.status


def created_ts(frame: dict) -> float:
    return datetime.datetime.fromisoformat(frame["created_at"]).timestamp()


async def wait_for(clients: list[Client], count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while any(len(c.received) < count for c in clients):
        if time.monotonic() > deadline:
            missing = sum(count - len(c.received) for c in clients if len(c.received) < count)
            closed = [c.closed for c in clients if c.closed]
            detail = (
                f"; {len(closed)} sockets closed by the server, e.g. {closed[0]}" if closed else ""
            )
            raise SystemExit(f"timed out: {missing} frames missing{detail}")
        await asyncio.sleep(0.01)


def cpu_seconds(processes: list[subprocess.Popen]) -> list[float]:
    """User + system CPU time of each daphne process so far: on a shared machine the wall
    clock depends on the neighbours, the CPU a fan-out costs does not (much)."""
    seconds = []
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        seconds.append(ticks / os.sysconf("SC_CLK_TCK"))
    return seconds


def gc_figures(port: int) -> dict[int, tuple[float, float]]:
    """The process's collector pauses by generation, from its /metrics (loopback, direct):
    {generation: (collections, seconds stopped)} since the process started."""
    import re

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:  # noqa: S310
        text = response.read().decode()

    def figure(name: str, generation: int) -> float:
        match = re.search(rf'^{name}{{generation="{generation}"}} (\S+)$', text, re.M)
        return float(match.group(1)) if match else float("nan")

    return {
        g: (figure("agora_gc_pauses_total", g), figure("agora_gc_pause_seconds_total", g))
        for g in range(3)
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(
    args: argparse.Namespace, env: dict[str, str], cookies: list[str], token: str
) -> None:
    from portal.core.testing import free_port, start_daphne

    n_processes = 2 if args.redis else 1
    ports = [args.base_port + i if args.base_port else free_port() for i in range(n_processes)]
    # Each daphne's errors go to its own log (an unanswered port raises with its number).
    processes = [
        start_daphne(port, env, stderr=open(VAR / f"daphne-{port}.log", "w"))  # noqa: SIM115
        for port in ports
    ]
    try:
        t = time.monotonic()
        clients = await connect_all(ports, cookies)
        print(
            f"connected {len(clients)} clients to {n_processes} daphne process(es) "
            f"in {time.monotonic() - t:.1f}s"
        )
        listeners = [asyncio.ensure_future(listen(c)) for c in clients]
        # A process imports its URLs and views on its first request: not the fan-out's cost.
        for port in ports:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60).close()  # noqa: S310
        await asyncio.sleep(2)
        loop = asyncio.get_running_loop()
        # one notification fanned out to everyone, several rounds
        gc_before = [gc_figures(port) for port in ports]
        cpu_before = cpu_seconds(processes)
        client_cpu_before = time.process_time()
        last_frame, per_frame = [], []
        expected = 0
        for r in range(args.rounds):
            await loop.run_in_executor(None, announce, ports[0], token, f"Round {r}")
            expected += 1
            await wait_for(clients, expected)
            frames = [c.received[expected - 1] for c in clients]
            commit = created_ts(frames[0][1])
            latencies = [(at - commit) * 1000 for at, _ in frames]
            per_frame += latencies
            last_frame.append(max(latencies))
            await asyncio.sleep(0.3)
        print(f"fan-out of one notification to {len(clients)} clients, {args.rounds} rounds:")
        print(
            f"  commit-to-last-frame  p50 {statistics.median(last_frame):7.1f} ms   "
            f"p99 {pct(last_frame, 99):7.1f} ms   max {max(last_frame):7.1f} ms"
        )
        slowest = sorted(range(len(last_frame)), key=last_frame.__getitem__)[-3:][::-1]
        print(
            "  slowest rounds: "
            + ", ".join(f"round {r + 1} {last_frame[r]:.0f} ms" for r in slowest)
        )
        print(
            f"  per-frame latency     p50 {statistics.median(per_frame):7.1f} ms   "
            f"p99 {pct(per_frame, 99):7.1f} ms"
        )
        # sustained: a burst of announcements back to back
        start = time.time()
        for r in range(args.burst):
            await loop.run_in_executor(None, announce, ports[0], token, f"Burst {r}")
        expected += args.burst
        await wait_for(clients, expected)
        end = max(c.received[expected - 1][0] for c in clients)
        delivered = args.burst * len(clients)
        print(
            f"  sustained: {delivered} deliveries in {end - start:.2f}s = "
            f"{delivered / (end - start):,.0f} deliveries/s"
        )
        per_process = [a - b for a, b in zip(cpu_seconds(processes), cpu_before, strict=True)]
        cpu = sum(per_process)
        client_cpu = time.process_time() - client_cpu_before
        deliveries = expected * len(clients)
        print(
            f"  daphne CPU for all {deliveries} deliveries: {cpu:.1f}s "
            f"= {cpu * 1e6 / deliveries:.0f} µs per delivery (all processes)"
        )
        if len(processes) > 1:
            # The first process also serves the announcements (the writes); the others only
            # deliver to their own share of the sockets.
            shares = [len(range(i, len(clients), len(processes))) for i in range(len(processes))]
            print(
                "  per process: "
                + ", ".join(
                    f"{seconds:.1f}s = {seconds * 1e6 / (expected * share):.0f} µs per delivery"
                    for seconds, share in zip(per_process, shares, strict=True)
                )
                + " (the first also handles the announcements)"
            )
            # The first process's CPU beyond what the second spends delivering the same share:
            # what writing and announcing an event costs, the part of the interval before
            # any frame can leave.
            extra = per_process[0] - per_process[1] * shares[0] / shares[1]
            print(
                f"  announcing: {extra * 1000 / expected:.0f} ms of CPU per announcement "
                f"in the first process beyond delivering"
            )
        # The clients share the machine's cores with the servers: their CPU counts too.
        print(
            f"  benchmark clients' CPU: {client_cpu:.1f}s "
            f"= {client_cpu * 1e6 / deliveries:.0f} µs per delivery"
        )
        ordered = all(
            [f["id"] for _, f in c.received] == list(range(1, expected + 1)) for c in clients
        )
        print(f"  every client got ids 1..{expected} in order, none twice: {ordered}")
        # Nothing is read during the run: each frame's count is its id (ADR 0714), and no
        # unread frame follows a notification any more (one frame per delivery, not two).
        counted = all(f.get("unread") == f["id"] for c in clients for _, f in c.received)
        extra = sum(c.unread_frames for c in clients)
        print(
            f"  every frame carried its unread count: {counted}; "
            f"unread frames besides: {extra} ({extra / deliveries:.2f} per delivery)"
        )
        # Garbage collections stop a process and every frame in flight in it (ADR 0714's
        # metrics): how many ran during the rounds and the burst, and how long they stopped it.
        for port, before in zip(ports, gc_before, strict=True):
            after = gc_figures(port)
            print(
                f"  garbage collections during the run, daphne on port {port}: "
                + "; ".join(
                    f"gen {g}: {after[g][0] - before[g][0]:.0f} "
                    f"({(after[g][1] - before[g][1]) * 1000:.0f} ms)"
                    for g in range(3)
                )
            )
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def main() -> None:
    args = parse_args()
    env = setup_environment(args)
    cookies, token = make_people(args.clients)
    layer = f"channels_redis ({args.redis})" if args.redis else "in-memory channel layer"
    database = os.environ.get("DATABASE_URL", f"SQLite in {VAR}")
    print(f"notifications fan-out benchmark: {args.clients} clients, {layer}, {database}")
    # The machine may be shared: the load says how much of it the benchmark had.
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    asyncio.run(run(args, env, cookies, token))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
