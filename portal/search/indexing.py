"""The indexing pipeline: domain events → adapters → the configured backend (after commit)."""

from __future__ import annotations

import importlib
import logging

from django.db import transaction

from portal.core import events

from . import registry
from .backends import get_backend

logger = logging.getLogger(__name__)

ADAPTER_MODULES = ("portal.records.search", "portal.knowledge.search", "portal.forum.search")


def autodiscover() -> None:
    """Import each app's search.py (they register their adapters) and subscribe to the events
    the adapters declare."""
    for module in ADAPTER_MODULES:
        importlib.import_module(module)
    names = set()
    for adapter in registry.adapters():
        names.update(adapter.index_events)
        names.update(adapter.remove_events)
    for name in sorted(names):
        events.subscribe(name)(handle_event)


def handle_event(event: events.Event) -> None:
    """(Re)index or remove what the event names; runs after the publishing transaction commit."""
    for adapter in registry.adapters():
        if event.name not in adapter.index_events and event.name not in adapter.remove_events:
            continue
        action, ids = adapter.refs_for_event(event.name, event.payload)
        if not ids:
            continue
        if action == "remove":
            remove_objects(adapter, ids)
        else:
            index_objects(adapter, ids)


def index_objects(adapter: registry.SearchAdapter, ids: list) -> None:
    """Index the objects that are searchable; remove those that are gone or not searchable."""
    with transaction.atomic():
        objects = adapter.load(ids)
        documents = adapter.documents(objects)
        backend = get_backend()
        backend.index(documents)
        found = {doc.object_id for doc in documents}
        gone = [str(pk) for pk in ids if str(pk) not in found]
        if gone:
            backend.remove([(kind, pk) for kind in adapter.kinds for pk in gone])


def remove_objects(adapter: registry.SearchAdapter, ids: list) -> None:
    get_backend().remove([(kind, str(pk)) for kind in adapter.kinds for pk in ids])
