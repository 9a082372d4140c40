"""Promoting a solved topic's answer into an unpublished Q&A draft of the knowledge base."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.forum import actions
from portal.knowledge import models as knowledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def qa_index(forum):
    home = knowledge.KnowledgeHome(title="Knowledge", slug="knowledge")
    forum["index"].get_parent().add_child(instance=home)
    index = knowledge.QAIndexPage(title="Q&A", slug="qa")
    home.add_child(instance=index)
    return index


def solved_topic(people, forum):
    topic = actions.create_topic(
        category=forum["open"],
        title="Does the X5 read phone screens?",
        body="Question",
        tags=["scanners"],
        acting_user=people["sales1"],
    )
    answer = actions.reply(
        topic, body="Yes, **every 2D model** does.", acting_user=people["service"]
    )
    actions.accept_answer(answer, acting_user=people["sales1"])
    topic.refresh_from_db()
    return topic


def test_a_moderator_promotes_the_answer_into_an_unpublished_draft_once(people, forum, qa_index):
    topic = solved_topic(people, forum)
    page = actions.promote_answer_to_qa(topic, acting_user=people["manager"])
    assert page.get_parent().specific == qa_index
    assert not page.live and page.title == topic.title
    assert "<strong>every 2D model</strong>" in page.answer
    assert page.keywords == "scanners"
    assert page.get_latest_revision() is not None
    # twice gives the same draft
    assert actions.promote_answer_to_qa(topic, acting_user=people["manager"]).pk == page.pk
    assert knowledge.QAPage.objects.count() == 1


def test_promotion_needs_a_moderator_and_a_solved_topic(people, forum, qa_index):
    topic = solved_topic(people, forum)
    with pytest.raises(PermissionDenied):
        actions.promote_answer_to_qa(topic, acting_user=people["sales1"])
    open_topic = actions.create_topic(
        category=forum["open"], title="t", body="b", acting_user=people["sales1"]
    )
    with pytest.raises(ValidationError):
        actions.promote_answer_to_qa(open_topic, acting_user=people["manager"])
    assert not knowledge.QAPage.objects.exists()


def test_a_promoted_draft_is_proposed_to_the_knowledge_editors(people, forum, qa_index):
    """The forum and service cases propose Q&A drafts through one knowledge action; the
    knowledge editors hear about every proposal."""
    from portal.core.testing import capture_events
    from portal.notifications.models import Notification

    topic = solved_topic(people, forum)
    with capture_events() as captured:
        page = actions.promote_answer_to_qa(topic, acting_user=people["manager"])
    (event,) = captured.named("knowledge.qa_draft_created")
    assert event.payload == {
        "page_id": page.pk,
        "source": f"forum.topic:{topic.pk}",
        "actor_id": people["manager"].pk,
    }
    row = Notification.objects.get(user=people["editor"])
    assert row.message == "knowledge.qa_draft_proposed" and str(page.pk) in row.url
    assert not Notification.objects.filter(user=people["sales1"], kind="knowledge").exists()


def test_a_draft_needs_a_question_and_nothing_is_made_without_one(people, forum, qa_index):
    from portal.knowledge import actions as knowledge_actions

    with pytest.raises(ValidationError):
        knowledge_actions.create_qa_draft(
            acting_user=people["manager"], question="  ", answer_html="<p>x</p>", source="t"
        )
    assert not knowledge.QAPage.objects.exists()
