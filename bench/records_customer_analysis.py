"""Benchmark: the customer analysis page (decision 1003) — p50/p95 over N requests, queries/page.

    .venv/bin/python bench/records_customer_analysis.py [--customers 100000] [--requests 200]

Target: p95 < 300 ms at 100,000 customers (issue 18). Uses its own database (default: SQLite
under /tmp/agora-bench-analysis, one file per size; set DATABASE_URL for PostgreSQL, see
bench/benchdb.py), seeds it once in bulk — the customers of bench/records_customers.py, their
registration dates spread over two years, and half as many deals as customers as in
bench/records_deals.py — then requests the page through Django's test client as a rep, a
manager and an administrator, over dimension pairs, figures, periods, a team and a rep.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))


def configure(count: int) -> None:
    var = Path(os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-bench-analysis"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / f'bench-{count}.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def spread_registrations() -> None:
    """Registration dates over the last two years (the bulk insert stamps them all now)."""
    from django.utils import timezone

    from portal.records.models import Customer

    now = timezone.now()
    rows = list(Customer.all_objects.order_by("pk").only("pk", "created_at"))
    if rows and rows[0].created_at.date() != rows[-1].created_at.date():
        return  # already spread
    for index, row in enumerate(rows):
        row.created_at = now - datetime.timedelta(days=(index * 7919) % 730, minutes=index % 1440)
    Customer.all_objects.bulk_update(rows, ["created_at"], batch_size=5000)


def urls(users) -> list[str]:
    from django.utils import timezone

    from portal.accounts.models import Department

    year = timezone.localdate().year
    east = Department.objects.filter(name__startswith="华东").values_list("pk", flat=True).first()
    base = "/records/statistics/customers/"
    return [
        f"{base}",
        f"{base}?rows=region&cols=category&period={year}",
        f"{base}?rows=industry&cols=level&measure=won&period={year - 1}",
        f"{base}?rows=owner&cols=region&measure=amount&period={year}-Q1",
        f"{base}?rows=department&cols=category&measure=conversion",
        f"{base}?rows=level&cols=owner&measure=new&period={year - 1}-07",
        f"{base}?team={east}&rows=region&cols=industry",
        f"{base}?rep={users['sales1'].pk}&rows=category&cols=level&measure=won",
    ]


def measure(user, pages: list[str], requests: int, breakdown: bool = False) -> None:
    import benchdb
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(pages[0])  # warm caches (content types, templates)
    timings, queries = benchdb.get_pages(client, pages, requests)
    p50, p95 = benchdb.p50_p95(timings)
    print(
        f"{user.username:>8}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {timings[-1]:6.1f} ms"
        f"  queries/page {min(queries)}–{max(queries)}  ({requests} requests,"
        f" {len(pages)} distinct pages, load average {benchdb.load()})"
    )
    if breakdown:
        from breakdown import Breakdown

        phases = {
            "analyse": "portal.records.deals.statistics.customers.analyse",
            "render": "django.template.base.Template:render",
        }
        with Breakdown(phases) as measured:
            for url in pages:
                with measured.time("request"):
                    client.get(url)
        measured.print(
            f"{user.username} breakdown over the {len(pages)} pages", requests=len(pages)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--prepare-only", action="store_true",
        help="seed the database, keep it and stop (a later run reuses it)",
    )  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="PostgreSQL: recreate the database")
    parser.add_argument("--drop", action="store_true", help="PostgreSQL: drop it at the end")
    parser.add_argument("--breakdown", action="store_true", help="per-phase times and plans")
    args = parser.parse_args()
    configure(args.customers)
    import benchdb
    import records_customers
    import records_deals

    benchdb.prepare(fresh=args.fresh)
    try:
        users = records_customers.setup(args.customers)
        spread_registrations()
        records_deals.seed_deals(args.customers // 2)
        from portal.records.customers import rollup

        if rollup.drift():  # inserted in bulk and dated back, past the customer actions
            print(f"customer roll-up: {rollup.rebuild()} rows")
        benchdb.analyze()
        from django.db import connection

        from portal.records.models import Customer, Deal

        print(
            f"database: {connection.vendor}, customers: {Customer.objects.count()},"
            f" deals: {Deal.objects.count()}"
        )
        if args.prepare_only:
            return
        pages = urls(users)
        for user in users.values():
            measure(user, pages, args.requests, args.breakdown)
    finally:
        if args.drop:
            benchdb.drop()


if __name__ == "__main__":
    main()
