"""Who hears about a complaint or a support question, and in which words (ADR 0611): whoever's
turn it is at each step of a case, the people on it when it closes, the technical person a
question is escalated to and whoever registered it when it is answered — handed to
notifications' one delivery API and rendered in each reader's language when shown."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.core import audit, events
from portal.notifications.notices import Kind, deliver, excerpt, message, person_name, someone
from portal.records.service.actions.common import STEP_EVENTS
from portal.records.service.models import ServiceCase, ServiceCaseStep, SupportQuestion
from portal.records.service.policy import approvers, whose_turn

Status = ServiceCase.Status
Step = ServiceCaseStep.Kind

# --- words --------------------------------------------------------------------------------


def _values(p) -> dict:
    return {"case": p["case"], "customer": p["customer"], "name": someone(p["name"])}


def _case(text: str):
    """A case message: `text` uses %(case)s, %(customer)s and %(name)s; the body is the step's
    note (user content, stored as given)."""

    def render(p) -> tuple[str, str]:
        return _(text) % _values(p), p.get("note", "")

    return render


# Marked for the catalogue here (gettext_noop), translated by `_case` whenever shown.
CASE_MESSAGES = {
    "records.service_case_registered": gettext_noop("New complaint %(case)s about %(customer)s"),
    "records.service_case_assessed_severe": gettext_noop(
        "Severe complaint %(case)s needs your approval before assignment"
    ),
    "records.service_case_assessed": gettext_noop("Complaint %(case)s is ready to be assigned"),
    "records.service_case_assigned_department": gettext_noop(
        "Complaint %(case)s was assigned to your department: propose a resolution"
    ),
    "records.service_case_assigned": gettext_noop(
        "Complaint %(case)s was assigned to you: propose a resolution"
    ),
    "records.service_case_proposed": gettext_noop(
        "%(name)s proposed a resolution for complaint %(case)s: approve it"
    ),
    "records.service_case_approved": gettext_noop(
        "The resolution of complaint %(case)s was approved: carry it out"
    ),
    "records.service_case_sent_back": gettext_noop(
        "%(name)s sent back the resolution of complaint %(case)s"
    ),
    "records.service_case_carried_out": gettext_noop(
        "Complaint %(case)s was carried out: write the summary"
    ),
    "records.service_case_summarised": gettext_noop("Complaint %(case)s has its summary: close it"),
    "records.service_case_closed": gettext_noop("Complaint %(case)s was closed"),
    "records.service_case_urged": gettext_noop("%(name)s urged you about complaint %(case)s"),
}
for _key, _text in CASE_MESSAGES.items():
    message(_key)(_case(_text))


@message("records.service_case_overdue")
def _overdue(p) -> tuple[str, str]:
    status = Status(p["status"]).label if p["status"] in Status.values else p["status"]
    values = {**_values(p), "status": status}
    return _("Complaint %(case)s is overdue (%(status)s)") % values, ""


@message("records.support_question_escalated")
def _escalated(p) -> tuple[str, str]:
    title = _("%(name)s asked you to answer a customer's question") % {"name": someone(p["name"])}
    return title, p["text"]


@message("records.support_question_answered")
def _answered(p) -> tuple[str, str]:
    title = _("%(name)s answered the question you registered") % {"name": someone(p["name"])}
    return title, p["text"]


# --- who ----------------------------------------------------------------------------------

# Each step's event → its step.
STEPS = {name: step for step, name in STEP_EVENTS.items()}
OVERDUE = "overdue"


def case_recipients(kind: str, case: ServiceCase) -> set[int]:
    """Who is told about a step: whoever's turn it is now, plus the customer's owner when a
    complaint comes in or is closed, and everyone on the case when it closes."""
    people = set(whose_turn(case))
    if kind == Step.REGISTERED:
        people.add(case.customer.owner_id)
    if kind == Step.CLOSED:
        people |= {case.registered_by_id, case.assignee_id, case.customer.owner_id}
    if kind == OVERDUE and case.status in (Status.PROPOSED, Status.PRE_APPROVAL):
        people |= approvers(case)
    return {uid for uid in people if uid}


def _case_message(kind: str, case: ServiceCase) -> str:
    if kind == OVERDUE:
        return "records.service_case_overdue"
    if kind == Step.ASSESSED and case.status == Status.PRE_APPROVAL:
        return "records.service_case_assessed_severe"
    if kind == Step.PRE_APPROVED:
        return "records.service_case_assessed"
    if kind == Step.ASSIGNED and not case.assignee_id:
        return "records.service_case_assigned_department"
    return STEP_EVENTS[kind]


def case_changed(event: events.Event) -> None:
    """A step of a case, or its going overdue → the people whose turn it is."""
    kind = STEPS.get(event.name, OVERDUE)
    case = ServiceCase.objects.select_related("customer").filter(pk=event["case_id"]).first()
    if case is None:
        return
    step = None
    if kind == OVERDUE:
        stamp = f"{case.step_due_at:%Y%m%d%H%M%S}" if case.step_due_at else ""
    else:
        step = ServiceCaseStep.objects.filter(pk=event["step_id"]).first()
        stamp = step.pk if step else event["step_id"]
    deliver(
        kind=Kind.SERVICE,
        message=_case_message(kind, case),
        params={
            "case": case.number,
            "customer": case.customer_name,
            "name": person_name(event["actor_id"]),
            "status": case.status,
            "note": excerpt(step.note if step else "", 200),
        },
        url=case.get_absolute_url(),
        dedupe_key=f"records.service_case:{case.pk}:{kind}:{stamp}",
        item=case,
        actor_id=event["actor_id"],
        recipients=case_recipients(kind, case),
    )


def question_changed(event: events.Event) -> None:
    """An escalated question → the technical person; an answer → whoever registered it."""
    entry = SupportQuestion.objects.filter(pk=event["question_id"]).first()
    if entry is None:
        return
    if event.name == "records.support_question_escalated":
        people, text = {entry.escalated_to_id}, entry.question
    else:
        people, text = {entry.created_by_id}, entry.answer
    deliver(
        kind=Kind.SERVICE,
        message=event.name,
        params={"name": person_name(event["actor_id"]), "text": excerpt(text, 200)},
        url=entry.get_absolute_url(),
        dedupe_key=f"{event.name}:{entry.pk}:{audit.last_entry_id(entry)}",
        item=entry,
        actor_id=event["actor_id"],
        recipients=people,
    )


events.subscribe(*STEPS, "records.service_case_overdue")(case_changed)
events.subscribe("records.support_question_answered", "records.support_question_escalated")(
    question_changed
)
