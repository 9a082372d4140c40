"""Sales statistics: a seeded quarter checked against a hand computation, and who sees what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from wagtail.models import Locale, Page

from portal.accounts import roles
from portal.accounts.models import Department
from portal.core import visibility
from portal.knowledge.models import CompetitorPage, ProductPage
from portal.records.customers import actions
from portal.records.deals import statistics
from portal.records.deals.policy import deal_keys
from portal.records.models import (
    CommissionRule,
    CommissionTier,
    Deal,
    DealCompetitor,
    DealStage,
    OrderLine,
    SalesTarget,
)

D = Decimal


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The team pipeline is cached for a minute; ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()


Q3 = "2026-Q3"


def day(month: int, dom: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dom)


@pytest.fixture
def pages(db):
    """Two products in different categories and one competitor (bare pages are enough here)."""
    Locale.objects.get_or_create(language_code="en")  # transactional tests flush it
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    return {
        "terminal": root.add_child(
            instance=ProductPage(title="Nebula S1", slug="s1", product_line="terminals")
        ),
        "software": root.add_child(
            instance=ProductPage(title="Till Suite", slug="suite", product_line="software")
        ),
        "ruilink": root.add_child(instance=CompetitorPage(title="RuiLink", slug="ruilink")),
    }


class Seeder:
    """Deals written straight to the tables (with their visibility keys), fast and explicit."""

    def __init__(self, people, prefix="T"):
        self.people = people
        self.prefix = prefix
        self.customers = {}
        self.count = 0

    def customer(self, owner):
        if owner.pk not in self.customers:
            self.customers[owner.pk] = actions.create_customer(
                acting_user=owner, name=f"Customer {self.prefix} of {owner.username}"
            )
        return self.customers[owner.pk]

    def deal(self, owner, amount, *, state="tracking", stage=None, opened=None, closed=None):
        self.count += 1
        deal = Deal.objects.create(
            number=f"{self.prefix}{self.count:04d}",
            name=f"Deal {self.count}",
            customer=self.customer(owner),
            owner=owner,
            department=owner.department,
            amount=D(amount),
            state=state,
            stage=stage,
            opened_on=opened or day(6, 1),
            closed_on=closed,
        )
        visibility.set_object_keys(deal, deal_keys(deal))
        return deal


@pytest.fixture
def quarter(people, make_user, pages):
    """The seeded quarter 2026-Q3 (1 July – 30 September), written out in the test below."""
    sales1, sales2 = people["sales1"], people["sales2"]
    sales3 = make_user("sales3", roles.SALES, "east")  # same team as sales1, no deals
    lead = DealStage.objects.create(name="T-Lead", probability=10, position=1)
    proposal = DealStage.objects.create(name="T-Proposal", probability=50, position=2)
    negotiation = DealStage.objects.create(name="T-Negotiation", probability=75, position=3)
    s = Seeder(people)
    # sales1 (Sales East): three open deals …
    s.deal(sales1, 100_000, stage=lead)
    s.deal(sales1, 40_000, stage=proposal)
    s.deal(sales1, 80_000, stage=negotiation)
    # … two won, one lost, one abandoned in the quarter …
    w1 = s.deal(sales1, 120_000, state="won", opened=day(6, 1), closed=day(7, 11))
    OrderLine.objects.create(
        deal=w1, product=pages["terminal"], quantity=D(2), unit_price=D(30_000)
    )
    OrderLine.objects.create(
        deal=w1, product=pages["software"], quantity=D(1), unit_price=D(60_000)
    )
    s.deal(sales1, 50_000, state="completed", opened=day(8, 1), closed=day(8, 21))
    l1 = s.deal(sales1, 30_000, state="lost", opened=day(7, 1), closed=day(9, 30))
    a1 = s.deal(sales1, 10_000, state="abandoned", opened=day(5, 1), closed=day(7, 31))
    # … and wins just outside it, which must not count.
    s.deal(sales1, 999_999, state="won", opened=day(1, 1), closed=day(6, 30))
    s.deal(sales1, 888_888, state="won", opened=day(9, 1), closed=day(10, 1))
    # sales2 (Sales North): one open, one won.
    s.deal(sales2, 200_000, stage=proposal)
    w4 = s.deal(sales2, 20_000, state="won", opened=day(9, 5), closed=day(9, 15))
    # Competitors: RuiLink beaten on w1, won l1; on the abandoned deal it counts for nobody.
    for deal in (w1, l1, a1):
        DealCompetitor.objects.create(deal=deal, competitor=pages["ruilink"], name="RuiLink")
    DealCompetitor.objects.create(deal=w4, name="Acme POS")
    # Targets: sales1 for the quarter; sales2 by month; the east team for the quarter.
    SalesTarget.objects.create(
        rep=sales1, period_kind="quarter", period_start=day(8, 15), amount=D(200_000)
    )
    for month, amount in ((7, 10_000), (8, 10_000), (9, 20_000)):
        SalesTarget.objects.create(
            rep=sales2, period_kind="month", period_start=day(month, 1), amount=D(amount)
        )
    SalesTarget.objects.create(
        department=sales1.department,
        period_kind="quarter",
        period_start=day(7, 1),
        amount=D(250_000),
    )
    # Commission: terminals flat 5 %; everything else tiered 2 % / 4 % from 50k / 6 % from 100k.
    CommissionRule.objects.create(name="Terminals", product_line="terminals", rate=D(5))
    tiered = CommissionRule.objects.create(name="Default", product_line="", basis="tiered")
    for threshold, rate in ((0, 2), (50_000, 4), (100_000, 6)):
        CommissionTier.objects.create(rule=tiered, threshold=D(threshold), rate=D(rate))
    return {"sales3": sales3, "stages": (lead, proposal, negotiation)}


def report_for(user, **params):
    scope = statistics.scope_for(user, rep=params.get("rep", ""), team=params.get("team", ""))
    return statistics.report(user, scope, statistics.Period.parse(Q3))


def row(rows, name):
    return next(r for r in rows if r.name == name)


def test_rep_figures_match_the_hand_computation(people, quarter):
    report = report_for(people["sales1"])
    me = report.total
    # Pipeline (open now): 100k + 40k + 80k = 220k; weighted 10 % · 100k + 50 % · 40k
    # + 75 % · 80k = 10k + 20k + 60k = 90k.
    assert (me.open_count, me.pipeline, me.weighted) == (3, D("220000.00"), D("90000.00"))
    # Won in Q3: w1 120k (11 Jul) + the completed 50k (21 Aug) = 170k. The 30 June and
    # 1 October wins fall outside the quarter.
    assert (me.won_count, me.won_amount) == (2, D("170000.00"))
    # Win rate: 2 won of 4 closed (won, completed, lost, abandoned) = 50.0 %.
    assert (me.lost_count, me.win_rate) == (2, D("50.0"))
    # Cycle: (40 + 20 + 91 + 91) days / 4 = 60.5 days.
    assert me.cycle_days == D("60.5")
    # Target 200k (the 15 August entry is stored as the quarter's first day): 85.0 %.
    assert (me.target, me.completion) == (D("200000.00"), D("85.0"))
    # Commission: terminal lines 2 × 30k = 60k at 5 % = 3,000. Software 60k has no rule of
    # its own, so it pools with the 50k deal without lines under the tiered default:
    # 110k → 50k · 2 % + 50k · 4 % + 10k · 6 % = 1,000 + 2,000 + 600 = 3,600. Total 6,600.
    assert me.commission == D("6600.00")
    # Only their own row.
    assert [r.name for r in report.reps] == [str(people["sales1"])]
    assert report.teams == []


def test_manager_sees_the_tree_by_rep_team_stage_month_and_competitor(people, quarter):
    report = report_for(people["manager"])
    sales1, sales2 = people["sales1"], people["sales2"]
    s2 = row(report.reps, str(sales2))
    # sales2: won 20k of a 10k + 10k + 20k = 40k monthly-target quarter = 50.0 %; one won
    # of one closed; cycle 10 days; commission 20k · 2 % = 400.
    assert (s2.won_amount, s2.target, s2.completion) == (D("20000.00"), D("40000.00"), D("50.0"))
    assert (s2.win_rate, s2.cycle_days, s2.commission) == (D("100.0"), D("10.0"), D("400.00"))
    assert row(report.reps, str(sales1)).commission == D("6600.00")
    total = report.total
    # 170k + 20k won; 3 won of 5 closed = 60.0 %; (40 + 20 + 91 + 91 + 10) / 5 = 50.4 days.
    assert (total.won_amount, total.win_rate, total.cycle_days) == (
        D("190000.00"),
        D("60.0"),
        D("50.4"),
    )
    assert (total.commission, total.target) == (D("7000.00"), D("240000.00"))
    assert total.completion == D("79.2")  # 190k / 240k = 79.17 %
    # Teams: east 170k of its own 250k target = 68.0 %.
    east = row(report.teams, sales1.department.name)
    assert (east.won_amount, east.target, east.completion) == (
        D("170000.00"),
        D("250000.00"),
        D("68.0"),
    )
    assert row(report.teams, sales2.department.name).won_amount == D("20000.00")
    # Pipeline by stage: lead 1 × 100k → 10k; proposal 40k + 200k → 120k; negotiation
    # 80k → 60k.
    stages = {s.name: (s.count, s.amount, s.weighted) for s in report.stages}
    assert stages["T-Lead"] == (1, D("100000.00"), D("10000.00"))
    assert stages["T-Proposal"] == (2, D("240000.00"), D("120000.00"))
    assert stages["T-Negotiation"] == (1, D("80000.00"), D("60000.00"))
    # Won per month: July 120k, August 50k, September 20k.
    assert report.won_by_month == [
        ("2026-07", 1, D("120000.00")),
        ("2026-08", 1, D("50000.00")),
        ("2026-09", 1, D("20000.00")),
    ]
    # Competitors: RuiLink 1 won / 1 lost (the abandoned deal counts for nobody); Acme 1 / 0.
    competitors = {c.name: (c.won, c.lost) for c in report.competitors}
    assert competitors == {"RuiLink": (1, 1), "Acme POS": (1, 0)}


def test_manager_narrows_to_a_team_and_a_rep(people, quarter):
    sales1 = people["sales1"]
    east = report_for(people["manager"], team=str(sales1.department_id))
    assert east.total.won_amount == D("170000.00")
    assert east.total.target == D("250000.00")  # the team's own target
    assert {r.name for r in east.reps} >= {str(sales1)}
    assert str(people["sales2"]) not in {r.name for r in east.reps}
    only = report_for(people["manager"], rep=str(people["sales2"].pk))
    assert only.total.won_amount == D("20000.00")


def test_year_adds_up_quarter_targets_and_groups_by_quarter(people, quarter):
    scope = statistics.scope_for(people["sales1"])
    report = statistics.report(people["sales1"], scope, statistics.Period.parse("2026"))
    # 2026: 999,999 (June) + 170k (Q3) + 888,888 (October) won.
    assert report.total.won_amount == D("2058887.00")
    assert report.total.target == D("200000.00")  # only the Q3 target exists
    assert [q for q, _c, _a in report.won_by_quarter] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert report.won_by_quarter[2] == ("2026-Q3", 2, D("170000.00"))


def test_tiered_commission_pays_each_band_its_rate():
    bands = [(D(0), D(2)), (D(50_000), D(4)), (D(100_000), D(6))]
    assert statistics.tiered_commission(D(0), bands) == D("0.00")
    assert statistics.tiered_commission(D(50_000), bands) == D("1000.00")
    assert statistics.tiered_commission(D(110_000), bands) == D("3600.00")
    # A first band starting above zero pays nothing below it.
    assert statistics.tiered_commission(D(30_000), [(D(50_000), D(10))]) == D("0.00")


def test_period_parsing():
    assert statistics.Period.parse("2026-Q3").start == day(7, 1)
    assert statistics.Period.parse("2026-Q3").end == day(10, 1)
    assert statistics.Period.parse("2026-12").end == day(1, 1, 2027)
    assert statistics.Period.parse("2026").kind == "year"
    today = day(11, 23)
    assert statistics.Period.parse("junk", today=today).key == "2026-Q4"
    assert statistics.Period.parse("1999-Q1", today=today).key == "2026-Q4"


# --- pages, CSV and permissions --------------------------------------------------------------


def test_rep_page_shows_own_figures_only(client_for, people, quarter):
    client = client_for(people["sales2"])
    # Asking for another team's rep or team is ignored: the page shows sales2's own figures.
    response = client.get(
        "/records/statistics/",
        {
            "period": Q3,
            "rep": people["sales1"].pk,
            "team": people["sales1"].department_id,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert str(people["sales1"]) not in html
    assert "170,000" not in html and "6,600" not in html
    assert "20,000" in html
    assert response.context["report"].total.won_amount == D("20000.00")


def test_csv_leaks_nothing_from_other_teams(client_for, people, quarter):
    client = client_for(people["sales2"])
    response = client.get(
        "/records/statistics/export/", {"period": Q3, "team": people["sales1"].department_id}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert str(people["sales1"]) not in body
    assert "RuiLink" not in body  # sales1's competitor entries
    assert "170000" not in body and "6600" not in body
    assert "20000.00" in body and "Acme POS" in body


def test_manager_csv_has_every_rep_and_the_hand_figures(client_for, people, quarter):
    body = b"".join(
        client_for(people["manager"])
        .get("/records/statistics/export/", {"period": Q3})
        .streaming_content
    ).decode()
    assert body.startswith("\ufeff")
    assert str(people["sales1"]) in body and str(people["sales2"]) in body
    assert "170000.00" in body and "6600.00" in body and "7000.00" in body


def test_manager_of_another_tree_sees_nothing_of_sales(client_for, people, make_user, quarter):
    # The service department's manager manages no sales team.
    boss = make_user("svcboss", roles.MANAGERS, "service")
    Department.objects.filter(pk=people["service"].department_id).update(manager=boss)
    report = report_for(boss)
    assert report.total.won_amount == D("0.00")
    assert report.reps == [] or all(r.won_amount == 0 for r in report.reps)
    body = b"".join(
        client_for(boss).get("/records/statistics/export/", {"period": Q3}).streaming_content
    ).decode()
    assert str(people["sales1"]) not in body and "RuiLink" not in body


def test_without_deal_access_the_page_is_refused(client_for, people, quarter):
    assert client_for(people["newhire"]).get("/records/statistics/").status_code == 403
    assert client_for(people["newhire"]).get("/records/statistics/export/").status_code == 403


def test_statistics_page_query_count_is_constant(client_for, people, make_user, quarter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people["manager"])
    client.get("/records/statistics/", {"period": Q3})  # warm content types

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/records/statistics/", {"period": Q3}).status_code == 200
        return len(captured)

    before = count()
    # More reps, deals, targets and competitors: the same number of queries.
    seeder = Seeder(people, prefix="X")
    for index in range(4):
        rep = make_user(f"extra{index}", roles.SALES, "north")
        SalesTarget.objects.create(rep=rep, period_start=day(7, 1), amount=D(1000))
        seeder.deal(rep, 500, stage=quarter["stages"][0])
        won = seeder.deal(rep, 700, state="won", opened=day(7, 1), closed=day(7, 2))
        DealCompetitor.objects.create(deal=won, name=f"Rival {index}")
    assert count() == before == 23


def test_targets_and_commission_rules_are_configured_in_admin(client_for, people, quarter):
    client = client_for(people["admin"])
    for url in (
        "/admin/records/salestarget/",
        "/admin/records/salestarget/add/",
        "/admin/records/commissionrule/",
        "/admin/records/commissionrule/add/",
    ):
        assert client.get(url).status_code == 200, url
    # A target for both a rep and a team is refused, and nothing is stored.
    before = SalesTarget.objects.count()
    response = client.post(
        "/admin/records/salestarget/add/",
        {
            "rep": people["sales2"].pk,
            "department": people["sales2"].department_id,
            "period_kind": "quarter",
            "period_start": "2026-10-01",
            "amount": "1000",
            "currency": "CNY",
        },
    )
    assert response.status_code == 200
    assert "either one rep or one team" in response.content.decode()
    assert SalesTarget.objects.count() == before
    # Reps cannot reach the admin at all.
    assert client_for(people["sales1"]).get("/admin/records/salestarget/").status_code == 302


def test_scoped_deals_are_exactly_the_visible_ones_in_scope(people, quarter):
    """The department/owner shortcut gives the same deals as the visibility rule."""
    from portal.records.deals.policy import deals_visible_to

    for who in ("sales1", "sales2", "manager"):
        user = people[who]
        scope = statistics.scope_for(user)
        shortcut = set(statistics.scoped_deals(user, scope).values_list("pk", flat=True))
        ruled = deals_visible_to(user)
        if scope.own_only:
            ruled = ruled.filter(owner=user)
        else:
            ruled = ruled.filter(department_id__in=scope.department_ids)
        assert shortcut == set(ruled.values_list("pk", flat=True)), who
        assert shortcut  # not trivially equal


def test_a_binned_customer_leaves_the_figures_until_restored(people, quarter):
    from portal.records.models import Customer

    customer = Customer.objects.get(owner=people["sales2"])
    actions.delete_customer(customer, acting_user=people["sales2"])
    # sales2's 20k won deal goes with its customer, as it does from the deal list
    assert report_for(people["manager"]).total.won_amount == D("170000.00")
    actions.restore_customer(customer, acting_user=people["sales2"])
    assert report_for(people["manager"]).total.won_amount == D("190000.00")
