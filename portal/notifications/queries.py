"""Reads of notifications: a person's own notifications, follows and interests."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Follow, KeywordInterest, Notification


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
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
