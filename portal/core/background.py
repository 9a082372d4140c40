"""Background jobs: work too large for a request, done by the worker in chunks (ADR 0142).

A domain registers a handler for a kind of job in its `AppConfig.ready`:

    @background.handler("records.rekey_customers_of")
    def rekey(payload: dict, cursor: int) -> tuple[int, int | None]:
        ...  # one chunk after `cursor`: (rows handled, next cursor, or None when finished)

and asks for the work with `background.enqueue(kind, key=..., total=..., payload=...)`. The
worker job `core.background_jobs` claims one unfinished job by an atomic UPDATE of its lease
(safe with several workers on both engines), runs one chunk in its own transaction and stores
the progress; the admin lists the jobs with their progress."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import BackgroundJob

logger = logging.getLogger(__name__)

Handler = Callable[[dict, int], tuple[int, int | None]]
_handlers: dict[str, Handler] = {}

#: A chunk must finish within this; a worker that died holding a job frees it after.
LEASE = datetime.timedelta(minutes=5)
#: A failed chunk is tried again after this.
RETRY = datetime.timedelta(minutes=1)


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _handlers[kind] = func
        return func

    return register


def enqueue(kind: str, *, key: str, total: int, payload: dict, requested_by=None) -> BackgroundJob:
    """Ask for the work; the same (kind, key) still unfinished starts again from the top."""
    if kind not in _handlers:
        raise LookupError(f"No background handler for {kind!r}")
    with transaction.atomic():
        job = (
            BackgroundJob.objects.select_for_update()
            .filter(kind=kind, key=key, finished_at__isnull=True)
            .first()
        )
        if job is None:
            return BackgroundJob.objects.create(
                kind=kind, key=key, total=total, payload=payload, requested_by=requested_by
            )
        BackgroundJob.objects.filter(pk=job.pk).update(
            total=total,
            payload=payload,
            done=0,
            cursor=0,
            error="",
            generation=F("generation") + 1,
            requested_by=requested_by,
        )
    job.refresh_from_db()
    return job


def run_or_enqueue(
    kind: str, *, key: str, total: int, payload: dict, requested_by=None
) -> BackgroundJob | None:
    """Small work now, chunk after chunk in this process; more than
    `settings.BACKGROUND_INLINE_ROWS` rows to the worker (the job, whose progress the admin
    shows)."""
    if total > settings.BACKGROUND_INLINE_ROWS:
        return enqueue(kind, key=key, total=total, payload=payload, requested_by=requested_by)
    cursor: int | None = 0
    while cursor is not None:
        _handled, cursor = _handlers[kind](payload, cursor)
    return None


def _free(now: datetime.datetime) -> Q:
    return Q(finished_at__isnull=True) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def run_next(*, now: datetime.datetime | None = None) -> int:
    """Run one chunk of the oldest job no other worker holds; the rows it handled."""
    now = now or timezone.now()
    pk = (
        BackgroundJob.objects.filter(_free(now), kind__in=list(_handlers))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return 0
    if not BackgroundJob.objects.filter(_free(now), pk=pk).update(lease_until=now + LEASE):
        return 0  # another worker took it first
    job = BackgroundJob.objects.get(pk=pk)
    mine = BackgroundJob.objects.filter(pk=pk, generation=job.generation)
    try:
        with transaction.atomic():
            handled, cursor = _handlers[job.kind](job.payload, job.cursor)
    except Exception as exc:
        logger.exception("Background job %s (%s) failed", job.kind, job.key)
        mine.update(lease_until=timezone.now() + RETRY, error=repr(exc)[:2000])
        return 0
    changes = {"done": F("done") + handled, "lease_until": None, "error": ""}
    if cursor is None:
        changes["finished_at"] = timezone.now()
    else:
        changes["cursor"] = cursor
    if not mine.update(**changes):
        # restarted while this chunk ran: the new request starts from the top
        BackgroundJob.objects.filter(pk=pk).update(lease_until=None)
    return handled


def pending(kind: str, key: str) -> BackgroundJob | None:
    """The unfinished job for (kind, key), for a page that shows its progress."""
    return BackgroundJob.objects.filter(kind=kind, key=key, finished_at__isnull=True).first()
