"""Forum writes: topics, replies, edits, deletes, answers, references, moderation, read marks.

Each action checks (permission + validation), writes in one transaction, records an audit row
and publishes its event on commit (README: the one data flow)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import has_module_perm
from portal.core import audit, events, uploads, visibility

from . import references
from .access import compute_topic_keys
from .markdown import find_mentions, find_reference_codes, mark_mentions, render_markdown
from .models import (
    ForumCategoryPage,
    Post,
    PostAttachment,
    PostReport,
    PostRevision,
    Topic,
    TopicRead,
    TopicReference,
)
from .permissions import (
    can_accept_answer,
    can_edit_post,
    can_post_in_category,
    can_read_category,
    is_moderator,
)

if TYPE_CHECKING:
    from portal.accounts.models import User

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_TAGS = 8
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_EXTENSIONS = {
    "png", "jpg", "jpeg", "gif", "webp", "pdf", "txt", "csv", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "zip",
}  # fmt: skip
AUTHOR_DELETE_WINDOW = datetime.timedelta(hours=24)


# --- helpers ---------------------------------------------------------------------------------


def _lock_topic(topic_id: int) -> Topic:
    queryset = Topic.objects.filter(pk=topic_id)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    return queryset.select_related("category").get()


def _clean_text(text: str, field: str, limit: int, missing: str, too_long: str) -> str:
    """`text` stripped; refused (under `field`) when empty or longer than `limit`; `too_long`
    names the limit as `%(limit)s`."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: too_long % {"limit": limit}})
    return text


def _clean_body(body: str) -> str:
    too_long = _("The text is too long (at most %(limit)s characters).")
    return _clean_text(body, "body", MAX_BODY, _("Write some text."), too_long)


def _clean_title(title: str) -> str:
    too_long = _("The title is too long (at most %(limit)s characters).")
    return _clean_text(title, "title", MAX_TITLE, _("Give the topic a title."), too_long)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        tag = tag.strip().lstrip("#")[:50]
        if tag and tag.lower() not in {t.lower() for t in cleaned}:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(limit)s tags.") % {"limit": MAX_TAGS}})
    return cleaned


def check_attachments(files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(limit)s files per post.") % {"limit": MAX_ATTACHMENTS}}
        )
    for upload in files:
        uploads.check_upload(
            upload,
            allowed=ATTACHMENT_EXTENSIONS,
            max_bytes=MAX_ATTACHMENT_BYTES,
            field="attachments",
        )


def _save_attachments(post: Post, files: Sequence[UploadedFile], actor: User) -> None:
    for upload in files:
        name = os.path.basename(upload.name)[:200]
        # The type comes from the (allow-listed) extension, never from what the client claims.
        content_type = uploads.content_type_for(name)
        attachment = PostAttachment(
            post=post, name=name, size=upload.size, content_type=content_type, uploaded_by=actor
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


def _mentioned_users(body: str, actor: User) -> list[User]:
    from portal.accounts.models import User

    names = find_mentions(body)
    if not names:
        return []
    return list(
        User.objects.filter(username__in=names, is_active=True)
        .exclude(pk=actor.pk)
        .only("id", "username", "is_active", "is_superuser", "department_id")
    )


def _render(body: str, mentioned: Sequence[User]) -> str:
    return mark_mentions(render_markdown(body), [user.username for user in mentioned])


def mentioned_who_cannot_see(topic: Topic, body: str, actor: User) -> list[User]:
    """People @mentioned in `body` who may not read `topic` (so were not told): the author is
    warned about them instead of the mention being dropped silently."""
    mentioned = _mentioned_users(body, actor)
    if not mentioned:
        return []
    from .policy import topic_policy

    readers = topic_policy.who_can_see(topic, among=[user.pk for user in mentioned])
    return [user for user in mentioned if user.pk not in readers]


def _publish_mentions(post: Post, mentioned: Sequence[User], actor: User) -> None:
    # Only people who may read the topic hear about it (a mention must not leak a topic):
    # the topic policy answers, module gate included.
    from .policy import topic_policy

    readers = topic_policy.who_can_see(post.topic, among=[user.pk for user in mentioned])
    user_ids = [user.pk for user in mentioned if user.pk in readers]
    if user_ids:
        events.publish(
            "forum.mentioned",
            post_id=post.pk,
            topic_id=post.topic_id,
            user_ids=user_ids,
            actor_id=actor.pk,
        )


def _resolve_references(
    actor: User, refs: Iterable[tuple[str, int]], body: str
) -> list[tuple[references.ReferenceKind, object]]:
    """The picker's (kind, id) pairs plus #codes in the text; each must be visible to the
    author (an unknown and a forbidden record give the same error)."""
    resolved: dict[tuple[str, int], tuple[references.ReferenceKind, object]] = {}
    for kind_name, object_id in refs:
        kind = references.KINDS.get(kind_name)
        obj = None
        if kind is not None:
            obj = kind.visible_queryset(actor).filter(pk=object_id).first()
        if obj is None:
            raise ValidationError(
                {"references": _("There is no record you may link with that reference.")}
            )
        resolved[(kind.name, obj.pk)] = (kind, obj)
    for kind, obj in references.find_by_codes(find_reference_codes(body), actor).values():
        resolved[(kind.name, obj.pk)] = (kind, obj)
    return list(resolved.values())


def _write_references(
    topic: Topic, resolved: list[tuple[references.ReferenceKind, object]]
) -> None:
    for kind, obj in resolved:
        TopicReference.objects.get_or_create(
            topic=topic,
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
            defaults={"kind": kind.name, "label": kind.code_of(obj)},
        )


def rekey_topic(topic: Topic, *, publish: bool = True) -> bool:
    """Recompute and store the topic's visibility keys; True (and an event) when they changed."""
    keys, materialised = compute_topic_keys(topic)
    before = visibility.object_keys(topic)
    if before == keys and topic.access_materialised == materialised:
        return False
    visibility.set_object_keys(topic, keys)
    if topic.access_materialised != materialised:
        Topic.objects.filter(pk=topic.pk).update(access_materialised=materialised)
        topic.access_materialised = materialised
    if publish and before:
        events.publish("forum.topic_access_changed", topic_id=topic.pk, actor_id=None)
    return True


def _mark_read(user: User, topic_id: int, number: int) -> None:
    updated = TopicRead.objects.filter(
        user=user, topic_id=topic_id, last_read_number__lt=number
    ).update(last_read_number=number, read_at=timezone.now())
    if not updated:
        TopicRead.objects.get_or_create(
            user=user,
            topic_id=topic_id,
            defaults={"last_read_number": number, "read_at": timezone.now()},
        )


# --- topics and replies ----------------------------------------------------------------------


def check_new_topic(category: ForumCategoryPage, *, acting_user: User) -> None:
    if not category.live or not can_read_category(acting_user, category):
        raise PermissionDenied(_("You may not start topics in this category."))
    if not can_post_in_category(acting_user, category):
        raise PermissionDenied(_("You may not start topics in this category."))


def create_topic(
    *,
    acting_user: User,
    category: ForumCategoryPage,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    refs: Iterable[tuple[str, int]] = (),
    attachments: Sequence[UploadedFile] = (),
) -> Topic:
    """Start a topic: its opening text becomes post 1; linked records narrow who may read it."""
    check_new_topic(category, acting_user=acting_user)
    title = _clean_title(title)
    body = _clean_body(body)
    tags = _clean_tags(tags)
    check_attachments(attachments)
    resolved = _resolve_references(acting_user, refs, body)
    mentioned = _mentioned_users(body, acting_user)
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            category=category,
            title=title,
            author=acting_user,
            created_at=now,
            last_post_at=now,
            last_poster=acting_user,
            post_count=1,
        )
        post = Post.objects.create(
            topic=topic,
            number=1,
            author=acting_user,
            body=body,
            body_html=_render(body, mentioned),
            created_at=now,
        )
        if tags:
            topic.tags.set(tags)
        _write_references(topic, resolved)
        rekey_topic(topic, publish=False)
        _save_attachments(post, attachments, acting_user)
        _mark_read(acting_user, topic.pk, 1)
        audit.record(
            acting_user,
            "forum.topic_created",
            topic,
            changes={"category": category.title, "title": title},
        )
        events.publish("forum.topic_created", topic_id=topic.pk, actor_id=acting_user.pk)
        _publish_mentions(post, mentioned, acting_user)
    return topic


def check_reply(topic: Topic, *, acting_user: User) -> None:
    from .policy import topic_policy

    # Readers reply to the topics the policy lets them read; moderators also to hidden ones.
    if not (
        topic_policy.is_visible(acting_user, topic)
        or (not topic.deleted_at and topic_policy.can_moderate(acting_user, topic))
    ):
        raise PermissionDenied(_("You may not reply to this topic."))
    if not can_post_in_category(acting_user, topic.category):
        raise PermissionDenied(_("You may not reply in this category."))
    if topic.locked and not is_moderator(acting_user):
        raise PermissionDenied(_("This topic is locked."))


def reply(
    topic: Topic,
    *,
    acting_user: User,
    body: str,
    reply_to: Post | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Post:
    """Add a reply (a row, never a page revision) at the next post number."""
    check_reply(topic, acting_user=acting_user)
    body = _clean_body(body)
    check_attachments(attachments)
    if reply_to is not None and reply_to.topic_id != topic.pk:
        raise ValidationError({"reply_to": _("You can only reply to a post of the same topic.")})
    mentioned = _mentioned_users(body, acting_user)
    body_html = _render(body, mentioned)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_topic(topic.pk)
        number = locked.post_count + 1
        post = Post.objects.create(
            topic=locked,
            number=number,
            author=acting_user,
            body=body,
            body_html=body_html,
            reply_to=reply_to,
            created_at=now,
        )
        Topic.objects.filter(pk=topic.pk).update(
            post_count=F("post_count") + 1,
            reply_count=F("reply_count") + 1,
            last_post_at=now,
            last_poster=acting_user,
        )
        _save_attachments(post, attachments, acting_user)
        _mark_read(acting_user, topic.pk, number)
        audit.record(acting_user, "forum.post_created", post)
        events.publish(
            "forum.post_created", post_id=post.pk, topic_id=topic.pk, actor_id=acting_user.pk
        )
        _publish_mentions(post, mentioned, acting_user)
    topic.post_count = number
    topic.reply_count += 1
    topic.last_post_at = now
    return post


def edit_post(post: Post, *, acting_user: User, body: str, title: str | None = None) -> Post:
    """Change a post's text (and the topic title, for post 1); the old text is kept."""
    if not can_edit_post(acting_user, post) or post.is_deleted:
        raise PermissionDenied(_("You may not edit this post."))
    topic = post.topic
    if topic.locked and not is_moderator(acting_user):
        raise PermissionDenied(_("This topic is locked."))
    body = _clean_body(body)
    new_title = _clean_title(title) if title is not None and post.number == 1 else None
    if body == post.body and (new_title is None or new_title == topic.title):
        return post
    mentioned = _mentioned_users(body, acting_user)
    before = {"body": post.body, "title": topic.title if post.number == 1 else ""}
    with transaction.atomic():
        PostRevision.objects.create(
            post=post, body=post.body, title=before["title"], edited_by=acting_user
        )
        post.body = body
        post.body_html = _render(body, mentioned)
        post.edited_at = timezone.now()
        post.edit_count = F("edit_count") + 1
        post.save(update_fields=["body", "body_html", "edited_at", "edit_count"])
        post.refresh_from_db(fields=["edit_count"])
        changes = {"body": [before["body"][:200], body[:200]]}
        if new_title is not None and new_title != topic.title:
            topic.title = new_title
            topic.save(update_fields=["title"])
            changes["title"] = [before["title"], new_title]
            events.publish("forum.topic_updated", topic_id=topic.pk, actor_id=acting_user.pk)
        audit.record(acting_user, "forum.post_updated", post, changes=changes)
        events.publish(
            "forum.post_updated", topic_id=topic.pk, post_id=post.pk, actor_id=acting_user.pk
        )
    return post


def can_delete_post(actor: User, post: Post) -> bool:
    if post.is_deleted or post.number == 1:
        return False
    if is_moderator(actor):
        return True
    return (
        post.author_id == actor.pk
        and post.topic.solved_post_id != post.pk
        and timezone.now() - post.created_at <= AUTHOR_DELETE_WINDOW
    )


def delete_post(post: Post, *, acting_user: User) -> Post:
    """Soft-delete a reply (author within 24 hours unless it is the answer; moderators always)."""
    if not can_delete_post(acting_user, post):
        raise PermissionDenied(_("You may not delete this post."))
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.deleted_by = acting_user
        post.save(update_fields=["deleted_at", "deleted_by"])
        if post.topic.solved_post_id == post.pk:
            Topic.objects.filter(pk=post.topic_id).update(solved_post=None)
        audit.record(acting_user, "forum.post_deleted", post)
        events.publish(
            "forum.post_deleted", topic_id=post.topic_id, post_id=post.pk, actor_id=acting_user.pk
        )
    return post


def restore_post(post: Post, *, acting_user: User) -> Post:
    if not is_moderator(acting_user):
        raise PermissionDenied(_("Only moderators can restore posts."))
    if not post.is_deleted:
        return post
    with transaction.atomic():
        post.deleted_at = None
        post.deleted_by = None
        post.save(update_fields=["deleted_at", "deleted_by"])
        audit.record(acting_user, "forum.post_restored", post)
        events.publish(
            "forum.post_updated", topic_id=post.topic_id, post_id=post.pk, actor_id=acting_user.pk
        )
    return post


def delete_topic(topic: Topic, *, acting_user: User) -> Topic:
    """Soft-delete a topic: its author while nobody has replied, moderators always."""
    own_and_quiet = topic.author_id == acting_user.pk and topic.reply_count == 0
    if topic.deleted_at or not (own_and_quiet or is_moderator(acting_user)):
        raise PermissionDenied(_("You may not delete this topic."))
    with transaction.atomic():
        topic.deleted_at = timezone.now()
        topic.save(update_fields=["deleted_at"])
        audit.record(acting_user, "forum.topic_deleted", topic)
        events.publish("forum.topic_deleted", topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


def restore_topic(topic: Topic, *, acting_user: User) -> Topic:
    if not is_moderator(acting_user):
        raise PermissionDenied(_("Only moderators can restore topics."))
    with transaction.atomic():
        topic.deleted_at = None
        topic.merged_into = None
        topic.save(update_fields=["deleted_at", "merged_into"])
        audit.record(acting_user, "forum.topic_restored", topic)
        events.publish("forum.topic_restored", topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


def accept_answer(post: Post, *, acting_user: User) -> Topic:
    """Mark a reply as the topic's answer (the topic author or a moderator)."""
    topic = post.topic
    if not can_accept_answer(acting_user, topic):
        raise PermissionDenied(_("Only the topic's author or a moderator can accept an answer."))
    if post.number == 1 or post.is_deleted or post.hidden:
        raise ValidationError({"post": _("Only a visible reply can be the answer.")})
    with transaction.atomic():
        before = topic.solved_post_id
        topic.solved_post = post
        topic.save(update_fields=["solved_post"])
        audit.record(
            acting_user, "forum.answer_accepted", topic, changes={"solved_post": [before, post.pk]}
        )
        events.publish(
            "forum.answer_accepted", topic_id=topic.pk, post_id=post.pk, actor_id=acting_user.pk
        )
    return topic


def unaccept_answer(topic: Topic, *, acting_user: User) -> Topic:
    if not can_accept_answer(acting_user, topic):
        raise PermissionDenied(_("Only the topic's author or a moderator can change the answer."))
    with transaction.atomic():
        before = topic.solved_post_id
        topic.solved_post = None
        topic.save(update_fields=["solved_post"])
        audit.record(
            acting_user, "forum.answer_withdrawn", topic, changes={"solved_post": [before, None]}
        )
        events.publish("forum.topic_updated", topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


def set_references(topic: Topic, refs: Iterable[tuple[str, int]], *, acting_user: User) -> Topic:
    """Replace the records a topic is about (author or moderator); re-keys the topic."""
    if not (topic.author_id == acting_user.pk or is_moderator(acting_user)):
        raise PermissionDenied(_("You may not change what this topic is linked to."))
    resolved = _resolve_references(acting_user, refs, "")
    with transaction.atomic():
        before = sorted(topic.references.values_list("kind", "object_id"))
        topic.references.all().delete()
        _write_references(topic, resolved)
        rekey_topic(topic)
        audit.record(
            acting_user,
            "forum.topic_linked",
            topic,
            changes={"references": [before, sorted((k.name, o.pk) for k, o in resolved)]},
        )
        events.publish("forum.topic_updated", topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


def set_tags(topic: Topic, tags: Iterable[str], *, acting_user: User) -> Topic:
    if not (topic.author_id == acting_user.pk or is_moderator(acting_user)):
        raise PermissionDenied(_("You may not change this topic's tags."))
    tags = _clean_tags(tags)
    with transaction.atomic():
        topic.tags.set(tags, clear=True)
        audit.record(acting_user, "forum.topic_tagged", topic, changes={"tags": tags})
        events.publish("forum.topic_updated", topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


# --- moderation ------------------------------------------------------------------------------


def _require_moderator(*, acting_user: User) -> None:
    if not is_moderator(acting_user):
        raise PermissionDenied(_("Only forum moderators can do this."))


def _set_flag(topic: Topic, field: str, value: bool, event: str, *, acting_user: User) -> Topic:
    _require_moderator(acting_user=acting_user)
    if getattr(topic, field) == value:
        return topic
    with transaction.atomic():
        setattr(topic, field, value)
        topic.save(update_fields=[field])
        audit.record(
            acting_user, f"forum.topic_{field}", topic, changes={field: [not value, value]}
        )
        events.publish(event, topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


def pin_topic(topic: Topic, pinned: bool = True, *, acting_user: User) -> Topic:
    return _set_flag(topic, "pinned", pinned, "forum.topic_updated", acting_user=acting_user)


def lock_topic(topic: Topic, locked: bool = True, *, acting_user: User) -> Topic:
    return _set_flag(topic, "locked", locked, "forum.topic_updated", acting_user=acting_user)


def hide_topic(topic: Topic, hidden: bool = True, *, acting_user: User) -> Topic:
    return _set_flag(topic, "hidden", hidden, "forum.topic_hidden", acting_user=acting_user)


def move_topic(topic: Topic, category: ForumCategoryPage, *, acting_user: User) -> Topic:
    """Move to another category; the topic takes the new category's read rule."""
    _require_moderator(acting_user=acting_user)
    if not category.live:
        raise ValidationError({"category": _("Choose a published category.")})
    if category.pk == topic.category_id:
        return topic
    with transaction.atomic():
        before = topic.category.title
        topic.category = category
        topic.save(update_fields=["category"])
        rekey_topic(topic)
        audit.record(
            acting_user, "forum.topic_moved", topic, changes={"category": [before, category.title]}
        )
        events.publish("forum.topic_moved", topic_id=topic.pk, actor_id=acting_user.pk)
    return topic


def merge_topics(source: Topic, target: Topic, *, acting_user: User) -> Topic:
    """Append the source topic's posts to the target (renumbered after its last post) and
    retire the source; links to the source redirect to the target."""
    _require_moderator(acting_user=acting_user)
    if source.pk == target.pk or source.deleted_at or target.deleted_at:
        raise ValidationError({"target": _("Choose another, live topic to merge into.")})
    with transaction.atomic():
        target = _lock_topic(target.pk)
        offset = target.post_count
        moved = list(
            Post.objects.filter(topic=source).order_by("number").values_list("pk", flat=True)
        )
        # Two steps so the (topic, number) constraint never sees a duplicate.
        Post.objects.filter(pk__in=moved).update(number=F("number") + 1_000_000_000)
        for index, pk in enumerate(moved, start=1):
            Post.objects.filter(pk=pk).update(topic=target, number=offset + index)
        last = Post.objects.filter(topic=target).aggregate(last=Max("created_at"))["last"]
        Topic.objects.filter(pk=target.pk).update(
            post_count=offset + len(moved),
            reply_count=offset + len(moved) - 1,
            last_post_at=max(last or target.last_post_at, target.last_post_at),
        )
        for reference in source.references.all():
            TopicReference.objects.get_or_create(
                topic=target,
                content_type=reference.content_type,
                object_id=reference.object_id,
                defaults={"kind": reference.kind, "label": reference.label},
            )
        target.refresh_from_db()
        rekey_topic(target)
        source.merged_into = target
        source.deleted_at = timezone.now()
        source.post_count = 0
        source.solved_post = None
        source.save(update_fields=["merged_into", "deleted_at", "post_count", "solved_post"])
        TopicRead.objects.filter(topic=source).delete()
        audit.record(acting_user, "forum.topic_merged", source, changes={"merged_into": target.pk})
        events.publish("forum.topic_deleted", topic_id=source.pk, actor_id=acting_user.pk)
        events.publish("forum.topic_updated", topic_id=target.pk, actor_id=acting_user.pk)
    return target


def report_post(post: Post, *, acting_user: User, reason: str) -> PostReport:
    """Any reader may report a post to the moderators (once while it is open)."""
    from .policy import topic_policy

    if not (
        topic_policy.is_visible(acting_user, post.topic)
        or topic_policy.can_moderate(acting_user, post.topic)
    ):
        raise PermissionDenied(_("You may not report this post."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with the post.")})
    existing = PostReport.objects.filter(
        post=post, reporter=acting_user, resolved_at__isnull=True
    ).first()
    if existing:
        return existing
    with transaction.atomic():
        report = PostReport.objects.create(post=post, reporter=acting_user, reason=reason[:2000])
        audit.record(acting_user, "forum.post_reported", post, message=reason[:2000])
    return report


def resolve_report(report: PostReport, *, acting_user: User, delete: bool = False) -> PostReport:
    _require_moderator(acting_user=acting_user)
    from .policy import topic_policy

    if not topic_policy.can_moderate(acting_user, report.post.topic):
        raise PermissionDenied(_("You can only moderate topics you may read."))
    with transaction.atomic():
        if delete and not report.post.is_deleted and report.post.number != 1:
            delete_post(report.post, acting_user=acting_user)
        elif delete and report.post.number == 1:
            hide_topic(report.post.topic, True, acting_user=acting_user)
        PostReport.objects.filter(post=report.post, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=acting_user
        )
        audit.record(acting_user, "forum.report_resolved", report.post, changes={"removed": delete})
    report.refresh_from_db()
    return report


# --- reading ---------------------------------------------------------------------------------


def mark_read(topic: Topic, number: int, *, acting_user: User) -> None:
    """Remember how far the user has read (never moves backwards)."""
    if not acting_user.is_authenticated:
        return
    _mark_read(acting_user, topic.pk, min(number, topic.post_count))


# --- the knowledge base ----------------------------------------------------------------------


def promote_answer_to_qa(topic: Topic, *, acting_user: User):
    """Propose a solved topic's answer as a Q&A draft of the knowledge base (once)."""
    from portal.knowledge import actions as knowledge_actions
    from portal.knowledge.models import QAPage

    _require_moderator(acting_user=acting_user)
    if not topic.solved_post_id:
        raise ValidationError({"topic": _("Only a solved topic can be promoted.")})
    if topic.qa_page_id and QAPage.objects.filter(pk=topic.qa_page_id).exists():
        return QAPage.objects.get(pk=topic.qa_page_id)
    with transaction.atomic():
        page = knowledge_actions.create_qa_draft(
            acting_user=acting_user,
            question=topic.title,
            answer_html=topic.solved_post.body_html,
            source=f"forum.topic:{topic.pk}",
            keywords=", ".join(topic.tags.names()),
        )
        topic.qa_page_id = page.pk
        topic.save(update_fields=["qa_page_id"])
        audit.record(acting_user, "forum.promoted_to_qa", topic, changes={"qa_page_id": page.pk})
    return page


def refresh_materialised_access() -> int:
    """Re-key the topics whose keys list people explicitly (roles may have changed)."""
    changed = 0
    for topic in Topic.objects.filter(access_materialised=True).select_related("category"):
        with transaction.atomic():
            changed += rekey_topic(topic)
    return changed


def rekey_topics_referencing(model_label: str, object_id: int) -> int:
    """Re-key every topic about one record (its access changed)."""
    from django.apps import apps

    model = apps.get_model(model_label)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    topic_ids = TopicReference.objects.filter(
        content_type=content_type, object_id=object_id
    ).values("topic_id")
    changed = 0
    for topic in Topic.objects.filter(pk__in=topic_ids).select_related("category"):
        with transaction.atomic():
            changed += rekey_topic(topic)
    return changed


def sync_category_access(category: ForumCategoryPage) -> int:
    """After an editor changed a category's read rule in Wagtail: re-key its topics."""
    visibility.set_object_keys(category.page_ptr, _category_keys(category))
    changed = 0
    for topic in Topic.objects.filter(category=category).select_related("category"):
        with transaction.atomic():
            changed += rekey_topic(topic)
    return changed


def _category_keys(category: ForumCategoryPage) -> set[str]:
    from .permissions import category_read_keys

    return category_read_keys(category)


def can_start_topics(user: User) -> bool:
    return has_module_perm(user, "forum", "register") or visibility.is_administrator(user)
