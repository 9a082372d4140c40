"""Topics and replies through the actions: events, mentions, numbering, edits, deletes, answers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.core import visibility
from portal.core.models import AuditEntry
from portal.forum import actions
from portal.forum.models import Post, PostRevision, Topic, TopicRead
from portal.forum.permissions import topics_visible_to

pytestmark = pytest.mark.django_db


def start(user, category, title="Printer ribbons", body="Which ribbons fit?", **extra):
    return actions.create_topic(
        category=category, title=title, body=body, **extra, acting_user=user
    )


def test_creating_a_topic_writes_post_one_keys_audit_and_event(people, forum, events):
    # given sales1 in an open category
    # when they start a topic
    topic = start(people["sales1"], forum["open"], tags=["printers", "Printers", "ribbons"])
    # then the opening text is post 1, the topic is open to all staff, tags deduplicated
    assert list(topic.posts.values_list("number", "author__username")) == [(1, "sales1")]
    assert visibility.object_keys(topic) == {visibility.STAFF}
    assert sorted(topic.tags.names()) == ["printers", "ribbons"]
    assert AuditEntry.objects.filter(action="forum.topic_created", object_id=str(topic.pk)).exists()
    created = events.named("forum.topic_created")
    assert created[0].payload == {"topic_id": topic.pk, "actor_id": people["sales1"].pk}


def test_a_topic_needs_a_title_and_a_body(people, forum):
    with pytest.raises(ValidationError) as error:
        start(people["sales1"], forum["open"], title="  ", body="x")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        start(people["sales1"], forum["open"], body="   ")
    assert "body" in error.value.message_dict
    assert not Topic.objects.exists()


def test_only_allowed_roles_may_start_topics_in_a_restricted_category(people, forum):
    with pytest.raises(PermissionDenied):
        start(people["sales1"], forum["managers"])
    assert not Topic.objects.exists()
    topic = start(people["manager"], forum["managers"])
    assert topic.category == forum["managers"]


def test_replies_are_numbered_densely_and_update_the_topic(people, forum, events):
    topic = start(people["sales1"], forum["open"])
    first = actions.reply(topic, body="Use the original ones.", acting_user=people["sales2"])
    second = actions.reply(topic, body="Agreed.", reply_to=first, acting_user=people["service"])
    topic.refresh_from_db()
    assert (first.number, second.number) == (2, 3)
    assert (topic.post_count, topic.reply_count, topic.last_poster) == (3, 2, people["service"])
    assert second.reply_to == first
    assert [e.payload["post_id"] for e in events.named("forum.post_created")] == [
        first.pk,
        second.pk,
    ]
    # the author's own reply counts as read
    assert TopicRead.objects.get(user=people["service"], topic=topic).last_read_number == 3


def test_replying_to_a_post_of_another_topic_is_refused(people, forum):
    one = start(people["sales1"], forum["open"])
    other = start(people["sales1"], forum["open"], title="Other")
    post = actions.reply(other, body="x", acting_user=people["sales2"])
    with pytest.raises(ValidationError):
        actions.reply(one, body="y", reply_to=post, acting_user=people["sales2"])
    assert one.posts.count() == 1


def test_a_locked_topic_takes_replies_only_from_moderators(people, forum):
    topic = start(people["sales1"], forum["open"])
    actions.lock_topic(topic, acting_user=people["manager"])
    with pytest.raises(PermissionDenied):
        actions.reply(topic, body="late", acting_user=people["sales2"])
    assert topic.posts.count() == 1
    actions.reply(topic, body="Closing note", acting_user=people["manager"])
    assert topic.posts.count() == 2


def test_mentions_notify_only_people_who_may_see_the_topic(people, forum, events):
    # given a managers-only topic mentioning a manager and a salesperson
    topic = start(people["manager"], forum["managers"], body="@sales1 and @admin and @nobody look")
    mention = events.named("forum.mentioned")
    # then only admin (who may read it) is mentioned; sales1 would learn of a hidden topic
    assert mention[0].payload["user_ids"] == [people["admin"].pk]
    html = topic.posts.get(number=1).body_html
    assert '<span class="forum-mention">@admin</span>' in html
    assert "@nobody" in html and 'forum-mention">@nobody' not in html


def test_editing_keeps_the_previous_text_as_history(people, forum, events):
    topic = start(people["sales1"], forum["open"], body="first text")
    post = topic.posts.get(number=1)
    actions.edit_post(post, body="second text", title="Better title", acting_user=people["sales1"])
    post.refresh_from_db()
    topic.refresh_from_db()
    assert (post.body, post.edit_count, topic.title) == ("second text", 1, "Better title")
    revision = PostRevision.objects.get(post=post)
    assert (revision.body, revision.title) == ("first text", "Printer ribbons")
    assert "forum.post_updated" in events.names and "forum.topic_updated" in events.names


def test_others_cannot_edit_a_post(people, forum):
    topic = start(people["sales1"], forum["open"], body="mine")
    post = topic.posts.get(number=1)
    with pytest.raises(PermissionDenied):
        actions.edit_post(post, body="hijacked", acting_user=people["sales2"])
    post.refresh_from_db()
    assert post.body == "mine" and not PostRevision.objects.exists()


def test_authors_delete_within_a_day_moderators_always_and_only_moderators_restore(people, forum):
    topic = start(people["sales1"], forum["open"])
    recent = actions.reply(topic, body="oops", acting_user=people["sales2"])
    old = actions.reply(topic, body="old", acting_user=people["sales2"])
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    old.refresh_from_db()
    actions.delete_post(recent, acting_user=people["sales2"])
    assert Post.objects.get(pk=recent.pk).deleted_at is not None
    with pytest.raises(PermissionDenied):
        actions.delete_post(old, acting_user=people["sales2"])
    assert Post.objects.get(pk=old.pk).deleted_at is None
    with pytest.raises(PermissionDenied):
        actions.restore_post(recent, acting_user=people["sales2"])
    actions.delete_post(old, acting_user=people["manager"])
    actions.restore_post(recent, acting_user=people["manager"])
    assert Post.objects.get(pk=recent.pk).deleted_at is None


def test_the_author_or_a_moderator_accepts_an_answer(people, forum, events):
    topic = start(people["sales1"], forum["open"])
    answer = actions.reply(topic, body="Here is how.", acting_user=people["sales2"])
    with pytest.raises(PermissionDenied):
        actions.accept_answer(answer, acting_user=people["service"])
    assert Topic.objects.get(pk=topic.pk).solved_post is None
    with pytest.raises(ValidationError):
        actions.accept_answer(topic.posts.get(number=1), acting_user=people["sales1"])
    actions.accept_answer(answer, acting_user=people["sales1"])
    assert Topic.objects.get(pk=topic.pk).solved_post == answer
    assert events.named("forum.answer_accepted")[0].payload == {
        "topic_id": topic.pk,
        "post_id": answer.pk,
        "actor_id": people["sales1"].pk,
    }
    # the accepted answer is protected from its author's delete
    with pytest.raises(PermissionDenied):
        actions.delete_post(answer, acting_user=people["sales2"])


def test_moderation_pin_hide_move_and_refusal_for_others(people, forum, events):
    topic = start(people["sales1"], forum["open"])
    with pytest.raises(PermissionDenied):
        actions.pin_topic(topic, acting_user=people["sales2"])
    assert not Topic.objects.get(pk=topic.pk).pinned
    actions.pin_topic(topic, acting_user=people["manager"])
    actions.hide_topic(topic, acting_user=people["manager"])
    assert topic not in topics_visible_to(people["sales2"])
    assert topic in topics_visible_to(people["manager"])
    actions.hide_topic(topic, False, acting_user=people["manager"])
    actions.move_topic(topic, forum["managers"], acting_user=people["manager"])
    # moving into the managers' category re-keys the topic
    assert topic not in topics_visible_to(people["sales2"])
    assert "forum.topic_moved" in events.names and "forum.topic_access_changed" in events.names


def test_merging_appends_posts_and_retires_the_source(people, forum):
    target = start(people["sales1"], forum["open"], title="Target")
    actions.reply(target, body="t2", acting_user=people["sales2"])
    source = start(people["service"], forum["open"], title="Source")
    actions.reply(source, body="s2", acting_user=people["sales1"])
    actions.merge_topics(source, target, acting_user=people["manager"])
    target.refresh_from_db()
    source.refresh_from_db()
    assert list(target.posts.order_by("number").values_list("number", "body")) == [
        (1, "Which ribbons fit?"),
        (2, "t2"),
        (3, "Which ribbons fit?"),
        (4, "s2"),
    ]
    assert (target.post_count, target.reply_count) == (4, 3)
    assert source.merged_into == target and source.deleted_at is not None


def test_reports_reach_the_queue_and_a_moderator_resolves_them(people, forum):
    topic = start(people["sales1"], forum["open"])
    post = actions.reply(topic, body="spam spam", acting_user=people["sales2"])
    report = actions.report_post(post, reason="Spam", acting_user=people["service"])
    assert actions.report_post(post, reason="again", acting_user=people["service"]) == report
    with pytest.raises(PermissionDenied):
        actions.resolve_report(report, delete=True, acting_user=people["sales1"])
    assert Post.objects.get(pk=post.pk).deleted_at is None
    actions.resolve_report(report, delete=True, acting_user=people["manager"])
    report.refresh_from_db()
    assert report.resolved_at is not None and Post.objects.get(pk=post.pk).deleted_at is not None


def test_a_topic_author_may_delete_only_while_nobody_replied(people, forum, events):
    topic = start(people["sales1"], forum["open"])
    actions.reply(topic, body="reply", acting_user=people["sales2"])
    topic.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.delete_topic(topic, acting_user=people["sales1"])
    assert Topic.objects.get(pk=topic.pk).deleted_at is None
    quiet = start(people["sales1"], forum["open"], title="quiet")
    actions.delete_topic(quiet, acting_user=people["sales1"])
    assert quiet not in topics_visible_to(people["sales1"])
    actions.restore_topic(quiet, acting_user=people["manager"])
    assert quiet in topics_visible_to(people["sales1"])
    assert "forum.topic_deleted" in events.names and "forum.topic_restored" in events.names


def test_attachments_are_limited_by_type_and_size(people, forum):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="image/png")
    with pytest.raises(ValidationError):
        start(people["sales1"], forum["open"], attachments=[bad])
    big = SimpleUploadedFile("big.pdf", b"0" * (actions.MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(ValidationError):
        start(people["sales1"], forum["open"], attachments=[big])
    assert not Topic.objects.exists()
    ok = SimpleUploadedFile("notes.txt", b"hello", content_type="application/x-evil")
    topic = start(people["sales1"], forum["open"], attachments=[ok])
    attachment = topic.posts.get(number=1).attachments.get()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "notes.txt",
        "text/plain",
        5,
    )


def test_a_topic_of_an_unpublished_category_takes_no_reply_and_no_report(people, forum):
    """Replying and reporting ask the topic policy, which leaves out unpublished categories;
    the keys alone (what they asked before) still matched."""
    topic = start(people["sales1"], forum["open"])
    post = topic.posts.get(number=1)
    forum["open"].unpublish()
    assert visibility.can_see(people["sales2"], topic)  # the keys still match
    with pytest.raises(PermissionDenied):
        actions.reply(topic, acting_user=people["sales2"], body="Still here?")
    with pytest.raises(PermissionDenied):
        actions.report_post(post, acting_user=people["sales2"], reason="Spam")
    assert topic.posts.count() == 1 and not post.reports.exists()
