"""The scratch database of a benchmark: SQLite by default, PostgreSQL when DATABASE_URL says so.

A PostgreSQL scratch database named in DATABASE_URL is created when missing (`--fresh` drops it
first, `--drop` drops it at the end), so every benchmark stays one command:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agora_bench_search \\
        .venv/bin/python bench/search_bench.py --fresh --drop
"""

from __future__ import annotations

import os
import statistics
import time
from urllib.parse import urlparse

DROP_SQL = "DROP DATABASE IF EXISTS {} WITH (FORCE)"


def is_postgres(url: str | None = None) -> bool:
    return (url or os.environ.get("DATABASE_URL", "")).startswith(("postgres", "postgresql"))


def _admin(url: str):
    """A psycopg connection to the server's `postgres` database (autocommit) and the db name."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conninfo = parsed._replace(path="/postgres").geturl()
    return psycopg.connect(conninfo, autocommit=True), name


def prepare(*, fresh: bool) -> None:
    """Create the PostgreSQL scratch database if missing (dropping it first when `fresh`).
    Nothing to do on SQLite: each benchmark removes its own file."""
    url = os.environ.get("DATABASE_URL", "")
    if not is_postgres(url):
        return
    from psycopg import sql

    drop_sql = sql.SQL(DROP_SQL)
    admin, name = _admin(url)
    with admin:
        if fresh:
            admin.execute(drop_sql.format(sql.Identifier(name)))
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop() -> None:
    """Drop the PostgreSQL scratch database (after closing Django's connections to it)."""
    url = os.environ.get("DATABASE_URL", "")
    if not is_postgres(url):
        return
    from django.db import connections
    from psycopg import sql

    drop_sql = sql.SQL(DROP_SQL)
    connections.close_all()
    admin, name = _admin(url)
    with admin:
        admin.execute(drop_sql.format(sql.Identifier(name)))


def analyze() -> None:
    """Refresh the planner's statistics (and, on PostgreSQL, the visibility map that lets
    index-only scans skip the heap) after a bulk load, as production's autovacuum would have
    done by the time a table this size is queried."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def disk_size() -> str:
    """The database's size on disk (PostgreSQL) or the SQLite file's, human-readable."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
    path = connection.settings_dict["NAME"]
    total = sum(
        os.path.getsize(p) for p in (str(path), f"{path}-wal", f"{path}-shm") if os.path.exists(p)
    )
    return f"{total / 1e6:.0f} MB"


def load() -> str:
    """The machine's 1-minute load average, printed beside every latency figure."""
    return f"{os.getloadavg()[0]:.2f}"


def cpu_reference() -> str:
    """Milliseconds this machine takes for a fixed piece of pure Python (best of 3), printed
    with a run's figures: the machines these benchmarks run on are shared, and the same
    database and code measured 2x apart in one evening as the host's speed changed. Latencies
    from runs whose reference differs are not comparable; this says which runs those are."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return f"{best * 1000:.0f} ms"


def database_cpu() -> dict[int, float]:
    """CPU seconds (user + system) so far of each PostgreSQL backend connected to this
    database, read from /proc (the server runs on this machine); empty on SQLite or when /proc
    cannot be read. Latency on a shared machine measures the queue for the cores; CPU per
    request measures the work."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    seconds = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


# The last get_pages(): CPU ms per request in this process and in the database.
LAST_CPU: list[float] = [0.0, 0.0]


def cpu_note() -> str:
    """The CPU per request of the last get_pages(), for the benchmark's line."""
    app, database = LAST_CPU
    if not database:
        return f"CPU/request {app:.1f} ms"
    return f"CPU/request {app:.1f} ms here + {database:.1f} ms PostgreSQL"


def get_pages(client, urls: list[str], requests: int, choose=None) -> tuple[list[float], list[int]]:
    """GET `requests` pages through a test client — the urls in turn, or `choose(urls)` each
    time — each answering 200: the milliseconds per request (sorted) and the queries of each.
    The CPU per request (this process; the PostgreSQL backends) is left in LAST_CPU."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    database_before = database_cpu()
    cpu_before = time.process_time()
    for i in range(requests):
        url = choose(urls) if choose else urls[i % len(urls)]
        # The captured log is a deque of 9,000: not emptied, it fills up within a long run and
        # every later request counts 0 statements (the knowledge bench's later pages did).
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured.captured_queries))
    app = time.process_time() - cpu_before
    database_after = database_cpu()
    database = sum(after - database_before.get(pid, 0.0) for pid, after in database_after.items())
    LAST_CPU[:] = [app * 1000 / requests, database * 1000 / requests]
    timings.sort()
    return timings, queries


def p50_p95(timings: list[float]) -> tuple[float, float]:
    """Median and 95th percentile of sorted timings."""
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def page_breakdown(client, urls: list[str], title: str) -> None:
    """Where the time of these pages goes (connection, every statement, template rendering,
    the rest) and the plans of the slowest statements: one request per url (bench/breakdown.py)."""
    from breakdown import Breakdown

    with Breakdown({"render": "django.template.base.Template:render"}) as measured:
        for url in urls:
            with measured.time("request"):
                client.get(url)
    measured.print(f"{title} breakdown over {len(urls)} pages", requests=len(urls))
