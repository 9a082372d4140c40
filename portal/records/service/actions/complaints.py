"""The complaint workflow: register, assess, pre-approve, assign, propose, approve or send
back, carry out, summarise, close, urge; the steps a person may take; overdue flags."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Department, User
from portal.accounts.permissions import require_module_perm
from portal.core import audit, events
from portal.core.numbering import issue_number
from portal.records.customers.models import Contact, Customer
from portal.records.service.models import (
    SEVERE,
    ServiceAttachment,
    ServiceCase,
    ServiceCaseStep,
    ServiceCategory,
    Severity,
)
from portal.records.service.policy import can_reassign as _can_reassign
from portal.records.service.policy import can_urge as _can_urge
from portal.records.service.policy import (
    is_approver,
    is_responsible,
    is_service_desk,
    may_use_service,
)

from .common import (
    STEP_EVENTS,
    Status,
    Step,
    WorkflowError,
    _apply_case_keys,
    _store_attachments,
    _text,
    default_service_category,
    due_for,
)
from .qa_drafts import propose_qa_draft


@transaction.atomic
def register_complaint(
    *,
    acting_user: User,
    customer: Customer,
    title: str,
    description: str,
    category: ServiceCategory | None = None,
    contact: Contact | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    product: Any = None,
    deal: Any = None,
    about_person: User | None = None,
    severity: str = Severity.NORMAL,
    channel: str = ServiceCase.Channel.PHONE,
    attachments: Iterable[UploadedFile] = (),
) -> ServiceCase:
    """Register a complaint (service → register); the customer's details come along."""
    require_module_perm(acting_user, "service", "register")
    if customer is None or customer.deleted_at:
        raise ValidationError({"customer": _("Choose a customer.")})
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("This contact belongs to another customer.")})
    if deal is not None and deal.customer_id != customer.pk:
        raise ValidationError({"deal": _("This deal belongs to another customer.")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose a severity.")})
    if channel not in ServiceCase.Channel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    now = timezone.now()
    case = ServiceCase(
        title=_text(title, "title", required=True, limit=200),
        description=_text(description, "description", required=True),
        customer=customer,
        customer_name=customer.name,
        customer_phone=customer.phone,
        customer_address=" ".join(
            part for part in (customer.province, customer.city, customer.address) if part
        )[:255],
        contact=contact,
        contact_name=(contact.name if contact else _text(contact_name, "contact_name", limit=100)),
        contact_phone=(
            (contact.mobile or contact.phone)
            if contact
            else _text(contact_phone, "contact_phone", limit=40)
        ),
        category=category or default_service_category(),
        product=product,
        deal=deal,
        about_person=about_person,
        severity=severity,
        channel=channel,
        registered_by=acting_user,
        registered_department_id=acting_user.department_id,
        status=Status.REGISTERED,
        status_changed_at=now,
        step_due_at=due_for(Status.REGISTERED, severity, now),
    )
    case.number = issue_number("service_case")
    case.save()
    _store_attachments(case, attachments, acting_user)
    _apply_case_keys(case, actor_id=acting_user.pk)
    step = ServiceCaseStep.objects.create(
        case=case,
        kind=Step.REGISTERED,
        actor=acting_user,
        at=now,
        to_status=Status.REGISTERED,
        note=case.title,
    )
    audit.record(
        acting_user,
        "service_case.registered",
        case,
        changes=audit.added(
            audit.snapshot(case, ("number", "customer", "category", "severity", "channel", "title"))
        ),
    )
    events.publish(
        "records.service_case_registered",
        case_id=case.pk,
        step_id=step.pk,
        actor_id=acting_user.pk,
    )
    return case


@transaction.atomic
def add_attachments(
    case: ServiceCase, uploads: Iterable[UploadedFile], *, acting_user: User
) -> list[ServiceAttachment]:
    if not (is_service_desk(acting_user, case) or is_responsible(acting_user, case)):
        raise PermissionDenied(_("You may not add files to this complaint."))
    if not case.is_open:
        raise WorkflowError(_("This complaint is closed."))
    stored = _store_attachments(case, uploads, acting_user)
    for attachment in stored:
        audit.record(
            acting_user,
            "service_case.attachment_added",
            case,
            changes=audit.added({"file": attachment.name}),
        )
    return stored


@dataclass(frozen=True)
class Transition:
    """One step of the workflow: the statuses it is taken from, the status it leads to, who may
    take it, and the words of a refusal (translated when raised)."""

    kind: str
    from_statuses: tuple[str, ...]
    to_status: str | Callable[[ServiceCase], str] | None
    permitted: Callable[[User, ServiceCase], bool]
    refusal: Any


_MANAGER_APPROVES = gettext_lazy(
    "Only a manager (service → manage, or the department's manager) approves."
)
ASSESS = Transition(
    Step.ASSESSED,
    (Status.REGISTERED,),
    lambda c: Status.PRE_APPROVAL if c.needs_pre_approval else Status.ASSESSED,
    is_service_desk,
    gettext_lazy("Only the service desk (service → register) assesses complaints."),
)
PRE_APPROVE = Transition(
    Step.PRE_APPROVED, (Status.PRE_APPROVAL,), Status.ASSESSED, is_approver, _MANAGER_APPROVES
)
ASSIGN = Transition(
    Step.ASSIGNED,
    (Status.ASSESSED,),
    Status.ASSIGNED,
    is_service_desk,
    gettext_lazy("Only the service desk (service → register) assigns complaints."),
)
# Once assigned, changing the department or person again is a reassignment.
REASSIGN = Transition(
    Step.ASSIGNED,
    (Status.ASSIGNED,),
    Status.ASSIGNED,
    _can_reassign,
    gettext_lazy("Reassigning a complaint needs service → transfer."),
)
PROPOSE = Transition(
    Step.PROPOSED,
    (Status.ASSIGNED,),
    Status.PROPOSED,
    is_responsible,
    gettext_lazy("Only the responsible person or department proposes the resolution."),
)
APPROVE = Transition(
    Step.APPROVED, (Status.PROPOSED,), Status.APPROVED, is_approver, _MANAGER_APPROVES
)
SEND_BACK = Transition(
    Step.SENT_BACK,
    (Status.PROPOSED,),
    Status.ASSIGNED,
    is_approver,
    gettext_lazy("Only a manager (service → manage, or the department's manager) sends back."),
)
CARRY_OUT = Transition(
    Step.CARRIED_OUT,
    (Status.APPROVED,),
    Status.CARRIED_OUT,
    is_responsible,
    gettext_lazy("Only the responsible person or department carries out the resolution."),
)
SUMMARISE = Transition(
    Step.SUMMARISED,
    (Status.CARRIED_OUT,),
    Status.SUMMARISED,
    is_service_desk,
    gettext_lazy("Only the service desk (service → register) writes the summary."),
)
CLOSE = Transition(
    Step.CLOSED,
    (Status.SUMMARISED,),
    Status.CLOSED,
    is_service_desk,
    gettext_lazy("Only the service desk (service → register) closes complaints."),
)
# An urge leaves the case at the status it is at (`urge_case` names it).
URGE = Transition(
    Step.URGED,
    tuple(s for s in Status.values if s != Status.CLOSED),
    None,
    _can_urge,
    gettext_lazy("Urging needs the service → urge permission."),
)


def _advance(
    case: ServiceCase,
    transition: Transition,
    *,
    acting_user: User,
    note: str = "",
    updates: dict[str, Any] | None = None,
    before_save: Callable[[ServiceCase], None] | None = None,
    to_status: str | None = None,
) -> ServiceCaseStep:
    """One workflow step: lock the case, check it is the next step and the actor's turn, write
    the fields, record the step, audit, rekey, and publish `records.service_case_<kind>`.
    A refusal raises before anything is written (the caller's case object is left as it was)."""
    kind = transition.kind
    locked = (
        ServiceCase.objects.select_for_update()
        .select_related("customer", "category")
        .get(pk=case.pk)
    )
    if locked.status not in transition.from_statuses:
        raise WorkflowError(
            {
                "status": _(
                    "Complaint %(case)s is at “%(status)s”: “%(step)s” is not its next step."
                )
                % {
                    "case": locked.number,
                    "status": locked.get_status_display(),
                    "step": Step(kind).label,
                }
            }
        )
    if not transition.permitted(acting_user, locked):
        raise PermissionDenied(str(transition.refusal))
    now = timezone.now()
    from_status = locked.status
    fields = list((updates or {}).keys())
    before = audit.snapshot(locked, ["status", *fields])
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    if before_save:
        before_save(locked)
    to_status = to_status or transition.to_status
    new_status = to_status(locked) if callable(to_status) else to_status
    waited = max(0, int((now - locked.status_changed_at).total_seconds()))
    was_overdue = bool(locked.step_due_at and now > locked.step_due_at)
    if new_status != from_status or kind == Step.SENT_BACK:
        locked.status = new_status
        locked.status_changed_at = now
        locked.step_due_at = due_for(new_status, locked.severity, now)
        locked.overdue_notified_at = None
    if new_status == Status.CLOSED:
        locked.closed_at = now
    locked.save()
    step = ServiceCaseStep.objects.create(
        case=locked,
        kind=kind,
        actor=acting_user,
        at=now,
        from_status=from_status,
        to_status=new_status,
        note=note,
        waited_seconds=waited if new_status != from_status or kind == Step.SENT_BACK else 0,
        was_overdue=was_overdue,
    )
    changes = audit.diff(before, audit.snapshot(locked, ["status", *fields]))
    audit.record(acting_user, f"service_case.{kind}", locked, changes=changes, message=note[:500])
    _apply_case_keys(locked, actor_id=acting_user.pk)
    events.publish(
        STEP_EVENTS[kind],
        case_id=locked.pk,
        step_id=step.pk,
        actor_id=acting_user.pk,
    )
    case.refresh_from_db()
    return step


@transaction.atomic
def assess_case(
    case: ServiceCase, *, acting_user: User, assessment: str = "", severity: str | None = None
) -> ServiceCaseStep:
    """The service desk assesses the complaint; severe ones may first need a manager's approval."""
    assessment = _text(assessment, "assessment", required=True)
    updates: dict[str, Any] = {"assessment": assessment}
    if severity:
        if severity not in Severity.values:
            raise ValidationError({"severity": _("Choose a severity.")})
        updates["severity"] = severity

    def decide(locked: ServiceCase) -> None:
        locked.needs_pre_approval = bool(
            locked.severity in SEVERE and locked.category.approval_for_severe
        )

    return _advance(
        case, ASSESS, acting_user=acting_user, note=assessment, updates=updates, before_save=decide
    )


@transaction.atomic
def pre_approve_case(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    """A manager lets a severe complaint go on to assignment."""
    return _advance(case, PRE_APPROVE, acting_user=acting_user, note=_text(note, "note"))


@transaction.atomic
def assign_case(
    case: ServiceCase,
    *,
    acting_user: User,
    department: Department | None = None,
    assignee: User | None = None,
    note: str = "",
) -> ServiceCaseStep:
    """Name the responsible department (and optionally person). Once assigned, changing it again
    is a reassignment and needs service → transfer."""
    if department is None and assignee is not None:
        department = assignee.department
    if department is None:
        raise ValidationError({"department": _("Choose the responsible department.")})
    if assignee is not None and (not assignee.is_active or not may_use_service(assignee)):
        raise ValidationError(
            {"assignee": _("%(name)s cannot work on service cases.") % {"name": assignee}}
        )
    current = ServiceCase.objects.only("status", "assigned_department", "assignee").get(pk=case.pk)
    reassigning = current.status == Status.ASSIGNED
    who = str(assignee) if assignee else str(department)
    if reassigning and (current.assigned_department_id, current.assignee_id) == (
        department.pk,
        assignee.pk if assignee else None,
    ):
        # Nothing would change: refused, so the history is not filled with empty steps.
        raise ValidationError(
            {
                "assignee": _("Complaint %(case)s is already assigned to %(who)s.")
                % {"case": case.number, "who": who}
            }
        )
    if reassigning and not (note or "").strip():
        before = str(current.assignee or current.assigned_department or "")
        note = _("Reassigned from %(before)s to %(after)s") % {"before": before, "after": who}
    return _advance(
        case,
        REASSIGN if reassigning else ASSIGN,
        acting_user=acting_user,
        note=_text(note, "note") or who,
        updates={"assigned_department": department, "assignee": assignee},
    )


@transaction.atomic
def propose_resolution(
    case: ServiceCase, *, acting_user: User, resolution: str = ""
) -> ServiceCaseStep:
    resolution = _text(resolution, "resolution", required=True)
    return _advance(
        case, PROPOSE, acting_user=acting_user, note=resolution, updates={"resolution": resolution}
    )


@transaction.atomic
def approve_resolution(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    return _advance(case, APPROVE, acting_user=acting_user, note=_text(note, "note"))


@transaction.atomic
def send_back_resolution(
    case: ServiceCase, *, acting_user: User, reason: str = ""
) -> ServiceCaseStep:
    """The manager refuses the proposal; the responsible side proposes again."""
    reason = _text(reason, "reason", required=True)
    return _advance(case, SEND_BACK, acting_user=acting_user, note=reason)


@transaction.atomic
def carry_out_case(case: ServiceCase, *, acting_user: User, outcome: str = "") -> ServiceCaseStep:
    outcome = _text(outcome, "outcome", required=True)
    return _advance(
        case, CARRY_OUT, acting_user=acting_user, note=outcome, updates={"outcome": outcome}
    )


@transaction.atomic
def write_summary(
    case: ServiceCase,
    *,
    acting_user: User,
    summary: str = "",
    make_qa_draft: bool = False,
    qa_question: str = "",
) -> ServiceCaseStep:
    """The service desk sums the case up; optionally the summary becomes a Q&A bank draft."""
    summary = _text(summary, "summary", required=True)
    step = _advance(
        case, SUMMARISE, acting_user=acting_user, note=summary, updates={"summary": summary}
    )
    if make_qa_draft:
        question = _text(qa_question, "qa_question", limit=255) or case.title
        answer = "\n\n".join(part for part in (case.resolution, summary) if part)
        page = propose_qa_draft(
            acting_user=acting_user,
            question=question,
            answer=answer,
            source=f"records.servicecase:{case.pk}",
            product=case.product,
        )
        ServiceCase.objects.filter(pk=case.pk).update(qa_draft=page)
        case.refresh_from_db()
    return step


@transaction.atomic
def close_case(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    return _advance(case, CLOSE, acting_user=acting_user, note=_text(note, "note"))


@transaction.atomic
def urge_case(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    """Remind whoever's turn it is (service → urge); the status does not change."""
    current = ServiceCase.objects.only("status").get(pk=case.pk).status
    return _advance(
        case, URGE, acting_user=acting_user, note=_text(note, "note", limit=1000), to_status=current
    )


# Which action takes a case out of each status (for the case page's buttons and the API).
STEP_ACTIONS: dict[str, Callable[..., ServiceCaseStep]] = {
    "assess": assess_case,
    "pre_approve": pre_approve_case,
    "assign": assign_case,
    "propose": propose_resolution,
    "approve": approve_resolution,
    "send_back": send_back_resolution,
    "carry_out": carry_out_case,
    "summarise": write_summary,
    "close": close_case,
    "urge": urge_case,
}
# The transitions behind each of them, in the order the page offers them.
OFFERED: tuple[tuple[str, Transition], ...] = (
    ("assess", ASSESS),
    ("pre_approve", PRE_APPROVE),
    ("assign", ASSIGN),
    ("assign", REASSIGN),
    ("propose", PROPOSE),
    ("approve", APPROVE),
    ("send_back", SEND_BACK),
    ("carry_out", CARRY_OUT),
    ("summarise", SUMMARISE),
    ("close", CLOSE),
    ("urge", URGE),
)


def available_steps(user: User, case: ServiceCase) -> list[str]:
    """The steps this user may take now (what the page offers): the same transitions the
    actions check, each permission asked once."""
    answers: dict[Callable, bool] = {}
    steps: list[str] = []
    for name, transition in OFFERED:
        if case.status not in transition.from_statuses or name in steps:
            continue
        if transition.permitted not in answers:
            answers[transition.permitted] = transition.permitted(user, case)
        if answers[transition.permitted]:
            steps.append(name)
    return steps


def flag_overdue_cases(*, now: datetime.datetime | None = None) -> int:
    """Worker job: tell whoever's turn it is, once per step, that a case is overdue. The flag is
    claimed by a conditional UPDATE, so two workers never both notify."""
    now = now or timezone.now()
    candidates = ServiceCase.objects.exclude(status=Status.CLOSED).filter(
        step_due_at__lt=now, overdue_notified_at__isnull=True
    )
    flagged = 0
    for case_id in list(candidates.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            claimed = ServiceCase.objects.filter(
                pk=case_id, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if claimed:
                flagged += 1
                events.publish("records.service_case_overdue", case_id=case_id, actor_id=None)
    return flagged
