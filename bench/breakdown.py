"""Where a request's time goes: connection, each SQL statement, named Python phases, the rest.

    with Breakdown({"parse": "portal.search.query.parse_query", ...}) as b:
        client.get(url)
    b.report(requests=n)      # mean ms per request of each phase
    b.explain(sql, params)    # EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN else

Phases nest: a Python phase's time includes the SQL it runs; the report shows SQL apart and
each phase's own time without SQL. Per-phase figures are far less sensitive to a busy machine
than a p95, which is why the ADR quotes them.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import defaultdict
from contextlib import ExitStack


class Breakdown:
    def __init__(self, phases: dict[str, str] | None = None) -> None:
        self.phases = phases or {}
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.statements: dict[str, list] = {}
        self._local = threading.local()
        self._stack = ExitStack()

    # -- measuring --------------------------------------------------------------------------
    def _sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.totals["sql"] += elapsed
            self.calls["sql"] += 1
            shape = " ".join(sql.split())[:160]
            entry = self.statements.setdefault(shape, [0, 0.0, sql, params, 0.0])
            entry[0] += 1
            entry[1] += elapsed
            if elapsed > entry[4]:  # explain the slowest execution of the shape, not the first
                entry[2], entry[3], entry[4] = sql, params, elapsed
            for name in getattr(self._local, "open", []):
                self.totals[f"{name} (sql)"] += elapsed

    def _wrap(self, name: str, function):
        breakdown = self

        def timed(*args, **kwargs):
            opened = breakdown._local.__dict__.setdefault("open", [])
            if name in opened:  # a nested call (a template's includes) is inside the outer one
                return function(*args, **kwargs)
            opened.append(name)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                opened.pop()
                breakdown.totals[name] += time.perf_counter() - started
                breakdown.calls[name] += 1

        return timed

    def __enter__(self) -> Breakdown:
        from django.db import connection
        from django.db.backends.base.base import BaseDatabaseWrapper

        original_connect = BaseDatabaseWrapper.connect
        self._stack.callback(setattr, BaseDatabaseWrapper, "connect", original_connect)
        BaseDatabaseWrapper.connect = self._wrap("connect", original_connect)
        for name, dotted in self.phases.items():
            module_name, _, attr = dotted.rpartition(".")
            owner = importlib.import_module(module_name)
            if ":" in attr:  # "module.Class:method"
                cls_name, method = attr.split(":")
                owner, attr = getattr(owner, cls_name), method
            original = getattr(owner, attr)
            self._stack.callback(setattr, owner, attr, original)
            setattr(owner, attr, self._wrap(name, original))
        self._stack.enter_context(connection.execute_wrapper(self._sql))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def time(self, name: str):
        """Context manager timing one block as a phase (e.g. the whole request)."""
        breakdown = self

        class _Block:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                breakdown.totals[name] += time.perf_counter() - self.started
                breakdown.calls[name] += 1

        return _Block()

    # -- reporting --------------------------------------------------------------------------
    def report(self, *, requests: int, total: str = "request") -> list[str]:
        lines = []
        per = 1000 / max(requests, 1)
        whole = self.totals.get(total, 0.0)
        accounted = 0.0
        for name in ("connect", *self.phases):
            if name not in self.totals:
                continue
            own = self.totals[name] - self.totals.get(f"{name} (sql)", 0.0)
            lines.append(
                f"    {name:<14} {own * per:7.2f} ms/request (without SQL)"
                f"  {self.calls[name] / max(requests, 1):.1f} calls"
            )
        nested = sum(self.totals.get(n, 0) - self.totals.get(f"{n} (sql)", 0) for n in self.phases)
        accounted = nested + self.totals.get("connect", 0.0) + self.totals["sql"]
        lines.append(
            f"    {'sql':<14} {self.totals['sql'] * per:7.2f} ms/request"
            f"  {self.calls['sql'] / max(requests, 1):.1f} statements"
        )
        if whole:
            lines.append(
                f"    {'other':<14} {(whole - accounted) * per:7.2f} ms/request"
                " (Django/DRF dispatch, middleware, session, rendering not named above)"
            )
            lines.append(f"    {total:<14} {whole * per:7.2f} ms/request")
        slowest = sorted(self.statements.items(), key=lambda item: -item[1][1])[:6]
        for shape, (count, seconds, _sql, _params, longest) in slowest:
            lines.append(
                f"      {seconds * per:6.2f} ms/request  x{count / max(requests, 1):.1f}"
                f"  (longest {longest * 1000:.1f} ms)  {shape[:100]}"
            )
        return lines

    def print(self, title: str, *, requests: int, total: str = "request", plans: int = 2) -> None:
        """The report under a title, then the plans of the `plans` slowest statements."""
        print(f"  {title} (mean per {total}):")
        for line in self.report(requests=requests, total=total):
            print(line)
        for sql, params in self.slowest_statements(plans):
            print("  plan of: " + " ".join(sql.split())[:300])
            for line in explain(sql, params).splitlines():
                print("    " + line)

    def slowest_statements(self, n: int = 3) -> list[tuple[str, list]]:
        ordered = sorted(self.statements.values(), key=lambda entry: -entry[1])
        return [(sql, params) for _count, _seconds, sql, params, _slowest in ordered[:n]]


def explain(sql: str, params) -> str:
    """The plan of one statement as the database runs it (PostgreSQL: with timings and
    buffers; SQLite: the query plan)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
