"""Import (preview, per-row errors with line numbers, all or nothing) and export."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.records.customers import actions, imports
from portal.records.models import Contact, Customer, ImportJob


def csv_file(rows, name="customers.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), "text/csv")


def xlsx_file(rows, name="customers.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run_checks(job, user):
    while job.status == ImportJob.Status.VALIDATING:
        job = imports.check_next_chunk(job, user)
    return job


GOOD = [
    ["name", "category", "industry", "region", "city", "phone", "email", "level"],
    [
        "北京恒信电子科技有限公司",
        "current",
        "electronics",
        "north",
        "北京",
        "010-8888-1111",
        "sales@hengxin.example.cn",
        "A",
    ],
    ["Harbour Logistics Ltd", "partner", "Logistics", "overseas", "Singapore", "", "", "B"],
]


def test_a_good_csv_imports_every_row(people):
    job = imports.start_import(kind="customers", upload=csv_file(GOOD), user=people["sales1"])
    job = run_checks(job, people["sales1"])
    assert job.status == ImportJob.Status.READY and job.errors == []
    assert not Customer.objects.exists()  # checking writes nothing
    assert actions.import_job_commit(job, acting_user=people["sales1"]) == 2
    imported = Customer.objects.get(name="Harbour Logistics Ltd")
    assert imported.industry == "logistics" and imported.category.key == "partner"
    assert imported.owner == people["sales1"] and imported.code


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_written(people):
    rows = [
        *GOOD,
        ["", "", "", "", "", "", "", ""],
        ["Bad Mail Co", "", "", "", "", "", "not-an-email", ""],
        ["Weird Co", "unicorns", "", "mars", "", "", "", ""],
        ["Harbour Logistics Ltd", "", "", "", "", "", "", ""],
    ]
    rows[3][7] = "C"  # the empty row still has a value somewhere, so it is not trailing
    job = run_checks(
        imports.start_import(kind="customers", upload=csv_file(rows), user=people["sales1"]),
        people["sales1"],
    )
    assert job.status == ImportJob.Status.INVALID
    problems = {(e["line"], e["field"]) for e in job.errors}
    assert {(4, "name"), (5, "email"), (6, "category"), (6, "region"), (7, "name")} <= problems
    assert not any(line in (2, 3) for line, _ in problems)
    assert not Customer.objects.exists()


def test_commit_is_all_or_nothing_when_the_data_changed_since_checking(people):
    job = run_checks(
        imports.start_import(kind="customers", upload=csv_file(GOOD), user=people["sales1"]),
        people["sales1"],
    )
    # someone registers the second customer in the meantime
    actions.create_customer(acting_user=people["sales2"], name="Harbour Logistics Ltd")
    assert actions.import_job_commit(job, acting_user=people["sales1"]) == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["line"] == 3
    assert not Customer.objects.filter(name="北京恒信电子科技有限公司").exists()


def test_xlsx_with_chinese_headers_imports_contacts(people, customer):
    rows = [
        ["客户编号", "姓名", "部门", "电子邮件", "不发邮件", "生日"],
        [customer.code, "陈晨", "财务部", "chen@hdjj.example.cn", "否", "1985-04-12"],
        [customer.code, "周敏", "总经办", "", "是", ""],
    ]
    job = imports.start_import(kind="contacts", upload=xlsx_file(rows), user=people["sales1"])
    job = run_checks(job, people["sales1"])
    assert job.errors == [] and job.status == ImportJob.Status.READY
    assert actions.import_job_commit(job, acting_user=people["sales1"]) == 2
    chen = Contact.objects.get(name="陈晨")
    assert chen.department == "财务部" and str(chen.birthday) == "1985-04-12"
    assert Contact.objects.get(name="周敏").do_not_email


def test_contacts_for_customers_one_cannot_see_are_refused(people, customer, sales3):
    rows = [["customer_code", "name"], [customer.code, "Intruder"]]
    job = run_checks(
        imports.start_import(kind="contacts", upload=csv_file(rows), user=sales3), sales3
    )
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["line"] == 2 and job.errors[0]["field"] == "customer_code"


def test_import_pages_show_progress_then_errors(client_for, people):
    client = client_for(people["sales1"])
    rows = [["name", "email"], ["Good Co", ""], ["Bad Co", "nope"]]
    response = client.post(
        reverse("records:import_start"), {"kind": "customers", "file": csv_file(rows)}
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("records:import_job", args=[job.pk])
    html = client.get(reverse("records:import_progress", args=[job.pk])).content.decode()
    assert "import-invalid" in html and "nope" in html
    assert client.post(reverse("records:import_commit", args=[job.pk])).status_code == 302
    assert not Customer.objects.exists()


def test_an_upload_that_is_not_a_table_is_refused_clearly(client_for, people):
    response = client_for(people["sales1"]).post(
        reverse("records:import_start"),
        {"kind": "customers", "file": SimpleUploadedFile("x.txt", b"hello")},
    )
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_export_obeys_visibility_and_filters(client_for, people, customer, sales3):
    actions.create_customer(acting_user=people["sales2"], name="Li Na's customer", region="north")
    response = client_for(people["sales1"]).get(reverse("records:customer_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["code", "name"]
    assert [row[1] for row in rows[1:]] == [customer.name]
    response = client_for(sales3).get(reverse("records:customer_export"))
    assert (
        len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))))
        == 1
    )
    response = client_for(people["manager"]).get(
        reverse("records:customer_export"), {"region": "north", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Li Na's customer"]


def test_an_export_can_be_imported_again(client_for, people, customer):
    response = client_for(people["sales1"]).get(reverse("records:customer_export"))
    data = b"".join(response.streaming_content)
    actions.delete_customer(customer, acting_user=people["sales1"])
    upload = SimpleUploadedFile("export.csv", data)
    job = run_checks(
        imports.start_import(kind="customers", upload=upload, user=people["sales1"]),
        people["sales1"],
    )
    assert job.errors == []
    actions.import_job_commit(job, acting_user=people["sales1"])
    again = Customer.objects.get(name=customer.name)
    assert again.code != customer.code and again.city == customer.city
