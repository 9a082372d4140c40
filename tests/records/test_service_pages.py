"""Service pages and API: registering through the form, steps through POST, the list's filters
and constant query count, statistics and CSV, the customer page panel, /api/v1/service-cases/."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from portal.records.models import ServiceCase
from portal.records.service import actions
from tests.records.test_service import build_knowledge, committed, register


@pytest.fixture
def cases(people, customer, org):
    """Complaints at several steps, one per category, one overdue."""
    service = people["service"]
    made = []
    for n, key in enumerate(["quality", "delivery", "billing", "quality", "other"]):
        case = register(
            people,
            customer,
            title=f"Complaint {n}",
            category=actions.default_service_category(key),
        )
        made.append(case)
    committed(actions.assess_case, made[1], acting_user=service, assessment="ok")
    committed(actions.assess_case, made[2], acting_user=service, assessment="ok")
    committed(actions.assign_case, made[2], acting_user=service, department=org["service"])
    return made


# --- pages ----------------------------------------------------------------------------------


def test_register_through_the_form_with_an_attachment(people, customer, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(people["service"])
    url = reverse("records:service_case_create")
    assert client.get(url + f"?customer={customer.pk}").status_code == 200
    # A missing subject is a field error and nothing is created.
    response = client.post(url, {"customer": customer.code, "description": "x"})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not ServiceCase.objects.exists()
    response = client.post(
        url,
        {
            "customer": f"{customer.code} · {customer.name}",
            "title": "打印机卡纸",
            "contact_name": "王芳",
            "category": actions.default_service_category("quality").pk,
            "severity": "normal",
            "channel": "phone",
            "description": "每天卡纸",
            "attachments": [SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\nxx", "image/png")],
        },
    )
    case = ServiceCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.contact.name == "王芳" and case.attachments.count() == 1
    page = client.get(case.get_absolute_url()).content.decode()
    assert "打印机卡纸" in page and 'id="step-assess"' in page


def test_steps_through_the_page_and_a_refusal_is_a_message(people, customer, client_for):
    case = register(people, customer)
    sales1 = client_for(people["sales1"])
    url = reverse("records:service_case_step", args=[case.pk, "assess"])
    response = sales1.post(url, {"assessment": "x"}, follow=True)
    assert "service desk" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "registered"
    service = client_for(people["service"])
    service.post(url, {"assessment": "设备问题", "severity": "normal"})
    case.refresh_from_db()
    assert case.status == "assessed" and case.assessment == "设备问题"
    # Skipping to "approve" is refused with a clear message.
    response = service.post(
        reverse("records:service_case_step", args=[case.pk, "approve"]), follow=True
    )
    assert "is not its next step" in response.content.decode()


def test_list_filters_and_constant_queries(people, customer, cases, client_for, org):
    client = client_for(people["service"])
    url = reverse("records:service_case_list")
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cases"]) == 5
    assert len(client.get(url, {"category": "quality"}).context["cases"]) == 2
    assert len(client.get(url, {"customer": customer.pk}).context["cases"]) == 5
    assert len(client.get(url, {"view": "mine"}).context["cases"]) == 5
    assert len(client.get(url, {"view": "department"}).context["cases"]) == 5
    assert len(client.get(url, {"view": "overdue"}).context["cases"]) == 0
    assert len(client.get(url, {"status": "assigned"}).context["cases"]) == 1
    # Queries do not grow with the number of cases shown.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        register(people, customer, title=f"More {n}", product=None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["cases"]) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_list_query_count_is_bounded(
    people, customer, cases, client_for, django_assert_num_queries
):
    client = client_for(people["manager"])
    client.get(reverse("records:service_case_list"))  # warm the session and content types
    with django_assert_num_queries(8):
        response = client.get(reverse("records:service_case_list"), {"view": "open"})
    assert response.status_code == 200


def test_people_without_service_access_are_refused(people, client_for):
    client = client_for(people["newhire"])
    assert client.get(reverse("records:service_case_list")).status_code == 403
    assert client.get(reverse("records:service_statistics")).status_code == 403
    sales = client_for(people["sales1"])
    assert sales.get(reverse("records:service_case_create")).status_code == 403


def test_customer_page_shows_its_cases(people, customer, cases, client_for):
    response = client_for(people["sales1"]).get(customer.get_absolute_url())
    html = response.content.decode()
    assert "Service cases" in html and cases[0].number in html
    # sales2 cannot see the customer at all.
    assert client_for(people["sales2"]).get(customer.get_absolute_url()).status_code == 404


def test_statistics_and_csv_export(people, customer, cases, client_for):
    actions.create_service_record(
        acting_user=people["service"], customer=customer, kind="visit", content="x", satisfaction=4
    )
    client = client_for(people["service"])
    response = client.get(reverse("records:service_statistics"))
    assert response.status_code == 200
    labels = [row["label"] for row in response.context["category_series"]]
    assert labels[0] == "Product quality"
    assert response.context["satisfaction"]["average"] == 4
    response = client.get(reverse("records:service_statistics_export"), {"table": "category"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Category" and rows[0][-1] == "Total"
    assert rows[1][0] == "Product quality" and rows[1][-1] == "2"
    steps = client.get(reverse("records:service_statistics_export"), {"table": "steps"})
    step_rows = list(csv.reader(io.StringIO(steps.content.decode("utf-8-sig"))))
    assert step_rows[0][0] == "Step" and {r[0] for r in step_rows[1:]} == {"Registered", "Assessed"}
    # Other people see only what they may: sales2 sees none of these complaints.
    other = client_for(people["sales2"]).get(
        reverse("records:service_statistics_export"), {"table": "category"}
    )
    assert len(list(csv.reader(io.StringIO(other.content.decode("utf-8-sig"))))) == 1


def test_question_form_answers_from_the_bank(people, customer, client_for):
    knowledge = build_knowledge(people["admin"])
    entry = knowledge["entries"][2]
    client = client_for(people["service"])
    response = client.post(
        reverse("records:support_question_create"),
        {
            "customer": customer.code,
            "question": "扫码枪扫不了二维码",
            "answer": "在设置中打开二维码识别并校准。",
            "qa_entry": entry.pk,
        },
    )
    assert response.status_code == 302
    question = customer.support_questions.get()
    assert question.qa_entry_id == entry.pk and question.status == "answered"
    entry.refresh_from_db()
    assert entry.usage_count == 1


# --- API ------------------------------------------------------------------------------------


def test_api_lists_what_the_caller_may_see(people, customer, cases, api_client):
    api_client.force_authenticate(people["sales1"])
    response = api_client.get("/api/v1/service-cases/")
    assert response.status_code == 200 and response.data["count"] == 5
    api_client.force_authenticate(people["sales2"])
    assert api_client.get("/api/v1/service-cases/").data["count"] == 0
    assert api_client.get(f"/api/v1/service-cases/{cases[0].pk}/").status_code == 404
    api_client.force_authenticate(people["newhire"])
    assert api_client.get("/api/v1/service-cases/").data["count"] == 0


def test_api_registers_and_steps_with_field_errors_and_conflicts(people, customer, api_client):
    api_client.force_authenticate(people["sales1"])
    refused = api_client.post(
        "/api/v1/service-cases/", {"customer": customer.pk, "title": "x", "description": "y"}
    )
    assert refused.status_code == 403
    assert not ServiceCase.objects.exists()
    api_client.force_authenticate(people["service"])
    missing = api_client.post("/api/v1/service-cases/", {"customer": customer.pk, "title": "x"})
    assert missing.status_code == 400 and "description" in missing.data
    created = api_client.post(
        "/api/v1/service-cases/",
        {
            "customer": customer.pk,
            "title": "屏幕闪烁",
            "description": "开机后闪烁",
            "severity": "low",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["number"].startswith("S") and created.data["status"] == "registered"
    pk = created.data["id"]
    skipped = api_client.post(f"/api/v1/service-cases/{pk}/steps/", {"step": "close"})
    assert skipped.status_code == 409 and "next step" in skipped.data["detail"]
    blank = api_client.post(f"/api/v1/service-cases/{pk}/steps/", {"step": "assess"})
    assert blank.status_code == 400 and "assessment" in blank.data
    done = api_client.post(
        f"/api/v1/service-cases/{pk}/steps/", {"step": "assess", "assessment": "轻微"}
    )
    assert done.status_code == 200 and done.data["status"] == "assessed"
    log = api_client.get(f"/api/v1/service-cases/{pk}/steps/").data
    assert [row["kind"] for row in log] == ["registered", "assessed"]
    api_client.force_authenticate(people["sales1"])
    wrong = api_client.post(
        f"/api/v1/service-cases/{pk}/steps/",
        {"step": "assign", "department": people["sales1"].department_id},
    )
    assert wrong.status_code == 403
    assert ServiceCase.objects.get(pk=pk).status == "assessed"


def test_dashboard_shows_my_open_cases(people, customer, cases, client_for):
    html = client_for(people["service"]).get("/").content.decode()
    assert "My open cases" in html and cases[0].number in html
    assert "My open cases" not in client_for(people["newhire"]).get("/").content.decode()


def test_deal_page_shows_the_complaints_about_it(people, customer, client_for):
    from portal.records.deals import actions as deal_actions

    deal = committed(
        deal_actions.create_deal, acting_user=people["sales1"], customer=customer, name="门店改造"
    )
    case = register(people, customer, deal=deal, title="改造后网络不通")
    other = register(people, customer, title="与商机无关")
    html = client_for(people["sales1"]).get(deal.get_absolute_url()).content.decode()
    assert case.number in html and other.number not in html
    # The panel's link prefills the complaint form with the customer and the deal.
    form = client_for(people["service"]).get(
        reverse("records:service_case_create") + f"?customer={customer.pk}&deal={deal.number}"
    )
    assert form.context["form"].initial["deal"] == deal.number


def test_service_record_form_and_its_field_errors(people, customer, client_for):
    client = client_for(people["service"])
    url = reverse("records:service_record_create")
    assert client.get(url).status_code == 200
    values = {
        "customer": customer.code,
        "kind": "repair",
        "served_at": "2026-11-20T10:30",
        "engineer": people["service"].pk,
        "content": "更换打印头",
        "satisfaction": "9",
    }
    response = client.post(url, values)
    assert response.status_code == 200 and "satisfaction" in response.context["form"].errors
    assert not customer.service_records.exists()
    values["satisfaction"] = "4"
    assert client.post(url, values).status_code == 302
    record = customer.service_records.get()
    assert record.satisfaction == 4 and record.kind == "repair"
    listing = client.get(reverse("records:service_record_list")).content.decode()
    assert "更换打印头" in listing
    # sales2 cannot see sales1's customer, nor its service records.
    assert (
        "更换打印头"
        not in client_for(people["sales2"])
        .get(reverse("records:service_record_list"))
        .content.decode()
    )


def test_editors_open_the_summary_draft_in_the_cms(people, customer, org, client_for):
    build_knowledge(people["admin"])
    service = people["service"]
    case = register(people, customer)
    for step, kwargs in [
        (actions.assess_case, {"assessment": "ok"}),
        (actions.assign_case, {"department": org["service"]}),
        (actions.propose_resolution, {"resolution": "换新"}),
    ]:
        committed(step, case, acting_user=service, **kwargs)
    committed(actions.approve_resolution, case, acting_user=people["manager"])
    committed(actions.carry_out_case, case, acting_user=service, outcome="已换新")
    committed(
        actions.write_summary, case, acting_user=service, summary="换新解决", make_qa_draft=True
    )
    edit_url = f"/cms/pages/{case.qa_draft_id}/edit/"
    assert client_for(people["editor"]).get(edit_url).status_code == 200
    # Service staff may propose drafts but not publish them.
    assert client_for(service).get(edit_url).status_code in (302, 403)


def test_a_step_without_its_text_says_which_field(people, customer, client_for):
    case = register(people, customer)
    client = client_for(people["service"])
    response = client.post(
        reverse("records:service_case_step", args=[case.pk, "assess"]),
        {"assessment": "  "},
        follow=True,
    )
    assert "Assessment: This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "registered" and case.steps.count() == 1


def test_my_departments_view_includes_the_teams_below(people, customer, org, cases, client_for):
    url = reverse("records:service_case_list")
    committed(actions.assess_case, cases[0], acting_user=people["service"], assessment="ok")
    committed(actions.assign_case, cases[0], acting_user=people["service"], department=org["east"])
    # manager leads Sales; the case sits with Sales East, a team below it.
    shown = client_for(people["manager"]).get(url, {"view": "department"}).context["cases"]
    assert [case.pk for case in shown] == [cases[0].pk]
    shown = client_for(people["sales2"]).get(url, {"view": "department"}).context["cases"]
    assert shown == []


def test_csv_export_neutralises_spreadsheet_formulas(people, customer, cases, client_for):
    from portal.records.models import ServiceCategory

    ServiceCategory.objects.filter(name="Product quality").update(name='=HYPERLINK("x")')
    response = client_for(people["service"]).get(
        reverse("records:service_statistics_export"), {"table": "category"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("x")'
