"""Deal panels: a rep's day on the dashboard, a manager's team pipeline, product and
competitor records — right rows, nothing of other teams, constant query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts import roles
from portal.records.models import (
    Activity,
    DealCompetitor,
    DealReminder,
    DealStage,
    DealUrge,
    OrderLine,
)
from tests.records import test_deal_statistics as base

Seeder, day = base.Seeder, base.day
pages = base.pages  # the same fixtures
quarter = base.quarter

D = Decimal


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The team pipeline is cached for a minute; ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()


def add_activity(deal, when, subject, status=Activity.Status.PLANNED):
    return Activity.objects.create(
        deal=deal,
        customer=deal.customer,
        owner=deal.owner,
        due_at=when,
        subject=subject,
        status=status,
    )


def add_reminder(deal, when, subject, *people):
    reminder = DealReminder.objects.create(deal=deal, due_at=when, subject=subject)
    reminder.people.set(people)
    return reminder


def add_urge(deal, by, message, due_on, answered=False):
    return DealUrge.objects.create(
        deal=deal,
        urged_by=by,
        urged_user=deal.owner,
        message=message,
        due_on=due_on,
        answered_at=timezone.now() if answered else None,
    )


@pytest.fixture
def desk(people):
    """sales1's desk today, and sales2's (another team) which sales1 must never see."""
    now = timezone.now()
    today = timezone.localdate()
    sales1, sales2, manager = people["sales1"], people["sales2"], people["manager"]
    stage = DealStage.objects.create(name="D-Proposal", probability=50, position=1)
    s = Seeder(people, prefix="DB")
    soon = s.deal(sales1, 80_000, stage=stage)
    soon.expected_close_date = today + datetime.timedelta(days=5)
    soon.name = "Closing-soon deal"
    soon.save()
    later = s.deal(sales1, 10_000, stage=stage)
    later.expected_close_date = today + datetime.timedelta(days=90)
    later.name = "Far-away deal"
    later.save()
    theirs = s.deal(sales2, 55_000, stage=stage)
    theirs.expected_close_date = today + datetime.timedelta(days=3)
    theirs.name = "North deal"
    theirs.save()
    add_activity(soon, now - datetime.timedelta(days=2), "Overdue call")
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    add_activity(soon, start_of_day + (now - start_of_day) / 2, "Call today")
    add_activity(soon, now + datetime.timedelta(days=3), "Visit next week")
    add_activity(soon, now - datetime.timedelta(days=1), "Done call", Activity.Status.DONE)
    add_activity(theirs, now - datetime.timedelta(days=1), "North overdue call")
    add_reminder(soon, now + datetime.timedelta(hours=2), "Send the quote", sales1)
    add_reminder(soon, now + datetime.timedelta(days=30), "Far reminder", sales1)
    add_reminder(theirs, now + datetime.timedelta(hours=1), "North reminder", sales2)
    add_urge(soon, manager, "Where is the signed quote?", today + datetime.timedelta(days=1))
    add_urge(soon, manager, "Answered already", today, answered=True)
    add_urge(theirs, manager, "North: update please", today - datetime.timedelta(days=1))
    return {"soon": soon, "theirs": theirs, "stage": stage}


def test_rep_sees_their_day(client_for, people, desk):
    response = client_for(people["sales1"]).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        "Overdue call",
        "Call today",
        "Send the quote",
        "Where is the signed quote?",
        "Closing-soon deal",
    ):
        assert shown in html, shown
    for hidden in (
        "Visit next week",  # not due yet
        "Done call",  # done
        "Far reminder",  # next month
        "Answered already",
        "Far-away deal",  # closes in 90 days
        "North",  # another team's activity, reminder, urge and deal
    ):
        assert hidden not in html, hidden
    assert "My team&#x27;s pipeline" not in html and "My team's pipeline" not in html


def test_manager_sees_team_pipeline_and_open_urges(client_for, people, desk):
    response = client_for(people["manager"]).get("/")
    html = response.content.decode()
    panel = next(
        p for p in response.context["panels"] if p.template.endswith("stats_dashboard_team.html")
    )
    team = panel.context["team"]
    stage = next(s for s in team.stages if s.name == "D-Proposal")
    # 80k + 10k (sales1) + 55k (sales2) open at 50 %.
    assert (stage.count, stage.amount, stage.weighted) == (3, D("145000.00"), D("72500.00"))
    assert team.open_urges == 2
    assert "North: update please" not in html  # the list shows deal names, not messages
    assert "North deal" in html and "Closing-soon deal" in html


def test_manager_of_another_tree_gets_no_sales_figures(client_for, people, make_user, desk):
    from portal.accounts.models import Department

    boss = make_user("svcboss", roles.MANAGERS, "service")
    Department.objects.filter(pk=people["service"].department_id).update(manager=boss)
    response = client_for(boss).get("/")
    html = response.content.decode()
    panel = next(
        p for p in response.context["panels"] if p.template.endswith("stats_dashboard_team.html")
    )
    assert panel.context["team"].open_count == 0
    assert "Closing-soon deal" not in html and "North deal" not in html


def test_people_without_deals_get_no_deal_panels(client_for, people, desk):
    response = client_for(people["newhire"]).get("/")
    templates = [p.template for p in response.context["panels"]]
    assert not any("stats_dashboard" in name for name in templates)


def _count(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["sales1", "manager"])
def test_dashboard_query_count_is_constant(client_for, people, desk, who):
    client = client_for(people[who])
    client.get("/")  # warm content types and caches
    before = _count(client)
    # Ten times the rows: the dashboard asks the same number of questions.
    now = timezone.now()
    s = Seeder(people, prefix="MORE")
    for index in range(10):
        deal = s.deal(people["sales1"], 1000 + index, stage=desk["stage"])
        deal.expected_close_date = timezone.localdate()
        deal.save()
        add_activity(deal, now - datetime.timedelta(hours=index + 1), f"Extra {index}")
        add_reminder(deal, now + datetime.timedelta(hours=index), f"Extra {index}", people[who])
        add_urge(deal, people["manager"], f"Extra {index}", timezone.localdate())
    assert _count(client) == before


def test_product_page_panel_counts_open_deals_and_recent_wins(rf, people, pages, desk):
    from portal.core.related import related_panels

    s = Seeder(people, prefix="PR")
    product = pages["terminal"]
    open_deal = s.deal(people["sales1"], 1000, stage=desk["stage"])
    open_deal.products.add(product)
    for index in range(12):
        state = "won" if index % 3 == 0 else "lost"  # 4 won, 8 lost in total
        # The two oldest (index 0 and 1: a win and a loss) drop out of "the last ten".
        closed = s.deal(people["sales1"], 1000, state=state, closed=day(1, 1 + index))
        closed.products.add(product)
    # A win that lists the product only on an order line counts too (and is the newest).
    lines_only = s.deal(people["sales1"], 1000, state="won", closed=day(1, 20))
    OrderLine.objects.create(deal=lines_only, product=product, quantity=1, unit_price=1000)
    north = s.deal(people["sales2"], 1000, stage=desk["stage"])
    north.products.add(product)
    request = rf.get("/")
    request.user = people["sales1"]
    record = next(p for p in related_panels(request, product) if "stats_" in p.template)
    # Visible to sales1: one open deal (the north deal is not); last ten closed: days 4–12
    # and 20, wins on days 4, 7, 10 and 20 → 4 of 10.
    assert record.context["product"].open_deals == 1
    assert (record.context["product"].recent_won, record.context["product"].recent_closed) == (
        4,
        10,
    )
    html = render_to_string(record.template, {**record.context, "object": product})
    assert "Appears in 1 open deal." in html
    assert "Won 4 of the last 10 closed deals naming it." in html
    request.user = people["manager"]
    manager_record = next(p for p in related_panels(request, product) if "stats_" in p.template)
    assert manager_record.context["product"].open_deals == 2


def test_competitor_page_panel_shows_our_record_against_them(client_for, rf, people, pages):
    from portal.core.related import related_panels

    s = Seeder(people, prefix="CP")
    rival = pages["ruilink"]
    for state, owner in (
        ("won", "sales1"),
        ("won", "sales1"),
        ("lost", "sales1"),
        ("abandoned", "sales1"),
        ("tracking", "sales1"),
        ("lost", "sales2"),
    ):
        deal = s.deal(
            people[owner], 1000, state=state, closed=None if state == "tracking" else day(9, 1)
        )
        DealCompetitor.objects.create(deal=deal, competitor=rival, name="RuiLink")
    request = rf.get("/")
    request.user = people["sales1"]
    panel = next(p for p in related_panels(request, rival) if "stats_" in p.template)
    summary = panel.context["competitor"]
    # sales1 sees their own five: 2 won, 1 lost (abandoned is nobody's win), 1 open.
    assert (summary.won, summary.lost, summary.open_deals) == (2, 1, 1)
    assert summary.win_rate == D("66.7")
    html = render_to_string(panel.template, {**panel.context, "object": rival})
    assert "We won 2 and lost 1 deals against them." in html and "67 % win rate" in html
    request.user = people["newhire"]  # no deal access: no panel
    assert not [p for p in related_panels(request, rival) if "stats_" in p.template]


# --- screenshots (browser) ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_statistics_and_dashboard_in_a_browser(
    live_server, page, people, quarter, desk, screenshot_dir
):
    from tests.records.test_deal_statistics import Q3

    for language in ("en", "zh-hans"):
        for who in ("sales1", "manager"):
            user = people[who]
            user.language = language
            user.save(update_fields=["language"])
            page.context.clear_cookies()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", who)
            page.fill("#id_password", "agora-demo")
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            suffix = "en" if language == "en" else "zh"
            if who == "sales1":
                assert page.locator("#panel-agenda").is_visible()
            else:  # no deals of their own: the team panel only
                assert page.locator("#panel-team-pipeline").is_visible()
                assert page.locator("#panel-agenda").count() == 0
            page.screenshot(
                path=str(screenshot_dir / f"deals-dashboard-{who}-{suffix}.png"), full_page=True
            )
            page.goto(f"{live_server.url}/records/statistics/?period={Q3}")
            page.wait_for_function("document.querySelectorAll('canvas').length === 3")
            assert page.locator("#stats-summary").is_visible()
            page.screenshot(
                path=str(screenshot_dir / f"deals-statistics-{who}-{suffix}.png"), full_page=True
            )
