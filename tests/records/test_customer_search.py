"""The customer list's search (`q`): what it finds on every engine, its fixed query count, and on
PostgreSQL the name-pieces index that answers it (ADR 0425)."""

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from portal.records.customers import actions
from portal.records.customers.queries import (
    CustomerFilters,
    keyset_page,
    name_contains,
    visible_filtered_customers,
)
from portal.records.models import Customer

NAMES = (
    "苏州振华电子有限公司",
    "Nordic Power Systems AB",
    "Harbour Logistics Ltd",
    "AB BC Trading",
    "100% Organic_Foods Ltd",
)


@pytest.fixture
def named(people, customer):
    """sales1's fixture customer (上海华东精密机械有限公司) and five more names."""
    return {
        name: actions.create_customer(acting_user=people["sales1"], name=name) for name in NAMES
    }


def _found(user, q: str) -> list[str]:
    queryset = visible_filtered_customers(user, CustomerFilters(q=q))
    return [c.name for c in keyset_page(queryset, "name", size=50).items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("华东", ["上海华东精密机械有限公司"]),  # two characters in the middle of a name
        ("精密机械", ["上海华东精密机械有限公司"]),
        ("振", ["苏州振华电子有限公司"]),  # one character
        ("有限公司", ["上海华东精密机械有限公司", "苏州振华电子有限公司"]),
        ("nordic", ["Nordic Power Systems AB"]),  # any case
        ("POWER SYS", ["Nordic Power Systems AB"]),
        ("ltd", ["100% Organic_Foods Ltd", "Harbour Logistics Ltd"]),
        # The pieces AB and BC are in "AB BC Trading", the text ABC is not.
        ("abc", []),
        # LIKE's wildcards are plain characters in a search.
        ("0%", ["100% Organic_Foods Ltd"]),
        ("c_f", ["100% Organic_Foods Ltd"]),
        ("%", ["100% Organic_Foods Ltd"]),
        ("_", ["100% Organic_Foods Ltd"]),
        ("东方", []),
    ],
)
def test_search_finds_the_names_that_contain_the_text(people, named, q, expected):
    assert _found(people["sales1"], q) == sorted(expected)


def test_search_shaped_like_a_code_finds_by_code_prefix_and_by_name(people, customer, named):
    code = customer.code
    assert _found(people["sales1"], code) == [customer.name]
    assert _found(people["sales1"], code.lower()[:-1]) == sorted(
        c.name for c in Customer.objects.filter(code__istartswith=code[:-1], owner=people["sales1"])
    )
    named_code = actions.create_customer(acting_user=people["sales1"], name="Depot 2048 GmbH")
    assert named_code.name in _found(people["sales1"], "2048")


def test_search_stays_within_what_the_reader_may_see(people, customer, sales3):
    actions.create_customer(acting_user=sales3, name="杭州华东贸易有限公司")
    assert _found(people["sales1"], "华东") == [customer.name]
    assert _found(sales3, "华东") == ["杭州华东贸易有限公司"]
    both = ["上海华东精密机械有限公司", "杭州华东贸易有限公司"]
    assert sorted(_found(people["admin"], "华东")) == both


def test_search_skips_the_recycle_bin(people, customer):
    actions.delete_customer(customer, acting_user=people["sales1"])
    assert _found(people["sales1"], "华东") == []


def test_search_page_runs_the_list_s_fixed_number_of_queries(
    client_for, people, customer, named, django_assert_num_queries
):
    client = client_for(people["sales1"])
    url = reverse("records:customer_list")
    client.get(url)  # warm the content-type cache
    # PostgreSQL hashes a rep's keyed ids for a search (CustomerPolicy.narrow, ADR 0429): no
    # bounded count is needed to choose the access test's shape there.
    statements = 7 if connection.vendor == "postgresql" else 8
    for q in ("华东", "Ltd", "x", customer.code):
        with django_assert_num_queries(statements):
            response = client.get(url, {"q": q})
        assert response.status_code == 200
    html = client.get(url, {"q": "华东"}).content.decode()
    assert customer.name in html and "苏州振华电子有限公司" not in html


def test_the_api_searches_the_same_way(client_for, people, customer, named):
    response = client_for(people["sales1"]).get("/api/v1/customers/", {"q": "华东"})
    assert [row["name"] for row in response.json()["results"]] == [customer.name]


def test_other_engines_get_the_plain_like(people, customer):
    sql = str(Customer.objects.filter(name_contains("华东")).query)
    if connection.vendor == "postgresql":
        assert "records_text_grams" in sql and "LIKE" in sql
    else:
        assert "records_text_grams" not in sql and "LIKE" in sql


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_pieces_of_a_name_and_of_a_term():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT records_text_grams('Ab华东'), records_term_grams('华东'),"
            " records_term_grams('b'), records_term_grams('Nordic')"
        )
        text, two, one, word = cursor.fetchone()
    assert sorted(text) == sorted(["A", "B", "华", "东", "AB", "B华", "华东"])
    assert two == ["华东"] and one == ["B"]
    assert sorted(word) == ["DI", "IC", "NO", "OR", "RD"]


@pytest.mark.postgres
def test_postgres_search_reads_the_name_pieces_index(people, named):
    # A table this small is read whole whatever its indexes; with table and plain index scans
    # priced out, the plan shows whether the search's tests can be answered from an index.
    def plan(condition) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            return Customer.all_objects.filter(condition).order_by().explain()

    assert "Bitmap Index Scan on records_cust_name_grams" in plan(name_contains("华东"))
    code_or_name = plan(Q(code__istartswith="C2026") | name_contains("C2026"))
    assert "Bitmap Index Scan on records_cust_code_upper" in code_or_name
    assert "Bitmap Index Scan on records_cust_name_grams" in code_or_name
