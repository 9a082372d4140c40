"""Deal work waiting on a person, for My tasks: urges to answer, planned activities due today or
overdue, due reminders, payments due and contracts about to expire on the deals they work.

Every read goes through the deal domain's visibility helpers (`deals_visible_to` and what is
built on it, or the policy's `narrow` for rows read from their own side), so a task never
names a deal its reader may not open."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.formatting import format_datetime, format_money
from portal.core.tasks import SOURCE_LIMIT, Task, TaskAction, register_source
from portal.records.deals import allocation
from portal.records.deals.models import (
    Activity,
    Contract,
    Deal,
    DealReminder,
    DealUrge,
    Payment,
    PaymentInstallment,
)
from portal.records.deals.policy import (
    narrow_activities,
    narrow_contracts,
    narrow_installments,
    narrow_reminders,
    narrow_urges,
)
from portal.records.deals.queries import worked_on_by

if TYPE_CHECKING:
    from portal.accounts.models import User

PAYMENT_LOOKAHEAD = datetime.timedelta(days=7)  # a payment shows a week before it falls due
CONTRACT_LOOKAHEAD = datetime.timedelta(days=30)  # a contract shows a month before it ends
CONTRACT_LOOKBACK = datetime.timedelta(days=30)  # …and for a month after, until renewed
REMINDER_LOOKBACK = datetime.timedelta(days=3)  # reminders have no "done": recent ones only


def _end_of_today() -> datetime.datetime:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start + datetime.timedelta(days=1)


def urges_to_answer(user: User) -> list[Task]:
    # The person's own few first, then the policy asks per row (not every visible deal).
    urges = (
        narrow_urges(
            DealUrge.objects.filter(answered_at__isnull=True).filter(
                Q(urged_user=user) | Q(deal__owner=user)
            ),
            user,
        )
        .select_related("deal", "deal__customer", "urged_by", "urged_user")
        .order_by("due_on", "pk")
    )
    return [
        Task(
            kind="deals.urge",
            title=_("Answer %(manager)s about deal %(deal)s")
            % {"manager": urge.urged_by, "deal": urge.deal.name},
            detail=urge.message[:300],
            url=urge.deal.get_absolute_url(),
            due=urge.due_on,
            actions=(TaskAction(_("Answer"), f"{urge.deal.get_absolute_url()}#urge-{urge.pk}"),),
            object_id=urge.pk,
        )
        for urge in urges[:SOURCE_LIMIT]
    ]


def activities_due(user: User) -> list[Task]:
    activities = (
        narrow_activities(
            Activity.objects.filter(
                owner=user, status=Activity.Status.PLANNED, due_at__lt=_end_of_today()
            ),
            user,
        )
        .select_related("deal", "customer")
        .order_by("due_at", "pk")
    )
    return [
        Task(
            kind="deals.activity",
            title=_("%(kind)s: %(subject)s")
            % {"kind": activity.get_kind_display(), "subject": activity.subject},
            detail=(
                _("Deal %(deal)s · %(customer)s · %(time)s")
                % {
                    "deal": activity.deal.name,
                    "customer": activity.customer.name,
                    "time": format_datetime(activity.due_at),
                }
                if activity.deal_id
                else _("%(customer)s · %(time)s")
                % {"customer": activity.customer.name, "time": format_datetime(activity.due_at)}
            ),
            url=activity.get_absolute_url(),
            due=timezone.localdate(activity.due_at),
            actions=(TaskAction(_("Record the outcome"), activity.get_absolute_url()),),
            object_id=activity.pk,
        )
        for activity in activities[:SOURCE_LIMIT]
    ]


def reminders_due(user: User) -> list[Task]:
    """Reminders and appointments due by the end of today (payment reminders are the payments
    below, not a second task)."""
    now = timezone.now()
    reminders = (
        narrow_reminders(
            DealReminder.objects.filter(
                people=user, due_at__gte=now - REMINDER_LOOKBACK, due_at__lt=_end_of_today()
            ),
            user,
        )
        .exclude(kind__in=[DealReminder.Kind.PAYMENT, DealReminder.Kind.CONTRACT])
        .select_related("deal")
        .order_by("due_at", "pk")
    )
    return [
        Task(
            kind=f"deals.{reminder.kind}",
            title=reminder.subject,
            detail=_("Deal %(deal)s · %(time)s")
            % {
                "deal": reminder.deal.name,
                "time": format_datetime(reminder.due_at),
            },
            url=reminder.deal.get_absolute_url(),
            due=timezone.localdate(reminder.due_at),
            actions=(
                TaskAction(
                    _("Open the deal"), f"{reminder.deal.get_absolute_url()}#reminder-{reminder.pk}"
                ),
            ),
            object_id=reminder.pk,
        )
        for reminder in reminders[:SOURCE_LIMIT]
    ]


def payments_due(user: User) -> list[Task]:
    """Plan rows of the user's won deals due within a week and not yet covered by payments.

    Read from the rows' side: the rows due by the end of the week (the `due_on` index) of won
    deals the user works on, kept where the deal policy lets them read the deal (`narrow`, per
    row), name the deals; then those deals' whole plans and payments, for the allocation.
    Reading every won deal of the user's "mine" list first probed the access index once per
    deal they own (ADR 1006)."""
    today = timezone.localdate()
    due = narrow_installments(
        PaymentInstallment.objects.filter(
            worked_on_by(user, state=Deal.State.WON), due_on__lte=today + PAYMENT_LOOKAHEAD
        ),
        user,
    ).values("deal_id")
    rows = list(
        PaymentInstallment.objects.filter(deal_id__in=due)
        .select_related("deal", "deal__customer")
        .order_by("deal_id", "due_on", "pk")
    )
    due_deals = {row.deal_id for row in rows if row.due_on <= today + PAYMENT_LOOKAHEAD}
    # Always one query (no early return): the page's query count does not depend on the data.
    payments = Payment.objects.filter(deal_id__in=due).order_by("received_on", "pk")
    by_deal: dict[int, list] = {}
    for payment in payments.only("deal_id", "installment_id", "amount"):
        by_deal.setdefault(payment.deal_id, []).append(payment)
    tasks = []
    for deal_id in sorted(due_deals):
        deal_rows = [row for row in rows if row.deal_id == deal_id]
        paid = allocation.allocate(deal_rows, by_deal.get(deal_id, []))
        for row in deal_rows:
            outstanding = row.amount - paid[row.pk]
            if row.due_on > today + PAYMENT_LOOKAHEAD or outstanding <= Decimal("0"):
                continue
            deal = row.deal
            tasks.append(
                Task(
                    kind="deals.payment",
                    title=_("Payment of %(amount)s due from %(customer)s")
                    % {
                        "amount": format_money(outstanding, deal.currency),
                        "customer": deal.customer.name,
                    },
                    detail=_("Deal %(deal)s") % {"deal": deal.name},
                    url=deal.get_absolute_url(),
                    due=row.due_on,
                    actions=(
                        TaskAction(_("Record the payment"), f"{deal.get_absolute_url()}#payments"),
                    ),
                    object_id=row.pk,
                )
            )
    return sorted(tasks, key=lambda task: (task.due, task.object_id))[:SOURCE_LIMIT]


def contracts_expiring(user: User) -> list[Task]:
    """Contracts ending within the window on deals the user works on: read from the contracts'
    side (the `ends_on` index), kept where the deal policy lets them read the deal (`narrow`,
    per row). Reading the user's whole "mine" list first probed the access index once per deal
    they own (ADR 1006)."""
    today = timezone.localdate()
    contracts = (
        narrow_contracts(
            Contract.objects.filter(
                worked_on_by(user),
                ends_on__gte=today - CONTRACT_LOOKBACK,
                ends_on__lte=today + CONTRACT_LOOKAHEAD,
            ),
            user,
        )
        .select_related("deal", "deal__customer")
        .order_by("ends_on", "pk")
    )
    return [
        Task(
            kind="deals.contract",
            title=_("Contract %(number)s with %(customer)s ends")
            % {"number": contract.number, "customer": contract.deal.customer.name},
            detail=_("Deal %(deal)s") % {"deal": contract.deal.name},
            url=contract.deal.get_absolute_url(),
            due=contract.ends_on,
            actions=(
                TaskAction(_("Open the contract"), f"{contract.deal.get_absolute_url()}#contract"),
            ),
            object_id=contract.pk,
        )
        for contract in contracts[:SOURCE_LIMIT]
    ]


@register_source("deals.work")
def deal_tasks(user: User) -> list[Task]:
    return [
        *urges_to_answer(user),
        *activities_due(user),
        *reminders_due(user),
        *payments_due(user),
        *contracts_expiring(user),
    ]
