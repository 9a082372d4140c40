"""From an occasion to recipients: direct people ∪ followers ∪ keyword interests, minus the
actor, the muted and whoever may not open the item; then one notification each.

Which events make occasions, and in which words, lives beside each domain
(`<app>/notifications.py`, ADR 0611); they call `portal.notifications.notices.deliver`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import Model

from . import messages
from .actions import store
from .models import Follow, KeywordInterest, Level

logger = logging.getLogger(__name__)


@dataclass
class Occasion:
    """Something happened to `item`: who is told directly, which followable targets it
    belongs to, and whether it is new (a first post) or an addition (a reply, an update)."""

    item: Model | None
    kind: str
    dedupe_key: str
    url: str
    actor_id: int | None
    message: str = messages.TEXT
    params: dict = field(default_factory=dict)
    direct: set[int] = field(default_factory=set)
    targets: list[tuple[str, str]] = field(default_factory=list)
    first_post: bool = False
    text: str = ""  # what keyword interests are matched against
    title_text: str = ""
    match_keywords: bool = True


# --- keyword interests --------------------------------------------------------------------


def _keyword_matches(occasion: Occasion) -> set[int]:
    """Interest ids the occasion's text matches, through search's stored queries (the same
    analysis as search: Chinese segmentation, stemming)."""
    from portal.search.documents import SearchDocument
    from portal.search.interests import match_interests

    document = SearchDocument(
        kind="notifications.occasion",
        object_id=occasion.dedupe_key,
        title=occasion.title_text,
        body=occasion.text,
        url=occasion.url,
        keys=[],
    )
    return set(match_interests(document))


def keyword_recipients(occasion: Occasion) -> set[int]:
    if not occasion.match_keywords or not (occasion.text or occasion.title_text):
        return set()
    wanted = [Level.WATCHING] + ([Level.WATCHING_FIRST_POST] if occasion.first_post else [])
    interests = KeywordInterest.objects.filter(level__in=wanted)
    matched = _keyword_matches(occasion)
    if not matched:
        return set()
    return set(interests.filter(pk__in=matched).values_list("user_id", flat=True))


# --- follows ------------------------------------------------------------------------------


def recipients_for(occasion: Occasion) -> set[int]:
    targets = occasion.targets
    rows = (
        []
        if not targets
        else list(
            Follow.objects.filter(
                target_kind__in={kind for kind, _key in targets},
                target_key__in={key for _kind, key in targets},
            ).values_list("user_id", "level", "target_kind", "target_key")
        )
    )
    wanted = set(targets)
    rows = [row for row in rows if (row[2], row[3]) in wanted]
    muted = {uid for uid, level, *_rest in rows if level == Level.MUTED}
    followers = {
        uid
        for uid, level, *_rest in rows
        if level == Level.WATCHING or (occasion.first_post and level == Level.WATCHING_FIRST_POST)
    }
    everyone = occasion.direct | followers | keyword_recipients(occasion)
    return everyone - muted - {occasion.actor_id}


def deliver(occasion: Occasion) -> int:
    """Store one notification per recipient (rendered in each reader's language when shown)."""
    recipients = recipients_for(occasion)
    if not recipients:
        return 0
    return len(
        store(
            recipients,
            kind=occasion.kind,
            message=occasion.message,
            params=occasion.params,
            url=occasion.url,
            dedupe_key=occasion.dedupe_key,
            actor_id=occasion.actor_id,
            item=occasion.item,
        )
    )
