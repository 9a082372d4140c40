"""A leaver's open complaints move with their deals (the handover's service part)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit, events
from portal.records.service.models import ServiceCase, ServiceCaseStep
from portal.records.service.policy import may_use_service

from .common import STEP_EVENTS, Status, Step, _apply_case_keys


def _open_cases_of(user: User):
    return ServiceCase.objects.filter(assignee=user).exclude(status=Status.CLOSED)


def count_open_cases(from_user: User) -> int:
    return _open_cases_of(from_user).count()


def hand_over_open_cases(from_user: User, *, to_user: User, acting_user: User) -> int:
    """Each open complaint assigned to the leaver goes to `to_user` when they work on service
    cases, else back to its department with no one named (the desk assigns it again). The
    case keeps its step; the move is a step of its own ("handed over"), audited and re-keyed,
    and the new assignee is told as for any assignment."""
    takes_over = to_user.is_active and may_use_service(to_user)
    moved = 0
    now = timezone.now()
    for case in _open_cases_of(from_user).select_for_update().select_related("customer"):
        note = (
            _("Handed over from %(before)s to %(after)s") % {"before": from_user, "after": to_user}
            if takes_over
            else _("Handed back to %(department)s: %(before)s left")
            % {"department": case.assigned_department or "—", "before": from_user}
        )
        before = audit.snapshot(case, ["assignee"])
        case.assignee = to_user if takes_over else None
        case.save(update_fields=["assignee"])
        step = ServiceCaseStep.objects.create(
            case=case,
            kind=Step.ASSIGNED,
            actor=acting_user,
            at=now,
            from_status=case.status,
            to_status=case.status,
            note=note,
        )
        audit.record(
            acting_user,
            "service_case.assigned",
            case,
            changes=audit.diff(before, audit.snapshot(case, ["assignee"])),
            message=note[:500],
        )
        _apply_case_keys(case, actor_id=acting_user.pk)
        events.publish(
            STEP_EVENTS[Step.ASSIGNED], case_id=case.pk, step_id=step.pk, actor_id=acting_user.pk
        )
        moved += 1
    return moved
