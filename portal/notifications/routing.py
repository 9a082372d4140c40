"""WebSocket routes (DESIGN.md: /ws/notifications/) and the origin check in front of them."""

from __future__ import annotations

from channels.security.websocket import WebsocketDenier
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import path

from .consumers import NotificationConsumer

websocket_urlpatterns: list = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]


class _Handshake(HttpRequest):
    """The WebSocket handshake seen as the HttpRequest Django's CSRF origin check reads: the
    same headers, and the scheme the client used (ws → http, wss → https)."""

    def __init__(self, scope: dict) -> None:
        super().__init__()
        for name, value in scope.get("headers", []):
            key = name.decode("latin1").upper().replace("-", "_")
            self.META[f"HTTP_{key}"] = value.decode("latin1")
        server = scope.get("server") or ("", "")
        self.META["SERVER_NAME"], self.META["SERVER_PORT"] = str(server[0]), str(server[1] or "")
        self._scope_scheme = "https" if scope.get("scheme") in {"wss", "https"} else "http"

    def _get_scheme(self) -> str:
        return self._scope_scheme


def same_origin(scope: dict) -> bool:
    """True when the page that opens the socket is the site itself: the Origin's scheme, host
    and port equal the request's own (behind the proxy: X-Forwarded-Proto as
    SECURE_PROXY_SSL_HEADER says, the Host it passes on), the host is in ALLOWED_HOSTS — or
    the Origin is one of CSRF_TRUSTED_ORIGINS. This is Django's CSRF origin check, reused."""
    request = _Handshake(scope)
    if not request.META.get("HTTP_ORIGIN"):
        return False
    return CsrfViewMiddleware(lambda _request: None)._origin_verified(request)


class SameOriginValidator:
    """ASGI middleware refusing WebSocket handshakes from any other origin."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
