"""Search test fixtures: every engine available here, and documents to index."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connection

from portal.search.backends import make_backend
from portal.search.documents import SearchDocument

ENGINES = ["database", "elasticsearch-double", "elasticsearch"]


def run_prefix() -> str:
    """Index names unique to this test run: live tests never touch production names."""
    return f"agora-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=ENGINES)
def backend(request, db):
    """Each contract test runs on the database's engine (SQLite FTS5 or PostgreSQL tsvector,
    whichever the test database is), on the Elasticsearch backend against the in-memory
    cluster double (tests/search/es_double.py), and on a live Elasticsearch when
    ELASTICSEARCH_URL is set (a unique prefix per run, refresh on write, and cleanup by
    concrete index names)."""
    if request.param.startswith("elasticsearch"):
        from portal.search.backends.elastic import ElasticsearchBackend

        if request.param == "elasticsearch-double":
            from .es_double import FakeCluster, client_for

            cluster = FakeCluster()
            engine = ElasticsearchBackend(url=cluster.url, prefix="agora",
                                          client=client_for(cluster))  # fmt: skip
            engine.cluster = cluster
        else:
            url = os.environ.get("ELASTICSEARCH_URL", "")
            if not url:
                pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server to test against")
            engine = ElasticsearchBackend(url=url, prefix=run_prefix())
        engine.refresh_on_write = True
        engine.ensure_indices()
        yield engine
        engine.drop_indices()
        if request.param == "elasticsearch-double":
            assert engine.cluster.refused() == [], "the cluster refused a request"
        return
    yield make_backend(connection.vendor)


def make_doc(kind: str, object_id, title: str, body: str = "", keys=("staff",), **extra):
    return SearchDocument(
        kind=kind, object_id=str(object_id), title=title, body=body,
        url=f"/{kind}/{object_id}/", keys=list(keys), **extra,
    )  # fmt: skip
