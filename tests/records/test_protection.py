"""Customer protection and the public pool (issue 18 item 3, ADR 1002): the state, the worker's
warnings and moves to the pool, claiming within the limit, protected duplicates refused, the
pages, the API and My tasks — refusals change nothing, lists cost a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.core import audit, visibility
from portal.core import tasks as core_tasks
from portal.core.testing import capture_events
from portal.notifications.models import Notification
from portal.records.customers import actions, protection
from portal.records.customers.policy import customer_policy
from portal.records.models import Customer, ProtectionRules
from tests.records.deal_helpers import open_deal

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def age(customer: Customer, days: int) -> Customer:
    """The customer's last activity was `days` before TODAY (test setup only)."""
    day = days_ago(days)
    Customer.objects.filter(pk=customer.pk).update(
        last_activity_on=day,
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
    )
    customer.refresh_from_db()
    return customer


def run(today=TODAY) -> int:
    with capture_events():
        return actions.run_protection(today=today)


def pooled(people, name="杭州西湖电子有限公司", owner="sales1") -> Customer:
    customer = actions.create_customer(acting_user=people[owner], name=name, region="east")
    age(customer, 200)
    run()
    customer.refresh_from_db()
    assert customer.in_pool
    return customer


def snapshot(customer: Customer) -> tuple:
    customer.refresh_from_db()
    return (
        customer.owner_id,
        customer.in_pool,
        customer.claimed_at,
        audit.history(customer).count(),
        sorted(visibility.object_keys(customer)),
    )


# --- the state -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "open_deal_", "status", "until"),
    [
        (10, False, protection.Status.PROTECTED, days_ago(10) + datetime.timedelta(days=90)),
        (80, False, protection.Status.LAPSING, days_ago(80) + datetime.timedelta(days=90)),
        (76, False, protection.Status.LAPSING, days_ago(76) + datetime.timedelta(days=90)),
        (75, False, protection.Status.PROTECTED, days_ago(75) + datetime.timedelta(days=90)),
        (90, False, protection.Status.LAPSING, TODAY),
        (91, False, protection.Status.LAPSED, TODAY - datetime.timedelta(days=1)),
        (400, True, protection.Status.OPEN_DEAL, None),
    ],
)
def test_state_follows_the_rules(last, open_deal_, status, until):
    rules = ProtectionRules()  # the defaults: 90 days, warned 14 days before
    customer = Customer(last_activity_on=days_ago(last), has_open_deal=open_deal_)
    state = protection.state_of(customer, rules, TODAY)
    assert (state.status, state.protected_until) == (status, until)


def test_the_sql_filters_agree_with_the_state(people):
    rules = ProtectionRules()
    ages = [0, 10, 75, 76, 89, 90, 91, 200]
    customers = {
        n: age(actions.create_customer(acting_user=people["sales1"], name=f"Firm {n}"), n)
        for n in ages
    }
    queryset = Customer.objects.all()
    for selector, statuses in [
        (protection.lapsed, {protection.Status.LAPSED}),
        (protection.lapsing, {protection.Status.LAPSING}),
        (
            protection.protected,
            {protection.Status.PROTECTED, protection.Status.LAPSING},
        ),
    ]:
        got = set(selector(queryset, rules, TODAY).values_list("pk", flat=True))
        wanted = {
            c.pk
            for c in customers.values()
            if protection.state_of(c, rules, TODAY).status in statuses
        }
        assert got == wanted, selector.__name__


def test_rules_are_one_row_with_defaults_and_checked():
    assert ProtectionRules.current().protection_days == 90
    rules = ProtectionRules(protection_days=10, warning_days=10)
    with pytest.raises(ValidationError) as exc:
        rules.full_clean()
    assert "warning_days" in exc.value.message_dict
    ProtectionRules(protection_days=30).save()
    ProtectionRules(protection_days=45).save()
    assert ProtectionRules.objects.count() == 1
    assert ProtectionRules.current().protection_days == 45


# --- the worker ----------------------------------------------------------------------------


def test_worker_warns_once_then_moves_to_the_pool(people, customer):
    owner = people["sales1"]
    age(customer, 80)
    assert run() == 1
    warning = Notification.objects.get(user=owner, message="records.customer_protection_lapsing")
    assert customer.name in warning.render("en")[0]
    assert run() == 0  # warned once per lapse date
    assert Notification.objects.filter(message="records.customer_protection_lapsing").count() == 1
    customer.refresh_from_db()
    assert not customer.in_pool

    assert run(TODAY + datetime.timedelta(days=11)) == 1
    customer.refresh_from_db()
    assert customer.in_pool and customer.pooled_at
    entry = audit.history(customer).first()
    assert entry.action == "customer.pooled" and entry.actor is None
    assert str(entry.action_label) == "Protection lapsed: moved to the public pool"
    assert Notification.objects.filter(user=owner, message="records.customer_pooled").exists()
    assert run(TODAY + datetime.timedelta(days=12)) == 0  # moved once


def test_an_open_deal_or_a_done_activity_keeps_the_customer(people, customer):
    deal = open_deal(customer, people["sales1"])
    age(customer, 300)
    run()
    customer.refresh_from_db()
    assert customer.has_open_deal and not customer.in_pool  # facts refreshed, then decided

    from portal.records.deals import actions as deal_actions

    deal_actions.lose_deal(deal, acting_user=people["sales1"], reason="价格")
    age(customer, 300)
    Customer.objects.filter(pk=customer.pk).update(has_open_deal=True)  # stale: the deal closed
    run(timezone.localdate() + datetime.timedelta(days=200))
    customer.refresh_from_db()
    assert not customer.has_open_deal and customer.in_pool


def test_protection_switched_off_moves_nothing(people, customer):
    ProtectionRules(enabled=False).save()
    age(customer, 500)
    assert run() == 0
    customer.refresh_from_db()
    assert not customer.in_pool


# --- claiming ------------------------------------------------------------------------------


def test_a_rep_claims_a_pool_customer(people):
    customer = pooled(people)
    sales2 = people["sales2"]
    assert not customer_policy.is_visible(sales2, customer)
    assert customer in customer_policy.pool_visible_to(sales2)
    with capture_events() as events:
        actions.claim_customer(customer, acting_user=sales2)
    customer.refresh_from_db()
    assert customer.owner == sales2 and not customer.in_pool and customer.claimed_at
    assert customer_policy.is_visible(sales2, customer)
    assert not customer_policy.is_visible(people["sales1"], customer)
    entry = audit.history(customer).first()
    assert entry.action == "customer.claimed" and entry.actor == sales2
    assert entry.changes == {"owner": [str(people["sales1"]), str(sales2)]}
    assert "records.customer_claimed" in events.names
    assert protection.state_of(customer, ProtectionRules()).status == protection.Status.PROTECTED


def test_claiming_at_the_limit_is_refused_and_changes_nothing(people):
    ProtectionRules(claim_limit=1).save()
    first = pooled(people, "第一家")
    second = pooled(people, "第二家")
    actions.claim_customer(first, acting_user=people["sales2"])
    before = snapshot(second)
    with pytest.raises(actions.ClaimLimitReached) as exc:
        actions.claim_customer(second, acting_user=people["sales2"])
    assert "1" in exc.value.messages[0] and "Nothing was claimed" in exc.value.messages[0]
    assert snapshot(second) == before


def test_who_may_not_claim_is_refused_and_nothing_changes(people):
    customer = pooled(people)
    before = snapshot(customer)
    for name in ("editor", "newhire"):
        with pytest.raises(PermissionDenied):
            actions.claim_customer(customer, acting_user=people[name])
    assert snapshot(customer) == before


def test_a_claimed_customer_cannot_be_claimed_again(people):
    customer = pooled(people)
    actions.claim_customer(customer, acting_user=people["sales2"])
    before = snapshot(customer)
    with pytest.raises(ValidationError):
        actions.claim_customer(customer, acting_user=people["manager"])
    assert snapshot(customer) == before


# --- protected duplicates -------------------------------------------------------------------


def test_registering_a_protected_duplicate_is_refused(people, customer):
    for allow in (False, True):
        with pytest.raises(actions.ProtectedDuplicate) as exc:
            actions.create_customer(
                acting_user=people["sales2"], name=customer.name, allow_duplicate=allow
            )
        assert str(people["sales1"]) in exc.value.messages[0]
        assert customer.code not in exc.value.messages[0]
    assert Customer.objects.count() == 1


def test_a_lapsed_or_own_duplicate_only_warns(people, customer):
    with pytest.raises(actions.DuplicateCustomer):
        actions.create_customer(acting_user=people["sales1"], name=customer.name)
    age(customer, 200)
    with pytest.raises(actions.DuplicateCustomer):
        actions.create_customer(acting_user=people["sales2"], name=customer.name)
    actions.create_customer(acting_user=people["sales2"], name=customer.name, allow_duplicate=True)
    assert Customer.objects.count() == 2


def test_asking_the_owner_to_share_tells_the_owner(people, customer):
    token = actions.share_request_token(customer, people["sales2"])
    with capture_events():
        actions.ask_owner_to_share(token, acting_user=people["sales2"])
    notice = Notification.objects.get(message="records.customer_share_asked")
    assert notice.user == people["sales1"]
    assert notice.render("en")[0] == (
        f"{people['sales2']} asks you to share customer {customer.name}"
    )
    # The ticket is the registrant's own: nobody else can use it.
    with pytest.raises(ValidationError):
        actions.ask_owner_to_share(token, acting_user=people["manager"])
    with pytest.raises(ValidationError):
        actions.ask_owner_to_share("forged", acting_user=people["sales2"])
    assert Notification.objects.filter(message="records.customer_share_asked").count() == 1


# --- pages ---------------------------------------------------------------------------------


def test_register_page_refuses_and_names_only_the_owner(client_for, people, customer):
    client = client_for(people["sales2"])
    response = client.post(
        reverse("records:customer_create"),
        {"name": customer.name, "level": "C", "allow_duplicate": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="protected-duplicate"' in page and str(people["sales1"]) in page
    assert customer.code not in page and customer.phone not in page
    assert customer.get_absolute_url() not in page
    assert Customer.objects.count() == 1
    token = response.context["refusal"]["token"]
    with capture_events():
        response = client.post(reverse("records:customer_ask_to_share"), {"token": token})
    assert response.status_code == 302
    assert Notification.objects.filter(
        user=people["sales1"], message="records.customer_share_asked"
    ).exists()


def test_pool_page_lists_and_claims(client_for, people):
    customer = pooled(people)
    client = client_for(people["sales2"])
    page = client.get(reverse("records:customer_pool")).content.decode()
    assert customer.name in page and "Claim" in page
    response = client.post(reverse("records:customer_pool_claim", args=[customer.pk]))
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    customer.refresh_from_db()
    assert customer.owner == people["sales2"]


def test_pool_page_claim_at_the_limit_says_why(client_for, people):
    ProtectionRules(claim_limit=0).save()
    customer = pooled(people)
    before = snapshot(customer)
    client = client_for(people["sales2"])
    response = client.post(reverse("records:customer_pool_claim", args=[customer.pk]), follow=True)
    assert "the most allowed" in response.content.decode()
    assert snapshot(customer) == before


def test_pool_page_refuses_without_customer_records(client_for, people, make_user):
    outsider = make_user("outsider", None, "east")
    customer = pooled(people)
    before = snapshot(customer)
    client = client_for(outsider)
    assert client.get(reverse("records:customer_pool")).status_code == 403
    assert (
        client.post(reverse("records:customer_pool_claim", args=[customer.pk])).status_code == 404
    )
    assert snapshot(customer) == before


def test_pool_page_filters(client_for, people):
    east = pooled(people, "East Works")
    west = actions.create_customer(
        acting_user=people["sales1"], name="West Works", region="southwest"
    )
    age(west, 200)
    run()
    client = client_for(people["sales2"])
    page = client.get(reverse("records:customer_pool"), {"region": "southwest"}).content.decode()
    assert "West Works" in page and east.name not in page
    page = client.get(reverse("records:customer_pool"), {"q": "east"}).content.decode()
    assert east.name in page and "West Works" not in page


@pytest.mark.parametrize("rows", [1, 30])
def test_pool_page_queries_are_constant(rows, client_for, people, django_assert_num_queries):
    for n in range(rows):
        customer = actions.create_customer(acting_user=people["sales1"], name=f"Pool firm {n}")
        age(customer, 200)
    run()
    client = client_for(people["sales2"])
    client.get(reverse("records:customer_pool"))  # warm the session and permission caches
    with django_assert_num_queries(8):
        response = client.get(reverse("records:customer_pool"))
    assert response.status_code == 200
    assert len(response.context["page"].items) == min(rows, 25)


def test_customer_page_shows_the_protection_state(client_for, people, customer):
    page = client_for(people["sales1"]).get(customer.get_absolute_url()).content.decode()
    assert 'id="protection-state"' in page and "Protected" in page


# --- API -----------------------------------------------------------------------------------


def test_api_pool_list_and_claim(api_client, people):
    customer = pooled(people)
    api_client.force_authenticate(people["sales2"])
    body = api_client.get("/api/v1/customer-pool/").json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == customer.name
    assert body["results"][0]["previous_owner"] == "sales1"
    assert "phone" not in body["results"][0]
    response = api_client.post(f"/api/v1/customer-pool/{customer.pk}/claim/")
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == "sales2"
    assert api_client.get("/api/v1/customer-pool/").json()["count"] == 0
    # Claimed: no longer in the pool.
    assert api_client.post(f"/api/v1/customer-pool/{customer.pk}/claim/").status_code == 404


def test_api_claim_at_the_limit_is_409_and_changes_nothing(api_client, people):
    ProtectionRules(claim_limit=0).save()
    customer = pooled(people)
    before = snapshot(customer)
    api_client.force_authenticate(people["sales2"])
    response = api_client.post(f"/api/v1/customer-pool/{customer.pk}/claim/")
    assert response.status_code == 409
    assert "Nothing was claimed" in response.json()["detail"]
    assert snapshot(customer) == before


def test_api_claim_refused_for_the_editor_and_changes_nothing(api_client, people):
    customer = pooled(people)
    before = snapshot(customer)
    api_client.force_authenticate(people["editor"])
    response = api_client.post(f"/api/v1/customer-pool/{customer.pk}/claim/")
    assert response.status_code in (403, 404)
    assert snapshot(customer) == before


def test_api_create_of_a_protected_duplicate_is_409_with_a_share_request(
    api_client, people, customer
):
    api_client.force_authenticate(people["sales2"])
    response = api_client.post(
        "/api/v1/customers/", {"name": customer.name, "allow_duplicate": True}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["protected_by"] == "sales1" and "duplicates" not in body
    assert customer.code not in response.content.decode()
    assert Customer.objects.count() == 1
    response = api_client.post(
        "/api/v1/customer-share-requests/", {"token": body["share_request"]}, format="json"
    )
    assert response.status_code == 202 and response.json() == {"owner": "sales1"}
    bad = api_client.post("/api/v1/customer-share-requests/", {"token": "x"}, format="json")
    assert bad.status_code == 400 and "token" in bad.json()


@pytest.mark.parametrize("rows", [1, 30])
def test_api_pool_list_queries_are_constant(rows, api_client, people, django_assert_num_queries):
    for n in range(rows):
        customer = actions.create_customer(acting_user=people["sales1"], name=f"Pool firm {n}")
        age(customer, 200)
    run()
    api_client.force_authenticate(people["sales2"])
    api_client.get("/api/v1/customer-pool/")
    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/customer-pool/")
    assert response.json()["count"] == rows


# --- My tasks ------------------------------------------------------------------------------


def test_my_tasks_lists_my_customers_about_to_lapse(people, customer):
    Customer.objects.filter(pk=customer.pk).update(
        last_activity_on=timezone.localdate() - datetime.timedelta(days=80)
    )
    tasks = [t for t in core_tasks.tasks_for(people["sales1"]) if t.kind == "customers.protection"]
    assert [t.object_id for t in tasks] == [customer.pk]
    assert tasks[0].due == timezone.localdate() + datetime.timedelta(days=10)
    # The manager sees the customer, but it is not his to keep.
    assert not [
        t for t in core_tasks.tasks_for(people["manager"]) if t.kind == "customers.protection"
    ]


# --- the customer list's protection filter ----------------------------------------------------


def test_customer_list_filters_by_protection(client_for, people, customer, api_client):
    today = timezone.localdate()
    gone = pooled(people, "Already Pooled Ltd")
    lapsing = actions.create_customer(acting_user=people["sales1"], name="Soon Gone Ltd")
    Customer.objects.filter(pk=lapsing.pk).update(
        last_activity_on=today - datetime.timedelta(days=85)
    )
    client = client_for(people["sales1"])
    for state, expected in [
        ("lapsing", {lapsing.name}),
        ("pool", {gone.name}),
        ("protected", {customer.name, lapsing.name}),
    ]:
        page = client.get(reverse("records:customer_list"), {"protection": state})
        names = {c.name for c in page.context["page"].items}
        assert names == expected, state
    page = client.get(reverse("records:customer_list"), {"protection": "pool"}).content.decode()
    assert "In the public pool" in page
    api_client.force_authenticate(people["sales1"])
    body = api_client.get("/api/v1/customers/", {"protection": "lapsing"}).json()
    assert [row["name"] for row in body["results"]] == [lapsing.name]
    # an unknown value is no filter, not an error
    assert client.get(reverse("records:customer_list"), {"protection": "x"}).status_code == 200


def test_the_previous_owner_sees_the_pool_state_and_may_claim_back(client_for, people):
    customer = pooled(people)
    page = client_for(people["sales1"]).get(customer.get_absolute_url()).content.decode()
    assert "In the public pool" in page
    assert reverse("records:customer_pool_claim", args=[customer.pk]) in page


def test_administrators_edit_the_one_row_of_rules(client_for, people):
    from django.urls import reverse as url

    client = client_for(people["admin"])
    add = url("admin:records_protectionrules_add")
    response = client.post(
        add,
        {"enabled": "on", "protection_days": "60", "warning_days": "70", "claim_limit": "5"},
    )
    assert response.status_code == 200 and not ProtectionRules.objects.exists()  # refused
    response = client.post(
        add,
        {"enabled": "on", "protection_days": "60", "warning_days": "7", "claim_limit": "5"},
    )
    assert response.status_code == 302
    assert ProtectionRules.current().protection_days == 60
    assert client.get(add).status_code == 403  # one row only
    assert client.get(url("admin:records_protectionrules_delete", args=[1])).status_code == 403


def test_a_call_logged_on_a_customer_without_a_deal_keeps_it_protected(people, customer):
    """Activities on a customer alone (decision 1001) count like a deal's (ADR 1002)."""
    from portal.records.deals import actions as deal_actions

    age(customer, 300)
    with capture_events():  # the activity's event refreshes the customer's facts on commit
        deal_actions.create_activity(
            customer=customer,
            acting_user=people["sales1"],
            kind="call",
            subject="回访",
            status="done",
        )
    customer.refresh_from_db()
    assert customer.last_activity_on == timezone.localdate()
    run()
    customer.refresh_from_db()
    assert not customer.in_pool
