"""Request bodies over the route's limit are refused before they are read: by daphne's request
at the headers, and by the ASGI middleware for a declared or a counted (chunked) length."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import pytest
from django.conf import settings

from portal.core.bodylimit import BodyLimitMiddleware, body_limit_for
from portal.core.testing import free_port, start_daphne, stop_daphne

ROOT = Path(__file__).resolve().parents[2]


def test_routes_have_their_limits():
    small, large = settings.REQUEST_BODY_MAX_BYTES, settings.REQUEST_UPLOAD_MAX_BYTES
    assert small < large
    assert body_limit_for("/accounts/login/") == small
    assert body_limit_for("/api/v1/topics/") == small
    assert body_limit_for("/forum/new/") == large
    assert body_limit_for("/forum/general/new/") == large
    assert body_limit_for("/forum/t/12/reply/") == large
    assert body_limit_for("/records/deals/7/documents/") == large
    assert body_limit_for("/records/service/new/") == large
    assert body_limit_for("/records/service/7/attach/") == large
    assert body_limit_for("/cms/images/multiple/add/") == large
    assert body_limit_for("/forum/t/12/") == small


class _App:
    def __init__(self):
        self.read = 0
        self.called = False

    async def __call__(self, scope, receive, send):
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run(app, path, chunks, headers=()):
    sent = []
    queue = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    pulled = []

    async def receive():
        message = queue.pop(0)
        pulled.append(message)
        return message

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": list(headers)}
    asyncio.run(BodyLimitMiddleware(app)(scope, receive, send))
    return sent, pulled


def test_a_declared_length_over_the_limit_is_a_413_unread(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    app = _App()
    length = str(10**9).encode()
    sent, pulled = _run(app, "/accounts/login/", [b"x" * 10], [(b"content-length", length)])
    assert sent[0]["status"] == 413 and not app.called and pulled == []
    assert json.loads(sent[1]["body"])["limit"] == 1000


def test_a_chunked_body_is_cut_off_once_it_counts_past_the_limit(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    app = _App()
    sent, pulled = _run(app, "/accounts/login/", [b"x" * 600] * 10)
    assert sent[0]["status"] == 413 and len(sent) == 2
    assert len(pulled) == 2  # stopped at the chunk that passed the limit, not at the end


def test_bodies_within_the_limit_pass(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    app = _App()
    sent, _pulled = _run(
        app, "/accounts/login/", [b"x" * 400, b"y" * 400], [(b"content-length", b"800")]
    )
    assert sent[0]["status"] == 200 and app.read == 800


def test_a_malformed_content_length_is_a_400(settings):
    sent, _pulled = _run(_App(), "/accounts/login/", [b""], [(b"content-length", b"12x")])
    assert sent[0]["status"] == 400


@pytest.fixture
def daphne_server(tmp_path):
    """A real daphne serving the portal (its own SQLite file), small limits for speed."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "AGORA_VAR_DIR": str(tmp_path),
        "REQUEST_BODY_MAX_BYTES": "100000",
    }
    process = start_daphne(port, env)
    yield port
    stop_daphne(process)


def _raw(port: int, head: bytes, body_chunks=(), *, chunk_pause=0.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
                if chunk_pause:
                    time.sleep(chunk_pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-way: what we want; the answer is already there
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return data


def test_daphne_refuses_a_declared_huge_body_at_the_headers(daphne_server):
    head = (
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 104857600\r\n\r\n"
    )
    answer = _raw(daphne_server, head)  # not one body byte sent: answered all the same
    assert answer.startswith(b"HTTP/1.1 413")


def test_daphne_cuts_off_a_chunked_body_past_the_limit(daphne_server):
    head = (
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"a" * 50000
    chunk = hex(len(piece))[2:].encode() + b"\r\n" + piece + b"\r\n"
    answer = _raw(daphne_server, head, [chunk] * 6)
    assert answer.startswith(b"HTTP/1.1 413")


def test_daphne_still_serves_small_posts(daphne_server):
    body = b"username=nobody&password=x"
    head = (
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer = _raw(daphne_server, head, [body])
    assert answer.split(b"\r\n", 1)[0] in {b"HTTP/1.1 403 Forbidden", b"HTTP/1.1 200 OK"}


def test_daphne_leaves_malformed_multipart_to_django(daphne_server):
    body = b"--c637--\r\n"
    head = (
        b"POST /api/v1/people/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: multipart/form-data; boundary=c637\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer = _raw(daphne_server, head, [body])
    # Django's answer (JSON, not signed in), not Twisted's bare "400 Bad Request".
    assert b"application/json" in answer.split(b"\r\n\r\n", 1)[0].lower()
