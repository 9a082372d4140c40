"""From a domain event to recipients: direct people ∪ followers ∪ keyword interests, minus the
actor, the muted and whoever may not open the item; then one notification each."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _

from portal.core.events import Event

from .actions import notify, target_of
from .models import Follow, KeywordInterest, Kind, Level
from .text import excerpt, markdown_excerpt

logger = logging.getLogger(__name__)


@dataclass
class Occasion:
    """Something happened to `item`: who is told directly, which followable targets it
    belongs to, and whether it is new (a first post) or an addition (a reply, an update)."""

    item: Model
    kind: str
    dedupe_key: str
    render: Callable[[], tuple[str, str]]  # (title, body) in the active language
    url: str
    actor_id: int | None
    direct: set[int] = field(default_factory=set)
    targets: list[tuple[str, str]] = field(default_factory=list)
    first_post: bool = False
    text: str = ""  # what keyword interests are matched against
    title_text: str = ""
    match_keywords: bool = True


# --- keyword interests --------------------------------------------------------------------


def _keyword_matches(occasion: Occasion, candidates: Iterable[KeywordInterest]) -> set[int]:
    """Interest ids the occasion's text matches, through the search issue's stored queries
    when installed (same analysis as search: Chinese segmentation, stemming)."""
    try:
        from portal.search.documents import SearchDocument
        from portal.search.interests import match_interests
    except ImportError:
        match_interests = None
    if match_interests is not None:
        document = SearchDocument(
            kind="notifications.occasion",
            object_id=occasion.dedupe_key,
            title=occasion.title_text,
            body=occasion.text,
            url=occasion.url,
            keys=[],
        )
        return set(match_interests(document))
    text = f"{occasion.title_text}\n{occasion.text}".casefold()
    return {interest.pk for interest in candidates if interest.query.casefold() in text}


def keyword_recipients(occasion: Occasion) -> set[int]:
    if not occasion.match_keywords or not (occasion.text or occasion.title_text):
        return set()
    wanted = [Level.WATCHING] + ([Level.WATCHING_FIRST_POST] if occasion.first_post else [])
    interests = KeywordInterest.objects.filter(level__in=wanted)
    matched = _keyword_matches(occasion, interests)
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
    """Notify each recipient in their own language (titles are rendered per language)."""
    recipients = recipients_for(occasion)
    if not recipients:
        return 0
    by_language: dict[str, list[int]] = {}
    users = get_user_model().objects.filter(pk__in=recipients).values_list("pk", "language")
    for uid, language in users:
        by_language.setdefault(language or settings.LANGUAGE_CODE, []).append(uid)
    made = 0
    for language, user_ids in sorted(by_language.items()):
        with translation.override(language):
            title, body = occasion.render()
            made += len(
                notify(
                    user_ids,
                    occasion.kind,
                    title,
                    body,
                    occasion.url,
                    dedupe_key=occasion.dedupe_key,
                    actor_id=occasion.actor_id,
                    item=occasion.item,
                )
            )
    return made


# --- event → occasion ---------------------------------------------------------------------


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _load(label: str, pk: object) -> Model | None:
    model = _model(label)
    if model is None or pk is None:
        return None
    return model._default_manager.filter(pk=pk).first()


def _name(user_id: int | None) -> str:
    if not user_id:
        return _("Someone")
    user = get_user_model().objects.filter(pk=user_id).first()
    return str(user) if user else _("Someone")


def _excerpt(text: str, limit: int = 200) -> str:
    """Plain text (a page summary) cut to length."""
    return excerpt(text, limit)


def _markdown_excerpt(text: str, limit: int = 200) -> str:
    """A post's Markdown as a plain-text excerpt: no `**`, link syntax or code fences."""
    return markdown_excerpt(text, limit)


def _ref_target(content_type_id: int, object_id: int) -> tuple[str, str]:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    try:
        from wagtail.models import Page
    except ImportError:  # pragma: no cover
        Page = None  # noqa: N806
    if model is not None and Page is not None and issubclass(model, Page):
        return "wagtailcore.page", str(object_id)
    if model is None:
        return "", ""
    meta = model._meta.concrete_model._meta
    return f"{meta.app_label}.{meta.model_name}", str(object_id)


def _topic_targets(topic: Model) -> list[tuple[str, str]]:
    targets = [target_of(topic), ("wagtailcore.page", str(topic.category_id))]
    tags = getattr(topic, "tags", None)
    if tags is not None:
        targets += [("tag", name.lower()) for name in tags.names()]
    references = getattr(topic, "references", None)
    if references is not None:
        for content_type_id, object_id in references.values_list("content_type_id", "object_id"):
            target = _ref_target(content_type_id, object_id)
            if target[0]:
                targets.append(target)
    return targets


def _first_post_body(topic: Model) -> str:
    post = topic.posts.order_by("number").first() if hasattr(topic, "posts") else None
    return getattr(post, "body", "") if post else ""


def occasion_for_event(event: Event) -> Occasion | None:
    handler = HANDLERS.get(event.name)
    if handler is None and event.name.startswith("records.deal"):
        handler = _deal_event
    return handler(event) if handler else None


def _topic_created(event: Event) -> Occasion | None:
    topic = _load("forum.Topic", event.get("topic_id"))
    if topic is None or getattr(topic, "hidden", False) or getattr(topic, "deleted_at", None):
        return None
    actor_id = event.get("actor_id") or topic.author_id
    body = _first_post_body(topic)

    def render() -> tuple[str, str]:
        return (
            _("%(name)s started “%(title)s”") % {"name": _name(actor_id), "title": topic.title},
            _markdown_excerpt(body),
        )

    return Occasion(
        item=topic,
        kind=Kind.TOPIC,
        dedupe_key=f"forum.topic:{topic.pk}",
        render=render,
        url=topic.get_absolute_url(),
        actor_id=actor_id,
        targets=_topic_targets(topic),
        first_post=True,
        text=body,
        title_text=topic.title,
    )


def _post_created(event: Event) -> Occasion | None:
    post = _load("forum.Post", event.get("post_id"))
    if post is None or getattr(post, "number", 2) == 1:
        return None  # the opening post is the topic: forum.topic_created covers it
    if getattr(post, "hidden", False) or getattr(post, "deleted_at", None):
        return None
    topic = post.topic
    actor_id = event.get("actor_id") or post.author_id
    direct = {topic.author_id}
    reply_to = getattr(post, "reply_to", None)
    if reply_to is not None:
        direct.add(reply_to.author_id)

    def render() -> tuple[str, str]:
        return (
            _("%(name)s replied in “%(title)s”") % {"name": _name(actor_id), "title": topic.title},
            _markdown_excerpt(post.body),
        )

    return Occasion(
        item=topic,
        kind=Kind.REPLY,
        dedupe_key=f"forum.post:{post.pk}",
        render=render,
        url=post.get_absolute_url(),
        actor_id=actor_id,
        direct=direct,
        targets=_topic_targets(topic),
        text=post.body,
    )


def _mentioned(event: Event) -> Occasion | None:
    post = _load("forum.Post", event.get("post_id"))
    if post is None:
        return None
    topic = post.topic
    actor_id = event.get("actor_id") or post.author_id

    def render() -> tuple[str, str]:
        return (
            _("%(name)s mentioned you in “%(title)s”")
            % {"name": _name(actor_id), "title": topic.title},
            _markdown_excerpt(post.body),
        )

    # Same dedupe key as the post: one notification per post, whichever reason comes first.
    key = f"forum.topic:{topic.pk}" if post.number == 1 else f"forum.post:{post.pk}"
    return Occasion(
        item=topic,
        kind=Kind.MENTION,
        dedupe_key=key,
        render=render,
        url=post.get_absolute_url(),
        actor_id=actor_id,
        direct={int(uid) for uid in (event.get("user_ids") or [])},
        targets=[target_of(topic)],
        match_keywords=False,
    )


def _answer_accepted(event: Event) -> Occasion | None:
    post = _load("forum.Post", event.get("post_id"))
    if post is None:
        return None
    topic = post.topic

    def render() -> tuple[str, str]:
        return (
            _("Your answer in “%(title)s” was accepted") % {"title": topic.title},
            _markdown_excerpt(post.body),
        )

    return Occasion(
        item=topic,
        kind=Kind.REPLY,
        dedupe_key=f"forum.accepted:{post.pk}",
        render=render,
        url=post.get_absolute_url(),
        actor_id=event.get("actor_id"),
        direct={post.author_id},
        targets=[target_of(topic)],
        match_keywords=False,
    )


def _page_published(event: Event) -> Occasion | None:
    try:
        from wagtail.models import Page
    except ImportError:  # pragma: no cover
        return None
    page = Page.objects.filter(pk=event.get("page_id")).first()
    if page is None or not page.live:
        return None
    page = page.specific
    first = bool(event.get("first_publish"))
    targets = [
        ("wagtailcore.page", str(pk))
        for pk in page.get_ancestors(inclusive=True)
        .filter(depth__gt=1)
        .values_list("pk", flat=True)
    ]
    tags = getattr(page, "tags", None)
    if tags is not None and hasattr(tags, "names"):
        targets += [("tag", name.lower()) for name in tags.names()]
    summary = getattr(page, "search_description", "") or getattr(page, "summary", "") or ""
    actor_id = event.get("actor_id")

    def render() -> tuple[str, str]:
        if first:
            return _("New in knowledge: %(title)s") % {"title": page.title}, _excerpt(summary)
        return _("Updated in knowledge: %(title)s") % {"title": page.title}, _excerpt(summary)

    revision = getattr(page, "live_revision_id", None) or ""
    text = summary
    try:
        from portal.search.registry import document_for

        document = document_for(page)
        if document is not None:
            text = document.body
    except ImportError:
        pass
    return Occasion(
        item=page,
        kind=Kind.KNOWLEDGE,
        dedupe_key=f"knowledge.page:{page.pk}" if first else f"knowledge.page:{page.pk}:{revision}",
        render=render,
        url=page.url or "",
        actor_id=actor_id,
        targets=targets,
        first_post=first,
        text=text,
        title_text=page.title,
        match_keywords=first,
    )


def _review_overdue(event: Event) -> Occasion | None:
    """A knowledge page passed its review-by date: tell its owner, once per date."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=event.get("page_id")).specific().first()
    owner_id = event.get("owner_id")
    if page is None or not owner_id:
        return None

    def render() -> tuple[str, str]:
        date = page.review_by.isoformat() if getattr(page, "review_by", None) else ""
        return (
            _("Review due: %(title)s") % {"title": page.title},
            _("This page passed its review-by date (%(date)s). Check it is still right.")
            % {"date": date},
        )

    return Occasion(
        item=page,
        kind=Kind.KNOWLEDGE,
        dedupe_key=f"knowledge.review_overdue:{page.pk}:{getattr(page, 'review_by', '')}",
        render=render,
        url=page.url or "",
        actor_id=None,
        direct={int(owner_id)},
        match_keywords=False,
    )


def _customer_event(event: Event) -> Occasion | None:
    customer = _load("records.Customer", event.get("customer_id"))
    if customer is None:
        return None
    direct = {int(event["to_user_id"])} if event.get("to_user_id") else set()
    actor_id = event.get("actor_id")
    name = event.name

    def render() -> tuple[str, str]:
        who = _name(actor_id)
        if name == "records.customer_transferred":
            title = _("%(name)s transferred customer %(customer)s") % {
                "name": who,
                "customer": customer,
            }
        elif name == "records.customer_shared":
            title = _("%(name)s shared customer %(customer)s") % {"name": who, "customer": customer}
        elif name.startswith("records.contact_"):
            title = _("%(name)s changed the contacts of %(customer)s") % {
                "name": who,
                "customer": customer,
            }
        else:
            title = _("%(name)s updated customer %(customer)s") % {
                "name": who,
                "customer": customer,
            }
        return title, ""

    # Updates collapse per actor and day would hide later changes; key them by the event.
    stamp = event.get("contact_id") or ""
    return Occasion(
        item=customer,
        kind=Kind.CUSTOMER,
        dedupe_key=f"{name}:{customer.pk}:{stamp}:{_event_stamp()}",
        render=render,
        url=_url(customer),
        actor_id=actor_id,
        direct=direct,
        targets=[target_of(customer)],
        match_keywords=False,
    )


def _deal_event(event: Event) -> Occasion | None:
    """Deal events (owned by records): owner, co-owners, urged and handed-over people are
    told directly; watchers of the deal and of its customer hear about every change."""
    deal = _load("records.Deal", event.get("deal_id"))
    if deal is None:
        return None
    direct: set[int] = set()
    for key in ("to_user_id", "user_id", "owner_id"):
        if event.get(key):
            direct.add(int(event[key]))
    direct.update(int(uid) for uid in (event.get("user_ids") or []))
    targets = [target_of(deal)]
    if getattr(deal, "customer_id", None):
        targets.append(("records.customer", str(deal.customer_id)))
    actor_id = event.get("actor_id")
    name = event.name

    def render() -> tuple[str, str]:
        who = _name(actor_id)
        if "urge" in name:
            return _("%(name)s urged you about deal %(deal)s") % {"name": who, "deal": deal}, ""
        if "hand" in name or "transfer" in name:
            return _("%(name)s handed deal %(deal)s to you") % {"name": who, "deal": deal}, ""
        return _("%(name)s updated deal %(deal)s") % {"name": who, "deal": deal}, ""

    return Occasion(
        item=deal,
        kind=Kind.DEAL,
        dedupe_key=f"{name}:{deal.pk}:{_event_stamp()}",
        render=render,
        url=_url(deal),
        actor_id=actor_id,
        direct=direct,
        targets=targets,
        match_keywords=False,
    )


def _event_stamp() -> str:
    import uuid

    return uuid.uuid4().hex[:12]


def _url(obj: Model) -> str:
    method = getattr(obj, "get_absolute_url", None)
    try:
        return method() if callable(method) else ""
    except Exception:  # noqa: BLE001 - a record without a page still notifies
        return ""


HANDLERS: dict[str, Callable[[Event], Occasion | None]] = {
    "forum.topic_created": _topic_created,
    "forum.post_created": _post_created,
    "forum.mentioned": _mentioned,
    "forum.answer_accepted": _answer_accepted,
    "knowledge.page_published": _page_published,
    "knowledge.review_overdue": _review_overdue,
    "records.customer_transferred": _customer_event,
    "records.customer_shared": _customer_event,
    "records.customer_updated": _customer_event,
    "records.contact_created": _customer_event,
    "records.contact_updated": _customer_event,
}


def on_event(event: Event) -> None:
    """The subscriber: an event becomes notifications (after the publisher's commit)."""
    occasion = occasion_for_event(event)
    if occasion is not None:
        deliver(occasion)
