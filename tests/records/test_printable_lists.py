"""Printable address and phone lists as PDF (#18 item 7), Chinese text embedded."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.urls import reverse

from portal.records.customers import actions, lists

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "list.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_address_list_of_the_filtered_customers_holds_chinese_names(
    client_for, people, customer, tmp_path
):
    actions.create_customer(acting_user=people["sales1"], name="Nordic Tools AB", region="overseas")
    response = client_for(people["sales1"]).get(
        reverse("records:customer_lists"), {"kind": "address", "region": "east"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in ("Address list", "上海华东精密机械有限公司", "采购部 王芳", "张江路", "201203"):
        assert expected in text
    assert "Nordic Tools AB" not in text  # filtered out
    assert "1 customers" in text


def test_phone_list_of_the_selected_customers_lists_their_contacts(
    client_for, people, customer, tmp_path
):
    actions.update_customer(customer, acting_user=people["sales1"], fax="021-5555 0102")
    response = client_for(people["sales1"]).post(
        reverse("records:customers_bulk"), {"action": "phone_list", "ids": [customer.pk]}
    )
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    for expected in ("Phone list", "上海华东精密机械有限公司", "021-5555-0101", "021-5555 0102"):
        assert expected in text
    assert "王芳" in text and "刘强" in text and "采购经理" in text


def test_lists_show_only_what_the_reader_may_see(client_for, customer, sales3, tmp_path):
    client = client_for(sales3)
    text = pdf_text(
        client.get(reverse("records:customer_lists"), {"kind": "phone"}).content, tmp_path
    )
    assert "上海华东精密机械有限公司" not in text and "王芳" not in text
    response = client.post(
        reverse("records:customers_bulk"), {"action": "address_list", "ids": [customer.pk]}
    )
    assert response.status_code == 302  # nothing selected that they may see


def test_lists_are_refused_without_customer_access(client_for, people, customer):
    # the newhire role has no customer module: refused, as the CSV export is
    client = client_for(people["newhire"])
    assert client.get(reverse("records:customer_lists"), {"kind": "address"}).status_code == 403
    assert client.get(reverse("records:customer_export")).status_code == 403


def test_unknown_list_kind_is_not_found(client_for, people):
    response = client_for(people["sales1"]).get(reverse("records:customer_lists"), {"kind": "x"})
    assert response.status_code == 404


def test_a_list_above_the_bound_is_refused_with_a_message(
    client_for, people, customer, monkeypatch
):
    actions.create_customer(acting_user=people["sales1"], name="Second Co")
    monkeypatch.setattr(lists, "LIST_MAX_CUSTOMERS", 1)
    response = client_for(people["sales1"]).get(
        reverse("records:customer_lists"), {"kind": "address"}, follow=True
    )
    assert response.status_code == 200
    assert "A printed list holds at most 1 customers" in response.content.decode()


def test_list_reads_a_constant_number_of_queries(
    client_for, people, customer, django_assert_num_queries
):
    client = client_for(people["sales1"])
    url = reverse("records:customer_lists")
    client.get(url, {"kind": "phone"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url, {"kind": "phone"})
    for index in range(5):
        created = actions.create_customer(acting_user=people["sales1"], name=f"客户 {index}")
        actions.create_contact(created, acting_user=people["sales1"], name=f"联系人 {index}")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url, {"kind": "phone"})


def test_long_lists_break_pages_and_repeat_the_header(tmp_path):
    from portal.records.customers.models import Customer

    customers = [
        Customer(pk=i, name=f"客户 {i}", code=f"C{i:04d}", address="北京市朝阳区建国路 1 号")
        for i in range(1, 80)
    ]
    for customer in customers:
        customer._prefetched_objects_cache = {"contacts": Customer.objects.none()}
    data = lists.render_pdf("address", customers)
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages >= 2
    assert pdf_text(data, tmp_path).count("Postcode") >= 2
