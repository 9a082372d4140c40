"""/healthz, /readyz and /metrics: what each checks, and that metrics stay private."""

import logging

import pytest
from django.db import OperationalError
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError


def test_healthz_answers_without_touching_the_database():
    # No `db` fixture: pytest-django refuses any query, so a 200 proves /healthz makes none.
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_backing_service():
    response = Client().get("/readyz")

    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert set(checks) == {"database", "channel_layer", "cache", "search"}
    assert all(check["ok"] for check in checks.values())


@pytest.mark.django_db
def test_readyz_is_503_with_the_reason_when_the_channel_layer_is_down(settings):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},
        }
    }

    response = Client().get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["channel_layer"]["ok"] is False
    assert "Error" in body["checks"]["channel_layer"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(monkeypatch):
    from portal.core import health

    def refused():
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", refused)

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "OSError: connection refused",
        "ms": response.json()["checks"]["database"]["ms"],
    }


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_log_one_line_each(caplog, people):
    client = Client()
    client.force_login(people["sales1"])

    with caplog.at_level(logging.INFO, logger="agora.request"):
        assert client.get("/records/customers/").status_code == 200
    metrics = client.get("/metrics")

    assert metrics.status_code == 200
    text = metrics.content.decode()
    assert (
        'agora_http_request_duration_seconds_count{method="GET",status="2xx",'
        'view="records:customer_list"}' in text
    )
    assert "agora_websockets_open" in text
    assert 'agora_worker_queue_lag_seconds{queue="reminders"}' in text
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "agora.request" and r.levelno == logging.INFO
    ]
    assert len(lines) == 1  # probes and scrapes log at DEBUG only
    assert lines[0].startswith("GET /records/customers/ 200 ")
    assert "ms view=records:customer_list" in lines[0]


@pytest.mark.django_db
def test_metrics_refuse_a_request_that_came_through_the_proxy():
    response = Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.status_code == 404
    assert b"agora_http_request" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("connection refused"), 503),
        (RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"), 503),
        (ValueError("a bug"), 500),
    ],
)
def test_a_request_that_meets_a_database_or_redis_outage_answers_503(
    monkeypatch, people, error, status
):
    import portal.core.views

    def fail(request):
        raise error

    monkeypatch.setattr(portal.core.views, "panels_for", fail)
    client = Client(raise_request_exception=False)
    client.force_login(people["sales1"])

    response = client.get("/")

    assert response.status_code == status
    if status == 503:
        assert response["Retry-After"] == "5"
        assert b"briefly unavailable" in response.content


@pytest.mark.django_db
def test_metrics_show_how_long_garbage_collections_stopped_the_process():
    import gc
    import re

    def figure(text: str, name: str) -> float:
        match = re.search(rf'^{name}{{generation="2"}} (\S+)$', text, re.M)
        assert match, name
        return float(match.group(1))

    before = Client().get("/metrics").content.decode()
    gc.collect()  # a full collection, as the interpreter starts one by itself
    after = Client().get("/metrics").content.decode()
    assert figure(after, "agora_gc_pauses_total") >= figure(before, "agora_gc_pauses_total") + 1
    assert figure(after, "agora_gc_pause_seconds_total") > figure(
        before, "agora_gc_pause_seconds_total"
    )
    assert figure(after, "agora_gc_pause_longest_seconds") > 0
