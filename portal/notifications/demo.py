"""Demo interests, follows, reminders and a few notifications (idempotent, bilingual)."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from . import actions
from .models import KeywordInterest, Kind, Level, Reminder


def _follow_first(user, label: str, level: int) -> int:
    model = apps.get_model(label) if "." in label else None
    obj = (
        model.objects.live().first()
        if model is not None and hasattr(model.objects, "live")
        else (model.objects.first() if model else None)
    )
    if obj is None or not actions.may_open(user, obj):
        return 0
    actions.set_follow_level(user, obj=obj, level=level)
    return 1


def seed() -> str:
    User = get_user_model()  # noqa: N806
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=["admin", "manager", "sales1", "sales2", "service", "newhire"]
        )
    }
    if "sales2" not in people or KeywordInterest.objects.filter(user=people["sales2"]).exists():
        return ""
    made = 0
    for username, query in [
        ("sales2", "竞品"),
        ("sales1", "价格"),
        ("sales1", "price"),
        ("manager", "投诉"),
        ("service", "complaint"),
    ]:
        if username in people:
            actions.add_keyword_interest(people[username], query)
            made += 1
    for username, label, level in [
        ("sales2", "knowledge.CompetitorPage", Level.WATCHING),
        ("sales1", "knowledge.ProductPage", Level.WATCHING_FIRST_POST),
        ("manager", "forum.ForumCategoryPage", Level.WATCHING),
    ]:
        if username in people and apps.is_installed(label.split(".")[0]):
            try:
                made += _follow_first(people[username], label, level)
            except LookupError:
                pass
    if "sales2" in people:
        actions.set_follow_level(
            people["sales2"],
            target_kind="tag",
            target_key="lunch",
            label="lunch",
            level=Level.MUTED,
        )
    if "admin" in people:
        actions.announce(
            people["admin"],
            title="欢迎使用 Agora · Welcome to Agora",
            body="关注关键词和客户，第一时间收到通知。Follow keywords and customers "
            "to hear about them the moment something happens.",
            url="/notifications/interests/",
        )
    now = timezone.now()
    for username in ("sales1", "sales2"):
        if username in people and not Reminder.objects.filter(user=people[username]).exists():
            actions.create_reminder(
                user_ids=[people[username].pk],
                due_at=now + datetime.timedelta(days=1),
                subject="回访华东机械 · Call back East China Machinery",
                url="/records/",
                kind=Kind.REMINDER,
                source="demo",
            )
            actions.create_reminder(
                user_ids=[people[username].pk],
                due_at=now - datetime.timedelta(minutes=5),
                subject="提交周报 · Hand in the weekly report",
                url="/",
                kind=Kind.REMINDER,
                source="demo",
            )
    delivered = actions.deliver_due_reminders()
    return f"{made} interests/follows, 1 announcement, {delivered} reminders delivered"
