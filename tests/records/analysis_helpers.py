"""The seeded customers of the customer-analysis tests (unit and browser), written out by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from portal.core import visibility
from portal.records.customers import actions, rollup
from portal.records.customers.models import Customer, CustomerCategory
from portal.records.deals.models import Deal
from portal.records.deals.policy import deal_keys


def at(year: int, month: int, dom: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, dom, 12))  # noqa: DTZ001 (local time)


def seed_analysis(people) -> dict[str, Customer]:
    """Customers A–H (analysis period 2026) and their deals:

    | name | owner  | region | category  | registered | deals                               |
    | A    | sales1 | east   | current   | 2026-02-10 | won 2026-03-01 100,000              |
    | B    | sales1 | east   | current   | 2025-12-01 | won 2026-05-01 50,000 + 06-01 25,000 |
    | C    | sales1 | east   | potential | 2026-04-01 | —                                   |
    | D    | sales1 | (none) | partner   | 2026-01-05 | lost 2026-02-01                     |
    | E    | sales1 | north  | potential | 2026-07-01 | won 2025-11-01 (outside 2026)       |
    | F    | sales2 | north  | current   | 2026-03-03 | won 2026-08-08 20,000               |
    | G    | sales2 | east   | current   | 2026-09-09 | —                                   |
    | H    | admin  | east   | current   | 2026-02-02 | won 2026-02-20 (not the manager's)  |
    | X    | sales1 | east   | current   | 2026-02-02 | in the recycle bin                  |
    """
    # a transactional test before this one may have flushed what the migrations made
    from portal.records.customers.actions.customers import default_category

    default_category()
    cat = {c.key: c for c in CustomerCategory.objects.all()}
    rows = [
        ("A", "sales1", "east", "current", (2026, 2, 10)),
        ("B", "sales1", "east", "current", (2025, 12, 1)),
        ("C", "sales1", "east", "potential", (2026, 4, 1)),
        ("D", "sales1", "", "partner", (2026, 1, 5)),
        ("E", "sales1", "north", "potential", (2026, 7, 1)),
        ("F", "sales2", "north", "current", (2026, 3, 3)),
        ("G", "sales2", "east", "current", (2026, 9, 9)),
        ("H", "admin", "east", "current", (2026, 2, 2)),
        ("X", "sales1", "east", "current", (2026, 2, 2)),
    ]
    made = {}
    for name, owner, region, category, created in rows:
        customer = actions.create_customer(
            acting_user=people[owner],
            name=f"Analysis {name}",
            region=region,
            category=cat[category],
            allow_duplicate=True,
        )
        Customer.all_objects.filter(pk=customer.pk).update(created_at=at(*created))
        made[name] = customer
    Customer.all_objects.filter(pk=made["X"].pk).update(deleted_at=timezone.now())
    count = 0

    def deal(name, amount, state, closed):
        nonlocal count
        count += 1
        customer = made[name]
        d = Deal.objects.create(
            number=f"AN{count:04d}",
            name=f"Deal {count}",
            customer=customer,
            owner=customer.owner,
            department=customer.owner.department,
            amount=Decimal(amount),
            state=state,
            opened_on=datetime.date(2025, 10, 1),
            closed_on=datetime.date(*closed),
        )
        visibility.set_object_keys(d, deal_keys(d))

    deal("A", 100_000, "won", (2026, 3, 1))
    deal("B", 50_000, "won", (2026, 5, 1))
    deal("B", 25_000, "completed", (2026, 6, 1))
    deal("D", 9_000, "lost", (2026, 2, 1))
    deal("E", 70_000, "won", (2025, 11, 1))
    deal("F", 20_000, "won", (2026, 8, 8))
    deal("H", 5_000, "won", (2026, 2, 20))
    deal("X", 1_000, "won", (2026, 2, 20))
    # The registration dates and the bin were set above without the actions: count again.
    rollup.rebuild()
    return made
