"""Where a served search request's CPU goes: one daphne on the search benchmark's database,
sampled by py-spy (every thread) while it answers the benchmark's queries one at a time.

    AGORA_VAR_DIR=/tmp/my-search .venv/bin/python bench/servedprofile.py [--requests 400]
        [--py-spy PATH] [--raw out.txt] [--rate 500]

The database is the one `search_bench.py` prepared (same AGORA_VAR_DIR / DATABASE_URL, the
`bench-reader` user). Prints the daphne process's CPU per request (from /proc) and py-spy's
samples grouped into phases — Twisted/daphne HTTP, the ASGI handler's event-loop side, thread
start-up, each middleware's own time, authentication, the view's parse / backend / highlight
/ rendering — as a share of all samples and as milliseconds per request. py-spy is not a
project dependency: `pip install --target DIR py-spy` and pass `--py-spy DIR/bin/py-spy`.
`--no-profile --concurrency 8 --processes 2` measures latency and CPU as served, without py-spy.
(No underscore in the file name: `bench/run.py` runs every `bench/<app>_*.py`, and this one
needs py-spy.)
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
VAR = Path(os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-bench-search"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

#: (phase, frame substrings): a sample belongs to the first phase, innermost frame first, one
#: of whose substrings appears in a frame of its stack. Innermost first: a middleware's time is
#: its own, not the view's under it.
PHASES = [
    ("thread start/stop", ("Thread.start", "_bootstrap_inner (threading", "shutdown (concurrent")),
    ("view: parse query", ("parse_query (portal/search",)),
    ("view: reader keys", ("reader_keys (portal/search",)),
    ("view: backend search (SQL + rows)", ("search (portal/search/backends",)),
    ("view: highlight", ("decorate (portal/search",)),
    ("view: suggestions", ("suggestions (portal/search",)),
    ("view: render JSON", ("render (rest_framework/renderers",)),
    ("view: rest of service.search", ("search (portal/search/service",)),
    ("DRF: authentication", ("perform_authentication (rest_framework",)),
    ("DRF: initial (permissions, negotiation, ...)", ("initial (rest_framework/views",)),
    ("DRF: finalize_response", ("finalize_response (rest_framework",)),
    ("view: SearchView.get rest", ("get (portal/search/api",)),
    ("DRF: dispatch rest", ("dispatch (rest_framework/views",)),
    ("resolve URL", ("resolve (django/urls",)),
    ("middleware: axes", ("axes/middleware",)),
    ("middleware: redirects", ("redirects/middleware",)),
    ("middleware: clickjacking", ("clickjacking",)),
    ("middleware: messages", ("messages/middleware",)),
    ("middleware: user language", ("accounts/middleware",)),
    ("middleware: auth", ("auth/middleware",)),
    ("middleware: csrf", ("middleware/csrf",)),
    ("middleware: common", ("middleware/common",)),
    ("middleware: locale", ("middleware/locale",)),
    ("middleware: sessions", ("sessions/middleware",)),
    ("middleware: whitenoise", ("whitenoise",)),
    ("middleware: security", ("middleware/security",)),
    ("middleware: metrics/log", ("core/metrics",)),
    (
        "Django: request finished (signals, close)",
        ("request_finished", "close_old_connections", "response.close", "close (django/http"),
    ),
    (
        "Django: sync handler rest",
        ("get_response (django/core/handlers/base", "inner (django/core/handlers/exception"),
    ),
    ("ASGI handler (event loop side)", ("django/core/handlers/asgi",)),
    ("asgiref sync_to_async", ("asgiref/sync",)),
    ("daphne", ("daphne/",)),
    ("twisted", ("twisted/",)),
    ("asyncio loop", ("asyncio/",)),
]


def classify(stack: list[str]) -> str:
    for frame in reversed(stack):  # innermost first
        for phase, needles in PHASES:
            if any(needle in frame for needle in needles):
                return phase
    return "other"


def report(raw: Path, requests: int, cpu_ms: float, rate: int) -> None:
    """Samples by phase: their share, and the thread time they stand for per request (samples
    / rate / requests). With --gil that is the Python time holding the interpreter; without,
    every non-idle thread's time (waits for the interpreter included)."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text:
            continue
        count = int(count_text)
        total += count
        counts[classify(stack_text.split(";"))] += count
    print(f"  {total} samples = {total / rate * 1000 / requests:.2f} ms per request; "
          f"daphne CPU {cpu_ms:.1f} ms per request over {requests}")  # fmt: skip
    for phase, count in counts.most_common():
        print(f"    {phase:48s} {100 * count / total:5.1f} %  "
              f"{count / rate * 1000 / requests:5.2f} ms/request")  # fmt: skip


def user_system(servers) -> tuple[float, float]:
    """User and system CPU seconds of the processes so far, summed."""
    tick, user, system = os.sysconf("SC_CLK_TCK"), 0.0, 0.0
    for server in servers:
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = user + int(fields[11]) / tick, system + int(fields[12]) / tick
    return user, system


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--py-spy", default="py-spy")
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    parser.add_argument("--raw", default=str(VAR / "served-profile.txt"))
    parser.add_argument(
        "--report", metavar="RAW",
        help="only print the phases of a saved run (with the --requests it had)",
    )  # fmt: skip
    parser.add_argument("--no-profile", action="store_true", help="CPU per request only")
    parser.add_argument(
        "--concurrency", type=int, default=1,
        help="client threads (with --no-profile: also more than one process, --processes)",
    )  # fmt: skip
    parser.add_argument("--processes", type=int, default=1, help="daphne processes (round-robin)")
    parser.add_argument(
        "--gil", action="store_true",
        help="sample only the thread holding the GIL (Python's own CPU; SQLite's native work "
        "runs without it and is then missed)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.report:
        report(Path(args.report), args.requests, float("nan"), args.rate)
        return 0

    import django

    django.setup()
    import search_bench
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from portal.accounts.models import User
    from portal.core.testing import free_port, start_daphne, stop_daphne

    settings.ALLOWED_HOSTS = ["*"]
    search_bench.TAIL_ZH[:], search_bench.TAIL_EN[:] = search_bench.long_tail()
    texts, _ = search_bench.queries()
    client = Client()
    client.force_login(User.objects.get(username="bench-reader"))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connections.close_all()
    env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    ports = [free_port() for _ in range(args.processes)]
    servers = [start_daphne(port, env) for port in ports]
    server = servers[0]
    spy = None
    try:
        for each in ports:
            search_bench.served_requests([each], cookie, texts[:20], 1)
        sample = [texts[i % len(texts)] for i in range(args.requests)]
        if not args.no_profile:
            spy = subprocess.Popen(  # noqa: S603 - the given py-spy on our own child
                [args.py_spy, "record", "--pid", str(server.pid), "--rate", str(args.rate),
                 "--format", "raw", "--output", args.raw, "--nonblocking",
                 *(["--gil"] if args.gil else [])],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1.0)
        before = sum(search_bench.cpu_seconds(servers))
        user_before, system_before = user_system(servers)
        started = time.perf_counter()
        latencies = search_bench.served_requests(ports, cookie, sample, args.concurrency)
        elapsed = time.perf_counter() - started
        cpu_ms = (sum(search_bench.cpu_seconds(servers)) - before) * 1000 / len(sample)
        user_after, system_after = user_system(servers)
        split = (f"user {(user_after - user_before) * 1000 / len(sample):.1f} + system "
                 f"{(system_after - system_before) * 1000 / len(sample):.1f} ms")  # fmt: skip
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        import benchdb

        p50, p95 = (search_bench.percentile(latencies, pct) for pct in (50, 95))
        print(f"{len(sample)} requests, concurrency {args.concurrency}, {len(servers)} daphne, "
              f"in {elapsed:.1f} s: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(load average {benchdb.load()})")  # fmt: skip
        if spy is not None:
            report(Path(args.raw), len(sample), cpu_ms, args.rate)
        else:
            print(f"  daphne CPU {cpu_ms:.1f} ms per request ({split})")
    finally:
        if spy is not None and spy.poll() is None:
            spy.kill()
        for each in servers:
            stop_daphne(each)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
