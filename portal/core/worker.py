"""The background worker's jobs: apps register periodic jobs in `AppConfig.ready`.

`manage.py run_worker` runs every registered job on its interval. A job must be safe to run
in two workers at once (claim rows with `select_for_update(skip_locked=True)` or an atomic
UPDATE), because production runs several.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    func: Callable[[], int | None]
    every_seconds: float


_jobs: dict[str, Job] = {}


def register_job(name: str, *, every_seconds: float = 1.0):
    def decorator(func: Callable[[], int | None]) -> Callable[[], int | None]:
        _jobs[name] = Job(name, func, every_seconds)
        return func

    return decorator


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_job(job: Job) -> int:
    try:
        return int(job.func() or 0)
    except Exception:
        logger.exception("Worker job %s failed", job.name)
        return 0
