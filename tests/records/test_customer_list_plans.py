"""The customer list's statements on PostgreSQL (ADR 0429): a search asks the policy to narrow
its matches — the same rows as `visible_to` on every engine; on PostgreSQL a rep's keyed ids
are one hashed set, never probed per row — a region filter reads the region's names in order,
and the name statistics are fine enough to see a search term's share."""

import pytest
from django.db import connection

from portal.records.customers import actions
from portal.records.customers.policy import customer_policy, customers_visible_to
from portal.records.customers.queries import (
    CustomerFilters,
    keyset_page,
    visible_filtered_customers,
)
from portal.records.models import Customer

NAMES = ("杭州华东贸易有限公司", "Nordic Power Systems AB", "Nordic Tools Ltd", "华东物流")


@pytest.fixture
def spread(people, org, sales3, customer):
    """Customers of three reps; one of sales3's shared with sales1, one with sales1's team,
    one of sales1's in the recycle bin."""
    made = {}
    for owner in (people["sales1"], people["sales2"], sales3):
        for name in NAMES:
            made[(owner.username, name)] = actions.create_customer(
                acting_user=owner, name=f"{name} {owner.username}", region="east"
            )
    actions.share_customer(
        made[("sales3", "Nordic Tools Ltd")], acting_user=sales3, user=people["sales1"]
    )
    actions.share_customer(made[("sales3", "华东物流")], acting_user=sales3, department=org["east"])
    actions.delete_customer(made[("sales1", "华东物流")], acting_user=people["sales1"])
    return made


def _names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize("reader", ["sales1", "sales2", "sales3", "manager", "admin"])
@pytest.mark.parametrize("q", ["华东", "nordic", "Ltd", "x"])
def test_a_search_keeps_exactly_the_customers_the_reader_sees(people, sales3, spread, reader, q):
    user = sales3 if reader == "sales3" else people[reader]
    expected = _names(customers_visible_to(user).filter(name__icontains=q))
    assert _names(visible_filtered_customers(user, CustomerFilters(q=q))) == expected


def test_the_narrowing_asks_the_module_gate_and_the_recycle_bin(people, spread, make_user):
    nobody = make_user("no_roles", None, "east")
    assert not visible_filtered_customers(nobody, CustomerFilters(q="华东")).exists()
    found = _names(visible_filtered_customers(people["sales1"], CustomerFilters(q="华东物流")))
    # sales1's own 华东物流 is in the bin; sales3's is shared with sales1's team.
    assert found == ["华东物流 sales3"]


def test_a_search_page_is_the_same_page_as_before(people, spread):
    filters = CustomerFilters(q="Nordic")
    page = keyset_page(visible_filtered_customers(people["sales1"], filters), "name", size=2)
    rest = keyset_page(
        visible_filtered_customers(people["sales1"], filters),
        "name",
        after=page.next_cursor,
        size=2,
    )
    assert [c.name for c in page.items + rest.items] == [
        "Nordic Power Systems AB sales1",
        "Nordic Tools Ltd sales1",
        "Nordic Tools Ltd sales3",
    ]


def _plan(queryset) -> str:
    return queryset.order_by("name", "pk")[:26].explain()


@pytest.mark.postgres
def test_postgres_a_rep_s_search_hashes_the_keyed_ids_once(people, spread):
    # The shape that made the difference: the access test as a hashed subplan (the keyed ids
    # read once), never a join with the access table that probes it per match.
    plan = _plan(visible_filtered_customers(people["sales1"], CustomerFilters(q="Nordic")))
    assert "hashed SubPlan" in plan
    assert "Semi Join" not in plan and "core_objectaccess" in plan.split("SubPlan", 1)[1]
    # A manager's keys open whole departments: a probe per match, as `visible_to` does.
    plan = _plan(visible_filtered_customers(people["manager"], CustomerFilters(q="Nordic")))
    assert "hashed SubPlan" not in plan
    # Without a search the list keeps walking its sort index with a probe per row.
    plan = _plan(visible_filtered_customers(people["sales1"], CustomerFilters()))
    assert "hashed SubPlan" not in plan


@pytest.mark.postgres
def test_postgres_a_region_filter_reads_the_region_s_names_in_order(people, spread):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'records_cust_live_region'"
        )
        (definition,) = cursor.fetchone()
        assert "(region, name, id) WHERE (deleted_at IS NULL)" in definition
        # The planner prices a table this small as one page whatever its indexes: give it the
        # bench's size (rolled back with the test) and price table scans, bitmaps and sorts
        # out; the plan then shows which index serves the filter and the order at once.
        cursor.execute(
            "UPDATE pg_class SET reltuples = 100000, relpages = 4300"
            " WHERE relname = 'records_customer'"
        )
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = _plan(Customer.objects.filter(region="east", level="A"))
    assert "records_cust_live_region" in plan
    assert "Index Cond: ((region)::text = 'east'::text)" in plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_the_name_statistics_are_sampled_finely():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxstattarget FROM pg_statistic_ext WHERE stxname = 'records_cust_upper_name'"
        )
        assert cursor.fetchone() == (1000,)


def test_narrow_is_the_policy_s(people, spread):
    # The list asks the policy; nothing else filters by keys on the way.
    searched = customer_policy.live_queryset().filter(name__icontains="华东")
    assert _names(customer_policy.narrow(searched, people["sales2"])) == _names(
        customers_visible_to(people["sales2"]).filter(name__icontains="华东")
    )
