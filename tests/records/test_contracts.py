"""The contract list across deals (issue 18 item 4): page and API, filters against a hand
computation, the deal policy's visibility, refusals and constant query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core import visibility
from portal.records.customers import actions
from portal.records.deals.models import Contract, Deal
from portal.records.deals.policy import deal_keys, deal_policy

LIST = reverse("records:contract_list")
API = "/api/v1/contracts/"


class Seeder:
    def __init__(self, people):
        self.people = people
        self.count = 0
        self.customers = {}

    def contract(self, owner: str, ends_in: int | None, starts_in: int = -100) -> Contract:
        self.count += 1
        user = self.people[owner]
        if owner not in self.customers:
            self.customers[owner] = actions.create_customer(
                acting_user=user, name=f"Contract customer of {owner}"
            )
        today = timezone.localdate()
        deal = Deal.objects.create(
            number=f"CT{self.count:04d}",
            name=f"Deal {self.count}",
            customer=self.customers[owner],
            owner=user,
            department=user.department,
            amount=Decimal(1000 * self.count),
            state="won",
            opened_on=today - datetime.timedelta(days=200),
            closed_on=today - datetime.timedelta(days=150),
        )
        visibility.set_object_keys(deal, deal_keys(deal))
        return Contract.objects.create(
            deal=deal,
            number=f"K-{self.count}",
            signed_on=today - datetime.timedelta(days=150),
            starts_on=today + datetime.timedelta(days=starts_in),
            ends_on=None if ends_in is None else today + datetime.timedelta(days=ends_in),
            amount=Decimal(1000 * self.count),
        )


@pytest.fixture
def seeded(people):
    s = Seeder(people)
    return s, {
        "soon": s.contract("sales1", 10),  # K-1: ending within 30 days
        "later": s.contract("sales1", 200),  # K-2: in force
        "ended": s.contract("sales1", -5),  # K-3: ended
        "future": s.contract("sales1", 400, starts_in=20),  # K-4: not started yet
        "open": s.contract("sales1", None),  # K-5: no end date, in force
        "other": s.contract("sales2", 20),  # K-6: sales2's, ending soon
    }


def numbers(response) -> list[str]:
    return [contract.number for contract, _state in response.context["rows"]]


def test_each_reader_sees_the_contracts_of_the_deals_they_may_see(client_for, people, seeded):
    assert numbers(client_for(people["sales1"]).get(LIST)) == [
        "K-3",
        "K-1",
        "K-2",
        "K-4",
        "K-5",
    ]  # soonest ending first, no end date last
    assert numbers(client_for(people["sales2"]).get(LIST)) == ["K-6"]
    assert len(numbers(client_for(people["manager"]).get(LIST))) == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "ending"}, ["K-1"]),
        ({"state": "ending", "within": "365"}, ["K-1", "K-2"]),
        ({"state": "ended"}, ["K-3"]),
        ({"state": "upcoming"}, ["K-4"]),
        ({"state": "active"}, ["K-1", "K-2", "K-5"]),
        ({"q": "K-2"}, ["K-2"]),
    ],
)
def test_filters(client_for, people, seeded, query, expected):
    assert numbers(client_for(people["sales1"]).get(LIST, query)) == expected


def test_owner_and_customer_filters_for_the_manager(client_for, people, seeded):
    s, made = seeded
    client = client_for(people["manager"])
    assert numbers(client.get(LIST, {"owner": people["sales2"].pk})) == ["K-6"]
    customer = made["soon"].deal.customer_id
    assert len(numbers(client.get(LIST, {"customer": customer}))) == 5
    # Asking for someone else's contracts as a rep shows nothing, reveals nothing.
    assert numbers(client_for(people["sales2"]).get(LIST, {"customer": customer})) == []


def test_api_lists_through_the_deal_policy(api_client, people, seeded):
    api_client.force_authenticate(people["sales2"])
    data = api_client.get(API).json()
    assert [row["number"] for row in data["results"]] == ["K-6"]
    assert data["results"][0]["state"] == "ending"
    api_client.force_authenticate(people["sales1"])
    data = api_client.get(API, {"state": "ending"}).json()
    assert [row["number"] for row in data["results"]] == ["K-1"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "bogus"}, "state"),
        ({"within": "0"}, "within"),
        ({"within": "²"}, "within"),
        ({"customer": "x"}, "customer"),
    ],
)
def test_api_refuses_bad_filters_naming_the_field(api_client, people, seeded, query, field):
    api_client.force_authenticate(people["sales1"])
    response = api_client.get(API, query)
    assert response.status_code == 400
    assert field in response.json()


def test_refused_without_the_deals_module(client_for, api_client, people, seeded):
    before = list(Contract.objects.order_by("pk").values_list("pk", "number", "ends_on"))
    assert client_for(people["newhire"]).get(LIST).status_code == 403
    api_client.force_authenticate(people["newhire"])
    response = api_client.get(API)
    assert response.status_code == 200 and response.json()["results"] == []
    assert list(Contract.objects.order_by("pk").values_list("pk", "number", "ends_on")) == before


def test_constant_queries(client_for, api_client, people, seeded, django_assert_num_queries):
    s, _made = seeded
    client = client_for(people["manager"])
    client.get(LIST)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(LIST)
    api_client.force_authenticate(people["manager"])
    api_client.get(API)
    with django_assert_num_queries(API_QUERIES):
        api_client.get(API)
    for _n in range(6):
        s.contract("sales2", 50)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(LIST)
    with django_assert_num_queries(API_QUERIES):
        api_client.get(API)


PAGE_QUERIES = 8  # session, user, perms, groups, keys, count, page, owners
API_QUERIES = 2  # count, page (the forced user keeps its permissions cached)


def test_renew_opens_a_linked_follow_up_deal_once(client_for, people, seeded):
    _s, made = seeded
    contract = made["soon"]
    client = client_for(people["sales1"])
    response = client.post(reverse("records:contract_renew", args=[contract.pk]))
    renewal = Deal.objects.get(renews=contract.deal)
    assert response.status_code == 302 and response["Location"] == renewal.get_absolute_url()
    assert renewal.customer_id == contract.deal.customer_id
    assert renewal.owner == people["sales1"] and renewal.state == "tracking"
    assert renewal.amount == contract.amount
    assert renewal.name == f"Renewal: {contract.deal.name}"
    page = client.get(renewal.get_absolute_url()).content.decode()
    assert f'href="{contract.deal.get_absolute_url()}" id="deal-renews"' in page
    # Shown as renewed in the list; a second renewal is refused, nothing added.
    rows = {c.number: c.renewed for c, _state in client.get(LIST).context["rows"]}
    assert rows["K-1"] is True and rows["K-2"] is False
    response = client.post(reverse("records:contract_renew", args=[contract.pk]), follow=True)
    assert "already has a renewal deal" in response.content.decode()
    assert Deal.objects.filter(renews=contract.deal).count() == 1


def test_renew_refused_to_those_who_may_not_see_or_edit(client_for, people, seeded):
    _s, made = seeded
    contract = made["soon"]
    before = Deal.objects.count()
    assert (
        client_for(people["sales2"])
        .post(reverse("records:contract_renew", args=[contract.pk]))
        .status_code
        == 404
    )
    assert client_for(people["newhire"]).post(
        reverse("records:contract_renew", args=[contract.pk])
    ).status_code in (403, 404)
    assert (
        client_for(people["sales1"])
        .get(reverse("records:contract_renew", args=[contract.pk]))
        .status_code
        == 405
    )
    assert Deal.objects.count() == before
    assert not Deal.objects.filter(renews__isnull=False).exists()


def test_renewal_links_on_the_deal_page_and_api_for_those_who_may_see(
    client_for, api_client, people, seeded
):
    # given K-1's deal renewed by sales1, and sales2 co-owning the renewal only
    from portal.records.deals import actions as deal_actions
    from portal.records.deals.actions.renewal import renew_contract

    _s, made = seeded
    old = made["soon"].deal
    renewal = renew_contract(made["soon"], acting_user=people["sales1"])
    deal_actions.update_deal(renewal, acting_user=people["sales1"], co_owners=[people["sales2"]])
    # then the owner reads both links, each naming the other deal's number
    client = client_for(people["sales1"])
    page = client.get(renewal.get_absolute_url()).content.decode()
    assert f'href="{old.get_absolute_url()}" id="deal-renews">Renews deal {old.number}<' in page
    page = client.get(old.get_absolute_url()).content.decode()
    assert (
        f'href="{renewal.get_absolute_url()}" id="deal-renewed-by">Renewed by deal '
        f"{renewal.number}<" in page
    )
    api_client.force_authenticate(people["sales1"])
    assert api_client.get(f"/api/v1/deals/{renewal.pk}/").json()["renews"] == old.pk
    body = api_client.get(f"/api/v1/deals/{old.pk}/").json()
    assert body["renewed_by"] == renewal.pk and body["renews"] is None
    listed = {row["id"]: row for row in api_client.get("/api/v1/deals/").json()["results"]}
    assert listed[renewal.pk]["renews"] == old.pk
    assert listed[old.pk]["renewed_by"] == renewal.pk
    # and the co-owner of the renewal, who may not see the old deal, sees no link, no number
    assert not deal_policy.is_visible(people["sales2"], old)
    page = client_for(people["sales2"]).get(renewal.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "deal-renews" not in text and old.number not in text
    api_client.force_authenticate(people["sales2"])
    assert api_client.get(f"/api/v1/deals/{renewal.pk}/").json()["renews"] is None
    listed = {row["id"]: row for row in api_client.get("/api/v1/deals/").json()["results"]}
    assert listed[renewal.pk]["renews"] is None and old.pk not in listed
    assert old.number not in api_client.get("/api/v1/deals/").content.decode()


def test_the_deal_page_offers_renewal_and_a_refusal_comes_back_to_it(client_for, people, seeded):
    _s, made = seeded
    contract = made["soon"]
    deal_url = contract.deal.get_absolute_url()
    client = client_for(people["sales1"])
    renew_url = reverse("records:contract_renew", args=[contract.pk])
    page = client.get(deal_url).content.decode()
    assert f'action="{renew_url}"' in page and 'id="renew-contract"' in page
    response = client.post(renew_url, {"from": "deal"})
    renewal = Deal.objects.get(renews=contract.deal)
    assert response["Location"] == renewal.get_absolute_url()
    # renewed: the old deal's page links the renewal instead of offering another
    page = client.get(deal_url).content.decode()
    assert 'id="renew-contract"' not in page and 'id="deal-renewed-by"' in page
    # a refused renewal from the deal page says why there, and adds nothing
    response = client.post(renew_url, {"from": "deal"})
    assert response["Location"] == f"{deal_url}#contract"
    assert Deal.objects.filter(renews=contract.deal).count() == 1
