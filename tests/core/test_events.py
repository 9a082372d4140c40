"""The event spine: delivery after commit, primitives only, failures isolated, and only the
events an app's catalogue declares (ADR 0610)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from portal.core import events
from portal.core.events import (
    Event,
    EventNotCatalogued,
    declare,
    publish,
    subscribe,
    unsubscribe,
)
from portal.core.testing import capture_events


@declare("test.happened")
class Happened:
    thing_id: int | None = None
    tags: list[str] | None = None
    user: object = None  # lets the primitive check (not the catalogue) refuse a model


@pytest.fixture
def received():
    seen: list[Event] = []

    def subscriber(event: Event) -> None:
        seen.append(event)

    subscribe("test.happened")(subscriber)
    yield seen
    unsubscribe("test.happened", subscriber)


@pytest.mark.django_db(transaction=True)
def test_subscribers_run_only_after_commit(received):
    with transaction.atomic():
        publish("test.happened", thing_id=1)
        assert received == []
    assert [event.payload for event in received] == [{"thing_id": 1}]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_delivers_nothing(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("test.happened", thing_id=2)
        raise RuntimeError("boom")
    assert received == []


def test_models_are_refused_as_payload(db, people):
    with pytest.raises(TypeError, match="primitive"):
        publish("test.happened", user=people["sales1"])


def test_capture_records_and_runs_subscribers(db, received):
    with capture_events() as captured:
        publish("test.happened", thing_id=3, tags=("a", "b"))
    assert captured.names == ["test.happened"]
    assert captured[0]["tags"] == ["a", "b"]
    assert received[0]["thing_id"] == 3


def test_one_failing_subscriber_does_not_stop_the_others(db, settings, received):
    settings.EVENTS_RAISE_ERRORS = False

    def broken(event: Event) -> None:
        raise ValueError("subscriber bug")

    subscribe("test.happened")(broken)
    try:
        events.deliver(Event("test.happened", {"thing_id": 4}))
    finally:
        unsubscribe("test.happened", broken)
    assert [event["thing_id"] for event in received] == [4]


# --- the catalogue ------------------------------------------------------------------------


def test_an_uncatalogued_event_is_refused(db):
    with pytest.raises(EventNotCatalogued, match="not in any app's catalogue"):
        publish("forum.topic_exploded", topic_id=1, actor_id=None)


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"post_id": 1, "actor_id": 2}, "missing 'topic_id'"),
        ({"topic_id": 1, "post_id": 1, "actor_id": 2, "owner_id": 3}, "'owner_id' is not declared"),
        ({"topic_id": "1", "post_id": 1, "actor_id": 2}, "'topic_id' is '1'"),
        ({"topic_id": True, "post_id": 1, "actor_id": 2}, "'topic_id' is True"),
    ],
)
def test_a_payload_unlike_its_declaration_is_refused(db, payload, problem):
    with capture_events() as captured, pytest.raises(EventNotCatalogued, match=problem):
        publish("forum.post_created", **payload)
    assert captured == []


def test_a_catalogue_slip_is_logged_not_raised_in_production(db, settings, caplog):
    settings.EVENTS_CHECK = "log"
    with capture_events(execute=False) as captured:
        publish("forum.post_created", topic_id=1, post_id=2, actor_id=None, extra=1)
    assert captured.names == ["forum.post_created"]
    assert "'extra' is not declared" in caplog.text


def test_optional_and_list_fields(db):
    with capture_events(execute=False) as captured:
        publish("records.customer_shared", customer_id=1, actor_id=2, to_department_id=3)
        publish("forum.mentioned", topic_id=1, post_id=2, actor_id=None, user_ids=[4, 5])
    assert captured.names == ["records.customer_shared", "forum.mentioned"]
    with pytest.raises(EventNotCatalogued, match="user_ids"):
        publish("forum.mentioned", topic_id=1, post_id=2, actor_id=None, user_ids=["x"])


def test_every_app_has_a_catalogue_module():
    names = events.catalogue()
    for app in ("accounts", "forum", "knowledge", "notifications", "records"):
        assert any(name.startswith(f"{app}.") for name in names), app


def test_every_subscriber_listens_to_a_catalogued_event():
    """Subscriptions made in the apps' ready(): a typo would never be called."""
    catalogue = events.catalogue()
    subscribed = {name for name, funcs in events._subscribers.items() if funcs} - {"*"}
    subscribed -= {"test.happened"}  # this module's own
    assert subscribed, "the apps subscribe to something"
    assert sorted(subscribed - set(catalogue)) == []


PORTAL = Path(django_settings.BASE_DIR) / "portal"


def _formatted_event_names(path: Path) -> int:
    """f-strings given to publish()/subscribe() or assigned to an `*EVENT*` name."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {
            "publish",
            "subscribe",
        }:
            found |= {id(arg) for arg in node.args if isinstance(arg, ast.JoinedStr)}
        elif isinstance(node, ast.Assign) and any(
            "EVENT" in getattr(target, "id", "").upper() for target in node.targets
        ):
            found |= {id(sub) for sub in ast.walk(node.value) if isinstance(sub, ast.JoinedStr)}
    return len(found)


def test_no_event_name_is_built_with_an_f_string():
    found = {}
    for path in sorted(PORTAL.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        count = _formatted_event_names(path)
        if count:
            found[str(path.relative_to(PORTAL))] = count
    assert found == {}
