"""Health endpoints for the proxy and orchestrators: /healthz (the process answers) and
/readyz (the database, the channel layer / Redis and the search engine answer)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHECK_TIMEOUT_SECONDS = 3.0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process serves requests. Touches nothing else, so a database outage does not
    make an orchestrator restart every web process."""
    return JsonResponse({"status": "ok"})


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def check_channel_layer() -> str:
    """A round trip through the channel layer (Redis in production): send to a fresh channel
    and receive it back. The in-memory layer passes trivially."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return "none"

    async def round_trip() -> None:
        channel = await layer.new_channel("readyz.")
        await layer.send(channel, {"type": "readyz.ping"})
        await layer.receive(channel)

    async def bounded() -> None:
        await asyncio.wait_for(round_trip(), timeout=CHECK_TIMEOUT_SECONDS)

    async_to_sync(bounded)()
    return type(layer).__name__


def check_cache() -> str:
    cache.set("readyz", "1", 10)
    if cache.get("readyz") != "1":
        raise RuntimeError("the cache did not return what was written")
    return type(cache).__name__


def check_search() -> str:
    """One real query against the configured engine (Elasticsearch or the database's full
    text), filtered on a key nobody holds, so it costs little and reveals nothing."""
    from portal.search.backends import engine_name, get_backend
    from portal.search.query import parse_query

    get_backend().count(parse_query("readyz"), keys=frozenset({"readyz:nobody"}))
    return engine_name()


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "cache": check_cache,
    "search": check_search,
}


def run_checks() -> tuple[bool, dict[str, dict]]:
    details: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            backend = check()
            details[name] = {"ok": True, "backend": backend}
        except Exception as exc:  # any failure means "not ready", with its reason
            details[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            if name == "database":
                # A broken connection must not be reused by the next request of this thread.
                connection.close_if_unusable_or_obsolete()
        details[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(item["ok"] for item in details.values()), details


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: every backing service answers. 503 with the failing check's reason otherwise,
    so the proxy or the orchestrator takes the process out of rotation until it recovers."""
    ready, details = run_checks()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": details},
        status=200 if ready else 503,
    )


def is_outage(exc: BaseException | None) -> bool:
    """A backing service is unreachable (not a bug): the database or Redis refused or dropped
    the connection."""
    if exc is None:
        return False
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
        return True
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, RedisConnectionError | RedisTimeoutError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a request that failed because the database or Redis is down answers 503
    with Retry-After (the proxy and clients try again; nothing is wrong with the request),
    without templates or queries. Any other error goes to the portal's 500 page."""
    from portal.core.views import server_error as portal_server_error

    if not is_outage(sys.exc_info()[1]):
        return portal_server_error(request)
    message = _("Agora is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            format_html("<!doctype html><title>503</title><p>{}</p>", message),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = "5"
    return response
