"""Customer service's event subscribers — who is told at each step of a case, of a question and
of a Q&A draft, and in which words — and the wiring called once from RecordsConfig.ready: the
overdue worker job, the customer-transfer hook, the related panels on customer and deal pages
and a dashboard panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import events
from portal.records.service.actions.common import CASE_EVENTS, Status, Step
from portal.records.service.models import ServiceCase, ServiceCaseStep, SupportQuestion
from portal.records.service.policy import (
    approvers,
    whose_turn,
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


def connect() -> None:
    from portal.core import worker
    from portal.core.dashboard import register_panel
    from portal.core.related import register_related
    from portal.records.customers.actions import customers as customer_actions
    from portal.records.service import actions as service
    from portal.records.service.views import my_cases_panel, related_cases_panel

    events.subscribe(*CASE_EVENTS)(on_case_event)
    events.subscribe("records.support_question_answered", "records.support_question_escalated")(
        on_question_event
    )
    events.subscribe("records.service_qa_draft_created")(on_qa_draft)
    events.subscribe("records.customer_access_changed")(service.customer_access_changed)
    if service.transfer_follower not in customer_actions.TRANSFER_FOLLOWERS:
        customer_actions.TRANSFER_FOLLOWERS.append(service.transfer_follower)
    worker.register_job("records.service_overdue", every_seconds=300.0)(service.flag_overdue_cases)
    register_related("records.customer", "records.deal")(related_cases_panel)
    register_panel(my_cases_panel)
