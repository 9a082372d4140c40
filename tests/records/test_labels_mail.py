"""Address labels (PDF with Chinese text) and bulk mail with per-recipient status."""

import shutil
import subprocess

import pytest
from django.core import mail
from django.urls import reverse

from portal.records.customers import actions, labels
from portal.records.models import MailRecipient


def test_labels_pdf_embeds_a_cjk_font_and_holds_the_address(client_for, people, customer, tmp_path):
    response = client_for(people["sales1"]).post(
        reverse("records:customers_bulk"),
        {"action": "labels", "sheet": "a4-2x7", "ids": [customer.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert labels.font_name() in ("AgoraCJK", "STSong-Light")
    if shutil.which("pdftotext"):
        path = tmp_path / "labels.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for expected in ("201203", "上海华东精密机械有限公司", "王芳", "采购部"):
            assert expected in text


def test_labels_only_for_visible_customers(client_for, people, customer, sales3):
    response = client_for(sales3).post(
        reverse("records:customers_bulk"), {"action": "labels", "ids": [customer.pk]}
    )
    assert response.status_code == 302  # nothing selected that they may see
    assert customer.name.encode() not in response.content


def test_label_layout_fills_the_sheet_and_breaks_pages():
    many = [
        labels.Label("100000", "北京市朝阳区", f"客户 {i}", "采购部", "张三") for i in range(25)
    ]
    pdf = labels.render_pdf(many, "a4-3x8")
    assert (
        pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + pdf.count(b"/Type /Page ") >= 2
        or b"/Count 2" in pdf
    )


def test_bulk_mail_skips_do_not_email_and_records_each_recipient(client_for, people, customer):
    client = client_for(people["sales1"])
    contacts = list(customer.contacts.order_by("pk"))
    response = client.post(
        reverse("records:mail_compose"),
        {"subject": "新品发布会邀请", "body": "诚邀您参加……", "contacts": [c.pk for c in contacts]},
    )
    batch_url = response.url
    assert len(mail.outbox) == 0  # preview first
    html = client.get(batch_url).content.decode()
    assert "新品发布会邀请" in html and "Do not email" in html
    client.post(batch_url + "send/")
    assert [m.to for m in mail.outbox] == [["wangfang@hdjj.example.cn"]]
    statuses = dict(MailRecipient.objects.values_list("contact__name", "status"))
    assert statuses == {"王芳": "sent", "刘强": "skipped"}
    html = client.get(customer.get_absolute_url()).content.decode()
    assert "新品发布会邀请" in html  # the record on the customer's page
    client.post(batch_url + "send/")
    assert len(mail.outbox) == 1  # sending again sends nobody twice


def test_do_not_email_set_after_composing_is_still_respected(people, customer):
    wang = customer.contacts.get(name="王芳")
    batch = actions.compose_mail(
        acting_user=people["sales1"], contacts=customer.contacts.all(), subject="Hi", body="Hello"
    )
    actions.update_contact(wang, acting_user=people["sales1"], do_not_email=True)
    counts = actions.send_mail_batch(batch, acting_user=people["sales1"])
    assert counts["sent"] == 0 and counts["skipped"] == 2
    assert mail.outbox == []


def test_mail_to_contacts_of_invisible_customers_is_impossible(client_for, customer, sales3):
    response = client_for(sales3).post(
        reverse("records:mail_compose"),
        {
            "subject": "x",
            "body": "y",
            "contacts": list(customer.contacts.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    assert "Select at least one contact." in response.content.decode()
    assert not MailRecipient.objects.exists()


@pytest.mark.parametrize("sheet", sorted(labels.SHEETS))
def test_every_sheet_layout_renders(sheet):
    assert labels.render_pdf([labels.Label("1", "a", "b", "c", "d")], sheet).startswith(b"%PDF")


def test_a_large_batch_is_queued_and_the_worker_sends_each_copy_once(
    client_for, people, customer, monkeypatch
):
    from portal.core import worker
    from portal.records.customers.actions import mail as mail_actions
    from portal.records.models import MailBatch

    monkeypatch.setattr(mail_actions, "MAIL_SEND_NOW_LIMIT", 0)
    client = client_for(people["sales1"])
    batch = actions.compose_mail(
        acting_user=people["sales1"], contacts=customer.contacts.all(), subject="Expo", body="Hi"
    )
    batch_url = reverse("records:mail_batch", args=[batch.pk])
    response = client.post(batch_url + "send/", follow=True)
    assert "being sent" in response.content.decode()
    assert mail.outbox == []  # nothing sent inside the request
    batch.refresh_from_db()
    assert batch.queued_at and not batch.sent_at
    page = client.get(batch_url).content.decode()
    assert 'hx-trigger="every 3s"' in page and "Send now" not in page
    # the worker's job sends it, once, however often it runs
    assert "records.send_queued_mail" in worker._jobs
    assert mail_actions.send_queued_mail() == 1
    assert mail_actions.send_queued_mail() == 0
    assert [m.to for m in mail.outbox] == [["wangfang@hdjj.example.cn"]]
    assert MailBatch.objects.get(pk=batch.pk).sent_at
    statuses = dict(MailRecipient.objects.values_list("contact__name", "status"))
    assert statuses == {"王芳": "sent", "刘强": "skipped"}
    assert 'hx-trigger="every 3s"' not in client.get(batch_url).content.decode()


def test_only_the_sender_may_queue_a_batch_and_nothing_changes_otherwise(people, customer):
    from django.core.exceptions import PermissionDenied

    batch = actions.compose_mail(
        acting_user=people["sales1"], contacts=customer.contacts.all(), subject="Expo", body="Hi"
    )
    with pytest.raises(PermissionDenied):
        actions.send_or_queue_mail_batch(batch, acting_user=people["manager"])
    batch.refresh_from_db()
    assert batch.queued_at is None and batch.sent_at is None
    assert mail.outbox == []
