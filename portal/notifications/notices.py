"""The one delivery API for every domain's notices (ADR 0611): who, which message, where to.

A domain's `<app>/notifications.py` (or `<app>/<domain>/notifications.py`) registers its
messages with `@message("<app>.<what>")` and, subscribed to its own events, calls
`deliver(...)`. This module knows no other app's models or event names; those modules are
found by `autodiscover` when the notifications app is ready.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext as _

from .actions import target_of
from .matching import Occasion
from .matching import deliver as _deliver
from .messages import message, render
from .models import Kind
from .text import excerpt, markdown_excerpt

__all__ = [
    "Kind",
    "autodiscover",
    "deliver",
    "excerpt",
    "markdown_excerpt",
    "message",
    "person_name",
    "render",
    "someone",
    "someone_did",
    "target_of",
    "url_of",
]


def deliver(
    *,
    kind: str,
    message: str,
    params: dict,
    url: str,
    dedupe_key: str,
    item: Model | None = None,
    actor_id: int | None = None,
    recipients: Iterable[int] = (),
    targets: Iterable[tuple[str, str]] = (),
    first_post: bool = False,
    match_title: str = "",
    match_text: str = "",
) -> int:
    """Tell `recipients` and whoever follows one of `targets` (and, when `match_text` or
    `match_title` is given, whoever's keyword interests it matches), minus the actor, the
    muted and whoever may not open `item`. Returns how many notifications were stored.

    `kind` is the preference channel (`Kind`); `message` a key registered with `@message`,
    rendered from `params` (JSON primitives) in each reader's language whenever the notice is
    shown or sent; `dedupe_key` names the happening, so that the same happening reaches a
    person once whichever way (a reply that also mentions them, an event delivered twice)."""
    return _deliver(
        Occasion(
            item=item,
            kind=kind,
            dedupe_key=dedupe_key,
            url=url,
            actor_id=actor_id,
            message=message,
            params=dict(params),
            direct={int(uid) for uid in recipients if uid},
            targets=list(targets),
            first_post=first_post,
            text=match_text,
            title_text=match_title,
            match_keywords=bool(match_text or match_title),
        )
    )


def person_name(user_id: int | None) -> str:
    """A person's name for a notice's parameters ("" when unknown: rendered as "Someone")."""
    if not user_id:
        return ""
    user = get_user_model().objects.filter(pk=user_id).first()
    return str(user) if user else ""


def url_of(obj: Model) -> str:
    method = getattr(obj, "get_absolute_url", None)
    return method() if callable(method) else ""


# --- discovery ----------------------------------------------------------------------------

_SKIP = {"migrations", "management", "locale", "templatetags", "__pycache__"}


def notice_modules() -> list[str]:
    """`<app>.notifications` and `<app>.<domain>.notifications` of every project app."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("portal.") or config.name == "portal.notifications":
            continue
        root = Path(config.path)
        if (root / "notifications.py").exists():
            found.append(f"{config.name}.notifications")
        for child in sorted(root.iterdir()):
            if child.is_dir() and child.name not in _SKIP and (child / "notifications.py").exists():
                found.append(f"{config.name}.{child.name}.notifications")
    return found


def autodiscover() -> None:
    """Import every domain's notices module (each registers its messages and subscribes)."""
    for name in notice_modules():
        importlib.import_module(name)


def someone(name: str) -> str:
    """A stored person's name, or "Someone" in the reader's language."""
    return name or _("Someone")


def someone_did(text: str, params, *fields: str, body: str = "") -> tuple[str, str]:
    """(title, body) of "<someone> did something to <fields>": `text` is the translated
    pattern with `%(name)s` (the actor, params["name"]) and the named `fields` of params."""
    values = {"name": someone(params["name"]), **{field: params[field] for field in fields}}
    return text % values, body
