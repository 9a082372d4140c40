"""What the service desk is told after a complaint step, in plain words."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.records.service.models import ServiceCase

Status = ServiceCase.Status


def step_confirmation(step: str, case: ServiceCase, *, was: str) -> str:
    """The confirmation shown after `step` was taken on `case` (refreshed after the step);
    `was` is its status before, which tells an assignment from a reassignment."""
    number = case.number
    if step == "assign":
        who = str(case.assignee or case.assigned_department or "")
        if was == Status.ASSIGNED:
            return _("Complaint %(number)s was reassigned to %(who)s.") % {
                "number": number,
                "who": who,
            }
        return _("Complaint %(number)s was assigned to %(who)s.") % {"number": number, "who": who}
    if step == "assess" and case.status == Status.PRE_APPROVAL:
        return _("Complaint %(number)s was assessed; it now waits for a manager's approval.") % {
            "number": number
        }
    texts = {
        "assess": _("Complaint %(number)s was assessed."),
        "pre_approve": _("Complaint %(number)s was approved for assignment."),
        "propose": _("The resolution of complaint %(number)s was proposed for approval."),
        "approve": _("The resolution of complaint %(number)s was approved."),
        "send_back": _("The resolution of complaint %(number)s was sent back."),
        "carry_out": _("Complaint %(number)s was marked as carried out."),
        "summarise": _("The summary of complaint %(number)s was written."),
        "close": _("Complaint %(number)s was closed."),
        "urge": _("The people working on complaint %(number)s were urged."),
    }
    return texts.get(step, _("Complaint %(number)s was updated.")) % {"number": number}
