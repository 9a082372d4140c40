"""My tasks (issue 18 item 1): what waits on the reader, from every domain's source, read through
each domain's visibility; the page, the panel, the count and the API at a fixed query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.core import tasks as core_tasks
from portal.records.deals import actions as deal_actions
from portal.records.models import ServiceCase
from portal.records.service import actions as service_actions
from portal.records.service import policy as service_permissions
from portal.records.service.tasks import cases_waiting_on
from tests.records.deal_helpers import open_deal, won_deal
from tests.records.test_service import committed, register

pytestmark = pytest.mark.django_db


def awaiting_approval(people, customer, title="收银机全部停机"):
    case = register(people, customer, severity="critical", title=title)
    committed(service_actions.assess_case, case, acting_user=people["service"], assessment="停业")
    assert case.status == ServiceCase.Status.PRE_APPROVAL
    return case


def kinds(user) -> list[str]:
    return [task.kind for task in core_tasks.tasks_for(user)]


def test_sources_of_every_domain_are_registered():
    assert {"service.cases", "deals.work", "knowledge.reviews"} <= set(core_tasks.source_names())


def test_the_manager_sees_the_complaints_awaiting_his_approval(people, customer, org):
    case = awaiting_approval(people, customer)
    tasks = core_tasks.tasks_for(people["manager"])
    assert [(t.kind, t.object_id) for t in tasks] == [("service.pre_approval", case.pk)]
    task = tasks[0]
    assert case.number in task.title
    approve = task.actions[0]
    assert approve.method == "post"
    assert approve.url.startswith(
        reverse("records:service_case_step", args=[case.pk, "pre_approve"])
    )
    # Not the rep's, nor the editor's: approving is not their turn.
    assert "service.pre_approval" not in kinds(people["sales1"])
    assert core_tasks.tasks_for(people["editor"]) == []


def test_whose_turn_and_the_task_condition_agree_at_every_step(people, customer, org):
    """The source's condition mirrors `permissions.whose_turn`, step by step of a case's life."""
    case = awaiting_approval(people, customer)
    cast = [people[name] for name in ("manager", "sales1", "sales2", "service", "editor")]

    def check():
        case.refresh_from_db()
        turn = service_permissions.whose_turn(case)
        for person in cast:
            waiting = cases_waiting_on(person).filter(pk=case.pk).exists()
            assert waiting == (person.pk in turn), (case.status, person.username)

    check()
    committed(service_actions.pre_approve_case, case, acting_user=people["manager"])
    check()
    committed(
        service_actions.assign_case,
        case,
        acting_user=people["service"],
        department=org["east"],
        assignee=people["sales1"],
    )
    check()
    committed(
        service_actions.propose_resolution, case, acting_user=people["sales1"], resolution="换"
    )
    check()
    committed(service_actions.approve_resolution, case, acting_user=people["manager"])
    check()
    committed(service_actions.carry_out_case, case, acting_user=people["sales1"], outcome="已换")
    check()


def test_a_task_never_names_a_case_the_reader_cannot_open(people, customer, org, make_user):
    """A manager of another branch holds no key to the case: no task, whatever his role."""
    from portal.accounts import roles
    from portal.accounts.models import Department

    other = make_user("manager2", roles.MANAGERS, "marketing")
    Department.objects.filter(pk=org["marketing"].pk).update(manager=other)
    case = awaiting_approval(people, customer)
    visible = service_permissions.cases_visible_to(other).filter(pk=case.pk).exists()
    assert cases_waiting_on(other).filter(pk=case.pk).exists() == visible


def test_deal_work_of_the_rep(people, customer, org):
    sales1 = people["sales1"]
    now = timezone.now()
    today = timezone.localdate()
    deal = open_deal(customer, sales1, name="收银系统升级")
    deal_actions.create_activity(
        deal,
        acting_user=sales1,
        kind="call",
        subject="回访王芳",
        due_at=now - datetime.timedelta(hours=30),
    )
    deal_actions.create_activity(
        deal,
        acting_user=sales1,
        kind="visit",
        subject="next week",
        due_at=now + datetime.timedelta(days=7),
    )
    deal_actions.urge_deal(deal, acting_user=people["manager"], message="何时签约？", due_on=today)
    won = won_deal(customer, sales1, name="门店扩容")
    deal_actions.add_installment(won, acting_user=sales1, due_on=today, amount=Decimal("1000"))
    deal_actions.add_installment(
        won, acting_user=sales1, due_on=today + datetime.timedelta(days=60), amount=Decimal("500")
    )
    deal_actions.save_contract(
        won,
        acting_user=sales1,
        number="HT-1",
        signed_on=today - datetime.timedelta(days=300),
        ends_on=today + datetime.timedelta(days=10),
        amount=Decimal("1500"),
    )
    tasks = core_tasks.tasks_for(sales1)
    found = sorted(task.kind for task in tasks)
    assert found == ["deals.activity", "deals.contract", "deals.payment", "deals.urge"]
    activity = next(task for task in tasks if task.kind == "deals.activity")
    assert activity.overdue and "回访王芳" in activity.title
    # Another rep sees none of it.
    assert kinds(people["sales2"]) == []
    # The payment is paid: its task goes (and the contract one stays).
    deal_actions.record_payment(won, acting_user=sales1, amount=Decimal("1000"))
    assert "deals.payment" not in kinds(sales1)


def test_empty_page_says_nothing_waits(client_for, people):
    response = client_for(people["editor"]).get(reverse("core:tasks"))
    assert response.status_code == 200
    assert b'id="tasks-empty"' in response.content
    assert b"Nothing waits on you." in response.content


def test_page_is_in_chinese_for_a_chinese_reader(client_for, people, customer, org):
    awaiting_approval(people, customer)
    client = client_for(people["manager"])
    response = client.get(reverse("core:tasks"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.content.decode()
    assert "我的任务" in text
    assert "批准" in text


def test_sign_in_is_required(client, api_client):
    response = client.get(reverse("core:tasks"))
    assert response.status_code == 302
    assert api_client.get("/api/v1/tasks/").status_code in (401, 403)


def test_the_one_click_approval_from_the_list(client_for, people, customer, org):
    case = awaiting_approval(people, customer)
    client = client_for(people["manager"])
    page = client.get(reverse("core:tasks")).content.decode()
    url = reverse("records:service_case_step", args=[case.pk, "pre_approve"])
    assert f'action="{url}?next=/tasks/"' in page
    response = client.post(f"{url}?next=/tasks/", follow=True)
    assert response.redirect_chain[-1][0] == "/tasks/"
    case.refresh_from_db()
    assert case.status == ServiceCase.Status.ASSESSED
    assert f"Complaint {case.number} was approved for assignment." in response.content.decode()
    assert b'id="tasks-empty"' in response.content


def test_next_never_leaves_the_site(client_for, people, customer, org):
    case = awaiting_approval(people, customer)
    url = reverse("records:service_case_step", args=[case.pk, "pre_approve"])
    response = client_for(people["manager"]).post(f"{url}?next=https://evil.example/")
    assert response["Location"] == case.get_absolute_url()


def test_refused_one_click_changes_nothing(client_for, people, customer, org):
    case = awaiting_approval(people, customer)
    url = reverse("records:service_case_step", args=[case.pk, "pre_approve"])
    client_for(people["service"]).post(f"{url}?next=/tasks/")
    case.refresh_from_db()
    assert case.status == ServiceCase.Status.PRE_APPROVAL
    assert not case.steps.filter(kind="pre_approved").exists()


def test_count_endpoint_and_cache(client_for, people, customer, org):
    client = client_for(people["manager"])
    assert client.get(reverse("core:task_count")).json() == {"count": 0}
    awaiting_approval(people, customer)
    # Reading the list recounts (clearing a task from it updates the badge at once).
    client.get(reverse("core:tasks"))
    assert client.get(reverse("core:task_count")).json() == {"count": 1}


def test_api_lists_tasks_paginated(api_client, people, customer, org):
    first = awaiting_approval(people, customer, title="一号店停机")
    awaiting_approval(people, customer, title="二号店停机")
    api_client.force_authenticate(people["manager"])
    body = api_client.get("/api/v1/tasks/", {"page_size": 1}).json()
    assert body["count"] == 2
    assert body["next"] and body["previous"] is None
    row = body["results"][0]
    assert set(row) == {"kind", "title", "detail", "url", "due", "overdue", "object_id", "actions"}
    assert row["kind"] == "service.pre_approval"
    assert {row["object_id"] for row in body["results"]} <= {first.pk, first.pk + 1}
    assert row["actions"][0]["method"] == "post"


def test_api_schema_documents_tasks(api_client, people):
    api_client.force_authenticate(people["admin"])
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/tasks/"]["get"]
    assert operation["operationId"] == "tasks_list"
    properties = schema["components"]["schemas"]["PaginatedTaskList"]["properties"]
    assert {"count", "next", "previous", "results"} <= set(properties)


# --- query counts: the same for one task and for many ------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _fill(people, customer, org, n: int):
    sales1 = people["sales1"]
    today = timezone.localdate()
    for i in range(n):
        case = awaiting_approval(people, customer, title=f"停机 {i}")
        assert case.pk
        deal = open_deal(customer, sales1, name=f"Deal {i}")
        deal_actions.urge_deal(deal, acting_user=people["manager"], message="?", due_on=today)
        deal_actions.create_activity(
            deal,
            acting_user=sales1,
            kind="call",
            subject=f"Call {i}",
            due_at=timezone.now() - datetime.timedelta(hours=1),
        )
        won = won_deal(customer, sales1, name=f"Won {i}")
        deal_actions.add_installment(won, acting_user=sales1, due_on=today, amount=Decimal("10"))


@pytest.mark.parametrize(
    ("username", "url", "expected"),
    [
        # 20, + customers about to lapse (ADR 1002): the protection rules and the customers;
        # a rep + the policy's read of their visibility keys' reach, and the customer policy's
        # bounded count choosing its query shape for activities without a deal (decision 1001);
        # a rep - 1: contracts and plan rows are read from their own side and kept through the
        # deal policy's `narrow`, so no bounded count of the rep's deal keys (ADR 1006)
        ("manager", "/tasks/", 21),
        ("manager", "/api/v1/tasks/", 21),
        ("sales1", "/tasks/", 21),
        ("sales1", "/api/v1/tasks/", 21),
        ("manager", "/", None),
    ],
)
def test_query_count_is_constant(client, people, customer, org, username, url, expected):
    """One task of each kind, then five of each: exactly the same number of queries."""
    user = people[username]
    _fill(people, customer, org, 1)
    client.force_login(user)
    client.get(url)  # warm what is cached per process (content types, site root paths)
    one = _queries(client, url)
    _fill(people, customer, org, 4)
    many = _queries(client, url)
    assert len(core_tasks.tasks_for(user)) >= 5
    assert one == many
    if expected is not None:
        assert one == expected


def test_narrowing_a_few_rows_keeps_exactly_what_the_policies_keep(people, customer, org):
    """My tasks cut rows down first and let the policy ask per row (`narrow`): the same rows
    as `visible_to` for every reader, hidden deals, customer-only activities and the recycle
    bin included."""
    from portal.records.customers import actions as customer_actions
    from portal.records.deals import policy
    from portal.records.models import Activity, DealReminder, DealUrge

    _fill(people, customer, org, 2)
    north = customer_actions.create_customer(acting_user=people["sales2"], name="北方超市")
    hidden = open_deal(north, people["sales2"], name="North deal")
    deal_actions.urge_deal(
        hidden, acting_user=people["manager"], message="?", due_on=timezone.localdate()
    )
    soon = timezone.now() + datetime.timedelta(hours=1)
    for deal in (hidden, None):
        deal_actions.create_activity(
            deal,
            customer=None if deal else north,
            acting_user=people["sales2"],
            kind="call",
            subject="North call",
            due_at=soon,
        )
        deal_actions.create_activity(
            deal,
            customer=None if deal else customer,
            acting_user=people["sales1"] if deal is None else people["sales2"],
            kind="visit",
            subject="Visit",
            due_at=soon,
        )
    deal_actions.create_deal_reminder(
        hidden, acting_user=people["sales2"], subject="North reminder", due_at=soon
    )
    binned = customer_actions.create_customer(acting_user=people["sales1"], name="将删除客户")
    binned_deal = open_deal(binned, people["sales1"], name="Binned deal")
    deal_actions.create_activity(
        binned_deal, acting_user=people["sales1"], kind="call", subject="Gone", due_at=soon
    )
    customer_actions.delete_customer(binned, acting_user=people["sales1"])

    checked = 0
    for person in people.values():
        for model, narrow, visible in (
            (Activity, policy.narrow_activities, policy.activities_visible_to),
            (DealReminder, policy.narrow_reminders, policy.reminders_visible_to),
            (DealUrge, policy.narrow_urges, policy.urge_policy.visible_to),
        ):
            expected = set(visible(person).values_list("pk", flat=True))
            assert set(narrow(model.objects.all(), person).values_list("pk", flat=True)) == (
                expected
            ), (person.username, model.__name__)
            checked += len(expected)
    everything = Activity.objects.count() + DealReminder.objects.count()
    assert checked and everything > len(set(policy.activities_visible_to(people["sales1"])))


def test_contracts_and_payments_read_from_their_side_keep_the_mine_lists_rows(
    people, customer, org
):
    """Contracts ending and plan rows falling due are read from their own side and kept
    through the deal policy's `narrow` (ADR 1006): exactly the tasks the "mine" list's deals
    gave — owned and co-owned deals, others' deals, the recycle bin and
    rows outside the windows included."""
    from portal.records.customers import actions as customer_actions
    from portal.records.deals import policy
    from portal.records.deals import tasks as deal_tasks
    from portal.records.deals.queries import DealFilters, visible_filtered_deals
    from portal.records.models import Contract, PaymentInstallment

    sales1, sales2 = people["sales1"], people["sales2"]
    today = timezone.localdate()
    north = customer_actions.create_customer(acting_user=sales2, name="北方超市")
    binned = customer_actions.create_customer(acting_user=sales1, name="将删除客户")
    deals = [
        won_deal(customer, sales1, name="Own"),
        won_deal(north, sales2, name="Co-owned", co_owners=[sales1]),
        won_deal(north, sales2, name="North"),
        won_deal(binned, sales1, name="Binned"),
        open_deal(customer, sales1, name="Still open"),
    ]
    for index, deal in enumerate(deals[:4]):  # plans and contracts belong to won deals
        for days in (-40, -20, 0, 5, 20, 60):
            deal_actions.add_installment(
                deal,
                acting_user=deal.owner,
                due_on=today + datetime.timedelta(days=days),
                amount=Decimal("100"),
            )
        deal_actions.save_contract(
            deal,
            acting_user=deal.owner,
            number=f"HT-{index}",
            signed_on=today - datetime.timedelta(days=300),
            ends_on=today + datetime.timedelta(days=(-10, 10, 25, 5)[index]),
            amount=Decimal("600"),
        )
    deal_actions.record_payment(deals[0], acting_user=sales1, amount=Decimal("250"))
    customer_actions.delete_customer(binned, acting_user=sales1)
    window = (
        today - deal_tasks.CONTRACT_LOOKBACK,
        today + deal_tasks.CONTRACT_LOOKAHEAD,
    )
    seen = set()
    for person in people.values():
        mine = visible_filtered_deals(person, DealFilters(view="mine")).values("pk")
        contracts = Contract.objects.filter(deal__in=mine, ends_on__range=window)
        assert {task.object_id for task in deal_tasks.contracts_expiring(person)} == set(
            contracts.values_list("pk", flat=True)
        ), person.username
        rows = PaymentInstallment.objects.filter(
            deal__in=mine.filter(state="won"), due_on__lte=today + deal_tasks.PAYMENT_LOOKAHEAD
        )
        payments = {task.object_id for task in deal_tasks.payments_due(person)}
        # the first deal's 250 pays its oldest rows: the 100 due 40 days ago and 20 days ago
        paid = set(rows.filter(deal=deals[0], due_on__lt=today).values_list("pk", flat=True))
        assert payments == set(rows.values_list("pk", flat=True)) - paid, person.username
        seen |= payments | {task.object_id for task in deal_tasks.contracts_expiring(person)}
        for model, narrow in (
            (Contract, policy.narrow_contracts),
            (PaymentInstallment, policy.narrow_installments),
        ):
            visible = model.objects.filter(deal__in=policy.deals_visible_to(person).values("pk"))
            assert set(narrow(model.objects.all(), person).values_list("pk", flat=True)) == set(
                visible.values_list("pk", flat=True)
            ), (person.username, model.__name__)
    assert seen
