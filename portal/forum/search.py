"""Search adapters of the forum (owned by the search app): topics (title + opening post) and
replies, with the topic's visibility keys; hidden, deleted and merged ones are not searchable."""

from __future__ import annotations

from collections.abc import Iterator

from portal.core.visibility import keys_by_object
from portal.search.documents import SearchDocument
from portal.search.registry import SearchAdapter, register

from .models import Post, Topic

TOPIC_EVENTS = (
    "forum.topic_created", "forum.topic_updated", "forum.topic_hidden", "forum.topic_moved",
    "forum.topic_deleted", "forum.topic_restored", "forum.answer_accepted",
    "forum.topic_access_changed",
)  # fmt: skip


def _searchable_topics():
    return Topic.objects.filter(deleted_at__isnull=True, hidden=False, merged_into__isnull=True)


class TopicAdapter(SearchAdapter):
    def __init__(self) -> None:
        super().__init__(
            kinds=("topic",), group="forum", models=(Topic,),
            index_events=dict.fromkeys(TOPIC_EVENTS, "topic_id")
            | {"forum.post_updated": "topic_id"},  # the opening post is the topic's body
        )  # fmt: skip

    def queryset(self):
        return _searchable_topics().select_related("category", "author")

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        openings = dict(
            Post.objects.filter(topic__in=objects, number=1).values_list("topic_id", "body")
        )
        tags: dict[int, list[str]] = {}
        for topic_id, name in Topic.tags.through.objects.filter(
            content_object__in=objects
        ).values_list("content_object_id", "tag__name"):
            tags.setdefault(topic_id, []).append(name)
        for topic in objects:
            if topic.deleted_at or topic.hidden or topic.merged_into_id:
                continue
            yield SearchDocument(
                kind="topic", object_id=str(topic.pk), title=topic.title,
                body=openings.get(topic.pk, ""), url=topic.get_absolute_url(),
                keys=sorted(keys.get(topic.pk, set())), tags=sorted(tags.get(topic.pk, [])),
                category=topic.category.title, owner=topic.author.get_username(),
                created_at=topic.created_at, updated_at=topic.last_post_at,
            )  # fmt: skip


class PostAdapter(SearchAdapter):
    """Replies (post 1 is searched as the topic). A topic-level change re-indexes them all."""

    def __init__(self) -> None:
        super().__init__(
            kinds=("post",), group="forum", models=(Post,),
            index_events={"forum.post_created": "post_id", "forum.post_updated": "post_id"}
            | {name: "topic_id" for name in TOPIC_EVENTS if name != "forum.topic_created"},
            remove_events={"forum.post_deleted": "post_id"},
        )  # fmt: skip

    def queryset(self):
        return Post.objects.filter(
            number__gt=1, deleted_at__isnull=True, hidden=False,
            topic__in=_searchable_topics(),
        ).select_related("topic", "topic__category", "author")  # fmt: skip

    def refs_for_event(self, name: str, payload: dict) -> tuple[str, list]:
        if name in self.index_events and self.index_events[name] == "topic_id":
            topic_id = payload.get("topic_id")
            ids = list(
                Post.objects.filter(topic_id=topic_id, number__gt=1).values_list("pk", flat=True)
            )
            return "index", ids
        return super().refs_for_event(name, payload)

    def keys_for(self, objects: list) -> dict[int, set[str]]:
        by_topic = keys_by_object(Topic, {post.topic_id for post in objects})
        return {post.pk: by_topic.get(post.topic_id, set()) for post in objects}

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        for post in objects:
            topic = post.topic
            if post.number <= 1 or post.deleted_at or post.hidden:
                continue
            if topic.deleted_at or topic.hidden or topic.merged_into_id:
                continue
            yield SearchDocument(
                kind="post", object_id=str(post.pk), title=topic.title, body=post.body,
                url=post.get_absolute_url(), keys=sorted(keys.get(post.pk, set())),
                category=topic.category.title, owner=post.author.get_username(),
                created_at=post.created_at, updated_at=post.edited_at or post.created_at,
            )  # fmt: skip


register(TopicAdapter())
register(PostAdapter())
