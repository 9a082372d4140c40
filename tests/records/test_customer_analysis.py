"""Customer analysis (decision 1003): figures against a hand computation, drill-downs that list
exactly the counted customers, scopes, exports, refusals and constant query counts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.records.customers.models import Customer
from portal.records.deals.statistics import customers as analysis

from .analysis_helpers import seed_analysis

D = Decimal
URL = reverse("records:customer_analysis")
LIST = reverse("records:customer_list")


@pytest.fixture
def seeded(people):
    return seed_analysis(people)


def listed(client, query: str) -> set[str]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return {c.name.removeprefix("Analysis ") for c in response.context["page"].items}


def test_manager_figures_match_the_hand_computation(people, seeded):
    data = analysis.analyse(people["manager"], rows="region", cols="category", period="2026")
    cell = data.cell
    # east × current: A, B, G (H is the administrator's, X is in the bin). New in 2026: A, G.
    # Won in 2026: A (100k) and B (50k + 25k: one customer, 75k). Conversion 2 / 3 = 66.7 %.
    east = cell("east", str(seeded["A"].category_id))
    assert (east.customers, east.new, east.won, east.amount) == (3, 2, 2, D("175000.00"))
    assert east.conversion == D("66.7")
    potential = str(seeded["C"].category_id)
    assert (cell("east", potential).customers, cell("east", potential).won) == (1, 0)
    # E's win (November 2025) is outside the period: a customer, new, not won.
    north_potential = cell("north", potential)
    assert (north_potential.customers, north_potential.new, north_potential.won) == (1, 1, 0)
    north_current = cell("north", str(seeded["F"].category_id))
    assert (north_current.won, north_current.amount, north_current.conversion) == (
        1,
        D("20000.00"),
        D("100.0"),
    )
    # D has no region: the "(none)" row, last.
    assert cell("-", str(seeded["D"].category_id)).customers == 1
    assert [key for key, _label in data.rows] == ["east", "north", "-"]
    total = data.total
    assert (total.customers, total.new, total.won, total.amount) == (7, 6, 3, D("195000.00"))
    # New per month: D Jan, A Feb, F Mar, C Apr, E Jul, G Sep.
    months = dict(data.new_by_month)
    assert len(months) == 12
    assert [months[f"2026-{m:02d}"] for m in range(1, 13)] == [1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0]


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("customers", {"A", "B", "G"}),
        ("new", {"A", "G"}),
        ("won", {"A", "B"}),
        ("amount", {"A", "B"}),
    ],
)
def test_each_cell_drills_down_to_exactly_its_customers(
    client_for, people, seeded, measure, expected
):
    client = client_for(people["manager"])
    response = client.get(URL, {"rows": "region", "cols": "category", "measure": measure})
    data = response.context["analysis"]
    cell = data.cell("east", str(seeded["A"].category_id))
    assert listed(client, cell.links[measure]) == expected
    # Every cell of every measure: the list holds as many customers as the cell counts.
    for (_r, _c), each in data.cells.items():
        for name in ("customers", "new", "won"):
            assert len(listed(client, each.links[name])) == getattr(each, name)


def test_totals_and_the_none_row_drill_down(client_for, people, seeded):
    client = client_for(people["manager"])
    data = client.get(URL, {"rows": "region", "cols": "category"}).context["analysis"]
    assert listed(client, data.total.links["customers"]) == {"A", "B", "C", "D", "E", "F", "G"}
    assert listed(client, data.row_totals["-"].links["customers"]) == {"D"}
    assert listed(client, data.row_totals["north"].links["won"]) == {"F"}


def test_rep_sees_only_their_own_customers_whatever_they_ask(client_for, people, seeded):
    client = client_for(people["sales2"])
    response = client.get(URL, {"rows": "owner", "cols": "region", "rep": str(people["sales1"].pk)})
    data = response.context["analysis"]
    assert data.scope.own_only and data.total.customers == 2  # F, G
    assert [label for _k, label in data.rows] == [str(people["sales2"])]
    assert b"Analysis A" not in response.content
    assert listed(client, data.total.links["customers"]) == {"F", "G"}


def test_manager_chooses_a_rep_or_a_team(client_for, people, org, seeded):
    client = client_for(people["manager"])
    data = client.get(URL, {"rep": str(people["sales2"].pk)}).context["analysis"]
    assert data.total.customers == 2
    assert listed(client, data.total.links["customers"]) == {"F", "G"}
    data = client.get(URL, {"team": str(org["east"].pk)}).context["analysis"]
    assert (data.total.customers, data.total.won) == (5, 2)
    assert listed(client, data.total.links["customers"]) == {"A", "B", "C", "D", "E"}
    # A rep outside the manager's tree is ignored: the whole scope, nobody revealed.
    data = client.get(URL, {"rep": str(people["admin"].pk)}).context["analysis"]
    assert data.scope.rep is None and data.total.customers == 7


def test_owner_and_department_dimensions(client_for, people, org, seeded):
    client = client_for(people["manager"])
    data = client.get(URL, {"rows": "owner", "cols": "department", "measure": "won"}).context[
        "analysis"
    ]
    s1, east = str(people["sales1"].pk), str(org["east"].pk)
    assert data.cell(s1, east).customers == 5
    assert data.cell(s1, east).won == 2
    assert listed(client, data.cell(s1, east).links["won"]) == {"A", "B"}


def test_bad_parameters_fall_back(client_for, people, seeded):
    client = client_for(people["manager"])
    response = client.get(URL, {"rows": "nope", "cols": "nope", "measure": "x", "period": "99"})
    assert response.status_code == 200
    data = response.context["analysis"]
    assert (data.rows_dim, data.cols_dim, data.measure) == ("region", "category", "customers")
    same = client.get(URL, {"rows": "level", "cols": "level"}).context["analysis"]
    assert (same.rows_dim, same.cols_dim) == ("level", "category")


def test_csv_and_xlsx_exports(client_for, people, seeded):
    client = client_for(people["manager"])
    response = client.get(
        reverse("records:customer_analysis_export"),
        {"rows": "region", "cols": "category", "period": "2026"},
    )
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    east = next(r for r in rows if r[:2] == ["East China", "Current customer"])
    assert east[2:] == ["3", "2", "2", "66.7", "175000.00"]
    assert "Analysis" not in text  # figures, not customer names
    response = client.get(
        reverse("records:customer_analysis_export"), {"period": "2026", "format": "xlsx"}
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Total", None, "7", "6", "3", "42.9", "195000.00"] in values


def test_refused_without_the_customers_module(client_for, people, seeded):
    before = Customer.all_objects.count()
    client = client_for(people["newhire"])
    assert client.get(URL).status_code == 403
    assert client.get(reverse("records:customer_analysis_export")).status_code == 403
    assert Customer.all_objects.count() == before


def test_without_the_deals_module_no_won_figures(client_for, people, seeded):
    """An editor reads customers but not deals: the deal policy answers nothing won."""
    data = client_for(people["editor"]).get(URL).context["analysis"]
    assert (data.total.won, data.total.amount) == (0, D("0"))


def test_anonymous_is_sent_to_sign_in(client, seeded):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_constant_queries(client_for, people, make_user, django_assert_num_queries, seeded):
    client = client_for(people["manager"])
    client.get(URL)  # warm caches
    params = {"rows": "owner", "cols": "department", "period": "2026"}
    with django_assert_num_queries(QUERIES_OWNER_DEPARTMENT):
        client.get(URL, params)
    with django_assert_num_queries(QUERIES_REGION_CATEGORY):
        client.get(URL, {"period": "2026"})
    # Three more reps with customers and won deals: the same counts.
    for i in range(3):
        rep = make_user(f"rep{i}")
        from portal.records.customers import actions

        for j in range(3):
            actions.create_customer(acting_user=rep, name=f"More {i}-{j}", region="south")
    with django_assert_num_queries(QUERIES_OWNER_DEPARTMENT):
        client.get(URL, params)
    with django_assert_num_queries(QUERIES_REGION_CATEGORY):
        client.get(URL, {"period": "2026"})


QUERIES_OWNER_DEPARTMENT = (
    15  # session, user, perms, groups, scope ×4, 3 figures, categories, owners, departments
)
QUERIES_REGION_CATEGORY = 13  # the same without the owner and department names
