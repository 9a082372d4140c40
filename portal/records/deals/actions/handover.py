"""Handing deals over to another rep; urging a deal's owner, and the owner's answer."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import require_module_perm
from portal.accounts.tree import manages_person
from portal.core import audit, visibility
from portal.records.customers.models import Contact, Customer
from portal.records.deals.models import Activity, Deal, DealReminder, DealUrge
from portal.records.deals.policy import (
    can_answer_urge,
    can_hand_over,
    can_urge,
)

from .common import _check_deal_owner, _publish, apply_deal_keys


def _hand_over(deal: Deal, to_user: User, acting_user: User) -> bool:
    from_user = deal.owner
    if from_user.pk == to_user.pk:
        return False
    deal.owner = to_user
    deal.department_id = to_user.department_id
    deal.updated_by = acting_user
    deal.save(update_fields=["owner", "department", "updated_by", "updated_at"])
    deal.co_owners.remove(to_user)
    # The old owner's planned work on this deal is now the new owner's.
    planned = Activity.objects.filter(deal=deal, owner=from_user, status=Activity.Status.PLANNED)
    activity_sources = [Activity(pk=pk).source for pk in planned.values_list("pk", flat=True)]
    planned.update(owner=to_user)
    if activity_sources:  # their reminders follow them (decision 1001)
        from portal.notifications.actions import retarget_reminders

        retarget_reminders(
            sources=activity_sources, from_user_id=from_user.pk, to_user_id=to_user.pk
        )
    _move_contract_expiry(deal, from_user, to_user)
    apply_deal_keys(deal, actor_id=acting_user.pk)
    audit.record(
        acting_user, "deal.handed_over", deal, changes={"owner": [str(from_user), str(to_user)]}
    )
    _publish(
        "records.deal_handed_over",
        deal,
        acting_user,
        to_user_id=to_user.pk,
        from_user_id=from_user.pk,
    )
    return True


def _move_contract_expiry(deal: Deal, from_user: User, to_user: User) -> None:
    """The contract's pending expiry reminder tells the new owner instead (decision 1005)."""
    from portal.notifications.actions import retarget_reminders

    reminders = list(
        deal.reminders.filter(
            kind=DealReminder.Kind.CONTRACT, people=from_user, due_at__gte=timezone.now()
        )
    )
    for reminder in reminders:
        reminder.people.remove(from_user)
        reminder.people.add(to_user)
    if reminders:
        retarget_reminders(
            sources=[reminder.source for reminder in reminders],
            from_user_id=from_user.pk,
            to_user_id=to_user.pk,
        )


def _check_handover_target(to_user: User) -> None:
    _check_deal_owner(to_user, "to_user")


@transaction.atomic
def handover_deal(deal: Deal, *, to_user: User, acting_user: User) -> Deal:
    """Hand a deal to another rep (its owner or their managers); history stays, the new
    owner is notified (records.deal_handed_over → notifications)."""
    if not can_hand_over(acting_user, deal):
        raise PermissionDenied(
            _("Only the owner and their managers can hand over the deal %(number)s.")
            % {"number": deal.number}
        )
    _check_handover_target(to_user)
    if to_user.pk == deal.owner_id:
        raise ValidationError(
            {"to_user": _("%(name)s already owns this deal.") % {"name": to_user}}
        )
    _hand_over(deal, to_user, acting_user)
    return deal


@transaction.atomic
def handover_deals_of(
    from_user: User, *, to_user: User, acting_user: User, include_closed: bool = False
) -> int:
    """Hand every deal of a leaving rep to another rep (open and won ones; closed ones too
    when asked). The rep themself, their managers or administrators may do it."""
    require_module_perm(acting_user, "deals", "transfer")
    may = (
        visibility.is_administrator(acting_user)
        or from_user.pk == acting_user.pk
        or manages_person(acting_user, from_user)
    )
    if not may:
        raise PermissionDenied(_("Only their managers can hand over someone else's deals."))
    _check_handover_target(to_user)
    if to_user.pk == from_user.pk:
        raise ValidationError({"to_user": _("Choose someone else to take the deals.")})
    deals = Deal.objects.filter(owner=from_user)
    if not include_closed:
        deals = deals.filter(state__in=[Deal.State.TRACKING, Deal.State.WON])
    moved = 0
    for deal in deals.select_related("owner", "customer").order_by("pk"):
        moved += _hand_over(deal, to_user, acting_user)
    return moved


# Work of the domains above deals that a leaver's handover moves too (service registers its
# open complaints): name → (count(from_user), move(from_user, to_user, acting_user) → int).
# Deals import no such domain; each registers its part when its app is ready (ADR 0601).
_HANDOVER_PARTS: dict[str, tuple[Callable[[User], int], Callable[..., int]]] = {}


def register_handover_part(
    name: str, *, count: Callable[[User], int], move: Callable[..., int]
) -> None:
    """Let a leaver's handover preview and move `name` (the preview's key)."""
    _HANDOVER_PARTS[name] = (count, move)


def _deals_of(from_user: User, include_closed: bool):
    deals = Deal.objects.filter(owner=from_user)
    if not include_closed:
        deals = deals.filter(state__in=[Deal.State.TRACKING, Deal.State.WON])
    return deals


def handover_preview(from_user: User, *, include_closed: bool = False) -> dict[str, int]:
    """What a leaver's handover will move, counted per kind (shown before confirming)."""
    deals = _deals_of(from_user, include_closed)
    customers = Customer.objects.filter(owner=from_user)
    return {
        "customers": customers.count(),
        "contacts": Contact.objects.filter(customer__in=customers.values("pk")).count(),
        "deals": deals.count(),
        "activities": Activity.objects.filter(
            owner=from_user, status=Activity.Status.PLANNED
        ).count(),
        "reminders": DealReminder.objects.filter(
            people=from_user, due_at__gte=timezone.now()
        ).count(),
        "urges": DealUrge.objects.filter(urged_user=from_user, answered_at__isnull=True).count(),
        **{name: count(from_user) for name, (count, _move) in _HANDOVER_PARTS.items()},
    }


@transaction.atomic
def hand_over_work(
    from_user: User, *, to_user: User, acting_user: User, include_closed: bool = False
) -> dict[str, int]:
    """A leaver's whole handover: their deals (with planned activities), customers (contacts
    follow), the reminders of those deals (re-targeted by notifications), unanswered urges and
    the registered parts of other domains (open complaints assigned to the leaver).
    Nothing is left pointing at the leaver; one audit row records what moved."""
    from portal.notifications.actions import retarget_reminders
    from portal.records.customers.actions import transfer_customers

    moved = handover_preview(from_user, include_closed=include_closed)
    # Customers first: their open deals follow them (TRANSFER_FOLLOWERS), and every deal
    # handed over next is keyed with its customer's new owner already in place.
    if moved["customers"]:
        transfer_customers(
            Customer.objects.filter(owner=from_user), to_user=to_user, acting_user=acting_user
        )
    handover_deals_of(
        from_user, to_user=to_user, acting_user=acting_user, include_closed=include_closed
    )
    # Planned activities of deals the leaver worked on but did not own, and on customers
    # without a deal; their reminders follow them (decision 1001).
    planned = Activity.objects.filter(owner=from_user, status=Activity.Status.PLANNED)
    activity_sources = [Activity(pk=pk).source for pk in planned.values_list("pk", flat=True)]
    planned.update(owner=to_user)
    retarget_reminders(sources=activity_sources, from_user_id=from_user.pk, to_user_id=to_user.pk)
    reminders = list(DealReminder.objects.filter(people=from_user, due_at__gte=timezone.now()))
    for reminder in reminders:
        reminder.people.remove(from_user)
        reminder.people.add(to_user)
    retarget_reminders(
        sources=[reminder.source for reminder in reminders],
        from_user_id=from_user.pk,
        to_user_id=to_user.pk,
    )
    DealUrge.objects.filter(urged_user=from_user, answered_at__isnull=True).update(
        urged_user=to_user
    )
    for _count, move in _HANDOVER_PARTS.values():
        move(from_user, to_user=to_user, acting_user=acting_user)
    audit.record(
        acting_user,
        "deal.work_handed_over",
        to_user,
        changes={"from": str(from_user), "to": str(to_user), **moved},
    )
    return moved


@transaction.atomic
def urge_deal(deal: Deal, *, acting_user: User, message: str, due_on: datetime.date) -> DealUrge:
    """A manager presses the owner; the owner is notified (records.deal_urged)."""
    if not can_urge(acting_user, deal):
        raise PermissionDenied(_("Only managers can urge a deal."))
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write what you expect.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Give a date to answer by.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The answer date cannot lie in the past.")})
    urge = DealUrge.objects.create(
        deal=deal,
        urged_by=acting_user,
        urged_user=deal.owner,
        message=message,
        due_on=due_on,
    )
    audit.record(
        acting_user, "deal.urged", deal, changes=audit.added({"message": message, "due": due_on})
    )
    _publish("records.deal_urged", deal, acting_user, urge_id=urge.pk, to_user_id=deal.owner_id)
    return urge


@transaction.atomic
def answer_urge(urge: DealUrge, *, acting_user: User, answer: str) -> DealUrge:
    """The owner acknowledges an urge with an answer; the manager hears about it
    (`deals/notifications.py`)."""
    if not can_answer_urge(acting_user, urge):
        raise PermissionDenied(_("Only the deal's owner can answer this urge."))
    if urge.answered_at is not None:
        raise ValidationError(_("This urge has already been answered."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write an answer.")})
    urge.answer = answer
    urge.answered_by = acting_user
    urge.answered_at = timezone.now()
    urge.save(update_fields=["answer", "answered_by", "answered_at"])
    deal = urge.deal
    audit.record(acting_user, "deal.urge_answered", deal, changes=audit.added({"answer": answer}))
    _publish(
        "records.deal_urge_answered", deal, acting_user, urge_id=urge.pk, user_id=urge.urged_by_id
    )
    return urge
