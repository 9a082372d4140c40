"""Demo interest profiles, follows, defaults, reminders and notifications (idempotent,
bilingual). Runs after the knowledge and forum demos, so every follow points at a page or
category they seeded; then the seeded topics are matched once, so each demo person opens
Agora to notifications that come from their own interests."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils import timezone

from portal.core.events import Event

from . import actions, matching
from .models import (
    CategoryDefault,
    Follow,
    KeywordInterest,
    Kind,
    Level,
    Notification,
    Reminder,
)

KEYWORDS = [
    ("sales2", "竞品", Level.WATCHING),
    ("sales2", "RuiLink", Level.WATCHING_FIRST_POST),
    ("sales1", "价格", Level.WATCHING),
    ("sales1", "price", Level.WATCHING),
    ("manager", "投诉", Level.WATCHING),
    ("manager", "折扣", Level.WATCHING),
    ("service", "complaint", Level.WATCHING),
    ("service", "退货", Level.WATCHING),
    ("newhire", "扫描", Level.WATCHING_FIRST_POST),
]
# (user, model label, slug of a seeded page, level); a missing page is skipped.
PAGE_FOLLOWS = [
    ("sales2", "knowledge.CompetitorPage", "", Level.WATCHING),  # the first rival
    ("sales2", "forum.ForumCategoryPage", "competitors", Level.WATCHING),
    ("sales1", "knowledge.ProductPage", "", Level.WATCHING_FIRST_POST),
    ("sales1", "forum.ForumCategoryPage", "cases", Level.WATCHING_FIRST_POST),
    ("manager", "forum.ForumCategoryPage", "cases", Level.WATCHING),
    ("service", "forum.ForumCategoryPage", "products", Level.WATCHING),
]
TAG_FOLLOWS = [
    ("sales1", "pricing", Level.WATCHING),
    ("service", "returns", Level.WATCHING),
    ("sales2", "lunch", Level.MUTED),
]
# Administrators' defaults for new people: everyone watches first posts in competitor news.
DEFAULTS = [("forum.ForumCategoryPage", "competitors", Level.WATCHING_FIRST_POST)]
WELCOME = "欢迎使用 Agora · Welcome to Agora"


def _page(label: str, slug: str) -> Model | None:
    try:
        model = apps.get_model(label)
    except LookupError:  # the app is not installed
        return None
    pages = model.objects.live().order_by("path")
    return (pages.filter(slug=slug) if slug else pages).first()


def _follow(user, obj: Model | None, level: int) -> int:
    if obj is None or not actions.may_open(user, obj):
        return 0
    kind, key = actions.target_of(obj)
    if Follow.objects.filter(user=user, target_kind=kind, target_key=key).exists():
        return 0
    actions.set_follow_level(user, obj=obj, level=level)
    return 1


def _match_seeded_topics() -> int:
    """Run the seeded topics through matching once (dedupe keys make a second run a no-op)."""
    try:
        topic_model = apps.get_model("forum.Topic")
    except LookupError:
        return 0
    made = 0
    for topic in topic_model.objects.order_by("pk"):
        event = Event("forum.topic_created", {"topic_id": topic.pk, "actor_id": topic.author_id})
        occasion = matching.occasion_for_event(event)
        if occasion is not None:
            made += matching.deliver(occasion)
    return made


def seed() -> str:
    User = get_user_model()  # noqa: N806
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=["admin", "manager", "sales1", "sales2", "service", "newhire"]
        )
    }
    if "sales2" not in people:
        return ""
    made = 0
    for username, query, level in KEYWORDS:
        user = people.get(username)
        if user and not KeywordInterest.objects.filter(user=user, query__iexact=query).exists():
            actions.add_keyword_interest(user, query, level=level)
            made += 1
    for username, label, slug, level in PAGE_FOLLOWS:
        if username in people:
            made += _follow(people[username], _page(label, slug), level)
    for username, tag, level in TAG_FOLLOWS:
        user = people.get(username)
        tagged = Follow.objects.filter(user=user, target_kind="tag", target_key=tag)
        if user and not tagged.exists():
            actions.set_follow_level(
                user, target_kind="tag", target_key=tag, label=tag, level=level
            )
            made += 1
    for label, slug, level in DEFAULTS:
        page = _page(label, slug)
        if page is not None:
            kind, key = actions.target_of(page)
            CategoryDefault.objects.get_or_create(
                target_kind=kind,
                target_key=key,
                department=None,
                defaults={"level": level, "label": page.title[:255]},
            )
    if "newhire" in people:  # created before the defaults existed: give them now
        made += actions.apply_default_follows(people["newhire"])
    if "admin" in people and not Notification.objects.filter(title=WELCOME).exists():
        actions.announce(
            people["admin"],
            title=WELCOME,
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
    matched = _match_seeded_topics()
    if not (made or delivered or matched):
        return ""
    return (
        f"{made} interests/follows, {delivered} reminders delivered, "
        f"{matched} notifications from matching the seeded topics"
    )
