"""The event spine: delivery after commit, primitives only, failures isolated."""

import pytest
from django.db import transaction

from portal.core import events
from portal.core.events import Event, publish, subscribe, unsubscribe
from portal.core.testing import capture_events


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
