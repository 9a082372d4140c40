"""Rebuilding the index and checking it against the data (used by the management commands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import registry
from .backends import get_backend
from .backends.base import SearchBackend, document_checksum

Progress = Callable[[str, int, int], None]


def rebuild(
    *, backend: SearchBackend | None = None, progress: Progress | None = None, batch: int = 500
) -> int:
    """Re-index every searchable object; searches keep answering meanwhile (the embedded
    engines replace rows in place, Elasticsearch builds a new index and swaps the alias)."""
    backend = backend or get_backend()
    token = backend.begin_rebuild()
    total = 0
    for adapter in registry.adapters():
        expected = adapter.count()
        done = 0
        for objects in adapter.iter_all(batch):
            total += backend.index(adapter.documents(objects))
            done += len(objects)
            if progress:
                progress(",".join(adapter.kinds), done, expected)
    backend.finish_rebuild(token)
    return total


@dataclass
class Drift:
    missing: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    structural: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.changed or self.structural)


def check(*, backend: SearchBackend | None = None, fix: bool = False, batch: int = 500) -> Drift:
    """Compare what the index holds with fresh documents of the data; optionally repair."""
    backend = backend or get_backend()
    drift = Drift(structural=backend.structural_problems())
    if fix and drift.structural:
        backend.repair_structure()
    for adapter in registry.adapters():
        indexed = backend.indexed_checksums(adapter.kinds)
        seen: set[tuple[str, str]] = set()
        for objects in adapter.iter_all(batch):
            to_index = []
            for document in adapter.documents(objects):
                ref = (document.kind, document.object_id)
                seen.add(ref)
                current = indexed.get(ref)
                if current is None:
                    drift.missing.append(ref)
                    to_index.append(document)
                elif current != document_checksum(document):
                    drift.changed.append(ref)
                    to_index.append(document)
            if fix and to_index:
                backend.index(to_index)
        stale = [ref for ref in indexed if ref not in seen]
        drift.stale += stale
        if fix and stale:
            backend.remove(stale)
    return drift
