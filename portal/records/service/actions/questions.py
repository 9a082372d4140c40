"""Support questions: ask, answer, escalate to a complaint."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import require_module_perm
from portal.core import audit, events, visibility
from portal.records.customers.models import Customer
from portal.records.service.models import SupportQuestion
from portal.records.service.policy import (
    may_register,
    may_use_service,
    question_policy,
)

from .common import WorkflowError, _text
from .keys import _apply_follower_keys
from .qa_drafts import propose_qa_draft


@transaction.atomic
def create_support_question(
    *,
    acting_user: User,
    customer: Customer,
    question: str,
    contact_name: str = "",
    product: Any = None,
) -> SupportQuestion:
    require_module_perm(acting_user, "service", "register")
    if customer is None or customer.deleted_at:
        raise ValidationError({"customer": _("Choose a customer.")})
    entry = SupportQuestion.objects.create(
        customer=customer,
        question=_text(question, "question", required=True),
        contact_name=_text(contact_name, "contact_name", limit=100),
        product=product,
        created_by=acting_user,
    )
    _apply_follower_keys(entry)
    audit.record(
        acting_user,
        "support_question.created",
        entry,
        changes=audit.added({"question": entry.question}),
    )
    events.publish(
        "records.support_question_created", question_id=entry.pk, actor_id=acting_user.pk
    )
    return entry


def _may_answer(user: User, entry: SupportQuestion) -> bool:
    if visibility.is_administrator(user):
        return True
    if not question_policy.is_visible(user, entry):
        return False
    return may_register(user) or entry.escalated_to_id == user.pk


@transaction.atomic
def answer_support_question(
    entry: SupportQuestion,
    *,
    acting_user: User,
    answer: str,
    qa_entry_id: int | None = None,
    make_qa_draft: bool = False,
) -> SupportQuestion:
    """Record the answer; a Q&A entry inserted into it keeps its link and counts one use."""
    from portal.knowledge.actions import record_qa_usage

    if not _may_answer(acting_user, entry):
        raise PermissionDenied(_("You may not answer this question."))
    answer = _text(answer, "answer", required=True)
    before = audit.snapshot(entry, ("status", "answer", "qa_entry"))
    if qa_entry_id:
        record_qa_usage(
            int(qa_entry_id), acting_user=acting_user, context=f"records.supportquestion:{entry.pk}"
        )
        entry.qa_entry_id = int(qa_entry_id)
    entry.answer = answer
    entry.answered_by = acting_user
    entry.answered_at = timezone.now()
    entry.status = SupportQuestion.Status.ANSWERED
    entry.save()
    _apply_follower_keys(entry)
    audit.record(
        acting_user,
        "support_question.answered",
        entry,
        changes=audit.diff(before, audit.snapshot(entry, ("status", "answer", "qa_entry"))),
    )
    if make_qa_draft and not entry.qa_entry_id:
        page = propose_qa_draft(
            acting_user=acting_user,
            question=entry.question[:255],
            answer=answer,
            source=f"records.supportquestion:{entry.pk}",
            product=entry.product,
        )
        entry.qa_draft = page
        entry.save(update_fields=["qa_draft"])
    events.publish(
        "records.support_question_answered", question_id=entry.pk, actor_id=acting_user.pk
    )
    return entry


@transaction.atomic
def escalate_support_question(
    entry: SupportQuestion, *, acting_user: User, to_user: User, note: str = ""
) -> SupportQuestion:
    """Hand an unanswerable question to a technical person."""
    if not _may_answer(acting_user, entry):
        raise PermissionDenied(_("You may not escalate this question."))
    if entry.status == SupportQuestion.Status.ANSWERED:
        raise WorkflowError({"status": _("This question is already answered.")})
    if to_user is None or not to_user.is_active or not may_use_service(to_user):
        raise ValidationError({"to_user": _("Choose a person who works on service cases.")})
    if to_user.pk == acting_user.pk:
        raise ValidationError({"to_user": _("Choose someone else.")})
    entry.escalated_to = to_user
    entry.escalation_note = _text(note, "note")
    entry.status = SupportQuestion.Status.ESCALATED
    entry.save(update_fields=["escalated_to", "escalation_note", "status", "updated_at"])
    _apply_follower_keys(entry)
    audit.record(
        acting_user,
        "support_question.escalated",
        entry,
        changes=audit.added({"escalated_to": str(to_user)}),
        message=entry.escalation_note,
    )
    events.publish(
        "records.support_question_escalated",
        question_id=entry.pk,
        to_user_id=to_user.pk,
        actor_id=acting_user.pk,
    )
    return entry
