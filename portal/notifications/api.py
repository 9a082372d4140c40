"""Notifications: API endpoints under /api/v1/ (notifications, interests, follows)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.bounds import id_param, id_parameter

from . import actions, queries
from .models import Follow, KeywordInterest, Kind, Level, Notification


class NotificationSerializer(serializers.ModelSerializer):
    # `id` is the per-user number, the same as in the WebSocket frames and the resume cursor.
    id = serializers.IntegerField(source="seq", read_only=True)
    read = serializers.BooleanField(source="is_read", read_only=True)
    # Rendered in the reader's language, not the language it was written in: a token client
    # is signed in only inside the view, after the middleware chose the request's language.
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    def _text(self, row: Notification) -> tuple[str, str]:
        request = self.context.get("request")
        language = getattr(getattr(request, "user", None), "language", "") or None
        return row.render(language)

    def get_title(self, row: Notification) -> str:
        return self._text(row)[0]

    def get_body(self, row: Notification) -> str:
        return self._text(row)[1]

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read", "read_at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            id_parameter("after", "Only notifications after this id, oldest first.", minimum=0),
            OpenApiParameter("unread", str, enum=["1", "true"], required=False),
            OpenApiParameter("kind", str, enum=list(Kind.values), required=False),
        ]
    )
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in person's notifications, newest first. `?unread=1`, `?kind=`, and
    `?after=<id>` (oldest first, for clients catching up like the socket's resume)."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes to the reader
    lookup_field = "seq"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind and kind not in Kind.values:
            raise serializers.ValidationError({"kind": [_("Unknown kind.")]})
        rows = queries.notifications_of(
            self.request.user, unread=params.get("unread") in {"1", "true"}, kind=kind
        )
        after = id_param(params, "after", minimum=0)
        if after is not None:
            rows = rows.filter(seq__gt=after).order_by("seq")
        return rows

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, id=None):  # noqa: A002 - the route's name
        row = self.get_object()
        actions.mark_read([row.seq], acting_user=request.user)
        row.refresh_from_db()
        return Response(NotificationSerializer(row).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        kind = request.data.get("kind") or None
        if kind and kind not in Kind.values:
            raise serializers.ValidationError({"kind": [_("Unknown kind.")]})
        return Response({"marked": actions.mark_all_read(kind=kind, acting_user=request.user)})

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"count": queries.unread_count(request.user)})

    @extend_schema(request=None, responses={201: dict})
    @action(detail=False, methods=["post"])
    def announce(self, request):
        """Administrators: notify every active person."""
        created = actions.announce(
            request.user,
            title=request.data.get("title", ""),
            body=request.data.get("body", ""),
            url=request.data.get("url", ""),
        )
        return Response({"recipients": len(created)}, status=status.HTTP_201_CREATED)


class InterestSerializer(serializers.ModelSerializer):
    level = serializers.ChoiceField(choices=Level.choices, default=Level.WATCHING)

    class Meta:
        model = KeywordInterest
        fields = ["id", "query", "level", "created_at"]
        read_only_fields = ["created_at"]


class InterestViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Keyword and phrase interests of the signed-in person."""

    serializer_class = InterestSerializer
    queryset = KeywordInterest.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        return queries.interests_of(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = actions.add_keyword_interest(
            serializer.validated_data["query"],
            level=serializer.validated_data["level"],
            acting_user=self.request.user,
        )

    def perform_destroy(self, instance):
        actions.remove_keyword_interest(instance.pk, acting_user=self.request.user)


class FollowSerializer(serializers.ModelSerializer):
    level = serializers.ChoiceField(choices=Level.choices)
    object = serializers.CharField(
        write_only=True,
        required=False,
        help_text='"app_label.model:id" of a record or page, e.g. "<app>.customer:7"',
    )

    class Meta:
        model = Follow
        fields = ["id", "target_kind", "target_key", "label", "url", "level", "object"]
        read_only_fields = ["label", "url"]
        extra_kwargs = {"target_kind": {"required": False}, "target_key": {"required": False}}
        validators = []


@extend_schema_view(
    create=extend_schema(
        responses={
            201: FollowSerializer,
            404: OpenApiResponse(
                description="No such object, or not one the caller may follow or open."
            ),
        }
    )
)
class FollowViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """What the signed-in person follows (or mutes): POST {"object": "<app>.<model>:<id>",
    "level": 3} or {"target_kind": "tag", "target_key": "pricing", "level": 0}."""

    serializer_class = FollowSerializer
    queryset = Follow.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        return queries.follows_of(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        ref = data.get("object")
        if ref:
            # Malformed, unfollowable, missing and forbidden are the same 404, as on the page
            # (the kind's policy decides what may be opened; decision 0140).
            obj = queries.followable(self.request.user, ref)
            if obj is None:
                raise exceptions.NotFound(_("No such object."))
            serializer.instance = actions.set_follow_level(
                obj=obj, level=data["level"], acting_user=self.request.user
            )
            return
        if data.get("target_kind") in {None, ""} or data.get("target_key") in {None, ""}:
            raise serializers.ValidationError({"object": [_("Give object or target_kind/key.")]})
        if data["target_kind"] != "tag":
            raise serializers.ValidationError(
                {"target_kind": [_("Only tags are followed by key; use object for records.")]}
            )
        serializer.instance = actions.set_follow_level(
            target_kind="tag",
            target_key=data["target_key"],
            label=data["target_key"],
            level=data["level"],
            acting_user=self.request.user,
        )

    def perform_destroy(self, instance):
        actions.remove_follow(instance.pk, acting_user=self.request.user)


def register(router) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register("interests", InterestViewSet, basename="interest")
    router.register("follows", FollowViewSet, basename="follow")
