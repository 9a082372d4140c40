"""Prometheus metrics and the one log line per request.

Each daphne process keeps its own counters and serves them at /metrics on its own loopback
port; Prometheus scrapes every process as a target (no multi-process file mode, ADR 0701).
The proxy never forwards /metrics, and a request that came through a proxy (it carries
X-Forwarded-For) is refused here too. Figures that live in the database (open sockets, stored
notifications, worker queue lag) are read when scraped, so every process reports the same
cluster-wide value and the worker needs no endpoint of its own."""

from __future__ import annotations

import gc
import logging
import time

from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger("agora.request")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "agora_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it, by view.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "agora_search_duration_seconds",
    "Latency of search requests (the search page and the search API), by view.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
#: Views whose latency is the search engine's latency plus rendering.
SEARCH_VIEWS = frozenset(
    {"search:search", "search:autocomplete", "api-search", "api-search-autocomplete"}
)

#: Probes and scrapes arrive every few seconds: logged at DEBUG so they do not drown the log.
QUIET_VIEWS = frozenset({"healthz", "readyz", "metrics"})


def view_name(request: HttpRequest) -> str:
    """The URL pattern's name (bounded cardinality), never the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """First in the stack: times every request, observes it by view and logs one line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = view_name(request)
        status = response.status_code
        REQUEST_SECONDS.labels(view, request.method, f"{status // 100}xx").observe(seconds)
        if view in SEARCH_VIEWS:
            SEARCH_SECONDS.labels(view).observe(seconds)
        logger.log(
            logging.DEBUG if view in QUIET_VIEWS else logging.INFO,
            "%s %s %s %.1fms view=%s user=%s",
            request.method,
            request.get_full_path()[:300],
            status,
            seconds * 1000,
            view,
            getattr(getattr(request, "user", None), "pk", None) or "-",
        )
        return response


class DatabaseFigures:
    """Cluster-wide figures read from the store at scrape time."""

    def collect(self):
        from portal.notifications.actions import PRESENCE_EXPIRY
        from portal.notifications.models import Notification, Presence, Reminder

        now = timezone.now()
        try:
            sockets = Presence.objects.filter(seen_at__gte=now - PRESENCE_EXPIRY).count()
            stored = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
            oldest_reminder = Reminder.objects.filter(
                delivered_at__isnull=True, due_at__lte=now
            ).aggregate(oldest=Min("due_at"))["oldest"]
            oldest_email = Notification.objects.filter(
                email_state=Notification.EmailState.IMMEDIATE, email_due_at__lte=now
            ).aggregate(oldest=Min("email_due_at"))["oldest"]
        except Exception:
            logger.warning("Metrics: the database did not answer", exc_info=True)
            up = GaugeMetricFamily("agora_database_up", "1 when the database answered.")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("agora_database_up", "1 when the database answered.")
        up.add_metric([], 1)
        yield up
        open_sockets = GaugeMetricFamily(
            "agora_websockets_open",
            "Notification sockets open across all processes (presence rows with a fresh beat).",
        )
        open_sockets.add_metric([], sockets)
        yield open_sockets
        delivered = CounterMetricFamily(
            "agora_notifications_delivered",
            "Notifications delivered to the store (and from there to sockets and e-mail): "
            "the highest notification id, which only grows.",
        )
        delivered.add_metric([], stored)
        yield delivered
        lag = GaugeMetricFamily(
            "agora_worker_queue_lag_seconds",
            "Age of the oldest due item the worker has not handled yet (0 when none).",
            labels=["queue"],
        )
        for queue, oldest in (("reminders", oldest_reminder), ("emails", oldest_email)):
            lag.add_metric([queue], (now - oldest).total_seconds() if oldest else 0.0)
        yield lag


class CollectorPauses:
    """How long this process stood still for garbage collections, by generation (ADR 0714):
    a full collection walks every object, and on a process holding a thousand sockets that is
    a pause every frame in flight waits for. Kept in plain numbers by a `gc.callbacks` hook (no
    lock: a collection can start inside any code, a metric's own lock included) and read when
    scraped."""

    def __init__(self) -> None:
        self.started = 0.0
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.longest = [0.0, 0.0, 0.0]

    def __call__(self, phase: str, info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            self.started = now
            return
        generation, pause = info["generation"], now - self.started
        self.count[generation] += 1
        self.seconds[generation] += pause
        self.longest[generation] = max(self.longest[generation], pause)

    def collect(self):
        count = CounterMetricFamily(
            "agora_gc_pauses", "Garbage collections in this process.", labels=["generation"]
        )
        seconds = CounterMetricFamily(
            "agora_gc_pause_seconds",
            "Time this process stood still for garbage collections.",
            labels=["generation"],
        )
        longest = GaugeMetricFamily(
            "agora_gc_pause_longest_seconds",
            "The longest garbage-collection pause since the process started.",
            labels=["generation"],
        )
        for generation in range(3):
            label = [str(generation)]
            count.add_metric(label, self.count[generation])
            seconds.add_metric(label, self.seconds[generation])
            longest.add_metric(label, self.longest[generation])
        yield from (count, seconds, longest)


GC_PAUSES = CollectorPauses()
gc.callbacks.append(GC_PAUSES)
REGISTRY.register(GC_PAUSES)

_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseFigures())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if "HTTP_X_FORWARDED_FOR" in request.META:
        # Came through the proxy: metrics are for the scraper on the private port only.
        raise Http404
    body = generate_latest(REGISTRY) + generate_latest(_database_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
