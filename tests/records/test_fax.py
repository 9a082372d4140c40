"""Fax through a gateway (#18 item 6): the gateway setting, bulk fax to customers as gateway
e-mails through the bulk mail machinery, and the deal page's "Mail and fax" log."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.records.customers import actions
from portal.records.models import Customer, FaxGateway, MailBatch, MailRecipient
from tests.records.deal_helpers import open_deal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="price-list.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def gateway(people):
    return actions.set_fax_gateway("fax.example.net", acting_user=people["admin"])


@pytest.fixture
def two_customers(people, customer):
    actions.update_customer(customer, acting_user=people["sales1"], fax="021-5555 0102")
    other = actions.create_customer(
        acting_user=people["sales1"], name="北京燕山化工有限公司", fax="+86 (10) 6666-0103"
    )
    nofax = actions.create_customer(acting_user=people["sales1"], name="深圳南方电子")
    return [Customer.objects.get(pk=customer.pk), other, nofax]


# --- the gateway setting ------------------------------------------------------------------


def test_only_administrators_set_the_gateway_and_nothing_changes_otherwise(people):
    with pytest.raises(PermissionDenied):
        actions.set_fax_gateway("fax.example.net", acting_user=people["manager"])
    assert not FaxGateway.objects.exists()
    assert actions.fax_gateway_domain() == ""


def test_the_gateway_domain_is_validated_and_audited(people):
    with pytest.raises(ValidationError) as caught:
        actions.set_fax_gateway("not a domain", acting_user=people["admin"])
    assert "domain" in caught.value.message_dict
    actions.set_fax_gateway(" Fax.Example.NET ", acting_user=people["admin"])
    actions.set_fax_gateway("fax2.example.net", acting_user=people["admin"])
    assert FaxGateway.objects.count() == 1  # one setting, changed in place
    assert actions.fax_gateway_domain() == "fax2.example.net"
    entries = AuditEntry.objects.filter(action="fax.gateway_set").order_by("pk")
    assert [e.changes["domain"] for e in entries] == [
        ["", "fax.example.net"],
        ["fax.example.net", "fax2.example.net"],
    ]


def test_the_admin_edits_the_gateway_through_the_action(client_for, people):
    client = client_for(people["admin"])
    response = client.post(
        reverse("admin:records_faxgateway_add"), {"domain": "fax.example.net"}, follow=True
    )
    assert response.status_code == 200
    assert actions.fax_gateway_domain() == "fax.example.net"
    assert AuditEntry.objects.filter(action="fax.gateway_set").count() == 1
    gateway = FaxGateway.objects.get()
    assert gateway.updated_by == people["admin"]
    # one row only: no second "add", no delete
    assert client.get(reverse("admin:records_faxgateway_add")).status_code == 403
    response = client.post(
        reverse("admin:records_faxgateway_change", args=[gateway.pk]), {"domain": "bad domain"}
    )
    assert response.status_code == 200 and "fax.example.com" in response.content.decode()
    assert actions.fax_gateway_domain() == "fax.example.net"


@pytest.mark.parametrize("number", ["abc", "12", "021-5555x1", "+" + "1" * 21])
def test_a_customer_fax_number_is_validated(people, number):
    with pytest.raises(ValidationError) as caught:
        actions.create_customer(acting_user=people["sales1"], name="Fax Co", fax=number)
    assert "fax" in caught.value.message_dict
    assert not Customer.objects.filter(name="Fax Co").exists()


# --- bulk fax -----------------------------------------------------------------------------


def test_fax_is_refused_clearly_without_a_gateway(client_for, people, two_customers):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("records:customers_bulk"),
        {"action": "fax", "ids": [c.pk for c in two_customers]},
        follow=True,
    )
    assert "No fax gateway is configured" in response.content.decode()
    with pytest.raises(ValidationError, match="No fax gateway"):
        actions.compose_fax(
            acting_user=people["sales1"],
            customers=Customer.objects.all(),
            subject="Prices",
            body="See attached",
            attachment=actions.Attachment("a.pdf", PDF, "application/pdf"),
        )
    assert not MailBatch.objects.exists()


def test_bulk_fax_goes_out_as_gateway_mail_with_the_document_and_reports_each_customer(
    client_for, people, gateway, two_customers
):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("records:customers_bulk"),
        {"action": "fax", "ids": [c.pk for c in two_customers]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "021-5555 0102" in page and "no fax number" in page
    response = client.post(
        reverse("records:fax_compose"),
        {
            "subject": "2027 价目表",
            "body": "请查收附件中的价目表。",
            "document": pdf(),
            "customers": [c.pk for c in two_customers],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = MailBatch.objects.get()
    assert batch.channel == "fax" and batch.attachment_name == "price-list.pdf"
    assert mail.outbox == []  # previewed first
    preview = client.get(response.url).content.decode()
    assert "02155550102@fax.example.net" in preview and "No fax number" in preview
    client.post(reverse("records:mail_send", args=[batch.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "02155550102@fax.example.net",
        "861066660103@fax.example.net",
    ]
    message = mail.outbox[0]
    assert message.subject == "2027 价目表"
    assert message.attachments[0][0] == "price-list.pdf"
    assert bytes(message.attachments[0][1]) == PDF
    statuses = {r.customer.name: (r.status, r.detail) for r in batch.recipients.all()}
    assert statuses["深圳南方电子"] == ("skipped", "No fax number")
    assert statuses["北京燕山化工有限公司"] == ("sent", "")
    page = client.get(reverse("records:mail_batch", args=[batch.pk])).content.decode()
    assert "Sent fax" in page and page.count(">Sent<") == 2 and page.count(">Skipped<") == 1
    # logged on each customer faxed, and on the customer's page
    assert AuditEntry.objects.filter(action="customer.faxed").count() == 2
    customer_page = client.get(two_customers[1].get_absolute_url()).content.decode()
    assert "Mail and fax sent" in customer_page and "+86 (10) 6666-0103" in customer_page
    # sending again sends nobody twice
    client.post(reverse("records:mail_send", args=[batch.pk]))
    assert len(mail.outbox) == 2


def test_fax_needs_a_pdf(client_for, people, gateway, two_customers):
    client = client_for(people["sales1"])
    for upload, expected in [
        (None, "Choose the document to fax"),
        (SimpleUploadedFile("notes.txt", b"hello", "text/plain"), "cannot be attached"),
        (SimpleUploadedFile("fake.pdf", b"not a pdf", "application/pdf"), "does not look like"),
    ]:
        data = {"subject": "x", "body": "y", "customers": [two_customers[0].pk]}
        if upload:
            data["document"] = upload
        response = client.post(reverse("records:fax_compose"), data)
        assert response.status_code == 200
        assert expected in response.content.decode()
    assert not MailBatch.objects.exists()


def test_fax_to_customers_one_may_not_see_is_impossible(client_for, gateway, two_customers, sales3):
    response = client_for(sales3).post(
        reverse("records:fax_compose"),
        {
            "subject": "x",
            "body": "y",
            "document": pdf(),
            "customers": [c.pk for c in two_customers],
        },
    )
    assert response.status_code == 200
    assert "Select at least one customer." in response.content.decode()
    assert not MailBatch.objects.exists() and not MailRecipient.objects.exists()


def test_only_the_sender_sends_a_fax_and_nothing_changes_otherwise(
    client_for, people, gateway, two_customers
):
    batch = actions.compose_fax(
        acting_user=people["sales1"],
        customers=Customer.objects.all(),
        subject="Prices",
        body="See attached",
        attachment=actions.Attachment("a.pdf", PDF, "application/pdf"),
    )
    response = client_for(people["sales2"]).post(reverse("records:mail_send", args=[batch.pk]))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        actions.send_or_queue_mail_batch(batch, acting_user=people["sales2"])
    assert mail.outbox == []
    assert set(batch.recipients.values_list("status", flat=True)) == {"pending", "skipped"}


def test_a_gateway_removed_before_sending_refuses_and_a_worker_fails_each_copy_saying_why(
    client_for, people, gateway, two_customers
):
    batch = actions.compose_fax(
        acting_user=people["sales1"],
        customers=Customer.objects.all(),
        subject="Prices",
        body="See attached",
        attachment=actions.Attachment("a.pdf", PDF, "application/pdf"),
    )
    actions.set_fax_gateway("", acting_user=people["admin"])
    response = client_for(people["sales1"]).post(
        reverse("records:mail_send", args=[batch.pk]), follow=True
    )
    assert "No fax gateway is configured" in response.content.decode()
    assert set(batch.recipients.values_list("status", flat=True)) == {"pending", "skipped"}
    actions.send_mail_batch(batch, acting_user=people["sales1"])  # e.g. queued earlier
    assert mail.outbox == []
    failed = batch.recipients.filter(status="failed")
    assert failed.count() == 2
    assert set(failed.values_list("detail", flat=True)) == {"No fax gateway is configured"}


def test_a_large_fax_batch_is_queued_and_the_worker_sends_it(
    people, gateway, two_customers, monkeypatch
):
    from portal.records.customers.actions import mail as mail_actions

    monkeypatch.setattr(mail_actions, "MAIL_SEND_NOW_LIMIT", 1)
    batch = actions.compose_fax(
        acting_user=people["sales1"],
        customers=Customer.objects.all(),
        subject="Prices",
        body="See attached",
        attachment=actions.Attachment("a.pdf", PDF, "application/pdf"),
    )
    assert actions.send_or_queue_mail_batch(batch, acting_user=people["sales1"]) is None
    assert mail.outbox == []
    assert AuditEntry.objects.filter(action="fax.queued").count() == 1
    assert mail_actions.send_queued_mail() == 1
    assert len(mail.outbox) == 2 and all(m.attachments for m in mail.outbox)


# --- about a deal -------------------------------------------------------------------------


@pytest.fixture
def deal(people, two_customers):
    return open_deal(two_customers[0], people["sales1"])


def test_fax_about_a_deal_with_a_deal_document_shows_on_the_deal_page(
    client_for, people, gateway, deal
):
    from portal.records.deals import actions as deal_actions

    version = deal_actions.upload_document(
        deal, acting_user=people["sales1"], file=pdf("quote-v1.pdf"), title="Quote"
    )
    client = client_for(people["sales1"])
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "Mail and fax" in page and "No mail or fax has been sent about this deal." in page
    response = client.post(
        reverse("records:deal_message", args=[deal.pk]),
        {
            "message-channel": "fax",
            "message-document": version.document.pk,
            "message-subject": "报价单",
            "message-body": "请确认。",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    batch = MailBatch.objects.get()
    assert batch.deal_id == deal.pk and batch.attachment_name == "quote-v1.pdf"
    client.post(reverse("records:mail_send", args=[batch.pk]))
    assert [m.to for m in mail.outbox] == [["02155550102@fax.example.net"]]
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "报价单" in page and "1 of 1 delivered" in page
    assert AuditEntry.objects.filter(action="deal.faxed", object_id=str(deal.pk)).exists()
    # whoever may see the deal sees its log; whoever may not gets the deal's 404
    assert "报价单" in client_for(people["manager"]).get(deal.get_absolute_url()).content.decode()


def test_mail_about_a_deal_goes_to_its_contacts_and_is_logged(client_for, people, deal):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("records:deal_message", args=[deal.pk]),
        {
            "message-channel": "mail",
            "message-subject": "会议纪要",
            "message-body": "附件为会议纪要。",
            "message-upload": SimpleUploadedFile("minutes.txt", b"minutes", "text/plain"),
        },
    )
    assert response.status_code == 302
    client.post(response.url + "send/")
    assert [m.to for m in mail.outbox] == [["wangfang@hdjj.example.cn"]]
    assert mail.outbox[0].attachments[0][0] == "minutes.txt"
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "会议纪要" in page


def test_faxing_a_non_pdf_deal_document_or_without_gateway_is_refused(client_for, people, deal):
    from portal.records.deals import actions as deal_actions

    version = deal_actions.upload_document(
        deal,
        acting_user=people["sales1"],
        file=SimpleUploadedFile("notes.txt", b"hello", "text/plain"),
    )
    client = client_for(people["sales1"])
    data = {
        "message-channel": "fax",
        "message-document": version.document.pk,
        "message-subject": "x",
        "message-body": "y",
    }
    response = client.post(reverse("records:deal_message", args=[deal.pk]), data)
    assert response.status_code == 400 and "No fax gateway" in response.content.decode()
    actions.set_fax_gateway("fax.example.net", acting_user=people["admin"])
    response = client.post(reverse("records:deal_message", args=[deal.pk]), data)
    assert response.status_code == 400 and "Only a PDF can be faxed." in response.content.decode()
    assert not MailBatch.objects.exists()


def test_writing_about_a_deal_is_refused_to_readers_and_strangers(
    client_for, people, gateway, deal, sales3
):
    data = {
        "message-channel": "fax",
        "message-subject": "x",
        "message-body": "y",
        "message-upload": pdf(),
    }
    url = reverse("records:deal_message", args=[deal.pk])
    assert client_for(sales3).post(url, data).status_code == 404
    # the service person may read customers but does not work on the deal
    assert client_for(people["sales2"]).post(url, data).status_code in (403, 404)
    assert not MailBatch.objects.exists()
    assert mail.outbox == []


def test_the_deal_panel_reads_a_constant_number_of_queries(
    client_for, people, gateway, deal, django_assert_num_queries
):
    from portal.records.deals.views.messaging import deal_messages_panel

    request = client_for(people["sales1"]).get(deal.get_absolute_url()).wsgi_request

    def compose():
        batch = actions.compose_fax(
            acting_user=people["sales1"],
            customers=Customer.objects.filter(pk=deal.customer_id),
            subject="Prices",
            body="See attached",
            attachment=actions.Attachment("a.pdf", PDF, "application/pdf"),
            deal_id=deal.pk,
        )
        actions.send_mail_batch(batch, acting_user=people["sales1"])

    compose()
    request.user = people["sales1"]
    deal_messages_panel(request, deal)  # the reader's access keys are loaded once per request
    # the documents (and their versions), the gateway, the batches with their counts
    with django_assert_num_queries(3) as one:
        deal_messages_panel(request, deal)
    for _ in range(3):
        compose()
    with django_assert_num_queries(len(one.captured_queries)):
        panel = deal_messages_panel(request, deal)
    assert len(panel.context["batches"]) == 4


def test_a_deal_document_whose_file_is_gone_is_refused_not_a_server_error(
    client_for, people, gateway, deal
):
    from portal.records.deals import actions as deal_actions

    version = deal_actions.upload_document(
        deal, acting_user=people["sales1"], file=pdf("quote.pdf"), title="Quote"
    )
    version.file.storage.delete(version.file.name)
    response = client_for(people["sales1"]).post(
        reverse("records:deal_message", args=[deal.pk]),
        {
            "message-channel": "fax",
            "message-document": version.document.pk,
            "message-subject": "x",
            "message-body": "y",
        },
    )
    assert response.status_code == 400
    assert "The file of this document is missing" in response.content.decode()
    assert not MailBatch.objects.exists()
