"""Complaints waiting on a person's step, for My tasks: approvals, the responsible side's
proposal and execution, the service desk's assessment, assignment, summary and closing.

Whose turn it is follows `permissions.whose_turn` (tested to agree with it); the cases are read
through `cases_visible_to`, so a task never names a case its reader may not open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import has_module_perm
from portal.core import visibility
from portal.core.tasks import SOURCE_LIMIT, Task, TaskAction, register_source
from portal.records.service.models import ServiceCase
from portal.records.service.policy import cases_visible_to, may_use_service

if TYPE_CHECKING:
    from portal.accounts.models import User

Status = ServiceCase.Status
APPROVALS = (Status.PRE_APPROVAL, Status.PROPOSED)
RESPONSIBLE = (Status.ASSIGNED, Status.APPROVED)
SERVICE_DESK = (Status.REGISTERED, Status.ASSESSED, Status.CARRIED_OUT, Status.SUMMARISED)


def _keyed_ids(user: User, prefix: str) -> list[int]:
    return [int(key[2:]) for key in visibility.user_keys(user) if key.startswith(prefix)]


def turn_condition(user: User) -> Q:
    """The cases whose next step is this user's, as a condition (mirrors `whose_turn`):
    approvals for service managers and the manager chain of the case's department; the
    responsible person, or while only a department is named its members and managers; the
    registrar for the service desk's steps."""
    managed = _keyed_ids(user, "m:")
    departments = _keyed_ids(user, "d:")
    if has_module_perm(user, "service", "manage"):
        approvals = Q(status__in=APPROVALS)
    else:
        approvals = Q(status__in=APPROVALS) & (
            Q(assigned_department_id__in=managed)
            | Q(assigned_department__isnull=True, registered_department_id__in=managed)
        )
    responsible = Q(status__in=RESPONSIBLE) & (
        Q(assignee=user)
        | Q(
            assignee__isnull=True,
            assigned_department_id__in=[*departments, *managed],
        )
    )
    desk = Q(status__in=SERVICE_DESK, registered_by=user)
    return approvals | responsible | desk


def cases_waiting_on(user: User) -> QuerySet[ServiceCase]:
    """Open cases whose next step is the user's, the most pressing first."""
    if not may_use_service(user):
        return ServiceCase.objects.none()
    return (
        cases_visible_to(user)
        .filter(turn_condition(user))
        .select_related("customer")
        .order_by("step_due_at", "pk")
    )


TITLES = {
    Status.REGISTERED: lambda: _("Assess complaint %(number)s"),
    Status.ASSESSED: lambda: _("Assign complaint %(number)s"),
    Status.PRE_APPROVAL: lambda: _("Approve complaint %(number)s for assignment"),
    Status.ASSIGNED: lambda: _("Propose a resolution for complaint %(number)s"),
    Status.PROPOSED: lambda: _("Approve the resolution of complaint %(number)s"),
    Status.APPROVED: lambda: _("Carry out the resolution of complaint %(number)s"),
    Status.CARRIED_OUT: lambda: _("Write the summary of complaint %(number)s"),
    Status.SUMMARISED: lambda: _("Close complaint %(number)s"),
}
#: Steps that need nothing typed: the task offers them as one button.
ONE_CLICK = {
    Status.PRE_APPROVAL: ("pre_approve", lambda: _("Approve")),
    Status.PROPOSED: ("approve", lambda: _("Approve")),
}


def _task(case: ServiceCase, next_url: str) -> Task:
    url = case.get_absolute_url()
    actions: list[TaskAction] = []
    if case.status in ONE_CLICK:
        step, label = ONE_CLICK[case.status]
        target = reverse("records:service_case_step", args=[case.pk, step])
        actions.append(TaskAction(label(), f"{target}?next={next_url}", "post"))
    actions.append(TaskAction(_("Open the complaint"), url + "#steps"))
    detail = f"{case.title} · {case.customer_name or case.customer.name}"
    if case.status == Status.PROPOSED and case.resolution:
        detail += " — " + _("Proposed: %(resolution)s") % {"resolution": case.resolution[:300]}
    due = timezone.localdate(case.step_due_at) if case.step_due_at else None
    return Task(
        kind=f"service.{case.status}",
        title=TITLES[case.status]() % {"number": case.number},
        detail=detail,
        url=url,
        due=due,
        actions=tuple(actions),
        object_id=case.pk,
    )


@register_source("service.cases")
def service_tasks(user: User) -> list[Task]:
    next_url = reverse("core:tasks")
    return [_task(case, next_url) for case in cases_waiting_on(user)[:SOURCE_LIMIT]]
