"""Search test fixtures: every engine available here, and documents to index."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connection

from portal.search.backends import make_backend
from portal.search.documents import SearchDocument

ENGINES = ["database", "elasticsearch"]


@pytest.fixture(params=ENGINES)
def backend(request, db):
    """Each contract test runs on the database's engine (SQLite FTS5 or PostgreSQL tsvector,
    whichever the test database is) and on Elasticsearch when ELASTICSEARCH_URL is set."""
    if request.param == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL", "")
        if not url:
            pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server to test against")
        from portal.search.backends.elastic import ElasticsearchBackend

        engine = ElasticsearchBackend(url=url, prefix=f"agora-test-{uuid.uuid4().hex[:8]}")
        engine.refresh_on_write = True
        engine.create_indices()
        yield engine
        engine.drop_indices()
        return
    yield make_backend(connection.vendor)


def make_doc(kind: str, object_id, title: str, body: str = "", keys=("staff",), **extra):
    return SearchDocument(
        kind=kind, object_id=str(object_id), title=title, body=body,
        url=f"/{kind}/{object_id}/", keys=list(keys), **extra,
    )  # fmt: skip
