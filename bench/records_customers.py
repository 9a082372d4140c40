"""Benchmark: the customer list at 100,000 customers — p50/p95 over 200 requests, queries/page.

    .venv/bin/python bench/records_customers.py [--customers 100000] [--requests 200]

Uses its own database (default: SQLite under /tmp/agora-bench-records; set DATABASE_URL for
PostgreSQL — the scratch database is created when missing, `--fresh` recreates it and `--drop`
drops it at the end, see bench/benchdb.py), seeds it once in bulk, then requests list pages
through Django's test client as a rep (visibility filter on), a manager and an administrator
(no filter): first pages, keyset next pages, filters, sorts and search-as-you-type.
`--breakdown` adds, per user, where a request's time goes (connection, SQL, the rest) and the
plans of the slowest statements.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
VAR = Path(os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-bench-records"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def setup(count: int):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from portal.accounts import demo as accounts_demo
    from portal.accounts import roles
    from portal.accounts.models import Department, User
    from portal.records.customers.demo import bulk_insert, generate
    from portal.records.models import Customer

    accounts_demo.seed()
    east = Department.objects.get(name__startswith="华东")
    owners = [User.objects.get(username=n) for n in ("sales1", "sales2", "manager")]
    for i in range(3, 11):
        user, created = User.objects.get_or_create(
            username=f"rep{i}", defaults={"department": east, "display_name": f"Rep {i}"}
        )
        if created:
            user.groups.add(roles.Group.objects.get(name=roles.SALES))
        owners.append(user)
    have = Customer.all_objects.count()
    if have < count:
        started = time.perf_counter()
        missing = count - have
        for start in range(0, missing, 20_000):
            size = min(20_000, missing - start)
            bulk_insert(generate(size, owners, seed=have + start, contacts_per_customer=(1, 2)))
        print(f"seeded {missing} customers in {time.perf_counter() - started:.1f} s")
        # Production's autovacuum would have analysed a table this size by now; the planner
        # needs row counts to walk the sort index instead of sorting everything.
        import benchdb

        benchdb.analyze()
        print(f"database size {benchdb.disk_size()}")
    return {u: User.objects.get(username=u) for u in ("sales1", "manager", "admin")}


def measure(user, requests: int, breakdown: bool = False) -> None:
    from django.test import Client

    from portal.records.customers.queries import (
        CustomerFilters,
        keyset_page,
        visible_filtered_customers,
    )

    client = Client()
    client.force_login(user)
    # URLs: first pages with filters/sorts, keyset pages further in, and search-as-you-type.
    walk = keyset_page(visible_filtered_customers(user, CustomerFilters()), "name")
    cursors = []
    for _ in range(5):
        if not walk.next_cursor:
            break
        cursors.append(walk.next_cursor)
        walk = keyset_page(
            visible_filtered_customers(user, CustomerFilters()), "name", after=walk.next_cursor
        )
    urls = [
        "/records/customers/",
        "/records/customers/?sort=-updated",
        "/records/customers/?region=north",
        "/records/customers/?category=partner",
        "/records/customers/?industry=energy&sort=-created",
        "/records/customers/?q=%E5%8D%8E%E4%B8%9C",
        "/records/customers/?q=Nordic",
        "/records/customers/?view=mine",
        "/records/customers/?level=A&region=east",
        *[f"/records/customers/?after={c}" for c in cursors],
    ]
    import benchdb

    client.get(urls[0])  # warm caches (content types, templates)
    timings, queries = benchdb.get_pages(client, urls, requests)
    p50, p95 = benchdb.p50_p95(timings)
    print(
        f"{user.username:>8}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {timings[-1]:6.1f} ms"
        f"  queries/page {min(queries)}–{max(queries)}  ({requests} requests,"
        f" {len(urls)} distinct pages, load average {benchdb.load()}; {benchdb.cpu_note()})"
    )
    if breakdown:
        from breakdown import Breakdown

        with Breakdown({"render": "django.template.base.Template:render"}) as measured:
            for url in urls:
                with measured.time("request"):
                    client.get(url)
        measured.print(f"{user.username} breakdown over the {len(urls)} pages", requests=len(urls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--breakdown", action="store_true", help="per-phase times and plans")
    parser.add_argument(
        "--prepare-only", action="store_true",
        help="seed the customers, keep the database and stop (a later run reuses it)",
    )  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="PostgreSQL: recreate the database")
    parser.add_argument("--drop", action="store_true", help="PostgreSQL: drop it at the end")
    args = parser.parse_args()
    import benchdb

    benchdb.prepare(fresh=args.fresh)
    try:
        users = setup(args.customers)
        from django.db import connection

        from portal.records.models import Customer

        print(f"database: {connection.vendor}, customers: {Customer.objects.count()}")
        if args.prepare_only:
            return
        import benchdb

        print(f"CPU reference {benchdb.cpu_reference()} (bench/benchdb.py)")
        for user in users.values():
            measure(user, args.requests, args.breakdown)
    finally:
        if args.drop:
            benchdb.drop()


if __name__ == "__main__":
    main()
