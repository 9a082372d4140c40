"""Discussion forum API: /api/v1/topics/ and /api/v1/posts/ (list, create, read, update) with the
same visibility rule and the same actions as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from portal.core.api import StandardPagination

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
        if not kind or not str(pk).isdigit():
            raise serializers.ValidationError({"references": _("Write references as kind:id.")})
        refs.append((str(kind), int(pk)))
    return refs


class TopicSerializer(serializers.ModelSerializer):
    category = serializers.IntegerField(source="category_id")
    category_title = serializers.CharField(source="category.title", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    solved_post = serializers.IntegerField(source="solved_post_id", read_only=True)
    # Written as lists; read back in to_representation from the prefetched rows.
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, write_only=True
    )
    references = serializers.ListField(required=False, write_only=True)
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

    def to_representation(self, topic: Topic) -> dict:
        data = super().to_representation(topic)
        data["tags"] = [item.tag.name for item in topic.tagged_items.all()]
        data["references"] = [
            {"kind": ref.kind, "id": ref.object_id} for ref in topic.references.all()
        ]
        return data


class TopicDetailSerializer(TopicSerializer):
    first_post = serializers.SerializerMethodField()

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "first_post"]

    def get_first_post(self, topic: Topic) -> dict | None:
        post = topic.posts.filter(number=1).first()
        return PostSerializer(post).data if post else None


class TopicViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Topics the caller may read. Create needs title, body and category."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    serializer_class = TopicSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return TopicDetailSerializer if self.action == "retrieve" else TopicSerializer

    def get_queryset(self):
        queryset = topics_visible_to(self.request.user).select_related("category", "author")
        params = self.request.query_params
        if params.get("category", "").isdigit():
            queryset = queryset.filter(category_id=int(params["category"]))
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
        try:
            topic = actions.create_topic(
                self.request.user,
                category=category,
                title=data["title"],
                body=data["body"],
                tags=data.get("tags", []),
                refs=_parse_refs(data.get("references")),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        serializer.instance = self.get_queryset().get(pk=topic.pk)

    def perform_update(self, serializer):
        topic = serializer.instance
        data = serializer.validated_data
        user = self.request.user
        try:
            if "title" in data or "body" in data:
                first = topic.posts.get(number=1)
                actions.edit_post(
                    user,
                    first,
                    body=data.get("body", first.body),
                    title=data.get("title", topic.title),
                )
            if "tags" in data:
                actions.set_tags(user, topic, data["tags"])
            if "references" in data:
                actions.set_references(user, topic, _parse_refs(data["references"]))
            if "pinned" in data:
                actions.pin_topic(user, topic, data["pinned"])
            if "locked" in data:
                actions.lock_topic(user, topic, data["locked"])
            if "category_id" in data and data["category_id"] != topic.category_id:
                category = ForumCategoryPage.objects.live().filter(pk=data["category_id"]).first()
                if category is None or not is_moderator(user):
                    raise serializers.ValidationError(
                        {"category": _("You may not move this topic there.")}
                    )
                actions.move_topic(user, topic, category)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        serializer.instance = self.get_queryset().get(pk=topic.pk)


class PostSerializer(serializers.ModelSerializer):
    topic = serializers.IntegerField(source="topic_id")
    author = serializers.CharField(source="author.username", read_only=True)
    reply_to = serializers.IntegerField(source="reply_to_id", required=False, allow_null=True)
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


class PostViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Posts of topics the caller may read (?topic=<id> for one topic, in order)."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    serializer_class = PostSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = posts_visible_to(self.request.user).select_related("topic", "author")
        topic = self.request.query_params.get("topic", "")
        if topic.isdigit():
            return queryset.filter(topic_id=int(topic)).order_by("number")
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
        try:
            post = actions.reply(self.request.user, topic, body=data["body"], reply_to=reply_to)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
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
        try:
            actions.edit_post(
                self.request.user, post, body=serializer.validated_data.get("body", post.body)
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        post.refresh_from_db()
        serializer.instance = post


def register(router) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("topics", TopicViewSet, basename="topic")
    router.register("posts", PostViewSet, basename="post")
