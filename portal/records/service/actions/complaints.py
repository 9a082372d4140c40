"""Customer service writes: the complaint workflow, support questions, service records, Q&A
drafts, keys that follow the customer, and who is told at each step (decisions 0130–0132)."""

from __future__ import annotations

import datetime
import html
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Department, User
from portal.accounts.permissions import require_module_perm
from portal.core import audit, events, uploads, visibility
from portal.core.numbering import issue_number
from portal.records.customers.permissions import customer_keys
from portal.records.models import (
    Contact,
    Customer,
    ServiceAttachment,
    ServiceCase,
    ServiceCaseStep,
    ServiceCategory,
    ServiceRecord,
    SupportQuestion,
)
from portal.records.service.models import SEVERE, Severity
from portal.records.service.permissions import (
    approvers,
    case_keys,
    follower_keys,
    is_approver,
    is_responsible,
    is_service_desk,
    may_register,
    may_use_service,
    whose_turn,
)
from portal.records.service.permissions import can_reassign as _can_reassign
from portal.records.service.permissions import can_urge as _can_urge

Status = ServiceCase.Status
Step = ServiceCaseStep.Kind

DEFAULT_SERVICE_CATEGORIES = [
    # key, English, Chinese
    ("quality", "Product quality", "产品质量"),
    ("delivery", "Delivery", "交付"),
    ("installation", "Installation", "安装调试"),
    ("attitude", "Service attitude", "服务态度"),
    ("billing", "Billing", "账务"),
    ("other", "Other", "其他"),
]

# Hours a case may wait in one step, by severity (decision 0131). Carrying out gets twice as long.
STEP_HOURS = {Severity.CRITICAL: 4, Severity.HIGH: 24, Severity.NORMAL: 72, Severity.LOW: 168}
LONG_STEPS = {Status.APPROVED: 2}

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# What may be attached to a complaint (checked by portal.core.uploads).
ATTACHMENT_EXTENSIONS = (
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "doc", "docx", "xls", "xlsx",
    "mp3", "m4a",
)  # fmt: skip

# --- helpers --------------------------------------------------------------------------------


class WorkflowError(ValidationError):
    """The step is not the next one for the case (skipped or repeated)."""


def default_service_category(key: str = "other") -> ServiceCategory:
    for position, (cat_key, name, name_zh) in enumerate(DEFAULT_SERVICE_CATEGORIES):
        ServiceCategory.objects.get_or_create(
            key=cat_key, defaults={"name": name, "name_zh": name_zh, "position": position}
        )
    return ServiceCategory.objects.get(key=key)


def due_for(status: str, severity: str, start: datetime.datetime) -> datetime.datetime | None:
    if status == Status.CLOSED:
        return None
    hours = STEP_HOURS.get(severity, STEP_HOURS[Severity.NORMAL]) * LONG_STEPS.get(status, 1)
    return start + datetime.timedelta(hours=hours)


def _text(value: Any, field: str, *, required: bool = False, limit: int = 20000) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(limit)s characters.") % {"limit": limit}})
    return text


def _apply_case_keys(case: ServiceCase, *, actor_id: int | None, customer_key_set=None) -> bool:
    wanted = case_keys(case, customer_key_set)
    if visibility.object_keys(case) == wanted:
        return False
    visibility.set_object_keys(case, wanted)
    events.publish("records.service_case_access_changed", case_id=case.pk, actor_id=actor_id)
    return True


def check_attachment(upload: UploadedFile) -> uploads.CheckedUpload:
    """A safe name and the type to serve the file with; refuses unknown types, big files, fakes."""
    return uploads.check_upload(
        upload, allowed=ATTACHMENT_EXTENSIONS, max_bytes=MAX_ATTACHMENT_BYTES, field="attachments"
    )


def _store_attachments(
    case: ServiceCase, uploads: Iterable[UploadedFile], acting_user: User
) -> list[ServiceAttachment]:
    uploads = list(uploads)
    existing = case.attachments.count() if case.pk else 0
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("At most %(count)s files per complaint.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    checked = [(upload, check_attachment(upload)) for upload in uploads]
    stored = []
    for upload, safe in checked:
        attachment = ServiceAttachment(
            case=case,
            name=safe.name[:200],
            size=upload.size,
            content_type=safe.content_type,
            uploaded_by=acting_user,
        )
        attachment.file.save(safe.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


# --- the complaint workflow ------------------------------------------------------------------


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


def _advance(
    case: ServiceCase,
    *,
    acting_user: User,
    kind: str,
    allowed_from: Iterable[str],
    to_status: str | Callable[[ServiceCase], str],
    permitted: Callable[[User, ServiceCase], bool],
    refusal: str,
    note: str = "",
    updates: dict[str, Any] | None = None,
    before_save: Callable[[ServiceCase], None] | None = None,
) -> ServiceCaseStep:
    """One workflow step: lock the case, check it is the next step and the actor's turn, write
    the fields, record the step, audit, rekey, and publish `records.service_case_<kind>`.
    A refusal raises before anything is written (the caller's case object is left as it was)."""
    locked = (
        ServiceCase.objects.select_for_update()
        .select_related("customer", "category")
        .get(pk=case.pk)
    )
    allowed_from = tuple(allowed_from)
    if locked.status not in allowed_from:
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
    if not permitted(acting_user, locked):
        raise PermissionDenied(refusal)
    now = timezone.now()
    from_status = locked.status
    fields = list((updates or {}).keys())
    before = audit.snapshot(locked, ["status", *fields])
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    if before_save:
        before_save(locked)
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
        f"records.service_case_{kind}",
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
        case,
        acting_user=acting_user,
        kind=Step.ASSESSED,
        allowed_from=[Status.REGISTERED],
        to_status=lambda c: Status.PRE_APPROVAL if c.needs_pre_approval else Status.ASSESSED,
        permitted=is_service_desk,
        refusal=_("Only the service desk (service → register) assesses complaints."),
        note=assessment,
        updates=updates,
        before_save=decide,
    )


@transaction.atomic
def pre_approve_case(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    """A manager lets a severe complaint go on to assignment."""
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.PRE_APPROVED,
        allowed_from=[Status.PRE_APPROVAL],
        to_status=Status.ASSESSED,
        permitted=is_approver,
        refusal=_("Only a manager (service → manage, or the department's manager) approves."),
        note=_text(note, "note"),
    )


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
    current = ServiceCase.objects.only("status").get(pk=case.pk).status
    reassigning = current == Status.ASSIGNED
    who = str(assignee) if assignee else str(department)
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.ASSIGNED,
        allowed_from=[Status.ASSESSED, Status.ASSIGNED] if reassigning else [Status.ASSESSED],
        to_status=Status.ASSIGNED,
        permitted=_can_reassign if reassigning else is_service_desk,
        refusal=(
            _("Reassigning a complaint needs service → transfer.")
            if reassigning
            else _("Only the service desk (service → register) assigns complaints.")
        ),
        note=_text(note, "note") or who,
        updates={"assigned_department": department, "assignee": assignee},
    )


@transaction.atomic
def propose_resolution(
    case: ServiceCase, *, acting_user: User, resolution: str = ""
) -> ServiceCaseStep:
    resolution = _text(resolution, "resolution", required=True)
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.PROPOSED,
        allowed_from=[Status.ASSIGNED],
        to_status=Status.PROPOSED,
        permitted=is_responsible,
        refusal=_("Only the responsible person or department proposes the resolution."),
        note=resolution,
        updates={"resolution": resolution},
    )


@transaction.atomic
def approve_resolution(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.APPROVED,
        allowed_from=[Status.PROPOSED],
        to_status=Status.APPROVED,
        permitted=is_approver,
        refusal=_("Only a manager (service → manage, or the department's manager) approves."),
        note=_text(note, "note"),
    )


@transaction.atomic
def send_back_resolution(
    case: ServiceCase, *, acting_user: User, reason: str = ""
) -> ServiceCaseStep:
    """The manager refuses the proposal; the responsible side proposes again."""
    reason = _text(reason, "reason", required=True)
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.SENT_BACK,
        allowed_from=[Status.PROPOSED],
        to_status=Status.ASSIGNED,
        permitted=is_approver,
        refusal=_("Only a manager (service → manage, or the department's manager) sends back."),
        note=reason,
    )


@transaction.atomic
def carry_out_case(case: ServiceCase, *, acting_user: User, outcome: str = "") -> ServiceCaseStep:
    outcome = _text(outcome, "outcome", required=True)
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.CARRIED_OUT,
        allowed_from=[Status.APPROVED],
        to_status=Status.CARRIED_OUT,
        permitted=is_responsible,
        refusal=_("Only the responsible person or department carries out the resolution."),
        note=outcome,
        updates={"outcome": outcome},
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
        case,
        acting_user=acting_user,
        kind=Step.SUMMARISED,
        allowed_from=[Status.CARRIED_OUT],
        to_status=Status.SUMMARISED,
        permitted=is_service_desk,
        refusal=_("Only the service desk (service → register) writes the summary."),
        note=summary,
        updates={"summary": summary},
    )
    if make_qa_draft:
        question = _text(qa_question, "qa_question", limit=255) or case.title
        answer = "\n\n".join(part for part in (case.resolution, summary) if part)
        page = create_qa_draft(
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
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.CLOSED,
        allowed_from=[Status.SUMMARISED],
        to_status=Status.CLOSED,
        permitted=is_service_desk,
        refusal=_("Only the service desk (service → register) closes complaints."),
        note=_text(note, "note"),
    )


@transaction.atomic
def urge_case(case: ServiceCase, *, acting_user: User, note: str = "") -> ServiceCaseStep:
    """Remind whoever's turn it is (service → urge); the status does not change."""
    open_statuses = [s for s in Status.values if s != Status.CLOSED]
    current = ServiceCase.objects.only("status").get(pk=case.pk).status
    return _advance(
        case,
        acting_user=acting_user,
        kind=Step.URGED,
        allowed_from=open_statuses,
        to_status=current,
        permitted=_can_urge,
        refusal=_("Urging needs the service → urge permission."),
        note=_text(note, "note", limit=1000),
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


def available_steps(user: User, case: ServiceCase) -> list[str]:
    """The steps this user may take now (what the page offers)."""
    s = case.status
    steps = []
    if s == Status.REGISTERED and is_service_desk(user, case):
        steps.append("assess")
    if s == Status.PRE_APPROVAL and is_approver(user, case):
        steps.append("pre_approve")
    if (s == Status.ASSESSED and is_service_desk(user, case)) or (
        s == Status.ASSIGNED and _can_reassign(user, case)
    ):
        steps.append("assign")
    if s == Status.ASSIGNED and is_responsible(user, case):
        steps.append("propose")
    if s == Status.PROPOSED and is_approver(user, case):
        steps += ["approve", "send_back"]
    if s == Status.APPROVED and is_responsible(user, case):
        steps.append("carry_out")
    if s == Status.CARRIED_OUT and is_service_desk(user, case):
        steps.append("summarise")
    if s == Status.SUMMARISED and is_service_desk(user, case):
        steps.append("close")
    if s != Status.CLOSED and _can_urge(user, case):
        steps.append("urge")
    return steps


# --- overdue --------------------------------------------------------------------------------


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


# --- keys follow the customer ---------------------------------------------------------------


def rekey_service_of_customer(customer: Customer, *, actor_id: int | None = None) -> int:
    """Recompute the keys of a customer's cases, questions and service records (their
    customer's keys changed: transfer, share, a rep moving department)."""
    keys = customer_keys(customer)
    changed = 0
    cases = ServiceCase.objects.filter(customer=customer).select_related("customer")
    for case in cases:
        changed += _apply_case_keys(case, actor_id=actor_id, customer_key_set=keys)
    for question in SupportQuestion.objects.filter(customer=customer):
        _apply_follower_keys(question, keys)
    for record in ServiceRecord.objects.filter(customer=customer):
        _apply_follower_keys(record, keys)
    return changed


def _apply_follower_keys(obj: SupportQuestion | ServiceRecord, customer_key_set=None) -> None:
    if isinstance(obj, SupportQuestion):
        people = [obj.created_by_id, obj.answered_by_id, obj.escalated_to_id]
    else:
        people = [obj.created_by_id, obj.engineer_id]
    keys = follower_keys(obj.customer, people)
    if customer_key_set is not None:
        keys |= set(customer_key_set)
    visibility.set_object_keys(obj, keys)


def transfer_follower(
    customer: Customer, from_user: User, to_user: User, acting_user: User
) -> None:
    """actions.customers.TRANSFER_FOLLOWERS hook: re-key in the transfer's own transaction."""
    rekey_service_of_customer(customer, actor_id=acting_user.pk)


def customer_access_changed(event: events.Event) -> None:
    """Subscriber of records.customer_access_changed (shares, moves, transfers)."""
    customer = Customer.all_objects.filter(pk=event.get("customer_id")).first()
    if customer is not None:
        with transaction.atomic():
            rekey_service_of_customer(customer, actor_id=event.get("actor_id"))


# --- from case to knowledge -----------------------------------------------------------------


def _answer_html(text: str) -> str:
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return (
        "".join("<p>" + html.escape(p).replace("\n", "<br/>") + "</p>" for p in paragraphs)
        or "<p></p>"
    )


def create_qa_draft(
    *, acting_user: User, question: str, answer: str, source: str, product: Any = None
) -> Any:
    """An unpublished Q&A entry (a draft revision) for the knowledge editors to review in the
    CMS. Service staff may propose drafts without Wagtail rights; only editors publish
    (decision 0132)."""
    from wagtail.log_actions import LogContext

    from portal.knowledge.models import QAIndexPage, QAPage

    if not may_register(acting_user) and not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only service staff propose Q&A drafts."))
    question = _text(question, "qa_question", required=True, limit=255)
    parent = QAIndexPage.objects.order_by("path").first()
    if parent is None:
        raise ValidationError({"qa_question": _("The knowledge base has no Q&A bank yet.")})
    page = QAPage(
        title=question,
        slug=f"draft-{uuid.uuid4().hex[:10]}",
        answer=_answer_html(answer),
        summary=_("Proposed from %(source)s") % {"source": source},
        product=product,
        live=False,
        owner=acting_user,
    )
    with LogContext(user=acting_user):
        parent.add_child(instance=page)
        page.save_revision(user=acting_user, log_action=True)
    audit.record(acting_user, "service.qa_draft_created", page, message=source)
    events.publish(
        "records.service_qa_draft_created",
        page_id=page.pk,
        source=source,
        actor_id=acting_user.pk,
    )
    return page


# --- support questions ----------------------------------------------------------------------


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
    if not visibility.can_see(user, entry):
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
            int(qa_entry_id), actor=acting_user, context=f"records.supportquestion:{entry.pk}"
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
        page = create_qa_draft(
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


# --- service records ------------------------------------------------------------------------


@transaction.atomic
def create_service_record(
    *,
    acting_user: User,
    customer: Customer,
    kind: str,
    content: str,
    engineer: User | None = None,
    served_at: datetime.datetime | None = None,
    result: str = "",
    satisfaction: int | None = None,
    feedback: str = "",
    case: ServiceCase | None = None,
) -> ServiceRecord:
    """Record a visit, phone support or a repair with the customer's satisfaction (1–5)."""
    require_module_perm(acting_user, "service", "register")
    if customer is None or customer.deleted_at:
        raise ValidationError({"customer": _("Choose a customer.")})
    if kind not in ServiceRecord.Kind.values:
        raise ValidationError({"kind": _("Choose visit, phone support or repair.")})
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is from 1 to 5.")})
    if case is not None and case.customer_id != customer.pk:
        raise ValidationError({"case": _("This complaint belongs to another customer.")})
    engineer = engineer or acting_user
    if not engineer.is_active or not may_use_service(engineer):
        raise ValidationError(
            {"engineer": _("%(name)s cannot do service work.") % {"name": engineer}}
        )
    record = ServiceRecord.objects.create(
        customer=customer,
        case=case,
        kind=kind,
        served_at=served_at or timezone.now(),
        engineer=engineer,
        content=_text(content, "content", required=True),
        result=_text(result, "result"),
        satisfaction=int(satisfaction) if satisfaction is not None else None,
        feedback=_text(feedback, "feedback"),
        created_by=acting_user,
    )
    _apply_follower_keys(record)
    audit.record(
        acting_user,
        "service_record.created",
        record,
        changes=audit.added({"kind": kind, "satisfaction": record.satisfaction}),
    )
    events.publish("records.service_record_created", record_id=record.pk, actor_id=acting_user.pk)
    return record


# --- who hears about it ---------------------------------------------------------------------

CASE_EVENTS = tuple(f"records.service_case_{kind}" for kind in Step.values) + (
    "records.service_case_overdue",
)


def _deliver(
    user_ids: set[int],
    render: Callable[[], tuple[str, str]],
    *,
    url: str,
    dedupe_key: str,
    actor_id: int | None,
    item: Any,
    kind: str = "service",
) -> int:
    """One notification per recipient, titled in the recipient's own language (through
    notifications' one delivery path: languages, mutes, the actor left out)."""
    from portal.notifications.matching import Occasion, deliver

    user_ids = {uid for uid in user_ids if uid}
    return deliver(
        Occasion(
            item=item,
            kind=kind,
            dedupe_key=dedupe_key,
            render=render,
            url=url,
            actor_id=actor_id,
            direct=user_ids,
            match_keywords=False,
        )
    )


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _case_title(kind: str, case: ServiceCase, step: ServiceCaseStep | None, actor: str) -> str:
    values = {"case": case.number, "customer": case.customer_name, "name": actor}
    if kind == "overdue":
        values["status"] = case.get_status_display()
        return _("Complaint %(case)s is overdue (%(status)s)") % values
    if kind == Step.REGISTERED:
        return _("New complaint %(case)s about %(customer)s") % values
    if kind == Step.ASSESSED and case.status == Status.PRE_APPROVAL:
        return _("Severe complaint %(case)s needs your approval before assignment") % values
    if kind in (Step.ASSESSED, Step.PRE_APPROVED):
        return _("Complaint %(case)s is ready to be assigned") % values
    if kind == Step.ASSIGNED and not case.assignee_id:
        return (
            _("Complaint %(case)s was assigned to your department: propose a resolution") % values
        )
    if kind == Step.ASSIGNED:
        return _("Complaint %(case)s was assigned to you: propose a resolution") % values
    if kind == Step.PROPOSED:
        return _("%(name)s proposed a resolution for complaint %(case)s: approve it") % values
    if kind == Step.APPROVED:
        return _("The resolution of complaint %(case)s was approved: carry it out") % values
    if kind == Step.SENT_BACK:
        return _("%(name)s sent back the resolution of complaint %(case)s") % values
    if kind == Step.CARRIED_OUT:
        return _("Complaint %(case)s was carried out: write the summary") % values
    if kind == Step.SUMMARISED:
        return _("Complaint %(case)s has its summary: close it") % values
    if kind == Step.CLOSED:
        return _("Complaint %(case)s was closed") % values
    return _("%(name)s urged you about complaint %(case)s") % values


def case_recipients(kind: str, case: ServiceCase) -> set[int]:
    """Who is told about a step: whoever's turn it is now, plus the customer's owner when a
    complaint comes in or is closed, and everyone on the case when it closes."""
    people = set(whose_turn(case))
    if kind == Step.REGISTERED:
        people.add(case.customer.owner_id)
    if kind == Step.CLOSED:
        people |= {case.registered_by_id, case.assignee_id, case.customer.owner_id}
    if kind == "overdue" and case.status in (Status.PROPOSED, Status.PRE_APPROVAL):
        people |= approvers(case)
    return {uid for uid in people if uid}


def on_case_event(event: events.Event) -> None:
    """records.service_case_<step> → the people whose turn it is (after the step's commit)."""
    kind = event.name.removeprefix("records.service_case_")
    if kind == "access_changed":
        return
    case = (
        ServiceCase.objects.select_related("customer", "registered_by")
        .filter(pk=event.get("case_id"))
        .first()
    )
    if case is None:
        return
    step = ServiceCaseStep.objects.filter(pk=event.get("step_id")).first()
    actor_id = event.get("actor_id")
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None

    def render() -> tuple[str, str]:
        return _case_title(kind, case, step, str(actor or "")), _excerpt(step.note if step else "")

    stamp = step.pk if step else timezone.now().strftime("%Y%m%d%H%M")
    _deliver(
        case_recipients(kind, case),
        render,
        url=case.get_absolute_url(),
        dedupe_key=f"records.service_case:{case.pk}:{kind}:{stamp}",
        actor_id=actor_id,
        item=case,
    )


def on_question_event(event: events.Event) -> None:
    """An escalated question → the technical person; an answer → whoever registered it."""
    entry = SupportQuestion.objects.filter(pk=event.get("question_id")).first()
    if entry is None:
        return
    actor_id = event.get("actor_id")
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if event.name.endswith("_escalated"):
        people = {entry.escalated_to_id}

        def render() -> tuple[str, str]:
            return (
                _("%(name)s asked you to answer a customer's question") % {"name": actor},
                _excerpt(entry.question),
            )
    elif event.name.endswith("_answered"):
        people = {entry.created_by_id}

        def render() -> tuple[str, str]:
            return (
                _("%(name)s answered the question you registered") % {"name": actor},
                _excerpt(entry.answer),
            )
    else:
        return
    _deliver(
        people,
        render,
        url=entry.get_absolute_url(),
        dedupe_key=f"{event.name}:{entry.pk}:{entry.updated_at:%Y%m%d%H%M%S%f}",
        actor_id=actor_id,
        item=entry,
    )


def knowledge_editors() -> set[int]:
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from portal.accounts.modules import codename

    permission = Permission.objects.filter(
        content_type__app_label="accounts", codename=codename("knowledge", "manage")
    ).first()
    if permission is None:
        return set()
    return set(
        User.objects.filter(is_active=True, is_superuser=False)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .values_list("pk", flat=True)
    )


def on_qa_draft(event: events.Event) -> None:
    """A Q&A draft came from a case: the knowledge editors review it in the CMS."""
    page_id = event.get("page_id")
    actor_id = event.get("actor_id")
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return

    def render() -> tuple[str, str]:
        return (
            _("%(name)s proposed a Q&A entry: %(title)s") % {"name": actor, "title": page.title},
            _("Review the draft in the CMS and publish it."),
        )

    _deliver(
        knowledge_editors(),
        render,
        url=f"/cms/pages/{page.pk}/edit/",
        dedupe_key=f"records.service_qa_draft:{page.pk}",
        actor_id=actor_id,
        item=None,
        kind="knowledge",
    )
