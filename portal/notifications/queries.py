"""Reads of notifications: a person's own notifications, follows and interests."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404

from portal.core.bounds import parse_id

from .models import Follow, KeywordInterest, Notification, UserSequence


def notifications_of(user, *, unread: bool = False, kind: str = "") -> QuerySet[Notification]:
    """A person only ever reads their own notifications (each row was checked when made)."""
    rows = Notification.objects.filter(user=user).select_related("actor").order_by("-seq")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def access_notification(user, seq: int) -> Notification:
    row = Notification.objects.filter(user=user, seq=seq).first()
    if row is None:
        raise Http404
    return row


def follows_of(user) -> QuerySet[Follow]:
    return Follow.objects.filter(user=user).order_by("target_kind", "label")


def interests_of(user) -> QuerySet[KeywordInterest]:
    return KeywordInterest.objects.filter(user=user).order_by("query")


def unread_count(user) -> int:
    """The person's unread count, kept beside their numbers (ADR 0713)."""
    count = UserSequence.objects.filter(user=user).values_list("unread", flat=True).first()
    return count or 0


def followable(user, ref: str) -> Model | None:
    """The record or page that `ref` ("app_label.model:id", as the follow buttons post it)
    names, when it is a followable kind the user may open; None alike for a malformed, unknown,
    unfollowable (an API token), missing or forbidden one — the caller cannot tell them apart."""
    from .actions import is_followable, may_open

    app_model, _sep, raw_id = str(ref).rpartition(":")
    app_label, _dot, model_name = app_model.partition(".")
    object_id = parse_id(raw_id)
    if object_id is None or not app_label or not model_name:
        return None
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        return None
    model = content_type.model_class()
    if model is None or not is_followable(model):
        return None
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None or not may_open(user, obj):
        return None
    return obj
