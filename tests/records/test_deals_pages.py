"""Deal pages: list filters and constant queries, detail, forms with field errors, documents
served only to readers, urge report, customer page panel."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.core.testing import capture_events
from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from portal.records.models import Activity, Deal, DealCompetitor, DocumentVersion
from tests.records.deal_helpers import open_deal, won_deal

PDF = b"%PDF-1.4 quote for the line retrofit DEAL-SECRET-MARKER"


def make_deals(customer, user, count: int, prefix: str = "Deal") -> list[Deal]:
    return [open_deal(customer, user, name=f"{prefix} {i:03d}") for i in range(count)]


def test_list_shows_visible_deals_with_an_empty_state(client_for, people, customer):
    client = client_for(people["sales2"])
    response = client.get(reverse("records:deal_list"))
    assert response.status_code == 200
    assert "No deals yet." in response.content.decode()
    open_deal(customer, people["sales1"], name="Secret retrofit")
    assert "Secret retrofit" not in client.get(reverse("records:deal_list")).content.decode()
    client = client_for(people["sales1"])
    assert "Secret retrofit" in client.get(reverse("records:deal_list")).content.decode()


def test_list_query_count_does_not_grow_with_the_page(
    client_for, people, customer, django_assert_num_queries
):
    make_deals(customer, people["sales1"], 30)
    for user in (people["sales1"], people["manager"]):
        client = client_for(user)
        client.get(reverse("records:deal_list"))  # warm the content-type cache
        with django_assert_num_queries(8):
            response = client.get(reverse("records:deal_list"))
        assert response.content.decode().count("<code>D") == 25
    make_deals(customer, people["sales1"], 30, prefix="More")
    with django_assert_num_queries(8):
        client.get(reverse("records:deal_list"), {"sort": "closing", "state": "open"})


def test_list_filters_by_state_stage_owner_customer_and_closing_soon(client_for, people, customer):
    soon = open_deal(
        customer,
        people["sales1"],
        name="Due shortly",
        expected_close_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    later = open_deal(
        customer,
        people["sales1"],
        name="Much later",
        expected_close_date=timezone.localdate() + datetime.timedelta(days=200),
    )
    lost = open_deal(customer, people["sales1"], name="Gone")
    deal_actions.lose_deal(lost, acting_user=people["sales1"], reason="Budget cut")
    client = client_for(people["sales1"])
    url = reverse("records:deal_list")

    def names(**params):
        page = client.get(url, params).content.decode()
        return {name for name in ("Due shortly", "Much later", "Gone") if name in page}

    assert names(closing="1") == {"Due shortly"}
    assert names(state="lost") == {"Gone"}
    assert names(state="open") == {"Due shortly", "Much later"}
    assert names(owner=str(people["sales2"].pk)) == set()
    assert names(customer=str(customer.pk)) == {"Due shortly", "Much later", "Gone"}
    assert names(stage=str(soon.stage_id)) == {"Due shortly", "Much later"}
    assert names(q=later.number) == {"Much later"}


def test_keyset_pages_walk_forward_without_gaps(people, customer):
    from portal.records.deals.queries import DealFilters, deal_page, visible_filtered_deals

    make_deals(customer, people["sales1"], 30)
    queryset = visible_filtered_deals(people["sales1"], DealFilters())
    first = deal_page(queryset, "number")
    second = deal_page(queryset, "number", after=first.next_cursor)
    numbers = [d.number for d in first.items + second.items]
    assert numbers == sorted(Deal.objects.values_list("number", flat=True))
    assert not second.next_cursor
    back = deal_page(queryset, "number", before=second.previous_cursor)
    assert [d.pk for d in back.items] == [d.pk for d in first.items]


def test_creating_from_the_customer_page_and_field_errors(client_for, people, customer):
    client = client_for(people["sales1"])
    page = client.get(reverse("records:customer_detail", args=[customer.pk])).content.decode()
    new_url = reverse("records:deal_create") + f"?customer={customer.pk}"
    assert new_url in page.replace("&amp;", "&")
    # a missing name is a field error and nothing is created
    response = client.post(new_url, {"customer_code": customer.code, "name": ""})
    assert response.status_code == 400
    assert not Deal.objects.exists()
    contact = customer.contacts.first()
    response = client.post(
        new_url,
        {
            "customer_code": customer.code,
            "name": "Packaging line",
            "amount": "120000",
            "currency": "cny",
            "contacts": [contact.pk],
        },
    )
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    assert deal.currency == "CNY" and list(deal.contacts.all()) == [contact]
    # a customer code the user cannot see is refused
    other = actions.create_customer(acting_user=people["sales2"], name="Not yours Ltd")
    response = client.post(
        reverse("records:deal_create"), {"customer_code": other.code, "name": "Sneaky"}
    )
    assert response.status_code == 400 and Deal.objects.count() == 1
    # the customer page now lists the deal
    page = client.get(reverse("records:customer_detail", args=[customer.pk])).content.decode()
    assert deal.number in page and "Next contact due" in page


def test_detail_page_shows_everything_and_hides_from_others(client_for, people, customer):
    deal = won_deal(customer, people["sales1"], name="Everything deal")
    deal_actions.add_competitor(deal, acting_user=people["sales1"], name="Rival Corp")
    deal_actions.add_installment(
        deal, acting_user=people["sales1"], due_on=timezone.localdate(), amount=5000
    )
    deal_actions.create_activity(
        deal,
        acting_user=people["sales1"],
        subject="Overdue visit",
        kind="visit",
        due_at=timezone.now() - datetime.timedelta(days=2),
    )
    client = client_for(people["sales1"])
    page = client.get(deal.get_absolute_url()).content.decode()
    for text in ("Everything deal", "Rival Corp", "Overdue visit", "Overdue", "Payment plan"):
        assert text in page
    assert client_for(people["sales2"]).get(deal.get_absolute_url()).status_code == 404


def test_activity_form_errors_keep_the_page_and_change_nothing(client_for, people, customer):
    deal = open_deal(customer, people["sales1"])
    client = client_for(people["sales1"])
    url = reverse("records:deal_activity_add", args=[deal.pk])
    response = client.post(url, {"activity-kind": "call", "activity-status": "planned"})
    assert response.status_code == 400
    assert not Activity.objects.exists()
    response = client.post(
        url,
        {
            "activity-kind": "call",
            "activity-status": "done",
            "activity-subject": "Intro call",
            "activity-due_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "activity-outcome": "Wants a quote",
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get().status == Activity.Status.DONE
    # someone who only reads the deal may not add to it
    with capture_events():
        actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    response = client_for(people["sales2"]).post(
        url,
        {
            "activity-kind": "call",
            "activity-status": "done",
            "activity-subject": "x",
            "activity-due_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 403
    assert Activity.objects.count() == 1


def test_competitor_form_needs_a_name(client_for, people, customer):
    deal = open_deal(customer, people["sales1"])
    client = client_for(people["sales1"])
    url = reverse("records:deal_competitor_add", args=[deal.pk])
    assert client.post(url, {"competitor-price": "10"}).status_code == 400
    assert not DealCompetitor.objects.exists()
    assert (
        client.post(url, {"competitor-name": "Rival", "competitor-price": "10"}).status_code == 302
    )
    assert DealCompetitor.objects.get().name == "Rival"


def test_documents_are_validated_versioned_and_served_only_to_readers(
    client_for, people, customer, sales3
):
    deal = open_deal(customer, people["sales1"])
    client = client_for(people["sales1"])
    url = reverse("records:deal_document_upload", args=[deal.pk])
    # wrong extension, lying content, too big: field errors, nothing stored
    for name, content, ctype in (
        ("run.exe", b"MZ...", "application/octet-stream"),
        ("quote.pdf", b"<html>not a pdf</html>", "application/pdf"),
        ("quote.pdf", PDF, "text/html"),
    ):
        response = client.post(
            url,
            {
                "document-kind": "quote",
                "document-file": SimpleUploadedFile(name, content, content_type=ctype),
            },
        )
        assert response.status_code == 400, name
    assert not DocumentVersion.objects.exists()
    response = client.post(
        url,
        {
            "document-kind": "quote",
            "document-title": "Quote v1",
            "document-file": SimpleUploadedFile("quote.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    document = version.document
    response = client.post(
        reverse("records:deal_document_version", args=[deal.pk, document.pk]),
        {"file": SimpleUploadedFile("quote-2.pdf", PDF + b" v2", content_type="application/pdf")},
    )
    assert response.status_code == 302
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    file_url = version.get_absolute_url()
    response = client.get(file_url)
    assert response.status_code == 200
    assert b"DEAL-SECRET-MARKER" in b"".join(response.streaming_content)
    # the file is not under MEDIA_ROOT, and strangers get a 404 without the bytes
    from django.conf import settings

    assert not str(version.file.path).startswith(str(settings.MEDIA_ROOT) + "/")
    for stranger in (sales3, people["newhire"]):
        response = client_for(stranger).get(file_url)
        assert response.status_code == 404
        assert b"DEAL-SECRET-MARKER" not in response.content
    # a version id under another deal's URL is a 404 too
    other = open_deal(customer, people["sales1"], name="Other")
    response = client_for(people["sales1"]).get(
        reverse("records:deal_document_file", args=[other.pk, version.pk])
    )
    assert response.status_code == 404


def test_documents_over_the_size_limit_are_refused(client_for, people, customer, settings):
    settings.DEAL_DOCUMENT_MAX_BYTES = 100
    deal = open_deal(customer, people["sales1"])
    response = client_for(people["sales1"]).post(
        reverse("records:deal_document_upload", args=[deal.pk]),
        {
            "document-kind": "quote",
            "document-file": SimpleUploadedFile(
                "big.pdf", PDF + b"x" * 200, content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_urge_report_lists_open_urges_for_managers_only(client_for, people, customer):
    deal = open_deal(customer, people["sales1"], name="Urgent deal")
    deal_actions.urge_deal(
        deal,
        acting_user=people["manager"],
        message="Call them today",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    page = client_for(people["manager"]).get(reverse("records:deal_urges")).content.decode()
    assert "Urgent deal" in page and "Call them today" in page
    assert client_for(people["sales1"]).get(reverse("records:deal_urges")).status_code == 403
    # the owner sees the urge on the deal page with an answer box
    page = client_for(people["sales1"]).get(deal.get_absolute_url()).content.decode()
    assert "Call them today" in page and "Acknowledge" in page


def test_handover_page_moves_a_leaving_reps_deals(client_for, people, customer):
    make_deals(customer, people["sales1"], 3)
    client = client_for(people["manager"])
    form = {"from_user": people["sales1"].pk, "to_user": people["sales2"].pk}
    preview = client.post(reverse("records:deal_handover_all"), form)
    # first a preview of what will move; nothing moved yet
    assert preview.status_code == 200
    assert 'id="handover-preview"' in preview.content.decode()
    assert "3 deals" in preview.content.decode()
    assert not Deal.objects.filter(owner=people["sales2"]).exists()
    response = client.post(reverse("records:deal_handover_all"), {**form, "confirm": "1"})
    assert response.status_code == 302
    assert Deal.objects.filter(owner=people["sales2"]).count() == 3


def test_edit_page_changes_details(client_for, people, customer):
    deal = open_deal(customer, people["sales1"])
    client = client_for(people["sales1"])
    url = reverse("records:deal_edit", args=[deal.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "Renamed", "amount": "1", "currency": "USD", "stage": deal.stage_id},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.name == "Renamed" and deal.currency == "USD"
    assert deal.expected_close_date is None  # emptied in the form, so cleared
    assert client_for(people["sales2"]).get(url).status_code == 404


def _fill(deal, user, rounds: int) -> None:
    for i in range(rounds):
        deal_actions.create_activity(
            deal,
            acting_user=user,
            subject=f"Visit {i}",
            due_at=timezone.now() + datetime.timedelta(days=i + 1),
            contacts=list(deal.customer.contacts.all()),
        )
        deal_actions.add_competitor(deal, acting_user=user, name=f"Rival {i}")
        deal_actions.create_deal_reminder(
            deal, acting_user=user, due_at=timezone.now(), subject=f"Reminder {i}"
        )
        deal_actions.upload_document(
            deal,
            acting_user=user,
            file=SimpleUploadedFile(f"q{i}.pdf", PDF, content_type="application/pdf"),
            kind="quote",
        )
        deal_actions.add_order_line(
            deal, acting_user=user, description=f"Item {i}", quantity=1, unit_price=10
        )
        deal_actions.add_installment(
            deal,
            acting_user=user,
            due_on=timezone.localdate() + datetime.timedelta(days=i),
            amount=10,
        )


# 39, and 3 for the "Mail and fax" panel: the documents to choose, the gateway, the batches;
# 1 for the renewal links (the deal it renews and the one renewing it, through the policy).
DEAL_PAGE_QUERIES = 42


def test_detail_page_queries_do_not_grow_with_its_content(
    client_for, people, customer, django_assert_num_queries
):
    deal = won_deal(customer, people["sales1"])
    _fill(deal, people["sales1"], 2)
    client = client_for(people["sales1"])
    client.get(deal.get_absolute_url())  # warm caches
    with django_assert_num_queries(DEAL_PAGE_QUERIES):
        client.get(deal.get_absolute_url())
    _fill(deal, people["sales1"], 4)
    with django_assert_num_queries(DEAL_PAGE_QUERIES):
        response = client.get(deal.get_absolute_url())
    assert response.content.decode().count("Rival ") >= 6


def test_my_deals_include_co_owned_ones(client_for, people, customer):
    open_deal(customer, people["sales1"], name="Shared pursuit", co_owners=[people["sales2"]])
    open_deal(customer, people["sales1"], name="Solo pursuit")
    page = client_for(people["sales2"]).get(reverse("records:deal_list"), {"view": "mine"})
    text = page.content.decode()
    assert "Shared pursuit" in text and "Solo pursuit" not in text
    # the owner, who co-owns nothing, takes the owner-only path
    from portal.records.customers.actions import create_customer

    theirs = create_customer(acting_user=people["sales2"], name="North Retail Ltd")
    open_deal(theirs, people["sales2"], name="Other rep's pursuit")
    page = client_for(people["sales1"]).get(reverse("records:deal_list"), {"view": "mine"})
    text = page.content.decode()
    assert "Shared pursuit" in text and "Solo pursuit" in text
    assert "Other rep" not in text
    # the manager sees all three deals, yet owns none of them
    manager = client_for(people["manager"])
    assert "Solo pursuit" in manager.get(reverse("records:deal_list")).content.decode()
    mine = manager.get(reverse("records:deal_list"), {"view": "mine"}).content.decode()
    assert "pursuit" not in mine


def test_stage_selector_moves_a_tracked_deal(client_for, people, customer):
    from portal.records.models import DealStage

    deal = open_deal(customer, people["sales1"])
    proposal = DealStage.objects.get(name="Proposal")
    url = reverse("records:deal_stage", args=[deal.pk])
    assert client_for(people["sales2"]).post(url, {"stage": proposal.pk}).status_code == 404
    deal.refresh_from_db()
    assert deal.stage.name == "Lead"
    assert client_for(people["sales1"]).post(url, {"stage": proposal.pk}).status_code == 302
    deal.refresh_from_db()
    assert deal.stage == proposal


def test_administrators_configure_stages_and_contact_frequencies(client_for, people, customer):
    from portal.records.models import ContactFrequency, DealStage

    open_deal(customer, people["sales1"])  # seeds the default stages
    client = client_for(people["admin"])
    for name in ("dealstage", "contactfrequency"):
        assert client.get(reverse(f"admin:records_{name}_changelist")).status_code == 200
    response = client.post(
        reverse("admin:records_contactfrequency_add"), {"level": "C", "max_days": "10"}
    )
    assert response.status_code == 302
    assert ContactFrequency.objects.get(level="C").max_days == 10
    from portal.records.deals.queries import next_contact_due

    assert next_contact_due(customer).max_days == 10
    # a stage in use cannot be deleted (retire it instead)
    used = DealStage.objects.get(name="Lead")
    response = client.get(reverse("admin:records_dealstage_delete", args=[used.pk]))
    assert response.status_code == 403
    assert client_for(people["sales1"]).get(
        reverse("admin:records_dealstage_changelist")
    ).status_code in (302, 403)


def test_a_binned_customer_takes_its_deals_along_and_restoring_brings_them_back(
    client_for, people, customer
):
    deal = open_deal(customer, people["sales1"], name="Binned pursuit")
    client = client_for(people["sales1"])
    actions.delete_customer(customer, acting_user=people["sales1"])
    assert "Binned pursuit" not in client.get(reverse("records:deal_list")).content.decode()
    assert client.get(deal.get_absolute_url()).status_code == 404
    actions.restore_customer(customer, acting_user=people["sales1"])
    assert "Binned pursuit" in client.get(reverse("records:deal_list")).content.decode()
    assert client.get(deal.get_absolute_url()).status_code == 200
