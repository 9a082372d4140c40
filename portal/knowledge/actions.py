"""Writes of the knowledge base: page keys and publishing relays, Q&A reuse, onboarding."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import LogContext
from wagtail.models import Page

from portal.accounts.models import User
from portal.accounts.tree import manages_person
from portal.core import audit, events, visibility

from .models import (
    LEAF_MODELS,
    KnowledgePage,
    OnboardingAssignment,
    OnboardingPath,
    OnboardingStep,
    QAPage,
    StepProgress,
)
from .permissions import (
    can_assign_paths,
    can_read_page,
    editor_group_key,
    is_knowledge_editor,
    page_keys,
)

if TYPE_CHECKING:
    import datetime


def kind_of(page: Page) -> str:
    return getattr(page, "kind", page.specific_class._meta.model_name)


# --- pages ------------------------------------------------------------------------------


def apply_page_keys(page: Page) -> bool:
    """Give a knowledge page the keys its current state calls for; True when they changed."""
    base = page.page_ptr if hasattr(page, "page_ptr") else page
    if not visibility.update_object_keys(base, page_keys(page)):
        return False
    events.publish("knowledge.page_access_changed", page_id=page.pk, actor_id=None)
    return True


def relay_page_published(page: Page, *, actor_id: int | None, first_publish: bool) -> None:
    """What a publication means for Agora (called from the page_published relay, in the
    publishing transaction): keys first, then the event subscribers read."""
    apply_page_keys(page)
    if isinstance(page, KnowledgePage) and page.review_flagged_at and not page.review_overdue:
        type(page).objects.filter(pk=page.pk).update(review_flagged_at=None)
    if first_publish and page.owner_id is None and actor_id:
        Page.objects.filter(pk=page.pk).update(owner_id=actor_id)
    events.publish(
        "knowledge.page_published",
        page_id=page.pk,
        kind=kind_of(page),
        first_publish=first_publish,
        actor_id=actor_id,
    )


def relay_page_unpublished(page: Page, *, actor_id: int | None) -> None:
    events.publish(
        "knowledge.page_unpublished", page_id=page.pk, kind=kind_of(page), actor_id=actor_id
    )


def create_page(
    parent: Page, page: Page, *, acting_user: User, publish: bool = True, owner: User | None = None
) -> Page:
    """Add a page under `parent` as `acting_user` and publish it (demo data, tests, commands); the
    editors' own path is Wagtail's admin, which ends in the same relay."""
    if not parent.permissions_for_user(acting_user).can_add_subpage():
        raise PermissionDenied(_("You may not add pages here."))
    with transaction.atomic(), LogContext(user=acting_user):
        page.owner = owner or acting_user
        parent.add_child(instance=page)
        revision = page.save_revision(user=acting_user, log_action=True)
        if publish:
            revision.publish(user=acting_user)
    page.refresh_from_db()
    return page


def publish_page(page: Page, *, acting_user: User) -> None:
    """Publish the latest revision of a page as `acting_user`."""
    if not page.permissions_for_user(acting_user).can_publish():
        raise PermissionDenied(_("You may not publish this page."))
    with transaction.atomic(), LogContext(user=acting_user):
        page.save_revision(user=acting_user).publish(user=acting_user)
    page.refresh_from_db()


def unpublish_page(page: Page, *, acting_user: User) -> None:
    """Take a page offline as `acting_user` (the relay announces it)."""
    if not page.permissions_for_user(acting_user).can_unpublish():
        raise PermissionDenied(_("You may not unpublish this page."))
    with transaction.atomic(), LogContext(user=acting_user):
        page.unpublish(user=acting_user)
    page.refresh_from_db()


# --- Q&A --------------------------------------------------------------------------------


def create_qa_draft(
    *,
    acting_user: User,
    question: str,
    answer_html: str,
    source: str,
    summary: str = "",
    keywords: str = "",
    product: Page | None = None,
) -> QAPage:
    """An unpublished Q&A entry (a draft revision) for the knowledge editors to review in the
    CMS, proposed from a solved forum topic or a service case. The proposing domain has
    checked that the person may propose it (forum moderators, service staff); only editors
    publish. `source` says where it came from ("forum.topic:12", a case number)."""
    from .models import QAIndexPage

    question = " ".join((question or "").split())[:255]
    if not question:
        raise ValidationError({"question": _("A Q&A entry needs a question.")})
    parent = QAIndexPage.objects.order_by("path").first()
    if parent is None:
        raise ValidationError({"question": _("The knowledge base has no Q&A bank yet.")})
    page = QAPage(
        title=question,
        slug=f"draft-{uuid.uuid4().hex[:10]}",
        answer=answer_html or "<p></p>",
        summary=summary,
        keywords=keywords[:255],
        product=product,
        live=False,
        owner=acting_user,
    )
    with transaction.atomic(), LogContext(user=acting_user):
        parent.add_child(instance=page)
        page.save_revision(user=acting_user, log_action=True)
        audit.record(acting_user, "knowledge.qa_draft_created", page, message=source)
        events.publish(
            "knowledge.qa_draft_created", page_id=page.pk, source=source, actor_id=acting_user.pk
        )
    return page


def record_qa_usage(qa_id: int, *, acting_user: User, context: str = "") -> int:
    """Count one reuse of an approved answer (e.g. inserted into a service case); returns the
    new count. `context` says where it was used, for the audit log ("records.servicecase:12")."""
    entry = QAPage.objects.live().filter(pk=qa_id).first()
    if entry is None or not can_read_page(acting_user, entry):
        raise ValidationError({"qa_id": _("This Q&A entry does not exist.")})
    with transaction.atomic():
        QAPage.objects.filter(pk=qa_id).update(usage_count=F("usage_count") + 1)
        audit.record(acting_user, "knowledge.qa_used", entry, message=context[:255])
    return QAPage.objects.values_list("usage_count", flat=True).get(pk=qa_id)


# --- review dates -----------------------------------------------------------------------


def flag_overdue_reviews(*, today: datetime.date | None = None) -> int:
    """Flag each live page past its review-by date once; safe with two workers because the
    flag is claimed by a conditional UPDATE (only one worker's update matches)."""
    today = today or timezone.localdate()
    flagged = 0
    for model in LEAF_MODELS:
        candidates = (
            model.objects.live()
            .filter(review_by__lt=today, review_flagged_at__isnull=True)
            .values_list("pk", "owner_id")
        )
        for page_id, owner_id in candidates:
            with transaction.atomic():
                claimed = model.objects.filter(pk=page_id, review_flagged_at__isnull=True).update(
                    review_flagged_at=timezone.now()
                )
                if claimed:
                    flagged += 1
                    events.publish(
                        "knowledge.review_overdue",
                        page_id=page_id,
                        kind=model.kind,
                        owner_id=owner_id,
                        actor_id=None,
                    )
    return flagged


def publish_scheduled_pages() -> int:
    """Run Wagtail's scheduled publishing (go-live / expiry dates set in the editor); the
    page_published relay announces each page as usual. A shared-cache lock keeps two workers
    from publishing the same revision twice (Redis in production makes it cross-process)."""
    from django.core.cache import cache
    from django.core.management import call_command

    if not cache.add("knowledge:publish_scheduled", "1", timeout=50):
        return 0
    try:
        call_command("publish_scheduled", verbosity=0)
    finally:
        cache.delete("knowledge:publish_scheduled")
    return 0


# --- onboarding -------------------------------------------------------------------------


def _assignment_keys(user: User) -> set[str]:
    keys = {*visibility.owner_keys(user)}
    if editors := editor_group_key():
        keys.add(editors)
    return keys


def assign_onboarding_path(
    path_id: int, user_id: int, *, acting_user: User, due_on: datetime.date | None = None
) -> OnboardingAssignment:
    """Assign a path to a person: editors to anyone, managers to people in their departments."""
    if not can_assign_paths(acting_user):
        raise PermissionDenied(_("You may not assign onboarding paths."))
    path = OnboardingPath.objects.filter(pk=path_id).first()
    if path is None:
        raise ValidationError({"path": _("Choose an onboarding path.")})
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        raise ValidationError({"user": _("Choose a person.")})
    if not is_knowledge_editor(acting_user):
        if not manages_person(acting_user, person):
            raise PermissionDenied(_("You may only assign paths to people in your departments."))
    if OnboardingAssignment.objects.filter(path=path, user=person).exists():
        raise ValidationError({"user": _("%(name)s already follows this path.") % {"name": person}})
    with transaction.atomic():
        assignment = OnboardingAssignment.objects.create(
            path=path, user=person, assigned_by=acting_user, due_on=due_on
        )
        visibility.set_object_keys(assignment, _assignment_keys(person))
        audit.record(
            acting_user,
            "knowledge.path_assigned",
            assignment,
            changes={"path": path.title, "user": str(person)},
        )
        events.publish(
            "knowledge.path_assigned",
            assignment_id=assignment.pk,
            path_id=path.pk,
            user_id=person.pk,
            actor_id=acting_user.pk,
        )
    return assignment


def complete_onboarding_step(
    assignment_id: int, step_id: int, *, acting_user: User, answer: str = ""
) -> StepProgress:
    """Mark a step of one's own path done; a step with a check question needs the right
    answer (compared without regard to case or surrounding spaces)."""
    assignment = (
        OnboardingAssignment.objects.select_related("path")
        .filter(pk=assignment_id, user=acting_user)
        .first()
    )
    if assignment is None:
        raise PermissionDenied(_("This is not your onboarding path."))
    step = OnboardingStep.objects.filter(pk=step_id, path_id=assignment.path_id).first()
    if step is None:
        raise ValidationError({"step": _("This step is not part of the path.")})
    answer = answer.strip()
    if step.check_question:
        if not answer:
            raise ValidationError({"answer": _("Answer the check question first.")})
        if step.check_answer and answer.casefold() != step.check_answer.strip().casefold():
            raise ValidationError({"answer": _("That is not the expected answer; try again.")})
    existing = StepProgress.objects.filter(assignment=assignment, step=step).first()
    if existing:
        return existing
    with transaction.atomic():
        progress = StepProgress.objects.create(assignment=assignment, step=step, answer=answer)
        remaining = OnboardingStep.objects.filter(path_id=assignment.path_id).exclude(
            pk__in=assignment.progress.values("step_id")
        )
        finished = not remaining.exists()
        if finished:
            OnboardingAssignment.objects.filter(pk=assignment.pk).update(
                completed_at=timezone.now()
            )
        audit.record(
            acting_user,
            "knowledge.step_done",
            assignment,
            changes={"step": step.title, "answer": answer},
        )
        events.publish(
            "knowledge.step_done",
            assignment_id=assignment.pk,
            step_id=step.pk,
            path_completed=finished,
            actor_id=acting_user.pk,
        )
    return progress


def reopen_onboarding_step(assignment_id: int, step_id: int, *, acting_user: User) -> None:
    """Undo a step marked done by mistake (only on one's own path)."""
    assignment = OnboardingAssignment.objects.filter(pk=assignment_id, user=acting_user).first()
    if assignment is None:
        raise PermissionDenied(_("This is not your onboarding path."))
    with transaction.atomic():
        deleted, _rows = StepProgress.objects.filter(
            assignment=assignment, step_id=step_id
        ).delete()
        if deleted:
            OnboardingAssignment.objects.filter(pk=assignment.pk).update(completed_at=None)
            audit.record(
                acting_user, "knowledge.step_reopened", assignment, changes={"step_id": step_id}
            )
