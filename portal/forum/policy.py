"""The forum policies (decision 0140): adapters over `forum.permissions` and `forum.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from portal.core.policy import AccessPolicy, register

from . import permissions
from .models import Post, Topic

if TYPE_CHECKING:
    from portal.accounts.models import User


class TopicPolicy(AccessPolicy):
    """Live topics of live categories; the keys of `forum.access.compute_topic_keys`."""

    model = Topic
    followable = True
    module = "forum"
    correlated = True

    def live_queryset(self) -> models.QuerySet:
        return Topic.objects.filter(deleted_at__isnull=True, category__live=True, hidden=False)

    def visible_to(self, user: User) -> models.QuerySet:
        return permissions.topics_visible_to(user)

    def access(self, user: User, pk, *, select=(), include_deleted: bool = False) -> Topic:
        return permissions.access_topic(user, pk, include_deleted=include_deleted)

    def keys(self, obj: Topic) -> set[str]:
        from .access import compute_topic_keys

        return compute_topic_keys(obj)[0]

    def moderated_by(self, user: User) -> models.QuerySet:
        """Topics a moderator may moderate: those they may read, hidden and deleted ones
        included (nothing for anyone else)."""
        if not permissions.is_moderator(user):
            return Topic.objects.none()
        return permissions.filter_visible_topics(Topic.objects.filter(category__live=True), user)

    def can_moderate(self, user: User, obj: Topic | None = None) -> bool:
        if obj is None:
            return permissions.is_moderator(user)
        return self.moderated_by(user).filter(pk=obj.pk).exists()

    def can_accept_answer(self, user: User, obj: Topic) -> bool:
        return permissions.can_accept_answer(user, obj)


class PostPolicy(AccessPolicy):
    """Posts read through their topic; deleted and hidden posts are left out."""

    model = Post
    module = "forum"

    def live_queryset(self) -> models.QuerySet:
        return Post.objects.filter(
            deleted_at__isnull=True,
            hidden=False,
            topic__in=topic_policy.live_queryset().values("pk"),
        )

    def visible_to(self, user: User) -> models.QuerySet:
        return permissions.posts_visible_to(user)

    def access(self, user: User, pk, *, select=()) -> Post:
        return permissions.access_post(user, pk)

    def key_object(self, obj: Post) -> Topic:
        return obj.topic

    def keys(self, obj: Post) -> set[str]:
        return topic_policy.keys(obj.topic)

    def can_edit(self, user: User, obj: Post) -> bool:
        return permissions.can_edit_post(user, obj)


topic_policy = register(Topic, TopicPolicy())
post_policy = register(Post, PostPolicy())
