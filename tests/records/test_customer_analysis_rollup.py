"""The customer roll-up (decision 1003): kept in step by the customer actions, and the analysis
read through it gives the live query's figures — every dimension pair, every measure, several
periods and scopes — for a manager, an administrator and a rep, on random data."""

from __future__ import annotations

import datetime
import itertools
import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from portal.accounts import actions as accounts_actions
from portal.accounts import roles
from portal.core import visibility
from portal.records.customers import actions, rollup
from portal.records.customers.actions.customers import default_category
from portal.records.customers.models import Customer, CustomerCategory, CustomerRollup
from portal.records.customers.policy import customer_policy
from portal.records.customers.queries import CustomerFilters, visible_filtered_customers
from portal.records.deals.models import Deal
from portal.records.deals.policy import deal_keys
from portal.records.deals.statistics import customers as analysis

REGIONS = ["", *Customer.Region.values[:3]]
INDUSTRIES = ["", *Customer.Industry.values[:3]]
LEVELS = Customer.Level.values
PERIODS = ["2026", "2025", "2026-Q1", "2026-03", "2025-11"]


def moment(rng: random.Random) -> datetime.datetime:
    """A local time in 2025–2026, sometimes just before or after a local midnight."""
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(730))
    minute = rng.choice([0, 1, 12 * 60, 23 * 60 + 59])
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minute)
    return timezone.make_aware(naive)


def registered(customer: Customer, when: datetime.datetime) -> None:
    """Date a customer back (as an import of old records would), keeping the roll-up."""
    with transaction.atomic(), rollup.tracking([customer.pk]):
        Customer.all_objects.filter(pk=customer.pk).update(created_at=when)


@pytest.fixture
def world(people, org, make_user, django_capture_on_commit_callbacks):
    """Random customers of six owners in four departments, changed by every customer action
    that moves a count, and won deals over two years."""
    rng = random.Random(1003)
    default_category()
    CustomerCategory.objects.get_or_create(key="extra", defaults={"name": "Extra"})
    categories = list(CustomerCategory.objects.all())
    owners = [
        people["sales1"],
        people["sales2"],
        people["manager"],
        people["admin"],
        make_user("sales3", roles.SALES, "east"),
        make_user("outsider", roles.SALES, "service"),
    ]
    made = []
    for i in range(90):
        owner = rng.choice(owners)
        customer = actions.create_customer(
            acting_user=owner,
            name=f"Random {i}",
            region=rng.choice(REGIONS),
            industry=rng.choice(INDUSTRIES),
            level=rng.choice(LEVELS),
            category=rng.choice(categories),
            allow_duplicate=True,
        )
        registered(customer, moment(rng))
        made.append(customer)
    admin = people["admin"]
    for customer in rng.sample(made, 25):
        customer.refresh_from_db()
        actions.update_customer(
            customer,
            acting_user=admin,
            region=rng.choice(REGIONS),
            level=rng.choice(LEVELS),
            category=rng.choice(categories),
            industry=rng.choice(INDUSTRIES),
        )
    for customer in rng.sample(made, 12):
        customer.refresh_from_db()
        actions.transfer_customer(customer, to_user=rng.choice(owners), acting_user=admin)
    binned = rng.sample(made, 10)
    for customer in binned:
        customer.refresh_from_db()
        actions.delete_customer(customer, acting_user=admin)
    for customer in binned[:4]:
        customer.refresh_from_db()
        actions.restore_customer(customer, acting_user=admin)
    # Shared beyond the manager's tree: the outsider's customers the manager and sales1 see.
    outsiders = [c for c in made if c.owner_id == owners[-1].pk and c.deleted_at is None]
    for customer in outsiders[:3]:
        actions.share_customer(customer, acting_user=admin, user=people["manager"])
    for customer in outsiders[3:5]:
        actions.share_customer(customer, acting_user=admin, department=org["east"])
    # sales3 moves to north: their customers' department and manager key follow (re-keyed
    # after commit, as in production).
    with django_capture_on_commit_callbacks(execute=True):
        accounts_actions.move_person(owners[4], department=org["north"], acting_user=admin)
    for n, customer in enumerate(rng.sample(made, 40)):
        state = rng.choice(["won", "completed", "lost", "won"])
        deal = Deal.objects.create(
            number=f"RU{n:04d}",
            name=f"Deal {n}",
            customer=customer,
            owner=customer.owner,
            department=customer.owner.department,
            amount=Decimal(rng.randrange(1, 100) * 1000),
            state=state,
            opened_on=datetime.date(2024, 12, 1),
            closed_on=moment(rng).date(),
        )
        visibility.set_object_keys(deal, deal_keys(deal))
    return {"made": made, "owners": owners, "rng": rng}


def live(monkeypatch, user, **params) -> analysis.Analysis:
    """The analysis counted row by row (the roll-up left out), as before it existed."""
    with monkeypatch.context() as patch:
        patch.setattr(
            customer_policy,
            "counting_reach",
            lambda reader: (frozenset(), customer_policy.visible_to(reader)),
        )
        return analysis.analyse(user, **params)


def figures(data: analysis.Analysis) -> dict:
    def cell(c):
        return (c.customers, c.new, c.won, c.amount, c.conversion)

    return {
        "rows": data.rows,
        "cols": data.cols,
        "cells": {key: cell(c) for key, c in data.cells.items() if c.customers or c.won},
        "rows_totals": {k: cell(c) for k, c in data.row_totals.items()},
        "total": cell(data.total),
        "months": data.new_by_month,
        "links": {key: c.links for key, c in data.cells.items()},
    }


def test_the_actions_keep_the_rollup_in_step(world):
    assert CustomerRollup.objects.exists()
    assert not rollup.drift()


@pytest.mark.parametrize("reader", ["manager", "admin", "sales1", "sales2"])
def test_rollup_gives_the_live_figures_for_every_combination(
    monkeypatch, people, org, world, reader
):
    user = people[reader]
    whole, _beyond = customer_policy.counting_reach(user)
    # The policy decides the path: whole departments for a manager, all for an administrator,
    # none for a rep (counted row by row).
    if reader == "manager":
        assert whole == {visibility.manager_key(org[d].pk) for d in ("sales", "east", "north")}
    elif reader == "admin":
        assert whole is None
    else:
        assert whole == frozenset()
    scopes = [{}, {"team": str(org["east"].pk)}, {"rep": str(people["sales1"].pk)}]
    if reader == "manager":
        scopes.append({"team": str(org["north"].pk)})
    dimensions = list(analysis.DIMENSIONS)
    compared = 0
    for rows, cols in itertools.permutations(dimensions, 2):
        for period, scope in itertools.product(PERIODS, scopes):
            if (rows, cols) not in (("region", "category"), ("owner", "department")) and scope:
                continue  # scopes over two pairs; every pair over every period
            params = {"rows": rows, "cols": cols, "period": period, **scope}
            rolled = analysis.analyse(user, **params)
            assert figures(rolled) == figures(live(monkeypatch, user, **params)), params
            compared += 1
    assert compared == 30 * len(PERIODS) + 2 * len(PERIODS) * (len(scopes) - 1)


@pytest.mark.parametrize("reader", ["manager", "admin"])
def test_rollup_cells_drill_down_to_exactly_their_customers(people, world, reader):
    user = people[reader]
    for rows, cols in [("region", "category"), ("owner", "department"), ("industry", "level")]:
        data = analysis.analyse(user, rows=rows, cols=cols, period="2026")
        cells = [*data.cells.values(), *data.row_totals.values(), data.total]
        for cell in cells:
            for measure in ("customers", "new", "won"):
                filters = CustomerFilters.from_query(QueryDict(cell.links[measure]))
                listed = visible_filtered_customers(user, filters).count()
                assert listed == getattr(cell, measure), (rows, cols, measure, cell.links)


def test_a_rep_is_counted_row_by_row(people, world):
    whole, beyond = customer_policy.counting_reach(people["sales1"])
    assert whole == frozenset()
    assert set(beyond.values_list("pk", flat=True)) == set(
        customer_policy.visible_to(people["sales1"]).values_list("pk", flat=True)
    )


def test_the_split_covers_what_the_reader_sees_once(people, world):
    """The roll-up's part (customers carrying one of the reader's manager keys) and the rest
    are disjoint and together exactly what the policy lets the manager see."""
    manager = people["manager"]
    whole, beyond = customer_policy.counting_reach(manager)
    rest = set(beyond.values_list("pk", flat=True))
    assert rest  # the customers shared with the manager from outside the tree
    keyed = {
        pk for pk in Customer.objects.values_list("pk", flat=True) if rollup_reach(pk) in whole
    }
    assert not keyed & rest
    assert keyed | rest == set(customer_policy.visible_to(manager).values_list("pk", flat=True))


def rollup_reach(pk: int) -> str:
    keys = visibility.object_keys(Customer.all_objects.get(pk=pk))
    manager_keys = sorted(k for k in keys if k.startswith(visibility.MANAGER_PREFIX))
    assert len(manager_keys) <= 1
    return manager_keys[0] if manager_keys else ""


def test_purge_and_rebuild(people, world):
    admin = people["admin"]
    customer = actions.create_customer(acting_user=people["sales1"], name="Purged", region="east")
    actions.delete_customer(customer, acting_user=admin)
    actions.purge_customer(customer, acting_user=admin, confirm=customer.code)
    assert not rollup.drift()
    assert rollup.repair() == 0
    CustomerRollup.objects.all().delete()
    assert rollup.drift()
    rows = rollup.rebuild()
    assert rows == CustomerRollup.objects.count() and not rollup.drift()
    # A write past the actions (a department deleted under its customers: SET NULL) drifts;
    # the worker's daily check counts again.
    Customer.objects.filter(owner=people["sales2"]).update(department=None)
    assert rollup.repair() > 0
    assert not rollup.drift()


def test_a_claim_from_the_pool_moves_the_count(people, world):
    customer = next(
        c for c in world["made"] if c.owner_id == people["sales2"].pk and c.deleted_at is None
    )
    Customer.objects.filter(pk=customer.pk).update(in_pool=True)  # lapsed (the worker's job)
    customer.refresh_from_db()
    from portal.records.customers.actions.protection import claim_customer

    claim_customer(customer, acting_user=people["sales1"])
    assert Customer.objects.get(pk=customer.pk).owner_id == people["sales1"].pk
    assert not rollup.drift()
