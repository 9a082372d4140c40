"""Q&A reuse counting, overdue review flags, the dashboard panel and the entry point."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.core.testing import capture_events
from portal.knowledge import actions
from portal.knowledge.models import KnowledgeHome, ProductPage, QAPage

pytestmark = pytest.mark.django_db


def test_record_qa_usage_counts_and_the_api_action_too(kb, people, api_client):
    qa = kb["qa"]
    assert actions.record_qa_usage(qa.pk, acting_user=people["service"], context="case:7") == 1
    api_client.force_authenticate(people["service"])
    response = api_client.post(f"/api/v1/knowledge/{qa.pk}/use/", {"context": "case:8"})
    assert response.status_code == 200
    assert response.json() == {"id": qa.pk, "usage_count": 2}
    assert QAPage.objects.get(pk=qa.pk).usage_count == 2


def test_record_qa_usage_refuses_what_is_not_a_qa_entry(kb, people):
    with pytest.raises(ValidationError):
        actions.record_qa_usage(kb["s1"].pk, acting_user=people["service"])


def test_overdue_pages_are_flagged_once_and_shown_to_editors(kb, people, client_for):
    ProductPage.objects.filter(pk=kb["s1"].pk).update(
        review_by=timezone.localdate() - datetime.timedelta(days=2)
    )
    with capture_events() as captured:
        assert actions.flag_overdue_reviews() == 1
        assert actions.flag_overdue_reviews() == 0  # a second worker finds nothing to claim
    flagged = captured.named("knowledge.review_overdue")
    assert [e["page_id"] for e in flagged] == [kb["s1"].pk]
    assert flagged[0]["owner_id"] == people["editor"].pk
    dashboard = client_for(people["editor"]).get("/").content.decode()
    assert "Knowledge pages due for review" in dashboard and "Nebula S1" in dashboard
    assert (
        "Knowledge pages due for review"
        not in client_for(people["sales1"]).get("/").content.decode()
    )


def test_the_owner_of_an_overdue_page_is_notified_once_in_their_language(kb, people):
    from portal.notifications.models import Notification

    editor = people["editor"]
    editor.language = "zh-hans"
    editor.save(update_fields=["language"])
    ProductPage.objects.filter(pk=kb["s1"].pk).update(
        review_by=timezone.localdate() - datetime.timedelta(days=2)
    )
    with capture_events():
        actions.flag_overdue_reviews()
        actions.flag_overdue_reviews()
    notes = list(Notification.objects.filter(user=editor))
    assert len(notes) == 1
    assert notes[0].kind == "knowledge"
    assert notes[0].title == "需要复审：Nebula S1"
    assert notes[0].url == kb["s1"].url
    assert not Notification.objects.exclude(user=editor).exists()


def test_knowledge_home_link_redirects_or_shows_an_empty_state(db, people, client_for):
    client = client_for(people["sales1"])
    empty = client.get(reverse("knowledge:home"))
    assert empty.status_code == 200
    assert "has not been set up yet" in empty.content.decode()


def test_knowledge_home_link_redirects_to_the_live_home(kb, people, client_for):
    response = client_for(people["sales1"]).get(reverse("knowledge:home"))
    assert response.status_code == 302
    assert response["Location"] == KnowledgeHome.objects.get().url == "/knowledge/"


def test_index_filters_and_api_type_filter(kb, people, client_for):
    client = client_for(people["sales1"])
    products = client.get(kb["products"].url + "?line=scanners").content.decode()
    assert "Nebula S1" not in products and "No entries match these filters." in products
    assert "Nebula S1" in client.get(kb["products"].url + "?line=terminals").content.decode()
    api = client.get("/api/v1/knowledge/?type=product").json()
    assert {row["title"] for row in api["results"]} == {"Nebula S1", "Nebula S2"}
    assert set(api) == {"count", "next", "previous", "results"}
    assert client.get("/api/v1/knowledge/?type=bogus").status_code == 400


def test_editorial_setup_gives_editors_the_admin_and_the_review_workflow(kb, people):
    from wagtail.models import WorkflowPage

    editor = people["editor"]
    assert editor.has_perm("wagtailadmin.access_admin")
    assert kb["s1"].permissions_for_user(editor).can_publish()
    assert not kb["s1"].permissions_for_user(people["sales1"]).can_edit()
    workflow = WorkflowPage.objects.get(page=kb["home"]).workflow
    assert workflow.name == "Knowledge review"
    assert kb["s1"].get_workflow() == workflow
