"""Domain events: `publish(name, **primitives)` delivers to subscribers after commit.

Each app declares the events it publishes in its catalogue module `<app>/events.py`, one
`@declare("forum.topic_created")` class per event whose annotated fields are the payload
(ADR 0610); `publish` checks the name and the payload against it. Subscribers register in their
app's `AppConfig.ready` with `@subscribe("forum.topic_created")` (or `"*"` for every event). An
event carries primitives only — ids, strings, numbers — never a model instance, so that a
subscriber reads the committed state itself and the payload could be queued or sent across
processes unchanged.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import types
import typing
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


class EventNotCatalogued(TypeError):
    """A published name or payload that its app's catalogue does not declare."""


# name → the declaring dataclass (filled by the `<app>/events.py` modules, see `catalogue`).
_catalogue: dict[str, type] = {}
_discovered = False


def declare(name: str) -> Callable[[type], type]:
    """Class decorator for a catalogue module: the class's annotated fields are the payload.

    A field with a default may be left out when publishing; every other field is required.
    """

    def register(cls: type) -> type:
        declared = dataclasses.dataclass(frozen=True)(cls)
        if _catalogue.get(name, declared).__qualname__ != declared.__qualname__:
            raise ValueError(f"Event {name!r} is declared twice")
        _catalogue[name] = declared
        declared.event_name = name
        return declared

    return register


def catalogue() -> dict[str, type]:
    """Every declared event: imports each project app's `events` module once."""
    global _discovered
    if not _discovered:
        from django.apps import apps

        for config in apps.get_app_configs():
            if not config.name.startswith("portal."):
                continue
            try:
                importlib.import_module(f"{config.name}.events")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.events":
                    raise
        _discovered = True
    return _catalogue


def _matches(value: object, hint: object) -> bool:
    if hint is object or hint is typing.Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arm) for arm in typing.get_args(hint))
    if origin in (list, tuple):
        (item,) = typing.get_args(hint)[:1] or (object,)
        return isinstance(value, list | tuple) and all(_matches(v, item) for v in value)
    if hint is type(None) or hint is None:
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)  # type: ignore[arg-type]


def payload_errors(name: str, payload: dict[str, object]) -> list[str]:
    """What is wrong with publishing `name` with `payload` (empty when it is as declared)."""
    declared = catalogue().get(name)
    if declared is None:
        return [f"event {name!r} is not in any app's catalogue (<app>/events.py)"]
    hints = typing.get_type_hints(declared)
    errors = []
    for spec in dataclasses.fields(declared):
        if spec.name not in payload:
            required = spec.default is dataclasses.MISSING
            if required and spec.default_factory is dataclasses.MISSING:
                errors.append(f"{name}: missing {spec.name!r}")
        elif not _matches(payload[spec.name], hints[spec.name]):
            errors.append(
                f"{name}: {spec.name!r} is {payload[spec.name]!r}, declared {hints[spec.name]}"
            )
    known = {spec.name for spec in dataclasses.fields(declared)}
    errors += [f"{name}: {key!r} is not declared" for key in payload if key not in known]
    return errors


def check_payload(name: str, payload: dict[str, object]) -> None:
    """Raise (tests, DEBUG, `EVENTS_CHECK = "raise"`) or log an uncatalogued event.

    In production a catalogue slip is logged, not raised: `publish` runs inside the writer's
    transaction, and refusing the event would roll back a person's saved work (ADR 0610)."""
    errors = payload_errors(name, payload)
    if not errors:
        return
    mode = getattr(settings, "EVENTS_CHECK", "") or ("raise" if settings.DEBUG else "log")
    if mode == "raise":
        raise EventNotCatalogued("; ".join(errors))
    logger.error("Event not as catalogued: %s", "; ".join(errors))


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
    check_payload(name, payload)
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
