"""Domain events: `publish(name, **primitives)` delivers to subscribers after commit.

Subscribers register in their app's `AppConfig.ready` with `@subscribe("forum.topic_created")`
(or `"*"` for every event). An event carries primitives only — ids, strings, numbers — never a
model instance, so that a subscriber reads the committed state itself and the payload could be
queued or sent across processes unchanged.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

Primitive = str | int | float | bool | None


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, key: str) -> object:
        return self.payload[key]

    def get(self, key: str, default: object = None) -> object:
        return self.payload.get(key, default)


Subscriber = Callable[[Event], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)
_captures: list[list[Event]] = []


def subscribe(*names: str) -> Callable[[Subscriber], Subscriber]:
    """Register the decorated function for the named events ("*" means every event)."""

    def register(func: Subscriber) -> Subscriber:
        for name in names:
            if func not in _subscribers[name]:
                _subscribers[name].append(func)
        return func

    return register


def unsubscribe(name: str, func: Subscriber) -> None:
    if func in _subscribers.get(name, []):
        _subscribers[name].remove(func)


def _check_primitive(key: str, value: object) -> None:
    if isinstance(value, list | tuple):
        for item in value:
            _check_primitive(key, item)
        return
    if not isinstance(value, str | int | float | bool | type(None)):
        raise TypeError(
            f"Event field {key!r} must be a primitive (str, int, float, bool, None or a list "
            f"of them), not {type(value).__name__}"
        )


def publish(name: str, *, using: str | None = None, **payload: object) -> Event:
    """Publish an event; subscribers run after the surrounding transaction commits."""
    for key, value in payload.items():
        _check_primitive(key, value)
    payload = {k: list(v) if isinstance(v, tuple) else v for k, v in payload.items()}
    event = Event(name, payload)
    for captured in _captures:
        captured.append(event)
    transaction.on_commit(lambda: deliver(event), using=using)
    return event


def deliver(event: Event) -> None:
    """Run every subscriber of the event; one failing subscriber does not stop the others."""
    for func in [*_subscribers.get(event.name, []), *_subscribers.get("*", [])]:
        try:
            func(event)
        except Exception:
            if getattr(settings, "EVENTS_RAISE_ERRORS", False):
                raise
            logger.exception("Subscriber %s failed on event %s", func.__qualname__, event.name)
