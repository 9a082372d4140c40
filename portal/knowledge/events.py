"""The events the knowledge base publishes and their payloads (ADR 0610)."""

from __future__ import annotations

from portal.core.events import declare


@declare("knowledge.page_published")
class PagePublished:
    page_id: int
    kind: str
    first_publish: bool
    actor_id: int | None


@declare("knowledge.page_unpublished")
class PageUnpublished:
    page_id: int
    kind: str
    actor_id: int | None


@declare("knowledge.page_access_changed")
class PageAccessChanged:
    page_id: int
    actor_id: int | None


@declare("knowledge.review_overdue")
class ReviewOverdue:
    """A page passed its review-by date; its owner (if any) is told."""

    page_id: int
    kind: str
    owner_id: int | None
    actor_id: int | None


@declare("knowledge.path_assigned")
class PathAssigned:
    assignment_id: int
    path_id: int
    user_id: int
    actor_id: int | None


@declare("knowledge.step_done")
class StepDone:
    assignment_id: int
    step_id: int
    path_completed: bool
    actor_id: int | None


@declare("knowledge.qa_draft_created")
class QaDraftCreated:
    """An unpublished Q&A entry was proposed (`source`: the topic or case it came from)."""

    page_id: int
    source: str
    actor_id: int | None
