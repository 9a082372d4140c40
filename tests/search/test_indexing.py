"""The pipeline end to end: actions publish events, search indexes after commit, and every kind
is found only by those who may open it (hits, counts and facets)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from portal.accounts import roles
from portal.core.testing import capture_events
from portal.forum import actions as forum_actions
from portal.knowledge import actions as knowledge_actions
from portal.knowledge.models import DocumentIndexPage, KnowledgeHome, StandardDocumentPage
from portal.records.customers import actions as records_actions
from portal.search import service
from portal.search.models import SearchEntry
from portal.search.rebuild import check, rebuild
from portal.search.registry import document_for
from tests.forum.conftest import forum  # noqa: F401 - the forum fixture

pytestmark = pytest.mark.django_db


def act(action, *args, **kwargs):
    """Run an action and deliver its events as its commit would (the subscribers index)."""
    with capture_events():
        return action(*args, **kwargs)


def found(user, text):
    _parsed, results = service.search(user, text)
    return results


def refs(user, text):
    return sorted(f"{hit.kind}:{hit.title}" for hit in found(user, text).hits)


def test_a_protected_customer_and_its_contacts_are_found_only_by_who_may_open_them(people):
    # given sales1's customer with a contact
    customer = act(
        records_actions.create_customer, acting_user=people["sales1"], name="宏达精密科技"
    )
    act(records_actions.create_contact, customer, acting_user=people["sales1"], name="李宏达",
                                   title="采购经理")  # fmt: skip
    # then the owner, their manager and an administrator find both …
    for name in ("sales1", "manager", "admin"):
        assert refs(people[name], "宏达") == ["contact:李宏达", "customer:宏达精密科技"], name
    # … and a colleague gets nothing: no hit, no count, no facet, no suggestion
    results = found(people["sales2"], "宏达")
    assert (results.count, results.hits, results.facets) == (0, [], {})
    assert found(people["sales2"], "宏达 精密").suggestions == []
    assert service.autocomplete(people["sales2"], "宏达") == []


def test_sharing_transfer_and_the_recycle_bin_reindex(people):
    customer = act(
        records_actions.create_customer, acting_user=people["sales1"], name="Acme Robotics"
    )
    assert found(people["sales2"], "acme").count == 0

    act(
        records_actions.share_customer,
        customer,
        acting_user=people["sales1"],
        user=people["sales2"],
    )
    assert refs(people["sales2"], "acme") == ["customer:Acme Robotics"]

    act(records_actions.delete_customer, customer, acting_user=people["sales1"])
    assert found(people["sales1"], "acme").count == 0
    act(records_actions.restore_customer, customer, acting_user=people["sales1"])
    assert found(people["sales1"], "acme").count == 1


def test_topics_and_replies_of_a_private_category_stay_private(people, forum):  # noqa: F811
    topic = act(forum_actions.create_topic, 
        people["manager"], category=forum["managers"], title="竞品降价应对 price war",
        body="华为降价了,我们的报价策略", tags=["pricing"],
    )  # fmt: skip
    act(forum_actions.reply, people["manager"], topic, body="建议维持报价 keep the price")

    assert refs(people["manager"], "报价") == ["post:竞品降价应对 price war",
                                               "topic:竞品降价应对 price war"]  # fmt: skip
    results = found(people["sales1"], "报价")
    assert (results.count, results.facets) == (0, {})
    assert found(people["sales1"], "tag:pricing").count == 0


def test_a_hidden_topic_leaves_the_index_with_its_replies(people, forum):  # noqa: F811
    topic = act(forum_actions.create_topic, 
        people["sales1"], category=forum["open"], title="Trade fair 展会", body="见面 meet",
    )  # fmt: skip
    act(forum_actions.reply, people["sales2"], topic, body="展会 booth 12")
    assert found(people["sales2"], "展会").count == 2

    act(forum_actions.hide_topic, people["admin"], topic)

    assert found(people["sales2"], "展会").count == 0
    assert found(people["admin"], "展会").count == 0


@pytest.fixture
def documents_index(people):
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.get_first_root_node()
    home = act(
        knowledge_actions.create_page,
        root,
        KnowledgeHome(title="Knowledge", slug="knowledge"),
        actor=people["admin"],
    )
    return act(
        knowledge_actions.create_page,
        home,
        DocumentIndexPage(title="Documents", slug="documents"),
        actor=people["admin"],
    )


def test_a_restricted_document_is_found_only_by_its_roles(people, documents_index):
    page = StandardDocumentPage(
        title="客服退款流程 refund process", slug="refund", description="退款审批 approval",
        restricted=True,
    )  # fmt: skip
    page.allowed_groups = [Group.objects.get(name=roles.SERVICE)]
    act(knowledge_actions.create_page, documents_index, page, actor=people["admin"])
    open_page = StandardDocumentPage(title="报销流程 expenses", slug="expenses",
                                     description="审批 approval")  # fmt: skip
    act(knowledge_actions.create_page, documents_index, open_page, actor=people["admin"])

    assert refs(people["service"], "审批") == [
        "document:客服退款流程 refund process",
        "document:报销流程 expenses",
    ]  # fmt: skip
    results = found(people["sales1"], "审批")
    assert [hit.title for hit in results.hits] == ["报销流程 expenses"]
    assert results.count == 1
    assert found(people["sales1"], "退款").count == 0


def test_document_for_a_base_page_uses_its_specific_page(people, documents_index):
    page = act(
        knowledge_actions.create_page, documents_index,
        StandardDocumentPage(title="合同模板 contract template", slug="contract"),
        actor=people["admin"],
    )  # fmt: skip

    document = document_for(Page.objects.get(pk=page.pk))

    assert (document.kind, document.title) == ("document", "合同模板 contract template")
    assert document.keys == ["staff"]


def test_unpublishing_removes_a_page(people, documents_index):
    page = act(knowledge_actions.create_page, 
        documents_index, StandardDocumentPage(title="差旅政策 travel policy", slug="travel"),
        actor=people["admin"],
    )  # fmt: skip
    assert found(people["sales1"], "差旅").count == 1

    act(page.unpublish, user=people["admin"])

    assert found(people["sales1"], "差旅").count == 0


def test_document_for_any_model_instance(people):
    customer = act(
        records_actions.create_customer, acting_user=people["sales1"], name="北辰 Logistics"
    )

    document = document_for(customer)

    assert document.kind == "customer"
    assert document.title == "北辰 Logistics"
    assert f"u:{people['sales1'].pk}" in document.keys
    assert document.owner == "sales1"


def test_rebuild_and_the_consistency_check_repair_drift(people):
    customer = act(
        records_actions.create_customer, acting_user=people["sales1"], name="Zenith 天顶"
    )
    assert check().clean
    # drift: an entry lost, a stale one added behind the pipeline's back
    SearchEntry.objects.filter(kind="customer", object_id=str(customer.pk)).delete()
    from portal.search.backends import get_backend

    get_backend().index([document_for(customer)])
    SearchEntry.objects.filter(kind="customer").update(checksum="x")
    drift = check()
    assert drift.changed == [("customer", str(customer.pk))]

    assert check(fix=True).changed
    assert check().clean
    assert rebuild() >= 1
    assert found(people["sales1"], "天顶").count == 1
