"""Every records list page and API list endpoint runs an exact, fixed number of queries: the
same for one row as for many (Zulip's `assert_database_query_count`)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.records.customers import actions as customer_actions
from portal.records.deals import actions as deal_actions
from portal.records.models import Customer, Deal
from portal.records.service import actions as service_actions
from tests.records.deal_helpers import open_deal

MANY = 7  # rows added after the first, so the second request shows 1 + MANY rows


def _customers(ctx, start, count):
    return [
        customer_actions.create_customer(
            acting_user=ctx.people["sales1"], name=f"Row {n} 精密机械有限公司", region="east"
        ).name
        for n in range(start, start + count)
    ]


def _contacts(ctx, start, count):
    return [
        customer_actions.create_contact(
            ctx.customer, acting_user=ctx.people["sales1"], name=f"Contact {n}"
        ).name
        for n in range(start, start + count)
    ]


def _binned(ctx, start, count):
    names = _customers(ctx, start, count)
    for customer in Customer.objects.filter(name__in=names):
        customer_actions.delete_customer(customer, acting_user=ctx.people["sales1"])
    return names


def _deals(ctx, start, count):
    return [
        open_deal(ctx.customer, ctx.people["sales1"], name=f"Deal {n}").name
        for n in range(start, start + count)
    ]


def _deal(ctx):
    if ctx.deal is None:
        ctx.deal = open_deal(ctx.customer, ctx.people["sales1"], name="The deal")
    return ctx.deal


def _activities(ctx, start, count):
    return [
        deal_actions.create_activity(
            _deal(ctx),
            acting_user=ctx.people["sales1"],
            kind="call",
            subject=f"Call {n}",
            due_at=timezone.now() + datetime.timedelta(days=n + 1),
        ).subject
        for n in range(start, start + count)
    ]


def _reminders(ctx, start, count):
    return [
        deal_actions.create_deal_reminder(
            _deal(ctx),
            acting_user=ctx.people["sales1"],
            subject=f"Remember {n}",
            due_at=timezone.now() + datetime.timedelta(days=n + 1),
        ).subject
        for n in range(start, start + count)
    ]


def _urges(ctx, start, count):
    names = _deals(ctx, start, count)
    for deal in Deal.objects.filter(name__in=names):
        deal_actions.urge_deal(
            deal,
            acting_user=ctx.people["manager"],
            message="Where are we?",
            due_on=timezone.localdate() + datetime.timedelta(days=3),
        )
    return names


def _cases(ctx, start, count):
    return [
        service_actions.register_complaint(
            acting_user=ctx.people["service"],
            customer=ctx.customer,
            title=f"Case {n}",
            description="The till crashes.",
        ).title
        for n in range(start, start + count)
    ]


def _questions(ctx, start, count):
    return [
        service_actions.create_support_question(
            acting_user=ctx.people["service"], customer=ctx.customer, question=f"Question {n}?"
        ).question
        for n in range(start, start + count)
    ]


def _service_records(ctx, start, count):
    return [
        service_actions.create_service_record(
            acting_user=ctx.people["service"],
            customer=ctx.customer,
            kind="visit",
            content=f"Visit {n}",
        ).content
        for n in range(start, start + count)
    ]


# name: (page URL name or API path, viewer, row maker, exact queries)
PAGES = {
    "customer_list": ("records:customer_list", "sales1", _customers, 8),
    # A manager also gets the transfer form: its reps come from the owner filter's one read.
    "customer_list_manager": ("records:customer_list", "manager", _customers, 8),
    "recycle_bin": ("records:recycle_bin", "sales1", _binned, 6),
    "deal_list": ("records:deal_list", "sales1", _deals, 8),
    "deal_urges": ("records:deal_urges", "manager", _urges, 6),
    "service_case_list": ("records:service_case_list", "manager", _cases, 8),
    "support_question_list": ("records:support_question_list", "service", _questions, 6),
    "service_record_list": ("records:service_record_list", "service", _service_records, 6),
}
API = {
    "customers": ("/api/v1/customers/", "sales1", _customers, 2),
    "contacts": ("/api/v1/contacts/", "sales1", _contacts, 2),
    "deals": ("/api/v1/deals/", "sales1", _deals, 5),
    # + contacts and colleagues invited, one prefetch each (decision 1001)
    "activities": ("/api/v1/activities/", "sales1", _activities, 4),
    "reminders": ("/api/v1/reminders/", "sales1", _reminders, 3),
    "service-cases": ("/api/v1/service-cases/", "manager", _cases, 2),
}


class Context:
    """The viewers, and the customer and deal the rows hang off (made on first use, so the
    customer lists start from exactly one row)."""

    def __init__(self, people):
        self.people, self._customer, self.deal = people, None, None

    @property
    def customer(self):
        if self._customer is None:
            self._customer = customer_actions.create_customer(
                acting_user=self.people["sales1"], name="Base 客户"
            )
        return self._customer


@pytest.fixture
def ctx(people):
    return Context(people)


@pytest.mark.parametrize("name", PAGES)
def test_list_page_queries(name, ctx, client_for, django_assert_num_queries):
    url_name, viewer, make, expected = PAGES[name]
    client = client_for(ctx.people[viewer])
    # given one row
    shown = make(ctx, 0, 1)
    client.get(reverse(url_name))  # warm the session and content-type caches
    with django_assert_num_queries(expected):
        response = client.get(reverse(url_name))
    assert response.status_code == 200 and shown[0] in response.content.decode()
    # when there are many, then the page runs the same queries and shows them all
    shown += make(ctx, 1, MANY)
    with django_assert_num_queries(expected):
        response = client.get(reverse(url_name))
    page = response.content.decode()
    assert [text for text in shown if text not in page] == []


@pytest.mark.parametrize("name", API)
def test_api_list_queries(name, ctx, api_client, django_assert_num_queries):
    path, viewer, make, expected = API[name]
    api_client.force_authenticate(ctx.people[viewer])
    # given one row
    make(ctx, 0, 1)
    api_client.get(path)  # warm the content-type cache
    with django_assert_num_queries(expected):
        response = api_client.get(path)
    assert response.json()["count"] == 1
    # when there are many, then the endpoint runs the same queries and lists them all
    shown = make(ctx, 1, MANY)
    with django_assert_num_queries(expected):
        response = api_client.get(path)
    body = response.json()
    assert body["count"] == 1 + MANY and len(body["results"]) == 1 + MANY
    assert shown[-1] in response.content.decode()
