"""Wagtail's publish/unpublish signals are relayed into knowledge events with keys set."""

from __future__ import annotations

import pytest

from portal.core import visibility
from portal.core.testing import capture_events
from portal.knowledge import actions
from portal.knowledge.models import ArticleIndexPage, ArticlePage

pytestmark = pytest.mark.django_db


def test_first_publish_then_republish_then_unpublish(kb, people):
    editor, admin = people["editor"], people["admin"]
    index = actions.create_page(
        kb["home"], ArticleIndexPage(title="Articles", slug="articles"), acting_user=admin
    )
    # when an article is created and published for the first time
    with capture_events() as captured:
        article = actions.create_page(
            index, ArticlePage(title="Launch", slug="launch"), acting_user=editor
        )
    published = captured.named("knowledge.page_published")
    assert [e.payload for e in published] == [
        {"page_id": article.pk, "kind": "article", "first_publish": True, "actor_id": editor.pk}
    ]
    assert visibility.object_keys(article.page_ptr) == {visibility.STAFF}
    # when it is published again
    with capture_events() as captured:
        actions.publish_page(article, acting_user=admin)
    assert captured.named("knowledge.page_published")[0]["first_publish"] is False
    assert captured.named("knowledge.page_published")[0]["actor_id"] == admin.pk
    # when it is unpublished
    with capture_events() as captured:
        actions.unpublish_page(article, acting_user=admin)
    assert [e.payload for e in captured.named("knowledge.page_unpublished")] == [
        {"page_id": article.pk, "kind": "article", "actor_id": admin.pk}
    ]


def test_restricting_a_document_announces_the_access_change(kb, people):
    document = kb["open_doc"]
    document.restricted = True
    with capture_events() as captured:
        actions.publish_page(document, acting_user=people["admin"])
    assert captured.named("knowledge.page_access_changed")[0]["page_id"] == document.pk
    assert visibility.STAFF not in visibility.object_keys(document.page_ptr)


def test_an_unauthorised_user_cannot_publish_and_nothing_changes(kb, people):
    product = kb["s1"]
    before = product.live_revision_id
    product.title = "Hijacked"
    with pytest.raises(actions.PermissionDenied), capture_events() as captured:
        actions.publish_page(product, acting_user=people["sales1"])
    product.refresh_from_db()
    assert product.title == "Nebula S1"
    assert product.live_revision_id == before
    assert captured.named("knowledge.page_published") == []


def test_scheduled_publishing_runs_in_the_worker_and_is_relayed(kb, people):
    import datetime

    from django.utils import timezone

    from portal.knowledge.models import ProductPage

    # given an editor scheduled a product to go live a minute ago (not yet published)
    page = ProductPage(title="Nebula S9", slug="nebula-s9", product_line="terminals")
    page = actions.create_page(kb["products"], page, acting_user=people["editor"], publish=False)
    revision = page.latest_revision
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save(update_fields=["approved_go_live_at"])
    # when the worker job runs
    with capture_events() as captured:
        actions.publish_scheduled_pages()
    # then the page is live, announced, and readable by staff
    page.refresh_from_db()
    assert page.live
    assert [e["page_id"] for e in captured.named("knowledge.page_published")] == [page.pk]
    assert visibility.object_keys(page.page_ptr) == {visibility.STAFF}
