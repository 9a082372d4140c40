"""Who hears about forum activity, and in which words (ADR 0611): new topics, replies,
mentions and accepted answers, handed to notifications' one delivery API."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from wagtail.models import Page

from portal.core import events
from portal.notifications.notices import (
    Kind,
    deliver,
    markdown_excerpt,
    message,
    person_name,
    someone_did,
    target_of,
)

from .models import Post, Topic

# --- words --------------------------------------------------------------------------------


@message("forum.topic_started")
def _topic_started(p) -> tuple[str, str]:
    return someone_did(_("%(name)s started “%(title)s”"), p, "title", body=p["excerpt"])


@message("forum.replied")
def _replied(p) -> tuple[str, str]:
    return someone_did(_("%(name)s replied in “%(title)s”"), p, "title", body=p["excerpt"])


@message("forum.mentioned")
def _mentioned(p) -> tuple[str, str]:
    return someone_did(_("%(name)s mentioned you in “%(title)s”"), p, "title", body=p["excerpt"])


@message("forum.answer_accepted")
def _answer_accepted(p) -> tuple[str, str]:
    return _("Your answer in “%(title)s” was accepted") % {"title": p["title"]}, p["excerpt"]


# --- who ----------------------------------------------------------------------------------


def _reference_target(content_type_id: int, object_id: int) -> tuple[str, str] | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:
        return None
    if issubclass(model, Page):
        return "wagtailcore.page", str(object_id)
    meta = model._meta.concrete_model._meta
    return f"{meta.app_label}.{meta.model_name}", str(object_id)


def topic_targets(topic: Topic) -> list[tuple[str, str]]:
    """What a follower of the topic may follow: the topic, its category, its tags and the
    records and pages it is about."""
    targets = [target_of(topic), ("wagtailcore.page", str(topic.category_id))]
    targets += [("tag", name.lower()) for name in topic.tags.names()]
    for content_type_id, object_id in topic.references.values_list("content_type_id", "object_id"):
        target = _reference_target(content_type_id, object_id)
        if target is not None:
            targets.append(target)
    return targets


def _post_key(post: Post) -> str:
    # A topic's opening post is the topic: a mention in it and the new topic are one notice.
    return f"forum.topic:{post.topic_id}" if post.number == 1 else f"forum.post:{post.pk}"


@events.subscribe("forum.topic_created")
def topic_created(event: events.Event) -> None:
    topic = Topic.objects.filter(
        pk=event["topic_id"], hidden=False, deleted_at__isnull=True
    ).first()
    if topic is None:
        return
    actor_id = event["actor_id"] or topic.author_id
    opening = topic.posts.order_by("number").first()
    body = opening.body if opening else ""
    deliver(
        kind=Kind.TOPIC,
        message="forum.topic_started",
        params={
            "name": person_name(actor_id),
            "title": topic.title,
            "excerpt": markdown_excerpt(body),
        },
        url=topic.get_absolute_url(),
        dedupe_key=f"forum.topic:{topic.pk}",
        item=topic,
        actor_id=actor_id,
        targets=topic_targets(topic),
        first_post=True,
        match_title=topic.title,
        match_text=body,
    )


def _deliver_post(post: Post, actor_id: int, **notice: Any) -> None:
    """A notice of a reply or a mention: who wrote, the topic, an excerpt, the post's link. One
    key per post for both, so whichever reason comes first is the one notice."""
    deliver(
        params={
            "name": person_name(actor_id),
            "title": post.topic.title,
            "excerpt": markdown_excerpt(post.body),
        },
        url=post.get_absolute_url(),
        dedupe_key=_post_key(post),
        item=post.topic,
        actor_id=actor_id,
        **notice,
    )


@events.subscribe("forum.post_created")
def post_created(event: events.Event) -> None:
    post = (
        Post.objects.select_related("topic", "reply_to")
        .filter(pk=event["post_id"], hidden=False, deleted_at__isnull=True)
        .first()
    )
    if post is None or post.number == 1:
        return  # the opening post is the topic: forum.topic_created covers it
    topic = post.topic
    actor_id = event["actor_id"] or post.author_id
    direct = {topic.author_id}
    if post.reply_to is not None:
        direct.add(post.reply_to.author_id)
    _deliver_post(
        post,
        actor_id,
        kind=Kind.REPLY,
        message="forum.replied",
        recipients=direct,
        targets=topic_targets(topic),
        match_text=post.body,
    )


@events.subscribe("forum.mentioned")
def mentioned(event: events.Event) -> None:
    post = Post.objects.select_related("topic").filter(pk=event["post_id"]).first()
    if post is None:
        return
    _deliver_post(
        post,
        event["actor_id"] or post.author_id,
        kind=Kind.MENTION,
        message="forum.mentioned",
        recipients=event["user_ids"],
        targets=[target_of(post.topic)],
    )


@events.subscribe("forum.answer_accepted")
def answer_accepted(event: events.Event) -> None:
    post = Post.objects.select_related("topic").filter(pk=event["post_id"]).first()
    if post is None:
        return
    topic = post.topic
    deliver(
        kind=Kind.REPLY,
        message="forum.answer_accepted",
        params={"title": topic.title, "excerpt": markdown_excerpt(post.body)},
        url=post.get_absolute_url(),
        dedupe_key=f"forum.accepted:{post.pk}",
        item=topic,
        actor_id=event["actor_id"],
        recipients={post.author_id},
        targets=[target_of(topic)],
    )
