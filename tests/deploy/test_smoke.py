"""Smoke test of the production topology through nginx (deploy/local-up → make prod-smoke).

Skipped unless AGORA_RUN names the run directory of deploy/local-up; once it is set, a topology
that is not up FAILS (CI sets it after `make prod-up`). Everything goes through nginx over TLS,
except the one check that /metrics answers on daphne's private port."""

from __future__ import annotations

import asyncio
import json
import os
import re
import ssl
import time
import uuid
from pathlib import Path

import pytest
import requests
import websockets

from deploy.drills.common import login
from deploy.drills.common import session as client

pytestmark = pytest.mark.deploy

RUN = os.environ.get("AGORA_RUN", "")

MODULE_PAGES = {
    "dashboard": "/",
    "customers": "/records/customers/",
    "deals": "/records/deals/",
    "service": "/records/service/",
    "knowledge": "/knowledge-tools/",
    "forum": "/forum-tools/",
    "search": "/search/?q=smoke",
    "notifications": "/notifications/",
}
RUN_ID = uuid.uuid4().hex[:8]  # names unique per run: customers refuse duplicates
HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)")


@pytest.fixture(scope="module")
def deployment() -> dict:
    if not RUN:
        pytest.skip("the production topology is not up: run `make prod-up prod-smoke`")
    path = Path(RUN) / "smoke.json"
    assert path.exists(), f"{path} is missing: deploy/local-up did not finish"
    config = json.loads(path.read_text())
    try:
        requests.get(config["url"] + "/healthz", verify=config["ca"], timeout=10)
    except requests.RequestException as exc:
        pytest.fail(f"nginx does not answer at {config['url']}: {exc}")
    return config


def test_health_and_readiness_answer_through_nginx(deployment):
    session = client(deployment)

    alive = session.get(deployment["url"] + "/healthz", timeout=10)
    ready = session.get(deployment["url"] + "/readyz", timeout=10)

    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) >= {"database", "channel_layer", "search"}
    assert all(check["ok"] for check in checks.values())
    assert checks["database"]["backend"] == "postgresql"
    assert checks["channel_layer"]["backend"] == "RedisChannelLayer"


def test_nginx_never_serves_metrics_dotfiles_var_media_or_the_manifest(deployment):
    session = client(deployment)

    for path in (
        "/metrics",
        "/metrics/",
        "/.env",
        "/.git/config",
        "/var/agora.sqlite3",
        "/media/deals/1/contract.pdf",
        "/static/staticfiles.json",
        "/static/.hidden",
    ):
        response = session.get(deployment["url"] + path, timeout=10, allow_redirects=False)
        assert response.status_code == 404, path
        assert "agora_http_request" not in response.text

    # The scraper reaches each daphne on its private port.
    port = deployment["daphne_ports"][0]
    private = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert private.status_code == 200
    assert "agora_http_request_duration_seconds_bucket" in private.text
    assert "agora_worker_queue_lag_seconds" in private.text


def test_plain_http_redirects_to_https(deployment):
    response = requests.get(
        deployment["http_url"] + "/records/customers/", timeout=10, allow_redirects=False
    )

    assert response.status_code == 301
    assert response.headers["Location"] == deployment["url"] + "/records/customers/"


def test_a_page_per_module_renders_after_login(deployment):
    session = login(deployment, "sales")

    for module, path in MODULE_PAGES.items():
        response = session.get(deployment["url"] + path, timeout=30, allow_redirects=False)
        assert response.status_code == 200, f"{module} {path}: {response.status_code}"
        assert "text/html" in response.headers["Content-Type"]
        # Pages link the manifest's hashed names (no manifest: every page was a 500).
        assert HASHED.search(response.text), module


def test_static_files_are_hashed_and_cached_far_into_the_future(deployment):
    session = login(deployment, "sales")
    page = session.get(deployment["url"] + "/", timeout=30).text
    hashed = sorted(set(HASHED.findall(page)))
    assert any("vendor/bootstrap/bootstrap.min." in name for name in hashed)

    for name in hashed:
        response = session.get(deployment["url"] + name, timeout=10)
        assert response.status_code == 200, name
        assert response.headers["Server"] == "nginx"  # served by nginx, not by daphne
        assert "max-age=31536000" in response.headers["Cache-Control"], name
        assert "immutable" in response.headers["Cache-Control"], name
    # The vendored chart library names its source map; the manifest rewrote it, nginx has it.
    statistics = session.get(deployment["url"] + "/records/statistics/", timeout=30).text
    chart = re.search(r"/static/vendor/chartjs/chart\.umd\.min\.[0-9a-f]{12}\.js", statistics)
    assert chart, "the statistics page links the hashed chart library"
    body = session.get(deployment["url"] + chart.group(0), timeout=10).text
    source_map = re.search(r"sourceMappingURL=(\S+)", body).group(1)
    assert re.fullmatch(r"chart\.umd\.min\.js\.[0-9a-f]{12}\.map", source_map)
    mapped = session.get(deployment["url"] + "/static/vendor/chartjs/" + source_map, timeout=10)
    assert mapped.status_code == 200


def test_api_answers_with_a_token_and_refuses_without(deployment):
    session = client(deployment)
    api = deployment["url"] + "/api/v1"
    token = {"Authorization": "Token " + deployment["sales"]["token"]}

    anonymous = session.get(api + "/customers/", timeout=10)
    me = session.get(api + "/people/me/", headers=token, timeout=10)
    created = session.post(
        api + "/customers/", json={"name": f"Smoke Test {RUN_ID}"}, headers=token, timeout=30
    )
    listed = session.get(api + f"/customers/?search={RUN_ID}", headers=token, timeout=30)

    assert anonymous.status_code in (401, 403)
    assert me.status_code == 200 and me.json()["username"] == deployment["sales"]["username"]
    assert created.status_code == 201, created.text
    assert listed.status_code == 200
    assert created.json()["id"] in [row["id"] for row in listed.json()["results"]]


def test_request_bodies_over_the_limit_are_refused_by_nginx(deployment):
    session = client(deployment)
    two_megabytes = b"x" * (2 * 1024 * 1024)

    login_post = session.post(
        deployment["url"] + "/accounts/login/", data=two_megabytes, timeout=30
    )

    assert login_post.status_code == 413
    assert login_post.headers["Server"] == "nginx"


async def next_frame(socket, kind: str, timeout: float, containing: str = "") -> dict:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {kind} frame within {timeout}s")
        frame = json.loads(await asyncio.wait_for(socket.recv(), remaining))
        if frame.get("type") == kind and containing in json.dumps(frame, ensure_ascii=False):
            return frame


def test_websocket_through_nginx_receives_a_live_notification(deployment):
    """smoke-sales listens on a socket (through nginx to one daphne); smoke-sales2, in other
    requests (through nginx to any daphne), creates a deal and hands it over to smoke-sales:
    the notification arrives live over the Redis channel layer."""
    listener = login(deployment, "sales")
    actor = login(deployment, "sales2")
    api = deployment["url"] + "/api/v1"
    context = ssl.create_default_context(cafile=deployment["ca"])
    ws_url = deployment["url"].replace("https://", "wss://") + "/ws/notifications/"
    cookie = "; ".join(f"{k}={v}" for k, v in listener.cookies.items())

    async def scenario() -> tuple[dict, float]:
        async with websockets.connect(
            ws_url,
            ssl=context,
            additional_headers={"Cookie": cookie},
            origin=deployment["url"],
            open_timeout=15,
        ) as socket:
            await next_frame(socket, "unread", 15)
            headers = {"X-CSRFToken": actor.cookies["csrftoken"], "Referer": api + "/"}
            customer = await asyncio.to_thread(
                actor.post,
                api + "/customers/",
                json={"name": f"Handover {RUN_ID}"},
                headers=headers,
            )
            assert customer.status_code == 201, customer.text
            deal = await asyncio.to_thread(
                actor.post,
                api + "/deals/",
                json={"name": f"Smoke handover {RUN_ID}", "customer": customer.json()["id"]},
                headers=headers,
            )
            assert deal.status_code == 201, deal.text
            started = time.monotonic()
            handed = await asyncio.to_thread(
                actor.post,
                f"{api}/deals/{deal.json()['id']}/handover/",
                json={"to_user": deployment["sales"]["username"]},
                headers=headers,
            )
            assert handed.status_code == 200, handed.text
            frame = await next_frame(socket, "notification", 30, containing=RUN_ID)
            return frame, time.monotonic() - started

    frame, seconds = asyncio.run(scenario())

    assert f"Smoke handover {RUN_ID}" in frame["title"] + frame["body"]
    assert frame["id"] >= 1
    print(f"live notification through nginx {seconds * 1000:.0f} ms after the request")  # noqa: T201
