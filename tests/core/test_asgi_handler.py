"""The ASGI handler runs a request's middleware and view in one thread hop (ADR 0432), and the
middleware still does its work there."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from asgiref.sync import SyncToAsync
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler

from portal.core.asgi import SyncChainASGIHandler


def _scope(path: str, method: str = "GET") -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }  # fmt: skip


async def _request(app, path: str, method: str = "GET") -> tuple[int, dict, int]:
    """(status, headers, thread hand-overs) of one request through `app`."""
    hops = 0
    original = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        nonlocal hops
        hops += 1
        return await original(self, *args, **kwargs)

    SyncToAsync.__call__ = counted
    try:
        communicator = ApplicationCommunicator(app, _scope(path, method))
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        while body.get("more_body"):
            body = await communicator.receive_output(timeout=10)
        await communicator.wait(timeout=10)
    finally:
        SyncToAsync.__call__ = original
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, hops


def test_the_chain_is_loaded_synchronously():
    handler = SyncChainASGIHandler()
    assert not inspect.iscoroutinefunction(handler._middleware_chain)
    assert not any(inspect.iscoroutinefunction(m) for m in handler._view_middleware)
    # Django's own handler adapts the same settings' chain for the event loop.
    assert asyncio.iscoroutinefunction(ASGIHandler()._middleware_chain)


async def test_a_request_crosses_to_its_thread_three_times():
    """request_started, the middleware chain with the view, and the response's close: three
    hand-overs, where Django's own handler makes a dozen for the same request."""
    status, headers, hops = await _request(SyncChainASGIHandler(), "/healthz")
    assert status == 200
    assert headers["x-frame-options"] == "DENY"  # XFrameOptionsMiddleware ran
    assert headers["x-content-type-options"] == "nosniff"  # SecurityMiddleware ran
    assert hops == 3

    _status, _headers, stock_hops = await _request(ASGIHandler(), "/healthz")
    assert stock_hops >= 8, stock_hops


@pytest.mark.django_db(transaction=True)
async def test_middleware_refusals_and_redirects_still_happen():
    app = SyncChainASGIHandler()
    # CSRF (process_view) refuses a POST without a token.
    status, _headers, _hops = await _request(app, "/accounts/login/", method="POST")
    assert status == 403
    # A signed-out reader of a signed-in page is sent to sign in.
    status, headers, _hops = await _request(app, "/records/customers/")
    assert status == 302
    assert "/accounts/login/" in headers["location"]
