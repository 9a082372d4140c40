"""Engine selection: Elasticsearch when ELASTICSEARCH_URL is set, else the database's own
full-text search (PostgreSQL tsvector, or SQLite FTS5 — the default)."""

from __future__ import annotations

from django.conf import settings
from django.db import connections

from .base import SearchBackend

_backend: SearchBackend | None = None
_backend_signature: tuple | None = None


def engine_name() -> str:
    if getattr(settings, "ELASTICSEARCH_URL", ""):
        return "elasticsearch"
    if connections["default"].vendor == "postgresql":
        return "postgresql"
    return "sqlite"


def make_backend(name: str) -> SearchBackend:
    if name == "elasticsearch":
        from .elastic import ElasticsearchBackend

        return ElasticsearchBackend(
            url=settings.ELASTICSEARCH_URL,
            prefix=getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "agora"),
        )
    if name == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    from .sqlite import SQLiteBackend

    return SQLiteBackend()


def get_backend() -> SearchBackend:
    """The configured backend (rebuilt when the settings change, e.g. in tests)."""
    global _backend, _backend_signature
    name = engine_name()
    signature = (name, getattr(settings, "ELASTICSEARCH_URL", ""))
    if _backend is None or _backend_signature != signature:
        _backend = make_backend(name)
        _backend_signature = signature
    return _backend
