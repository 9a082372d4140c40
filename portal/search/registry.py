"""The adapter registry: each app's `search.py` declares how its models become documents and
which domain events (re)index or remove them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models

from .documents import SearchDocument

logger = logging.getLogger(__name__)


@dataclass
class SearchAdapter:
    """Base adapter. Subclasses set the attributes and implement `load`/`queryset`/`build`."""

    #: Kinds this adapter produces and the group a `type:` filter may name for all of them.
    kinds: tuple[str, ...] = ()
    group: str = ""
    #: Events whose payload field names an object to (re)index: {"records.customer_created":
    #: "customer_id"}; the object is removed instead when `load` says it is no longer searchable.
    index_events: dict[str, str] = field(default_factory=dict)
    #: Events that remove the object: {"records.customer_deleted": "customer_id"}.
    remove_events: dict[str, str] = field(default_factory=dict)
    #: Concrete model classes this adapter handles (for document_for).
    models: tuple[type[models.Model], ...] = ()

    def queryset(self) -> models.QuerySet:
        raise NotImplementedError

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        """Documents of the objects (skip those that must not be searchable)."""
        raise NotImplementedError

    def keys_for(self, objects: list) -> dict[int, set[str]]:
        from portal.core.visibility import keys_by_object

        if not objects:
            return {}
        return keys_by_object(type(objects[0]), [obj.pk for obj in objects])

    def documents(self, objects: Iterable) -> list[SearchDocument]:
        objects = list(objects)
        return list(self.build(objects, self.keys_for(objects)))

    def load(self, object_ids: list) -> list:
        return list(self.queryset().filter(pk__in=object_ids))

    def refs_for_event(self, name: str, payload: dict) -> tuple[str, list]:
        """("index" | "remove", [ids]) for an event this adapter declared."""
        if name in self.remove_events:
            value = payload.get(self.remove_events[name])
            return "remove", _as_list(value)
        value = payload.get(self.index_events[name])
        return "index", _as_list(value)

    def iter_all(self, batch_size: int = 500) -> Iterator[list]:
        queryset = self.queryset().order_by("pk")
        last = None
        while True:
            batch = queryset.filter(pk__gt=last) if last is not None else queryset
            batch = list(batch[:batch_size])
            if not batch:
                return
            yield batch
            last = batch[-1].pk

    def count(self) -> int:
        return self.queryset().count()


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


_adapters: list[SearchAdapter] = []


def register(adapter: SearchAdapter) -> SearchAdapter:
    if adapter not in _adapters:
        _adapters.append(adapter)
    return adapter


def adapters() -> list[SearchAdapter]:
    return list(_adapters)


def adapter_for_kind(kind: str) -> SearchAdapter | None:
    return next((a for a in _adapters if kind in a.kinds), None)


def kind_groups() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for adapter in _adapters:
        if adapter.group:
            groups.setdefault(adapter.group, []).extend(adapter.kinds)
    return groups


def all_kinds() -> list[str]:
    return [kind for adapter in _adapters for kind in adapter.kinds]


def document_for(obj: models.Model) -> SearchDocument | None:
    """The search document of any registered model instance (None if not searchable)."""
    for adapter in _adapters:
        if adapter.models and isinstance(obj, adapter.models):
            documents = adapter.documents([obj])
            return documents[0] if documents else None
    specific = getattr(obj, "specific", None)  # a Wagtail base Page: ask its specific page
    if specific is not None and specific is not obj and type(specific) is not type(obj):
        return document_for(specific)
    return None
