"""The Elasticsearch backend on a fresh cluster (the in-memory double, es_double.py): migrate,
seed_demo, rebuild_index, a search and a notification with no request refused and every stored
interest in the percolator; and the lifecycle's failure modes — a write before the aliases
exist, a missing percolator, a concrete index squatting an alias name."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from portal.core.testing import capture_events
from portal.search import backends, service
from portal.search.backends.elastic import ElasticsearchBackend
from portal.search.models import InterestQuery
from portal.search.query import parse_query
from portal.search.rebuild import check

from .conftest import make_doc
from .es_double import FakeCluster, client_for

pytestmark = pytest.mark.django_db

VOCABULARY = ("竞争对手", "竞品", "competitor")


@pytest.fixture
def cluster(settings):
    """A fresh cluster, configured as the deployment's engine (ELASTICSEARCH_URL set)."""
    cluster = FakeCluster()
    settings.ELASTICSEARCH_URL = cluster.url
    engine = ElasticsearchBackend(url=cluster.url, prefix="agora", client=client_for(cluster))
    previous = backends._backend, backends._backend_signature
    backends._backend, backends._backend_signature = engine, ("elasticsearch", cluster.url)
    yield cluster
    backends._backend, backends._backend_signature = previous


def assert_competitors_first(user) -> None:
    """What sales1 sees for the business's words for "competitor": the profiles first."""
    from portal.knowledge.models import CompetitorPage

    profiles = {str(pk) for pk in CompetitorPage.objects.live().values_list("pk", flat=True)}
    assert profiles
    for text in VOCABULARY:
        _parsed, results = service.search(user, text, per_page=50)
        kinds = [hit.kind for hit in results.hits]
        first = results.hits[: len(profiles)]
        assert {hit.object_id for hit in first} == profiles, (text, kinds)
        assert all(hit.kind == "competitor" for hit in first), (text, kinds)


def seed_demo() -> None:
    with capture_events():  # the subscribers (indexing, notifications) run as on commit
        call_command("seed_demo", verbosity=0)


def open_category(user):
    from django.core.exceptions import PermissionDenied, ValidationError

    from portal.forum.actions import check_new_topic
    from portal.forum.models import ForumCategoryPage

    for category in ForumCategoryPage.objects.live().order_by("pk"):
        try:
            check_new_topic(category, acting_user=user)
        except (PermissionDenied, ValidationError):
            continue
        return category
    raise AssertionError("no forum category open to sales1")


def test_migrate_seed_rebuild_search_and_notify_on_a_fresh_cluster(cluster):
    from portal.forum.actions import create_topic
    from portal.notifications.actions import add_keyword_interest
    from portal.notifications.models import KeywordInterest, Notification

    # migrate's post-step creates both aliases before anything is written
    call_command("migrate", verbosity=0)
    assert len(cluster.alias_target("agora-documents")) == 1
    assert len(cluster.alias_target("agora-interests")) == 1

    seed_demo()
    cluster.tick()
    call_command("rebuild_index", verbosity=0)

    assert cluster.refused() == [], [(r.method, r.path, r.error) for r in cluster.refused()]
    assert not any(index.auto_created for index in cluster.indices.values())
    stored = set(InterestQuery.objects.values_list("interest_id", flat=True))
    percolated = {int(pk) for pk in cluster.documents("agora-interests")}
    assert percolated == stored
    users = get_user_model().objects
    sales1, sales2 = users.get(username="sales1"), users.get(username="sales2")
    assert_competitors_first(sales1)

    # a notification through the percolator: sales2 follows 竞品, sales1 writes "competitor"
    if not KeywordInterest.objects.filter(user=sales2, query="竞品").exists():
        add_keyword_interest("竞品", acting_user=sales2)
        cluster.tick()
    with capture_events():
        topic = create_topic(
            acting_user=sales1,
            category=open_category(sales1),
            title="Competitor cut prices in the east",
            body="Their new quotation is ten percent below ours.",
        )
    assert Notification.objects.filter(user=sales2, url=topic.get_absolute_url()).exists()
    assert cluster.refused() == []
    cluster.tick()
    assert check().clean


def test_the_vocabulary_finds_competitor_profiles_first_on_the_database_engine():
    seed_demo()
    call_command("rebuild_index", verbosity=0)

    assert_competitors_first(get_user_model().objects.get(username="sales1"))


def test_a_write_before_the_aliases_exist_is_refused_not_auto_created(cluster):
    from elasticsearch.helpers import BulkIndexError

    engine = backends.get_backend()
    engine._ready = True  # as if the process had checked before someone deleted the indices

    with pytest.raises(BulkIndexError):
        engine.index([make_doc("deal", 1, "Alpha")])
    assert cluster.indices == {}
    assert [(r.path, r.error) for r in cluster.refused()] == [
        ("/_bulk", "index_not_found_exception")
    ]


def test_a_missing_percolator_means_no_keyword_matches_not_a_failed_delivery(cluster, caplog):
    engine = backends.get_backend()
    engine.ensure_indices()
    cluster.perform("DELETE", "/" + cluster.alias_target("agora-interests")[0], None)

    with caplog.at_level(logging.WARNING, logger="portal.search.backends.elastic"):
        assert engine.match_interests(make_doc("topic", 1, "竞品")) == []
    assert "agora-interests" in caplog.text
    # the next use creates it again
    engine.save_interest(1, parse_query("竞品"))
    assert len(cluster.alias_target("agora-interests")) == 1


def test_searching_before_any_index_exists_is_empty_not_an_error(cluster, people):
    engine = backends.get_backend()
    engine._ready = True

    _parsed, results = service.search(people["sales1"], "竞品")

    assert results.count == 0
    assert engine._ready is False  # created again before the next use


def test_search_check_repairs_a_squatting_index_and_percolator_drift(cluster, people):
    from portal.notifications.actions import add_keyword_interest

    # an unguarded write auto-created a concrete index where the alias belongs
    cluster.perform("PUT", "/agora-documents/_doc/x", b'{"kind": "deal", "title": "x"}')
    add_keyword_interest("竞品", acting_user=people["sales2"])  # creates the interests alias only
    missing = cluster.alias_target("agora-interests")[0]
    cluster.perform("DELETE", f"/{missing}/_doc/{InterestQuery.objects.get().interest_id}", None)

    drift = check()
    assert "agora-documents is a concrete index, not an alias" in drift.structural
    assert drift.interests_missing == [InterestQuery.objects.get().interest_id]

    check(fix=True)
    cluster.tick()
    assert len(cluster.alias_target("agora-documents")) == 1
    assert check().clean
    assert set(map(int, cluster.documents("agora-interests"))) == {
        InterestQuery.objects.get().interest_id
    }
