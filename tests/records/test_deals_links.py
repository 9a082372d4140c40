"""Deals linked to the rest of Agora: search (kind "deal"), forum references by number,
product and competitor knowledge pages' related panels, re-keying on customer changes."""

from __future__ import annotations

from decimal import Decimal

from django.test import RequestFactory

from portal.core import visibility
from portal.core.related import related_panels
from portal.core.testing import capture_events
from portal.forum.references import reference_links
from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from portal.search import service
from tests.knowledge.conftest import kb  # noqa: F401 - the knowledge fixture
from tests.records.deal_helpers import open_deal


def _hits(user, text):
    _parsed, results = service.search(user, text)
    return sorted(f"{hit.kind}:{hit.title}" for hit in results.hits)


def test_deals_are_found_only_by_who_may_open_them(people, customer):
    with capture_events():
        deal = open_deal(customer, people["sales1"], name="Cold-chain scanners")
    assert _hits(people["sales1"], "Cold-chain") == [f"deal:{deal.number} Cold-chain scanners"]
    assert _hits(people["manager"], "Cold-chain") == [f"deal:{deal.number} Cold-chain scanners"]
    assert _hits(people["sales2"], "Cold-chain") == []
    # handed over to sales2, the deal is re-indexed with sales2's keys
    with capture_events():
        deal_actions.handover_deal(deal, to_user=people["sales2"], acting_user=people["sales1"])
    assert _hits(people["sales2"], "Cold-chain") == [f"deal:{deal.number} Cold-chain scanners"]


def test_forum_references_resolve_deal_numbers_for_readers_only(people, customer):
    deal = open_deal(customer, people["sales1"])
    links = reference_links({deal.number}, people["sales1"])
    assert links[deal.number] == (deal.get_absolute_url(), str(deal))
    assert reference_links({deal.number}, people["sales2"]) == {}


def test_customer_share_and_person_move_rekey_the_deals(people, customer, org, events):
    deal = open_deal(customer, people["sales1"])
    with capture_events() as captured:
        actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    assert visibility.user_key(people["sales2"].pk) in visibility.object_keys(deal)
    assert captured.named("records.deal_access_changed")
    # sales1 moves to the north team: the deal's manager chain follows
    sales1 = people["sales1"]
    sales1.department = org["north"]
    sales1.save(update_fields=["department"])
    from portal.core import events as core_events

    with capture_events():
        core_events.publish("accounts.person_moved", user_id=sales1.pk)
    deal.refresh_from_db()
    assert deal.department == org["north"]
    assert visibility.manager_key(org["north"].pk) in visibility.object_keys(deal)


def test_product_and_competitor_pages_list_visible_deals_with_results(
    people,
    customer,
    kb,  # noqa: F811
):
    product, competitor = kb["s1"], kb["competitor"]
    won = open_deal(customer, people["sales1"], name="Won with S1", products=[product])
    deal_actions.add_competitor(
        won, acting_user=people["sales1"], competitor=competitor, price=Decimal("900")
    )
    deal_actions.win_deal(won, acting_user=people["sales1"])
    lost = open_deal(customer, people["sales1"], name="Lost to RuiLink")
    deal_actions.add_competitor(lost, acting_user=people["sales1"], competitor=competitor)
    deal_actions.lose_deal(lost, acting_user=people["sales1"], reason="Price")
    request = RequestFactory().get("/")

    def panel_for(user, page):
        request.user = user
        panels = related_panels(request, page)
        return next(p for p in panels if p.template.endswith("deal_related_panel.html"))

    panel = panel_for(people["sales1"], competitor)
    assert [d.name for d in panel.context["deals"]] == ["Lost to RuiLink", "Won with S1"]
    assert [d.name for d in panel_for(people["sales1"], product).context["deals"]] == [
        "Won with S1"
    ]
    # another rep sees the panel empty: counts only cover deals the reader may see
    panel = panel_for(people["sales2"], competitor)
    assert panel.context["deals"] == []


def test_the_competitor_page_renders_the_deal_panel(people, customer, kb, client_for):  # noqa: F811
    competitor = kb["competitor"]
    deal = open_deal(customer, people["sales1"], name="Tender against them")
    deal_actions.add_competitor(deal, acting_user=people["sales1"], competitor=competitor)
    page = client_for(people["sales1"]).get(competitor.url).content.decode()
    assert "Deals against this competitor" in page and "Tender against them" in page
    page = client_for(people["sales2"]).get(competitor.url).content.decode()
    assert "Tender against them" not in page


def test_the_customer_page_shows_the_latest_activities_of_visible_deals(
    people, customer, client_for, sales3
):
    from django.utils import timezone

    deal = open_deal(customer, people["sales1"])
    deal_actions.create_activity(
        deal,
        acting_user=people["sales1"],
        status="done",
        kind="call",
        subject="Called the buyer about the retrofit",
        due_at=timezone.now(),
        outcome="They want a quote by Friday",
    )
    url = customer.get_absolute_url()
    page = client_for(people["sales1"]).get(url).content.decode()
    assert "Latest activities" in page
    assert "Called the buyer about the retrofit" in page
    assert "They want a quote by Friday" in page
    assert "Called the buyer" in client_for(people["manager"]).get(url).content.decode()
    assert client_for(sales3).get(url).status_code == 404


def test_a_binned_customer_takes_its_deals_out_of_search_until_restored(people, customer):
    with capture_events():
        deal = open_deal(customer, people["sales1"], name="Cold-chain scanners")
    expected = [f"deal:{deal.number} Cold-chain scanners"]
    assert _hits(people["sales1"], "Cold-chain") == expected
    with capture_events():
        actions.delete_customer(customer, acting_user=people["sales1"])
    assert _hits(people["sales1"], "Cold-chain") == []
    with capture_events():
        actions.restore_customer(customer, acting_user=people["sales1"])
    assert _hits(people["sales1"], "Cold-chain") == expected


def test_the_deal_history_names_what_changed_on_its_sub_records(people, customer, client_for):
    import datetime

    from django.utils import timezone

    deal = open_deal(customer, people["sales1"])
    due = timezone.localdate() + datetime.timedelta(days=3)
    deal_actions.urge_deal(
        deal, acting_user=people["manager"], message="Quote by Friday", due_on=due
    )
    page = client_for(people["sales1"]).get(deal.get_absolute_url()).content.decode()
    history = page[page.index('class="agora-history"') :]
    assert "Answer by: " in history and "Message: " in history
    assert "Due: " not in history
