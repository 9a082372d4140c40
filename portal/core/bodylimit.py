"""Request body limits applied before the body is read (ADR 0801): a per-route limit (uploads
larger, everything else small), enforced twice —

- in daphne's own HTTP request (`LimitedWebRequest`), at the headers: daphne (via Twisted)
  receives the whole body and then pushes all of it into the application's queue in one go,
  before any ASGI code runs, so only the server's request object can refuse it unread;
- as ASGI middleware (`BodyLimitMiddleware`), for any other ASGI server and as a second
  line: a declared Content-Length over the limit, or a chunked body that counts past it, is a
  413 before Django buffers it.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE comes after both: it looks at the body once it is read.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _upload_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def body_limit_for(path: str) -> int:
    """The largest request body, in bytes, accepted for `path`."""
    patterns = _upload_patterns(tuple(settings.REQUEST_UPLOAD_PATHS))
    if any(pattern.match(path) for pattern in patterns):
        return settings.REQUEST_UPLOAD_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


def too_large_body(limit: int) -> bytes:
    # No translation: this answer is given before Django has a request, a user or a language.
    return json.dumps(
        {"detail": f"Request body too large (over {limit} bytes).", "limit": limit}
    ).encode()


def declared_length(headers) -> int | None:
    """The Content-Length of ASGI headers; None when absent; -1 when malformed."""
    for name, value in headers:
        if name.lower() == b"content-length":
            text = value.strip()
            return int(text) if text.isdigit() and len(text) < 20 else -1
    return None


class BodyLimitMiddleware:
    """ASGI middleware: refuse HTTP bodies over the route's limit with a 413, unread."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit_for(scope.get("path", ""))
        length = declared_length(scope.get("headers", []))
        if length == -1:
            return await _respond(send, 400, b'{"detail": "Malformed Content-Length."}')
        if length is not None and length > limit:
            return await _respond(send, 413, too_large_body(limit))

        received = 0
        refused = False

        async def limited_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    refused = True
                    await _respond(send, 413, too_large_body(limit))
                    # The application stops reading as if the client had gone.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        return await self.app(scope, limited_receive, guarded_send)


async def _respond(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_daphne_guard() -> None:
    """Make daphne build its requests as `LimitedWebRequest` (idempotent). Called from
    core's AppConfig.ready, so that it is in place in every process that serves HTTP with
    daphne (`daphne portal.asgi:application`, `manage.py runserver`) before the first request."""
    try:
        from daphne import http_protocol
    except ImportError:  # pragma: no cover - daphne is a fixed dependency
        return
    if getattr(http_protocol.WebRequest, "agora_body_limit", False):
        return
    http_protocol.WebRequest = _limited_request_class(http_protocol.WebRequest)


class _Discard:
    """Stands in for a refused request's body file: the bytes still arriving go nowhere."""

    closed = False

    def write(self, data: bytes) -> None:
        pass

    def read(self, size: int = -1) -> bytes:
        return b""

    def seek(self, *args) -> int:
        return 0

    def close(self) -> None:
        self.closed = True


def _limited_request_class(base):
    class LimitedWebRequest(base):
        """daphne's request, refusing an over-limit body at the headers (Content-Length) or
        as soon as the chunks received pass the limit — never buffered whole, not even to
        Twisted's temporary file, and never pushed into the application's queue."""

        agora_body_limit = True
        _agora_refused = False

        def gotLength(self, length):  # noqa: N802 - Twisted's name
            # Twisted parses urlencoded and multipart POST bodies into `request.args` —
            # reading the whole body into memory again — which daphne never uses; and it
            # answers a malformed multipart body with a bare 400 before Django can answer.
            self._parsePOSTFormSubmission = False
            raw_path = getattr(self.channel, "_path", b"/") or b"/"
            path = raw_path.split(b"?", 1)[0].decode("latin-1")
            self._agora_limit = body_limit_for(path)
            self._agora_received = 0
            if length is not None and length > self._agora_limit:
                self._agora_refuse()
                return
            super().gotLength(length)

        def handleContentChunk(self, data):  # noqa: N802 - Twisted's name
            if self._agora_refused:
                return
            self._agora_received += len(data)
            if self._agora_received > self._agora_limit:
                self._agora_refuse()
                return
            super().handleContentChunk(data)

        def process(self):
            if self._agora_refused:
                return None
            return super().process()

        def _agora_refuse(self) -> None:
            self._agora_refused = True
            if getattr(self, "content", None) is not None and hasattr(self.content, "close"):
                self.content.close()
            self.content = _Discard()
            # Twisted answers "100 Continue" after gotLength when asked: not for this one.
            self.requestHeaders.removeHeader(b"expect")
            body = too_large_body(self._agora_limit)
            logger.warning(
                "Refused a request body over %s bytes from %s",
                self._agora_limit,
                getattr(self.client, "host", "?"),
            )
            transport = self.channel.transport
            transport.write(
                b"HTTP/1.1 413 Content Too Large\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                b"Connection: close\r\n\r\n" + body
            )
            transport.loseConnection()

    LimitedWebRequest.__qualname__ = LimitedWebRequest.__name__ = "LimitedWebRequest"
    return LimitedWebRequest
