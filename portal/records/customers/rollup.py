"""The customer roll-up (decision 1003): live customers counted per manager key × owner ×
department × dimensions × registration month, kept by the customer actions in their own
transaction and read by the customer analysis for readers who see whole departments.

Writes: an action that may change what a customer counts towards (register, edit, bin,
restore, transfer or claim, re-key) wraps its write in `tracking(ids)`: the customers' counted
state is read (locked) before and after, and the difference — usually nothing, at most one row
less and one more per grouping — is added to the roll-up in one statement. `rebuild()` counts
everything again (bulk seeding, a repair); `drift()` says whether the roll-up matches the rows.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import combinations

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from portal.core import visibility
from portal.core.models import ObjectAccess
from portal.records.customers.models import Customer, CustomerRollup

#: The dimensions a grouping may keep, in the order a grouping's name lists them. Owner and
#: department are in every row: the analysis's scope (a rep, a team) filters on them.
ATTRIBUTES = ("category_id", "region", "industry", "level")
ALWAYS = ("owner_id", "department_id")
#: Every grouping the analysis may ask for: none, each attribute, each pair of attributes.
GROUPINGS = ["+".join(names) for size in (0, 1, 2) for names in combinations(ATTRIBUTES, size)]
COLUMNS = ("grouping", "reach", "owner_id", "department_id", *ATTRIBUTES, "month")
logger = logging.getLogger(__name__)
BLANK = {"category_id": 0, "region": "", "industry": "", "level": ""}

# (reach, owner, department, category, region, industry, level, month)
State = tuple[str, int, int, int, str, str, str, datetime.date]


def grouping_for(dimensions: Iterable[str]) -> str:
    """The grouping that keeps these customer columns (owner and department always kept)."""
    wanted = set(dimensions) - set(ALWAYS)
    if not wanted <= set(ATTRIBUTES) or len(wanted) > 2:
        raise ValueError(f"no roll-up grouping keeps {sorted(wanted)}")
    return "+".join(name for name in ATTRIBUTES if name in wanted)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the local month (the analysis's periods run between local midnights)."""
    return timezone.localtime(moment).date().replace(day=1)


def _reach_of() -> Subquery:
    """The customer's manager-chain key, as stored with its other visibility keys."""
    return Subquery(
        ObjectAccess.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer),
            object_id=OuterRef("pk"),
            key__startswith=visibility.MANAGER_PREFIX,
        )
        .order_by("key")
        .values("key")[:1]
    )


def _states(customers: QuerySet[Customer]) -> Iterator[tuple[int, State]]:
    rows = customers.filter(deleted_at__isnull=True).annotate(reach=_reach_of())
    for (
        pk,
        reach,
        owner,
        department,
        category,
        region,
        industry,
        level,
        created,
    ) in rows.values_list("pk", "reach", *ALWAYS, *ATTRIBUTES, "created_at"):
        yield (
            pk,
            (
                reach or "",
                owner,
                department or 0,
                category,
                region,
                industry,
                level,
                month_of(created),
            ),
        )


def rows_of(state: State) -> Iterator[tuple]:
    """The roll-up row of each grouping that one customer in `state` counts in."""
    reach, owner, department, category, region, industry, level, month = state
    values = dict(zip(ATTRIBUTES, (category, region, industry, level), strict=True))
    for grouping in GROUPINGS:
        kept = grouping.split("+") if grouping else []
        yield (
            grouping,
            reach,
            owner,
            department,
            *(values[name] if name in kept else BLANK[name] for name in ATTRIBUTES),
            month,
        )


def _add(deltas: Counter) -> None:
    """Add each row's delta in one upsert (rows in key order, so concurrent writers lock them in
    the same order); PostgreSQL and SQLite both speak `ON CONFLICT … DO UPDATE`."""
    changes = sorted((row, n) for row, n in deltas.items() if n)
    for start in range(0, len(changes), 1000):  # within either engine's parameter limit
        _upsert(changes[start : start + 1000])


def _upsert(changes: list[tuple[tuple, int]]) -> None:
    table = connection.ops.quote_name(CustomerRollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    one = "(" + ", ".join(["%s"] * (len(COLUMNS) + 1)) + ")"
    params: list = []
    for row, n in changes:
        params += [*row[:-1], connection.ops.adapt_datefield_value(row[-1]), n]
    count = connection.ops.quote_name("customers")
    values = ", ".join([one] * len(changes))
    sql = (
        f"INSERT INTO {table} ({columns}, {count}) VALUES {values} "  # noqa: S608 - names, placeholders
        f"ON CONFLICT ({columns}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class Tracking:
    """The customers an action is changing: their counted state before, and the ids added
    since (a customer being registered)."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = set(ids)
        self.before: dict[int, State] = {}
        if self.ids:
            locked = Customer.all_objects.filter(pk__in=self.ids).select_for_update(of=("self",))
            self.before = dict(_states(locked))

    def add(self, pk: int) -> None:
        self.ids.add(pk)

    def apply(self) -> None:
        after = dict(_states(Customer.all_objects.filter(pk__in=self.ids))) if self.ids else {}
        if after == self.before:
            return
        deltas: Counter = Counter()
        for state in self.before.values():
            deltas.subtract(rows_of(state))
        for state in after.values():
            deltas.update(rows_of(state))
        _add(deltas)


@contextmanager
def tracking(ids: Iterable[int] = ()) -> Iterator[Tracking]:
    """Keep the roll-up in step with a write to these customers (inside the action's
    transaction): `with rollup.tracking([customer.pk]): …save…`; a new customer is
    `tracked.add(customer.pk)` once saved."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the customer roll-up is kept inside the writing transaction")
    tracked = Tracking(ids)
    yield tracked
    tracked.apply()


def counted() -> Counter:
    """What the roll-up should hold, counted from the customer rows (reading every live one)."""
    deltas: Counter = Counter()
    for _pk, state in _states(Customer.objects.all()):
        deltas.update(rows_of(state))
    return deltas


def stored() -> Counter:
    rows = CustomerRollup.objects.exclude(customers=0).values_list(*COLUMNS, "customers")
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def drift() -> Counter:
    """Rows where the roll-up differs from the customer rows (empty when in step)."""
    difference = counted()
    difference.subtract(stored())
    return Counter({row: n for row, n in difference.items() if n})


@transaction.atomic
def rebuild() -> int:
    """Count every live customer again (after a bulk load that bypassed the actions, or to
    repair drift); returns the number of rows stored."""
    if connection.vendor == "postgresql":
        # Customer writes wait to add their difference until the new counts are in, and a
        # write in flight is waited for before counting: no difference lost or counted twice.
        table = connection.ops.quote_name(CustomerRollup._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    rows = counted()
    CustomerRollup.objects.all().delete()
    CustomerRollup.objects.bulk_create(
        [
            CustomerRollup(**dict(zip(COLUMNS, row, strict=True)), customers=n)
            for row, n in rows.items()
        ],
        batch_size=2000,
    )
    return len(rows)


def repair() -> int:
    """The worker's daily check: count again when the roll-up drifted from the rows (a write
    that bypassed the actions, such as a department deleted under its customers); the number
    of rows that differed."""
    drifted = len(drift())
    if drifted:
        logger.warning("Customer roll-up: %d rows drifted; counted again", drifted)
        rebuild()
    return drifted
