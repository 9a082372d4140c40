"""Forum reads: topic lists with their filters, pages of a topic, unread state, similar topics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.core.bounds import parse_id

from .models import ForumCategoryPage, ForumIndexPage, Post, Topic, TopicRead, TopicReference
from .permissions import topics_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User

POSTS_PER_PAGE = 20
TOPICS_PER_PAGE = 25
VIEWS = ("latest", "unanswered", "solved")
_INDEX_URL_KEY = "forum:index-url"


def forum_index() -> ForumIndexPage | None:
    return ForumIndexPage.objects.live().first()


def forum_index_url() -> str:
    """The live forum index's URL (cached briefly: every topic link needs it)."""
    url = cache.get(_INDEX_URL_KEY)
    if url is None:
        index = forum_index()
        url = (index.url if index else None) or "/forum/"
        cache.set(_INDEX_URL_KEY, url, 60)
    return url


def forget_index_url() -> None:
    cache.delete(_INDEX_URL_KEY)


@dataclass
class TopicFilters:
    view: str = "latest"
    category: ForumCategoryPage | None = None
    author: str = ""
    tag: str = ""
    ref_kind: str = ""
    ref_id: int | None = None

    @classmethod
    def from_request(cls, request, category: ForumCategoryPage | None) -> TopicFilters:
        view = request.GET.get("view", "latest")
        ref = request.GET.get("ref", "")
        ref_kind, _sep, raw_id = ref.partition(":")
        ref_id = parse_id(raw_id)
        return cls(
            view=view if view in VIEWS else "latest",
            category=category,
            author=request.GET.get("author", "").strip()[:150],
            tag=request.GET.get("tag", "").strip()[:100],
            ref_kind=ref_kind if ref_id else "",
            ref_id=ref_id,
        )


def topic_list(user: User, filters: TopicFilters) -> QuerySet[Topic]:
    """Visible topics, filtered, pinned first then by latest activity, with what a list row
    shows loaded (a fixed number of queries whatever the page size)."""
    topics = topics_visible_to(user)
    if filters.category is not None:
        topics = topics.filter(category=filters.category)
    if filters.view == "unanswered":
        topics = topics.filter(reply_count=0)
    elif filters.view == "solved":
        topics = topics.filter(solved_post__isnull=False)
    if filters.author:
        topics = topics.filter(author__username=filters.author)
    if filters.tag:
        topics = topics.filter(tags__name=filters.tag)
    if filters.ref_kind and filters.ref_id:
        topics = topics.filter(
            pk__in=TopicReference.objects.filter(
                kind=filters.ref_kind, object_id=filters.ref_id
            ).values("topic_id")
        )
    return with_unread(topics, user).select_related("category", "author", "last_poster")


def with_unread(topics: QuerySet[Topic], user: User) -> QuerySet[Topic]:
    last_read = TopicRead.objects.filter(topic=OuterRef("pk"), user=user).values(
        "last_read_number"
    )[:1]
    return topics.annotate(
        last_read=Coalesce(Subquery(last_read, output_field=IntegerField()), Value(-1))
    )


def topic_page_count(topic: Topic) -> int:
    return max((topic.post_count - 1) // POSTS_PER_PAGE + 1, 1)


def posts_page(topic: Topic, page: int) -> list[Post]:
    """Page N of a topic: post numbers are dense, so this is an index range, not an OFFSET —
    as fast for page 100 of a 2,000-post topic as for page 1."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    return list(
        Post.objects.filter(topic=topic, number__gte=first, number__lt=first + POSTS_PER_PAGE)
        .select_related("author", "reply_to__author")
        .prefetch_related("attachments")
        .order_by("number")
    )


def first_unread_number(topic: Topic, user: User) -> int:
    read = (
        TopicRead.objects.filter(topic=topic, user=user)
        .values_list("last_read_number", flat=True)
        .first()
    )
    return min((read or 0) + 1, topic.post_count)


def topics_about(user: User, obj) -> QuerySet[Topic]:
    """Visible topics referencing one record (the "Discussions" panel on its page)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    ids = TopicReference.objects.filter(content_type=content_type, object_id=obj.pk).values(
        "topic_id"
    )
    return topics_visible_to(user).filter(pk__in=ids).select_related("category", "author")


def similar_topics(user: User, title: str, *, limit: int = 5) -> list[Topic]:
    """Topics whose titles share words with `title` (the fallback when search is absent)."""
    words = [w for w in title.replace("，", " ").replace(",", " ").split() if len(w) >= 2][:8]
    if not words and len(title.strip()) >= 2:
        words = [title.strip()]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word)
    return list(
        topics_visible_to(user)
        .filter(condition)
        .select_related("category")
        .order_by(F("solved_post").desc(nulls_last=True), "-last_post_at")[:limit]
    )
