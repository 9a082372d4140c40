"""Benchmark: deals at scale — the deal list, the deal page and the rep dashboard (p50/p95 and
queries per page) over 100,000 customers and 300,000 deals with 300,000 activities.

    .venv/bin/python bench/records_deals.py [--scale 1.0] [--requests 200]
    .venv/bin/python bench/records_deals.py --scale 0.1     # a quick run: 10k / 30k / 30k

Uses its own database (default: SQLite under /tmp/agora-bench-deals, one file per scale; set
DATABASE_URL for PostgreSQL), seeds it once in bulk (customers through records.demo's bulk
insert, deals, keys and activities with bulk_create), then requests pages through Django's
test client as a rep (sales1), a manager and an administrator. The statistics page is timed
too, for information.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
PRODUCT_WORDS = ["POS", "扫码枪", "Label printers", "零售软件"]
sys.path.insert(0, str(BASE))


def configure(scale: float) -> None:
    var = Path(os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-bench-deals"))
    var.mkdir(parents=True, exist_ok=True)
    suffix = "" if scale == 1 else f"-{scale:g}"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / f'bench{suffix}.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def people():
    from portal.accounts import demo as accounts_demo
    from portal.accounts import roles
    from portal.accounts.models import Department, User

    accounts_demo.seed()
    east = Department.objects.get(name__startswith="华东")
    north = Department.objects.get(name__startswith="华北")
    owners = [User.objects.get(username=n) for n in ("sales1", "sales2", "manager")]
    for i in range(3, 11):
        user, created = User.objects.get_or_create(
            username=f"rep{i}",
            defaults={"department": east if i % 2 else north, "display_name": f"Rep {i}"},
        )
        if created:
            user.groups.add(roles.Group.objects.get(name=roles.SALES))
        owners.append(user)
    return owners


def seed_customers(count: int, owners) -> None:
    from portal.records.customers.demo import bulk_insert, generate
    from portal.records.models import Customer

    have = Customer.all_objects.count()
    if have >= count:
        return
    started = time.perf_counter()
    missing = count - have
    for start in range(0, missing, 20_000):
        size = min(20_000, missing - start)
        bulk_insert(generate(size, owners, seed=have + start, contacts_per_customer=(1, 1)))
    print(f"seeded {missing} customers in {time.perf_counter() - started:.1f} s", flush=True)


def seed_deals(count: int) -> None:
    """Deals spread over the customers' owners, states, stages and two years; each deal gets
    its customer's keys plus its owner's (as the deals actions do), one activity on average,
    and the benchmark rep a desk of reminders and urges."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.core import visibility
    from portal.core.models import ObjectAccess
    from portal.records.models import (
        Activity,
        Customer,
        Deal,
        DealReminder,
        DealStage,
        DealUrge,
    )

    have = Deal.objects.count()
    if have >= count:
        return
    started = time.perf_counter()
    rng = random.Random(20261123 + have)
    stages = list(DealStage.objects.all())
    if not stages:
        for position, (name, zh, probability) in enumerate(
            [
                ("Lead", "线索", 10),
                ("Qualified", "已确认", 25),
                ("Proposal", "方案", 50),
                ("Negotiation", "谈判", 75),
            ]
        ):
            stages.append(
                DealStage.objects.create(
                    name=name, name_zh=zh, probability=probability, position=position
                )
            )
    users = {u.pk: u for u in User.objects.all()}
    customers = list(Customer.objects.values_list("pk", "owner_id"))
    deal_type = ContentType.objects.get_for_model(Deal)
    today = timezone.localdate()
    now = timezone.now()
    states = (
        ["tracking"] * 40 + ["won"] * 25 + ["completed"] * 10 + ["lost"] * 20 + ["abandoned"] * 5
    )
    chunk = 10_000
    for start in range(have, count, chunk):
        size = min(chunk, count - start)
        with transaction.atomic():
            deals = []
            for index in range(start, start + size):
                customer_id, owner_id = customers[index % len(customers)]
                owner = users[owner_id]
                state = rng.choice(states)
                opened = today - datetime.timedelta(days=rng.randint(5, 730))
                closed = None
                if state != "tracking":
                    closed = min(today, opened + datetime.timedelta(days=rng.randint(3, 180)))
                deals.append(
                    Deal(
                        number=f"B{index:08d}",
                        name=f"Deal {index} · {rng.choice(PRODUCT_WORDS)}",
                        customer_id=customer_id,
                        owner=owner,
                        department_id=owner.department_id,
                        amount=Decimal(rng.randint(5, 500) * 1000),
                        expected_close_date=today + datetime.timedelta(days=rng.randint(-30, 180)),
                        opened_on=opened,
                        state=state,
                        stage=rng.choice(stages) if state == "tracking" else None,
                        closed_on=closed,
                    )
                )
            Deal.objects.bulk_create(deals, batch_size=2000)
            customer_keys = visibility.keys_by_object(
                Customer, {deal.customer_id for deal in deals}
            )
            access, activities = [], []
            for deal in deals:
                keys = set(customer_keys.get(deal.customer_id, set()))
                keys |= visibility.owner_keys(deal.owner)
                access += [
                    ObjectAccess(content_type=deal_type, object_id=deal.pk, key=key) for key in keys
                ]
                for _n in range(rng.choice((0, 1, 1, 2))):
                    planned = deal.state == "tracking" and rng.random() < 0.5
                    activities.append(
                        Activity(
                            deal=deal,
                            customer_id=deal.customer_id,
                            owner=deal.owner,
                            kind=rng.choice(["call", "email", "visit", "meeting"]),
                            status="planned" if planned else "done",
                            due_at=now + datetime.timedelta(hours=rng.randint(-2000, 500)),
                            subject=f"Follow-up {deal.number}",
                        )
                    )
            ObjectAccess.objects.bulk_create(access, batch_size=5000)
            Activity.objects.bulk_create(activities, batch_size=5000)
        print(f"  deals {start + size}/{count}", flush=True)
    # The measured rep's desk: reminders for this week and urges waiting for answers.
    sales1 = next(u for u in users.values() if u.username == "sales1")
    manager = next(u for u in users.values() if u.username == "manager")
    mine = list(Deal.objects.filter(owner=sales1, state="tracking")[:20])
    for index, deal in enumerate(mine):
        reminder = DealReminder.objects.create(
            deal=deal,
            due_at=now + datetime.timedelta(hours=index * 5),
            subject=f"Call back {index}",
        )
        reminder.people.add(sales1)
        DealUrge.objects.create(
            deal=deal,
            urged_by=manager,
            urged_user=sales1,
            message=f"Status please ({index})",
            due_on=today + datetime.timedelta(days=index % 5 - 2),
        )
    print(
        f"seeded {count - have} deals, {Activity.objects.count()} activities in"
        f" {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    # Production's autovacuum would have analysed tables this size by now.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(
    label: str, user, urls: list[str], requests: int, breakdown: bool = False
) -> tuple[float, float, int, int]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    for url in urls:  # warm caches (content types, templates) and check every page works
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    import benchdb

    timings, queries = benchdb.get_pages(client, urls, requests)
    p50, p95 = benchdb.p50_p95(timings)
    print(
        f"{label:<34} {user.username:>8}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
        f"  max {timings[-1]:6.1f} ms  queries {min(queries)}–{max(queries)}"
        f"  ({requests} requests, {len(urls)} distinct, load average {benchdb.load()};"
        f" {benchdb.cpu_note()})",
        flush=True,
    )
    if breakdown:
        benchdb.page_breakdown(client, urls, f"{label} ({user.username})")
    return p50, p95, min(queries), max(queries)


def deal_list_urls(user) -> list[str]:
    from portal.records.deals.queries import DealFilters, deal_page, visible_filtered_deals

    urls = [
        "/records/deals/",
        "/records/deals/?view=mine",
        "/records/deals/?state=tracking",
        "/records/deals/?state=won",
        "/records/deals/?sort=closing",
        "/records/deals/?closing=1",
        "/records/deals/?q=B0001",
        "/records/deals/?q=POS",
    ]
    page = deal_page(visible_filtered_deals(user, DealFilters()), "-updated")
    for _ in range(3):
        if not page.next_cursor:
            break
        urls.append(f"/records/deals/?after={page.next_cursor}")
        page = deal_page(
            visible_filtered_deals(user, DealFilters()), "-updated", after=page.next_cursor
        )
    return urls


def deal_page_urls(user, count: int = 20) -> list[str]:
    from portal.records.deals.policy import deal_policy
    from portal.records.models import Activity

    # Deals with activities (the heavier pages), spread over the visible set.
    ids = list(
        deal_policy.visible_to(user)
        .filter(pk__in=Activity.objects.values("deal_id")[:5000])
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    rng = random.Random(7)
    return [f"/records/deals/{pk}/" for pk in rng.sample(ids, min(count, len(ids)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k customers, 300k deals")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-statistics", action="store_true", help="skip the statistics page")
    parser.add_argument(
        "--breakdown", action="store_true",
        help="per page and user: where a request's time goes (connection, SQL, rendering) and "
        "the plans of the slowest statements (EXPLAIN ANALYZE on PostgreSQL)",
    )  # fmt: skip
    parser.add_argument(
        "--prepare-only", action="store_true",
        help="seed the database, keep it and stop (a later run reuses it)",
    )  # fmt: skip
    args = parser.parse_args()
    configure(args.scale)
    import benchdb

    benchdb.prepare(fresh=False)  # PostgreSQL: create the scratch database when missing
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    owners = people()
    seed_customers(int(100_000 * args.scale), owners)
    seed_deals(int(300_000 * args.scale))

    from django.db import connection

    from portal.accounts.models import User
    from portal.records.models import Activity, Customer, Deal

    print(
        f"database: {connection.vendor}, customers: {Customer.objects.count()},"
        f" deals: {Deal.objects.count()}, activities: {Activity.objects.count()}",
        flush=True,
    )
    if args.prepare_only:
        return
    users = {name: User.objects.get(username=name) for name in ("sales1", "manager", "admin")}
    results = {}
    for name, user in users.items():
        results[("deal list", name)] = measure(
            "deal list", user, deal_list_urls(user), args.requests, args.breakdown
        )
    for name in ("sales1", "manager"):
        user = users[name]
        results[("deal page", name)] = measure(
            "deal page", user, deal_page_urls(user), args.requests, args.breakdown
        )
    results[("dashboard", "sales1")] = measure(
        "rep dashboard", users["sales1"], ["/"], args.requests, args.breakdown
    )
    results[("dashboard", "manager")] = measure(
        "manager dashboard", users["manager"], ["/"], max(args.requests // 4, 10)
    )
    if not args.no_statistics:
        from django.utils import timezone

        period = timezone.localdate()
        quarter = f"{period.year}-Q{(period.month - 1) // 3 + 1}"
        for name in ("sales1", "manager"):
            measure(
                "statistics (information)",
                users[name],
                [
                    f"/records/statistics/?period={quarter}",
                    f"/records/statistics/?period={period.year}",
                ],
                max(args.requests // 10, 4),
            )
    slow = [f"{what} ({who})" for (what, who), (_p50, p95, *_q) in results.items() if p95 >= 100]
    print("target p95 < 100 ms:", "met" if not slow else "missed by " + ", ".join(slow))


if __name__ == "__main__":
    main()
