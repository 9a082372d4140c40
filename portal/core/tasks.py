"""My tasks: what waits on a person, gathered from the sources each domain registers.

Each domain owns the rule for its own tasks (`records/service/tasks.py`, `records/deals/tasks.py`,
`knowledge/tasks.py`) and reads through its own visibility helpers; this module only keeps the
registry, orders the tasks and counts them. A source runs a fixed number of queries whatever it
finds (it reads at most `SOURCE_LIMIT` rows), so the page, the panel, the count and the API cost
the same number of queries for one task or for many (decision 1000)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils import timezone

if TYPE_CHECKING:
    from portal.accounts.models import User

#: At most this many tasks per source: a list of what waits on one person, not a report.
SOURCE_LIMIT = 100
COUNT_CACHE_SECONDS = 60


@dataclass(frozen=True)
class TaskAction:
    """The one click that clears (or opens) the task: a link, or a form posted as is."""

    label: str
    url: str
    method: str = "get"  # "get" → a link; "post" → a button posting to url (CSRF-protected)


@dataclass(frozen=True)
class Task:
    kind: str  # "<domain>.<what>", e.g. "service.pre_approval"
    title: str  # in the reader's language (built when read)
    detail: str
    url: str  # the record it is about
    due: datetime.date | None
    actions: tuple[TaskAction, ...] = field(default_factory=tuple)
    object_id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()

    @property
    def due_today(self) -> bool:
        return self.due == timezone.localdate()

    @property
    def anchor(self) -> str:
        """A stable element id: "service-pre_approval-42"."""
        return f"{self.kind.replace('.', '-')}-{self.object_id or 0}"

    @property
    def sort_key(self) -> tuple:
        return (self.due is None, self.due or datetime.date.max, self.kind, self.object_id or 0)


TaskSource = Callable[["User"], list[Task]]
_sources: dict[str, TaskSource] = {}


def register_source(name: str) -> Callable[[TaskSource], TaskSource]:
    """Register a domain's task source under a stable name (called at import, in `ready`)."""

    def decorator(source: TaskSource) -> TaskSource:
        _sources[name] = source
        return source

    return decorator


def source_names() -> list[str]:
    return sorted(_sources)


def tasks_for(user: User) -> list[Task]:
    """Everything that waits on the user, the most urgent first (overdue, then by due date)."""
    if not user.is_authenticated or not user.is_active:
        return []
    tasks: list[Task] = []
    for name in source_names():
        tasks.extend(_sources[name](user)[:SOURCE_LIMIT])
    tasks.sort(key=lambda task: task.sort_key)
    cache.set(_count_key(user), len(tasks), COUNT_CACHE_SECONDS)
    return tasks


def _count_key(user: User) -> str:
    return f"core.tasks.count:{user.pk}"


def task_count(user: User) -> int:
    """The number shown in the navigation: recounted at most once a minute, and whenever the
    task list itself is read (so clearing a task from the list updates the badge)."""
    if not user.is_authenticated or not user.is_active:
        return 0
    count = cache.get(_count_key(user))
    if count is None:
        count = len(tasks_for(user))
    return count


def forget_count(user_id: int) -> None:
    cache.delete(f"core.tasks.count:{user_id}")
