"""Rebuilding the index and checking it against the data (used by the management commands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import interests, registry
from .backends import get_backend
from .backends.base import SearchBackend, document_checksum
from .models import InterestQuery

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
    rebuild_interests(backend=backend, progress=progress)
    return total


def rebuild_interests(*, backend: SearchBackend | None = None, progress: Progress | None = None):
    """Re-parse every stored interest query (synonyms may have changed) and, on an engine
    with its own copy of them (the Elasticsearch percolator), reload that copy whole."""
    backend = backend or get_backend()
    interests.reparse_interests()
    if hasattr(backend, "rebuild_interests"):
        total = InterestQuery.objects.count()
        backend.rebuild_interests(interests.parsed_interests(), progress=progress, total=total)
    elif progress:
        progress("interests", InterestQuery.objects.count(), InterestQuery.objects.count())


@dataclass
class Drift:
    missing: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    structural: list[str] = field(default_factory=list)
    # Stored interest queries: parsed with an older synonym list, or differing in the engine's
    # own copy (the percolator): missing there, left there after deletion, or changed.
    interests_outdated: list[int] = field(default_factory=list)
    interests_missing: list[int] = field(default_factory=list)
    interests_stale: list[int] = field(default_factory=list)
    interests_changed: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.missing or self.stale or self.changed or self.structural
            or self.interests_outdated or self.interests_missing or self.interests_stale
            or self.interests_changed
        )  # fmt: skip


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
    check_interests(drift, backend=backend, fix=fix)
    return drift


def check_interests(drift: Drift, *, backend: SearchBackend, fix: bool) -> None:
    outdated = interests.outdated_interests()
    drift.interests_outdated = [interest_id for interest_id, _query, _parsed in outdated]
    if fix and outdated:
        interests.reparse_interests(outdated)
    if not hasattr(backend, "indexed_interests"):
        return
    indexed = backend.indexed_interests()
    expected = {
        interest_id: query
        for interest_id, parsed in interests.parsed_interests()
        if (query := backend.expected_interest(interest_id, parsed)) is not None
    }
    drift.interests_missing = sorted(set(expected) - set(indexed))
    drift.interests_stale = sorted(set(indexed) - set(expected))
    drift.interests_changed = sorted(
        i for i in set(expected) & set(indexed) if expected[i] != indexed[i]
    )
    if fix:
        for interest_id in drift.interests_stale:
            backend.delete_interest(interest_id)
        for interest_id, parsed in interests.parsed_interests():
            if interest_id in drift.interests_missing or interest_id in drift.interests_changed:
                backend.save_interest(interest_id, parsed)
