"""Hostile numbers in the records (issue 17, ADR 0801): ids past 64 bits in filters, forms, bulk
actions and API bodies are 400s or field errors naming the field, amounts the column cannot
hold are refused, and nothing is written; a stored amount out of range never breaks the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from portal.records.models import (
    Contact,
    Customer,
    Deal,
    DealCompetitor,
    DealReminder,
    Payment,
    PaymentInstallment,
    ServiceCase,
)
from portal.records.service import actions as service_actions
from tests.records.deal_helpers import open_deal, won_deal

pytestmark = pytest.mark.django_db

HUGE = str(2**63)
HUGER = "9" * 40
HOSTILE_IDS = [HUGE, HUGER, "-3", "abc", "1.5"]


def _state():
    """Row counts of everything these forms could write."""
    return (
        Customer.objects.count(),
        Contact.objects.count(),
        Deal.objects.count(),
        DealCompetitor.objects.count(),
        DealReminder.objects.count(),
        Payment.objects.count(),
        PaymentInstallment.objects.count(),
        ServiceCase.objects.count(),
    )


# --- API list filters ---------------------------------------------------------------------


API_FILTERS = [
    ("/api/v1/customers/", "owner"),
    ("/api/v1/contacts/", "customer"),
    ("/api/v1/deals/", "stage"),
    ("/api/v1/deals/", "owner"),
    ("/api/v1/deals/", "customer"),
    ("/api/v1/activities/", "deal"),
    ("/api/v1/reminders/", "deal"),
    ("/api/v1/service-cases/", "customer"),
    ("/api/v1/service-cases/", "product"),
]


@pytest.mark.parametrize(("path", "param"), API_FILTERS)
@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_api_id_filters_refuse_what_is_not_a_64_bit_id_with_the_field_named(
    people, api_client, path, param, value
):
    api_client.force_authenticate(people["admin"])
    response = api_client.get(path, {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


def test_api_id_filters_still_filter(people, customer, api_client):
    deal = open_deal(customer, people["sales1"], name="Filtered")
    other = actions.create_customer(acting_user=people["sales1"], name="Another Co")
    open_deal(other, people["sales1"], name="Not this one")
    deal_actions.create_activity(
        deal, acting_user=people["sales1"], subject="Call them", due_at=timezone.now()
    )
    api_client.force_authenticate(people["sales1"])
    deals = api_client.get("/api/v1/deals/", {"customer": customer.pk}).json()["results"]
    assert [row["name"] for row in deals] == ["Filtered"]
    owned = api_client.get("/api/v1/deals/", {"owner": people["sales1"].pk}).json()["results"]
    assert len(owned) == 2
    contacts = api_client.get("/api/v1/contacts/", {"customer": other.pk}).json()["results"]
    assert contacts == []
    activities = api_client.get("/api/v1/activities/", {"deal": deal.pk}).json()["results"]
    assert [row["subject"] for row in activities] == ["Call them"]
    customers = api_client.get("/api/v1/customers/", {"owner": people["sales2"].pk}).json()
    assert customers["results"] == []


# --- web list filters ---------------------------------------------------------------------


WEB_FILTERS = [
    ("records:customer_list", "owner"),
    ("records:deal_list", "stage"),
    ("records:deal_list", "owner"),
    ("records:deal_list", "customer"),
    ("records:service_case_list", "customer"),
    ("records:service_case_list", "product"),
    ("records:support_question_list", "customer"),
    ("records:service_record_list", "customer"),
    ("records:service_case_create", "customer"),
    ("records:service_record_create", "customer"),
    ("records:deal_create", "customer"),
]


@pytest.mark.parametrize(("name", "param"), WEB_FILTERS)
@pytest.mark.parametrize("value", [HUGE, HUGER, "-3"])
def test_web_list_filters_ignore_impossible_ids(people, customer, client_for, name, param, value):
    open_deal(customer, people["sales1"], name="Still listed")
    response = client_for(people["admin"]).get(reverse(name), {param: value})
    assert response.status_code == 200


def test_a_web_filter_with_a_real_id_still_filters(people, customer, client_for):
    open_deal(customer, people["sales1"], name="Mine")
    other = actions.create_customer(acting_user=people["sales2"], name="North Retail Ltd")
    open_deal(other, people["sales2"], name="Theirs")
    page = client_for(people["admin"]).get(reverse("records:deal_list"), {"customer": other.pk})
    text = page.content.decode()
    assert "Theirs" in text and "Mine" not in text


# --- bulk actions ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [HUGE, HUGER, "-1"])
def test_a_bulk_action_on_impossible_ids_selects_nothing_and_changes_nothing(
    people, customer, client_for, value
):
    before = (_state(), Customer.objects.get().owner_id)
    response = client_for(people["admin"]).post(
        reverse("records:customers_bulk"),
        {"ids": [value], "action": "transfer", "to_user": people["sales2"].pk},
    )
    assert response.status_code == 302
    assert (_state(), Customer.objects.get().owner_id) == before


def test_a_bulk_action_with_real_and_impossible_ids_acts_on_the_real_ones(
    people, customer, client_for
):
    client_for(people["admin"]).post(
        reverse("records:customers_bulk"),
        {"ids": [HUGE, str(customer.pk)], "action": "transfer", "to_user": people["sales2"].pk},
    )
    customer.refresh_from_db()
    assert customer.owner == people["sales2"]


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_mail_and_labels_ignore_impossible_contact_ids(people, customer, client_for, value):
    client = client_for(people["sales1"])
    response = client.post(reverse("records:mail_compose"), {"contacts": [value]})
    assert response.status_code == 200
    response = client.post(
        reverse("records:contact_labels", args=[customer.pk]), {"contacts": [value]}
    )
    assert response.status_code == 200


# --- deal forms -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["stage", "contacts", "co_owners", "products"])
@pytest.mark.parametrize("value", [HUGE, HUGER, "-" + HUGE])
def test_the_deal_form_refuses_impossible_choices(people, customer, client_for, field, value):
    before = _state()
    data = {"customer_code": customer.code, "name": "Hostile", "amount": "1", field: value}
    response = client_for(people["sales1"]).post(reverse("records:deal_create"), data)
    assert response.status_code == 400  # the form again, with its errors
    assert field in response.context["form"].errors
    assert _state() == before


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_the_deal_form_with_an_impossible_customer_id_is_a_field_error(
    people, customer, client_for, value
):
    before = _state()
    response = client_for(people["sales1"]).post(
        reverse("records:deal_create"), {"customer_code": value, "name": "Hostile"}
    )
    assert response.status_code == 400  # the form again, with its errors
    assert "customer_code" in response.context["form"].errors
    assert _state() == before


@pytest.mark.parametrize("amount", ["1e309", "1e26", "9.2e18", "-1", "NaN", "Infinity"])
def test_an_impossible_deal_amount_is_a_field_error(people, customer, client_for, amount):
    before = _state()
    data = {"customer_code": customer.code, "name": "Hostile", "amount": amount}
    response = client_for(people["sales1"]).post(reverse("records:deal_create"), data)
    assert response.status_code == 400  # the form again, with its errors
    assert "amount" in response.context["form"].errors
    assert _state() == before


@pytest.mark.parametrize(
    ("url_name", "prefix", "data"),
    [
        ("records:deal_competitor_add", "competitor", {"competitor": HUGE, "name": "Rival"}),
        (
            "records:deal_reminder_add",
            "reminder",
            {"people": HUGE, "due_at": "2026-12-01T10:00", "subject": "Call"},
        ),
    ],
)
def test_deal_side_forms_refuse_impossible_choices(
    people, customer, client_for, url_name, prefix, data
):
    deal = open_deal(customer, people["sales1"])
    before = _state()
    response = client_for(people["sales1"]).post(
        reverse(url_name, args=[deal.pk]), {f"{prefix}-{k}": v for k, v in data.items()}
    )
    assert response.status_code == 400  # the deal page again, with the form's errors
    assert _state() == before


@pytest.mark.parametrize("value", [HUGE, HUGER, "abc", "a\x00b", ""])
def test_the_stage_selector_refuses_what_is_not_a_stage(people, customer, client_for, value):
    deal = open_deal(customer, people["sales1"])
    stage = deal.stage_id
    response = client_for(people["sales1"]).post(
        reverse("records:deal_stage", args=[deal.pk]), {"stage": value}, follow=True
    )
    assert response.status_code == 200
    assert "Choose a stage." in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage_id == stage


# --- payment and payment-plan amounts ---------------------------------------------------------

IMPOSSIBLE_AMOUNTS = ["1e309", "1e26", "9.2e18", "123456789012345", "-5", "1.005"]


@pytest.mark.parametrize("amount", IMPOSSIBLE_AMOUNTS)
@pytest.mark.parametrize(
    ("url_name", "prefix", "extra"),
    [
        ("records:deal_payment_add", "payment", {"received_on": "2026-11-20"}),
        ("records:deal_installment_add", "plan", {"due_on": "2026-12-20"}),
    ],
)
def test_an_impossible_payment_amount_is_a_field_error_and_nothing_is_stored(
    people, customer, client_for, amount, url_name, prefix, extra
):
    deal = won_deal(customer, people["sales1"])
    before = _state()
    data = {f"{prefix}-amount": amount, **{f"{prefix}-{k}": v for k, v in extra.items()}}
    response = client_for(people["sales1"]).post(reverse(url_name, args=[deal.pk]), data)
    assert response.status_code == 400  # the form again, with its errors
    form = response.context["payment_form" if prefix == "payment" else "installment_form"]
    assert "amount" in form.errors
    assert _state() == before
    assert client_for(people["sales1"]).get(deal.get_absolute_url()).status_code == 200


def test_the_largest_amount_the_column_holds_is_accepted(people, customer, client_for):
    deal = won_deal(customer, people["sales1"])
    response = client_for(people["sales1"]).post(
        reverse("records:deal_payment_add", args=[deal.pk]),
        {"payment-amount": "999999999999.99", "payment-received_on": "2026-11-20"},
    )
    assert response.status_code == 302
    assert Payment.objects.get().amount == Decimal("999999999999.99")


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite stores what its column cannot hold"
)
@pytest.mark.parametrize("stored", [1e26, 9.2e18, 1e300])
def test_a_deal_page_with_an_amount_stored_out_of_range_still_renders(
    people, customer, client_for, stored
):
    """Written before the bounds existed: SQLite kept the number as a float, and every read of
    the row raised — the deal page was a 500 for everyone who could see it."""
    deal = won_deal(customer, people["sales1"])
    deal_actions.record_payment(deal, acting_user=people["sales1"], amount=Decimal("10"))
    deal_actions.add_installment(
        deal, acting_user=people["sales1"], amount=Decimal("10"), due_on=deal.closed_on
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_payment SET amount = %s", [stored])
        cursor.execute("UPDATE records_paymentinstallment SET amount = %s", [stored])
        cursor.execute("UPDATE records_deal SET amount = %s", [stored])
    for username in ("sales1", "manager", "admin"):
        response = client_for(people[username]).get(deal.get_absolute_url())
        assert response.status_code == 200, username
    # a later form error on that deal renders the page too
    response = client_for(people["sales1"]).post(
        reverse("records:deal_payment_add", args=[deal.pk]), {"payment-amount": "1e26"}
    )
    assert response.status_code == 400  # the form again, with its errors


# --- service forms --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["product", "category", "about_person"])
@pytest.mark.parametrize("value", [HUGE, HUGER, "-" + HUGE])
def test_the_complaint_form_refuses_impossible_choices(people, customer, client_for, field, value):
    before = _state()
    data = {
        "customer": customer.code,
        "title": "打印机卡纸",
        "category": service_actions.default_service_category("quality").pk,
        "severity": "normal",
        "channel": "phone",
        "description": "每天卡纸",
        field: value,
    }
    response = client_for(people["service"]).post(reverse("records:service_case_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _state() == before


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_the_complaint_form_with_an_impossible_customer_id_is_a_field_error(
    people, customer, client_for, value
):
    before = _state()
    data = {"customer": value, "title": "x", "description": "y", "channel": "phone"}
    response = client_for(people["service"]).post(reverse("records:service_case_create"), data)
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert _state() == before


@pytest.mark.parametrize("value", [HUGE, HUGER, "-1"])
def test_the_question_form_refuses_an_impossible_qa_entry(people, customer, client_for, value):
    from portal.records.models import SupportQuestion

    response = client_for(people["service"]).post(
        reverse("records:support_question_create"),
        {"customer": customer.code, "question": "怎么换纸?", "qa_entry": value},
    )
    assert response.status_code == 200
    assert "qa_entry" in response.context["form"].errors
    assert not SupportQuestion.objects.exists()


# --- API bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [2**63, 10**40, -1, 0])
@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("/api/v1/contacts/", "customer", {"name": "X"}),
        ("/api/v1/deals/", "customer", {"name": "X"}),
        ("/api/v1/activities/", "deal", {"subject": "X", "status": "done"}),
        ("/api/v1/reminders/", "deal", {"subject": "X", "due_at": "2026-12-01T10:00:00Z"}),
    ],
)
def test_api_bodies_with_impossible_ids_are_field_errors(
    people, customer, api_client, value, path, field, body
):
    before = _state()
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(path, {**body, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert _state() == before


@pytest.mark.parametrize("field", ["customer", "contact", "deal", "product"])
@pytest.mark.parametrize("value", [2**63, 10**40, -1])
def test_registering_a_complaint_with_impossible_ids_is_a_field_error(
    people, customer, api_client, field, value
):
    api_client.force_authenticate(people["service"])
    body = {"customer": customer.pk, "title": "x", "description": "y", field: value}
    response = api_client.post("/api/v1/service-cases/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ServiceCase.objects.exists()


@pytest.mark.parametrize("amount", ["1e309", "1e26", "9.2e18", "-1"])
def test_an_impossible_deal_amount_through_the_api_is_a_field_error(
    people, customer, api_client, amount
):
    before = _state()
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/deals/", {"name": "X", "customer": customer.pk, "amount": amount}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert _state() == before


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_huge_ids_in_record_paths_are_404(people, customer, api_client, client_for, value):
    api_client.force_authenticate(people["admin"])
    for path in ("customers", "contacts", "deals", "activities", "reminders", "service-cases"):
        assert api_client.get(f"/api/v1/{path}/{value}/").status_code == 404, path
    client = client_for(people["admin"])
    for path in ("customers", "deals", "service"):
        assert client.get(f"/records/{path}/{value}/").status_code == 404, path


@pytest.mark.parametrize("action", ["win", "lose", "handover"])
@pytest.mark.parametrize("body", [[None, None], 5, "text"])
def test_a_deal_action_with_a_body_that_is_not_an_object_is_a_400(
    people, customer, api_client, action, body
):
    deal = open_deal(customer, people["sales1"])
    before = (deal.state, deal.owner_id, deal.updated_at)
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(f"/api/v1/deals/{deal.pk}/{action}/", body, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()
    deal.refresh_from_db()
    assert (deal.state, deal.owner_id, deal.updated_at) == before


@pytest.mark.parametrize("due_at", ["0300-05-16T08:50:00Z", "1900-06-30T12:00:00Z"])
def test_a_reminder_or_activity_before_1970_is_a_field_error(people, customer, api_client, due_at):
    """Until 1901 Shanghai's offset was +08:05:43, which no RFC 3339 date-time can write."""
    deal = open_deal(customer, people["sales1"])
    before = _state()
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/reminders/", {"deal": deal.pk, "subject": "x", "due_at": due_at}, format="json"
    )
    assert response.status_code == 400 and "due_at" in response.json()
    response = api_client.post(
        "/api/v1/activities/", {"deal": deal.pk, "subject": "x", "due_at": due_at}, format="json"
    )
    assert response.status_code == 400 and "due_at" in response.json()
    assert _state() == before
    assert not deal.activities.exists()


# --- CSV import: refused characters -----------------------------------------------------------


def _csv(rows):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("customers.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def _checked(job, user):
    from portal.records.customers import imports
    from portal.records.models import ImportJob

    while job.status == ImportJob.Status.VALIDATING:
        job = imports.check_next_chunk(job, user)
    return job


def test_nul_characters_in_an_import_are_reported_row_by_row_and_nothing_is_imported(people):
    from portal.records.customers import imports
    from portal.records.models import ImportJob

    rows = [
        ["name", "city", "notes"],
        ["Good Co", "Shanghai", ""],
        ["Bad\x00Name Ltd", "Beijing", ""],
        ["Also Good Co", "Wuhan", "fine"],
        ["Quiet Co", "Xi\x00an", "a\x00b"],
    ]
    job = imports.start_import(kind="customers", upload=_csv(rows), user=people["sales1"])
    assert "\x00" not in str(job.rows)  # nothing a jsonb column cannot hold
    job = _checked(job, people["sales1"])
    assert job.status == ImportJob.Status.INVALID
    problems = {(e["line"], e["field"]) for e in job.errors}
    assert {(3, "name"), (5, "city"), (5, "notes")} <= problems
    assert not any(line in (2, 4) for line, _field in problems)
    assert [e["line"] for e in job.errors] == sorted(e["line"] for e in job.errors)
    with pytest.raises(ValidationError):
        actions.import_job_commit(job, acting_user=people["sales1"])
    assert not Customer.objects.exists()


def test_a_nul_reaching_the_commit_fails_the_whole_import(people):
    """All or nothing even if a row with NUL got past the check (a job marked ready)."""
    from portal.records.models import ImportJob

    job = ImportJob.objects.create(
        kind="customers",
        filename="x.csv",
        rows=[{"name": "Good Co"}, {"name": "Bad\ufffdName"}],
        created_by=people["sales1"],
        status=ImportJob.Status.READY,
    )
    job.rows[1]["name"] = "Bad\x00Name"  # in memory only: what the commit is handed
    assert actions.import_job_commit(job, acting_user=people["sales1"]) == 0
    assert not Customer.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert [(e["line"], e["field"]) for e in job.errors] == [(3, "name")]


# --- the schema says what the answers are ------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_declares_the_records_answers(schema):
    from portal.core.bounds import MAX_ID

    case = schema["components"]["schemas"]["ServiceCase"]["properties"]
    assert case["assignee"].get("nullable") is True
    assert case["assigned_department"].get("nullable") is True
    steps = schema["paths"]["/api/v1/service-cases/{id}/steps/"]
    listed = steps["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["type"] == "array"
    assert "409" in steps["post"]["responses"]
    assert "409" in schema["paths"]["/api/v1/customers/"]["post"]["responses"]
    assert "400" in schema["paths"]["/api/v1/deals/{id}/win/"]["post"]["responses"]
    for path, names in [
        ("/api/v1/customers/", {"owner"}),
        ("/api/v1/contacts/", {"customer"}),
        ("/api/v1/deals/", {"stage", "owner", "customer"}),
        ("/api/v1/activities/", {"deal"}),
        ("/api/v1/reminders/", {"deal"}),
        ("/api/v1/service-cases/", {"customer", "product"}),
    ]:
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        for name in names:
            assert params[name]["schema"]["maximum"] == MAX_ID, (path, name)
            assert params[name]["schema"]["minimum"] == 1, (path, name)
