"""Notice texts by message key: each domain registers how its notices read, and a notice is
rendered from its stored key and parameters in the reader's language when shown or sent."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any

from django.utils import translation

logger = logging.getLogger(__name__)

Params = Mapping[str, Any]
Renderer = Callable[[Params], tuple[str, str]]

# Text written once, in one language (an announcement, a reminder's subject, rows made before
# notices were stored as a message and its parameters): params {"title", "body"}.
TEXT = "notifications.text"

_renderers: dict[str, Renderer] = {}


def message(key: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated `params → (title, body)` function for message `key`; it runs
    with the reader's language active, so it calls `gettext` on every word it prints."""

    def register(func: Renderer) -> Renderer:
        if _renderers.get(key, func).__qualname__ != func.__qualname__:
            raise ValueError(f"Notice message {key!r} is registered twice")
        _renderers[key] = func
        return func

    return register


def is_registered(key: str) -> bool:
    return key in _renderers


def render(key: str, params: Params, language: str | None = None) -> tuple[str, str]:
    """(title, body) of a notice in `language` (the active language when None).

    An unknown key or missing parameter falls back to the stored text rather than failing a
    page: a notice must stay readable after a domain renames or drops a message."""
    with translation.override(language) if language else nullcontext():
        renderer = _renderers.get(key)
        if renderer is not None:
            try:
                return renderer(params)
            except (KeyError, TypeError, ValueError):
                logger.exception("Notice message %s could not be rendered", key)
    return str(params.get("title", "")), str(params.get("body", ""))


@message(TEXT)
def _text(params: Params) -> tuple[str, str]:
    return str(params.get("title", "")), str(params.get("body", ""))
