"""Who sees a topic: its category's rule AND the rule of every record it is about."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from portal.core import visibility
from portal.forum import actions
from portal.forum.markdown import link_references
from portal.forum.models import Topic
from portal.forum.permissions import posts_visible_to, topics_visible_to
from portal.forum.references import reference_links
from portal.forum.wiring import discussions_panel
from portal.records.customers import actions as records

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(people):
    return records.create_customer(acting_user=people["sales1"], name="Acme Retail")


def about(user, category, refs, body="Stuck at procurement", title="Acme is stuck"):
    return actions.create_topic(user, category=category, title=title, body=body, refs=refs)


def visible_usernames(topic, people):
    return {
        name
        for name, user in people.items()
        if topics_visible_to(user).filter(pk=topic.pk).exists()
    }


def test_a_topic_about_a_customer_is_visible_only_to_who_may_see_the_customer(people, forum, acme):
    topic = about(people["sales1"], forum["open"], [("customer", acme.pk)])
    # sales1 owns the customer, manager manages sales; admin sees everything
    assert visible_usernames(topic, people) == {"sales1", "manager", "admin"}
    assert visibility.object_keys(topic) == visibility.object_keys(acme)
    assert not topic.access_materialised
    reply = actions.reply(people["manager"], topic, body="Call me.")
    assert not posts_visible_to(people["newhire"]).filter(pk=reply.pk).exists()


def test_restricted_category_and_restricted_record_intersect(people, forum, acme):
    # given a customer shared with the manager's colleague sales2 — not a manager
    records.share_customer(acme, acting_user=people["sales1"], user=people["sales2"])
    # when a manager discusses it in the managers-only category
    topic = about(people["manager"], forum["managers"], [("customer", acme.pk)])
    # then only people satisfying both rules see it: sales1/sales2 see the customer but are
    # not managers; editor is in neither
    assert topic.access_materialised
    assert visible_usernames(topic, people) == {"manager", "admin"}


def test_linking_a_record_one_may_not_see_is_refused_and_nothing_is_created(people, forum, acme):
    with pytest.raises(ValidationError) as error:
        about(people["sales2"], forum["open"], [("customer", acme.pk)])
    assert "references" in error.value.message_dict
    with pytest.raises(ValidationError):
        about(people["sales2"], forum["open"], [("customer", 999999)])
    assert not Topic.objects.exists()


def test_a_code_written_in_the_opening_post_links_and_restricts(people, forum, acme):
    topic = about(people["sales1"], forum["open"], [], body=f"About #{acme.code}, see above.")
    assert list(topic.references.values_list("kind", "object_id")) == [("customer", acme.pk)]
    assert "sales2" not in visible_usernames(topic, people)


def test_a_code_a_reader_may_not_see_stays_plain_text_without_the_name(people, forum, acme):
    html = f"<p>See #{acme.code} today</p>"
    for_owner = link_references(html, reference_links({acme.code}, people["sales1"]))
    for_other = link_references(html, reference_links({acme.code}, people["sales2"]))
    assert acme.get_absolute_url() in for_owner and "Acme Retail" in for_owner
    assert for_other == html and "Acme" not in for_other


def test_sharing_the_customer_rekeys_its_topics(people, forum, acme, events):
    topic = about(people["sales1"], forum["open"], [("customer", acme.pk)])
    assert "sales2" not in visible_usernames(topic, people)
    # when the owner shares the customer (records publishes customer_access_changed)
    records.share_customer(acme, acting_user=people["sales1"], user=people["sales2"])
    events.clear()
    from portal.core.events import Event
    from portal.forum.wiring import on_access_changed

    with_access_event = Event(
        "records.customer_access_changed", {"customer_id": acme.pk, "actor_id": people["sales1"].pk}
    )
    on_access_changed(with_access_event)
    # then sales2 sees the topic and the forum announces the change
    assert "sales2" in visible_usernames(topic, people)
    assert events.named("forum.topic_access_changed")[0].payload["topic_id"] == topic.pk


def test_the_discussions_panel_lists_only_visible_topics(people, forum, acme):
    topic = about(people["sales1"], forum["open"], [("customer", acme.pk)])
    request = RequestFactory().get("/")
    request.user = people["sales1"]
    assert discussions_panel(request, acme).context["topics"] == [topic]
    request.user = people["newhire"]
    assert discussions_panel(request, acme).context["topics"] == []


def test_changing_a_categorys_read_rule_in_wagtail_rekeys_its_topics(people, forum):
    from django.contrib.auth.models import Group

    topic = actions.create_topic(people["sales1"], category=forum["cases"], title="t", body="b")
    assert "newhire" in visible_usernames(topic, people)
    category = forum["cases"]
    category.read_groups.set(Group.objects.filter(name__in=["Sales", "Managers"]))
    category.save_revision().publish()  # the page_published relay re-keys
    assert visible_usernames(topic, people) == {"sales1", "sales2", "manager", "admin"}


def test_the_worker_refreshes_materialised_keys_after_a_role_change(people, forum, acme):
    from django.contrib.auth.models import Group

    from portal.core.worker import jobs, run_job

    topic = about(people["manager"], forum["managers"], [("customer", acme.pk)])
    assert "sales1" not in visible_usernames(topic, people)
    # sales1 (the customer's owner) becomes a manager
    people["sales1"].groups.add(Group.objects.get(name="Managers"))
    people["sales1"] = type(people["sales1"]).objects.get(pk=people["sales1"].pk)
    job = next(job for job in jobs() if job.name == "forum.refresh_access")
    assert run_job(job) == 1
    assert "sales1" in visible_usernames(topic, people)
    assert run_job(job) == 0  # idempotent: a second worker finds nothing to do
