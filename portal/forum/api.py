"""Discussion forum API: /api/v1/topics/ and /api/v1/posts/ (list, create, read, update) with the
same visibility rule and the same actions as the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from portal.core.api import StandardPagination
from portal.core.bounds import IdSerializerField, id_param, id_parameter, parse_id

from . import actions
from .models import ForumCategoryPage, Post, TaggedTopic, Topic, TopicReference
from .permissions import can_read_category, is_moderator, posts_visible_to, topics_visible_to


def _parse_refs(values) -> list[tuple[str, int]]:
    refs = []
    for value in values or []:
        if isinstance(value, dict):
            kind, pk = value.get("kind"), value.get("id")
        else:
            kind, _sep, pk = str(value).partition(":")
        pk = parse_id(pk)
        if not kind or pk is None:
            raise serializers.ValidationError({"references": _("Write references as kind:id.")})
        refs.append((str(kind), pk))
    return refs


class TopicTagsField(serializers.ListField):
    """A topic's tag names (read from the prefetched tagged items; written as a list)."""

    def get_attribute(self, topic: Topic) -> list[str]:
        return [item.tag.name for item in topic.tagged_items.all()]


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "oneOf": [
                {"type": "string", "description": '"kind:id", e.g. "customer:7"'},
                {
                    "type": "object",
                    "properties": {"kind": {"type": "string"}, "id": {"type": "integer"}},
                    "required": ["kind", "id"],
                },
            ]
        },
    }
)
class TopicReferencesField(serializers.ListField):
    """The records a topic is about: written as "kind:id" strings or {"kind", "id"} objects,
    read as objects."""

    child = serializers.JSONField()

    def get_attribute(self, topic: Topic) -> list[dict]:
        return [{"kind": ref.kind, "id": ref.object_id} for ref in topic.references.all()]


class TopicSerializer(serializers.ModelSerializer):
    category = IdSerializerField(source="category_id")
    category_title = serializers.CharField(source="category.title", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    solved_post = serializers.IntegerField(source="solved_post_id", read_only=True, allow_null=True)
    # Written as lists; read back from the prefetched rows.
    tags = TopicTagsField(child=serializers.CharField(max_length=50), required=False)
    references = TopicReferencesField(required=False)
    body = serializers.CharField(write_only=True, required=False)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id", "title", "category", "category_title", "author", "created_at", "last_post_at",
            "post_count", "reply_count", "pinned", "locked", "solved_post", "tags",
            "references", "body", "url",
        ]  # fmt: skip
        read_only_fields = ["created_at", "last_post_at", "post_count", "reply_count"]

    def get_url(self, topic: Topic) -> str:
        return topic.get_absolute_url()


class TopicDetailSerializer(TopicSerializer):
    first_post = serializers.SerializerMethodField()

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "first_post"]

    def get_first_post(self, topic: Topic) -> dict | None:
        post = topic.posts.filter(number=1).first()
        return PostSerializer(post).data if post else None


class ForumViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Topics and posts alike: signed in, listed, read, created and edited (PATCH), never
    deleted through the API."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            id_parameter("category", "Topics of this forum category."),
            OpenApiParameter("view", str, enum=["latest", "unanswered", "solved"], required=False),
            OpenApiParameter("tag", str, required=False),
            OpenApiParameter("author", str, required=False, description="A username."),
        ]
    )
)
class TopicViewSet(ForumViewSet):
    """Topics the caller may read. Create needs title, body and category."""

    serializer_class = TopicSerializer

    def get_serializer_class(self):
        return TopicDetailSerializer if self.action == "retrieve" else TopicSerializer

    def get_queryset(self):
        queryset = topics_visible_to(self.request.user).select_related("category", "author")
        params = self.request.query_params
        if (category := id_param(params, "category")) is not None:
            queryset = queryset.filter(category_id=category)
        if params.get("view") == "unanswered":
            queryset = queryset.filter(reply_count=0)
        elif params.get("view") == "solved":
            queryset = queryset.filter(solved_post__isnull=False)
        if params.get("tag"):
            queryset = queryset.filter(tags__name=params["tag"])
        if params.get("author"):
            queryset = queryset.filter(author__username=params["author"])
        return queryset.prefetch_related(
            Prefetch("tagged_items", queryset=TaggedTopic.objects.select_related("tag")),
            Prefetch("references", queryset=TopicReference.objects.all()),
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not data.get("body"):
            raise serializers.ValidationError({"body": _("Write some text.")})
        category = ForumCategoryPage.objects.live().filter(pk=data["category_id"]).first()
        if category is None or not can_read_category(self.request.user, category):
            raise serializers.ValidationError({"category": _("Choose a category you may read.")})
        topic = actions.create_topic(
            category=category,
            title=data["title"],
            body=data["body"],
            tags=data.get("tags", []),
            refs=_parse_refs(data.get("references")),
            acting_user=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=topic.pk)

    def perform_update(self, serializer):
        topic = serializer.instance
        data = serializer.validated_data
        user = self.request.user
        if "title" in data or "body" in data:
            first = topic.posts.get(number=1)
            actions.edit_post(
                first,
                body=data.get("body", first.body),
                title=data.get("title", topic.title),
                acting_user=user,
            )
        if "tags" in data:
            actions.set_tags(topic, data["tags"], acting_user=user)
        if "references" in data:
            actions.set_references(topic, _parse_refs(data["references"]), acting_user=user)
        if "pinned" in data:
            actions.pin_topic(topic, data["pinned"], acting_user=user)
        if "locked" in data:
            actions.lock_topic(topic, data["locked"], acting_user=user)
        if "category_id" in data and data["category_id"] != topic.category_id:
            category = ForumCategoryPage.objects.live().filter(pk=data["category_id"]).first()
            if category is None or not is_moderator(user):
                raise serializers.ValidationError(
                    {"category": _("You may not move this topic there.")}
                )
            actions.move_topic(topic, category, acting_user=user)
        serializer.instance = self.get_queryset().get(pk=topic.pk)


class PostSerializer(serializers.ModelSerializer):
    topic = IdSerializerField(source="topic_id")
    author = serializers.CharField(source="author.username", read_only=True)
    reply_to = IdSerializerField(source="reply_to_id", required=False, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "topic",
            "number",
            "author",
            "body",
            "body_html",
            "reply_to",
            "created_at",
            "edited_at",
            "edit_count",
            "url",
        ]
        read_only_fields = ["number", "body_html", "created_at", "edited_at", "edit_count"]

    def get_url(self, post: Post) -> str:
        return post.get_absolute_url()


@extend_schema_view(
    list=extend_schema(parameters=[id_parameter("topic", "Posts of this topic, in order.")])
)
class PostViewSet(ForumViewSet):
    """Posts of topics the caller may read (?topic=<id> for one topic, in order)."""

    serializer_class = PostSerializer

    def get_queryset(self):
        queryset = posts_visible_to(self.request.user).select_related("topic", "author")
        topic = id_param(self.request.query_params, "topic")
        if topic is not None:
            return queryset.filter(topic_id=topic).order_by("number")
        return queryset.order_by("-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        topic = (
            topics_visible_to(self.request.user)
            .select_related("category")
            .filter(pk=data["topic_id"])
            .first()
        )
        if topic is None:
            raise serializers.ValidationError(
                {"topic": _("There is no topic you may reply to with that id.")}
            )
        reply_to = None
        if data.get("reply_to_id"):
            reply_to = Post.objects.filter(pk=data["reply_to_id"], topic=topic).first()
            if reply_to is None:
                raise serializers.ValidationError(
                    {"reply_to": _("You can only reply to a post of the same topic.")}
                )
        self.mention_warnings = [
            _("%(name)s cannot see this topic and was not told.") % {"name": person}
            for person in actions.mentioned_who_cannot_see(topic, data["body"], self.request.user)
        ]
        post = actions.reply(
            topic, body=data["body"], reply_to=reply_to, acting_user=self.request.user
        )
        serializer.instance = post

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if getattr(self, "mention_warnings", None):
            response.data["warnings"] = self.mention_warnings
        return response

    def perform_update(self, serializer):
        post = serializer.instance
        if (
            "topic_id" in serializer.validated_data
            and serializer.validated_data["topic_id"] != post.topic_id
        ):
            raise serializers.ValidationError({"topic": _("A post cannot change topic.")})
        actions.edit_post(
            post,
            body=serializer.validated_data.get("body", post.body),
            acting_user=self.request.user,
        )
        post.refresh_from_db()
        serializer.instance = post


def register(router) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("topics", TopicViewSet, basename="topic")
    router.register("posts", PostViewSet, basename="post")
