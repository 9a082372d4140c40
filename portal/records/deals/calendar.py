"""A person's calendar (decision 1001): their activities and appointments (owned or invited
to), their reminders, payment due dates and contract expiries of the deals they work on —
for a range of days, for themselves or (managers) their team.

Every read goes through the deal domain's policies (`activity_policy`, `reminders_visible_to`,
`deals_visible_to`), so the calendar — and the iCalendar feed built from it — never names a
customer or deal its reader may not open. A fixed number of queries whatever the range holds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.formatting import format_money
from portal.records.deals import allocation
from portal.records.deals.models import (
    Activity,
    Contract,
    Deal,
    DealReminder,
    Payment,
    PaymentInstallment,
)
from portal.records.deals.policy import (
    activity_policy,
    deals_visible_to,
    reminders_visible_to,
)

if TYPE_CHECKING:
    from portal.accounts.models import User

#: The feed covers this far back and ahead (calendar apps poll it; it stays small).
FEED_PAST = datetime.timedelta(days=60)
FEED_AHEAD = datetime.timedelta(days=365)
#: At most this many items of each kind in one range (a month of a busy team fits).
KIND_LIMIT = 500


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    kind: str  # activity, appointment, reminder, payment, contract
    title: str
    start: datetime.datetime | datetime.date
    end: datetime.datetime | datetime.date | None
    url: str
    detail: str = ""
    place: str = ""
    person: str = ""
    status: str = ""
    sequence: int = 0

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime.datetime)

    @property
    def day(self) -> datetime.date:
        if self.all_day:
            return self.start
        return timezone.localtime(self.start).date()

    @property
    def sort_key(self) -> tuple:
        if self.all_day:
            return (self.day, 0, "", self.uid)
        return (self.day, 1, timezone.localtime(self.start).time().isoformat(), self.uid)


def team_ids(user: User) -> list[int]:
    """The active people of the departments the user manages (empty for a non-manager)."""
    from portal.accounts.models import User as UserModel
    from portal.records.deals.statistics.scope import managed_department_ids

    managed = managed_department_ids(user)
    if not managed:
        return []
    return list(
        UserModel.objects.filter(is_active=True, department_id__in=managed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end, datetime.time.min, tzinfo=tz),
    )


def _activities(reader: User, people: list[int], start, end) -> list[CalendarItem]:
    low, high = _bounds(start, end)
    invited = Activity.attendees.through.objects.filter(user_id__in=people).values("activity_id")
    rows = (
        activity_policy.visible_to(reader)
        .filter(Q(owner_id__in=people) | Q(pk__in=invited), due_at__gte=low, due_at__lt=high)
        .exclude(status=Activity.Status.CANCELLED)
        .select_related("deal", "customer", "owner")
        .order_by("due_at", "pk")[:KIND_LIMIT]
    )
    items = []
    for activity in rows:
        about = activity.customer.name
        if activity.deal_id:
            about = _("%(customer)s · deal %(deal)s") % {
                "customer": about,
                "deal": activity.deal.name,
            }
        appointment = bool(activity.ends_at or activity.place) or activity.kind in (
            Activity.Kind.MEETING,
            Activity.Kind.VISIT,
        )
        items.append(
            CalendarItem(
                uid=f"activity-{activity.pk}",
                kind="appointment" if appointment else "activity",
                title=f"{activity.get_kind_display()}: {activity.subject}",
                start=activity.due_at,
                end=activity.ends,
                url=activity.get_absolute_url(),
                detail=about,
                place=activity.place,
                person=str(activity.owner),
                status=activity.status,
            )
        )
    return items


def _reminders(reader: User, people: list[int], start, end) -> list[CalendarItem]:
    low, high = _bounds(start, end)
    reminded = DealReminder.people.through.objects.filter(user_id__in=people).values(
        "dealreminder_id"
    )
    rows = (
        reminders_visible_to(reader)
        .filter(pk__in=reminded, due_at__gte=low, due_at__lt=high)
        # the payment rows and contract expiries below say it
        .exclude(kind__in=[DealReminder.Kind.PAYMENT, DealReminder.Kind.CONTRACT])
        .select_related("deal", "deal__customer")
        .order_by("due_at", "pk")[:KIND_LIMIT]
    )
    return [
        CalendarItem(
            uid=f"reminder-{reminder.pk}",
            kind="reminder",
            title=reminder.subject,
            start=reminder.due_at,
            end=None,
            url=reminder.deal.get_absolute_url() + f"#reminder-{reminder.pk}",
            detail=_("%(customer)s · deal %(deal)s")
            % {"customer": reminder.deal.customer.name, "deal": reminder.deal.name},
        )
        for reminder in rows
    ]


def _their_deals(reader: User, people: list[int]) -> QuerySet[Deal]:
    """Deals the people own or co-own, among those the reader may see."""
    return deals_visible_to(reader).filter(Q(owner_id__in=people) | Q(co_owners__in=people))


def _payments(reader: User, people: list[int], start, end) -> list[CalendarItem]:
    """Plan rows of won deals falling due in the range and not yet covered by payments."""
    deals = _their_deals(reader, people).filter(state=Deal.State.WON).values("pk")
    due_deals = PaymentInstallment.objects.filter(
        deal__in=deals, due_on__gte=start, due_on__lt=end
    ).values("deal_id")
    rows = list(
        PaymentInstallment.objects.filter(deal__in=due_deals)
        .select_related("deal", "deal__customer")
        .order_by("deal_id", "due_on", "pk")[: KIND_LIMIT * 4]
    )
    payments = Payment.objects.filter(deal__in=due_deals).order_by("received_on", "pk")
    by_deal: dict[int, list] = {}
    for payment in payments.only("deal_id", "installment_id", "amount"):
        by_deal.setdefault(payment.deal_id, []).append(payment)
    items = []
    for deal_id in sorted({row.deal_id for row in rows}):
        deal_rows = [row for row in rows if row.deal_id == deal_id]
        paid = allocation.allocate(deal_rows, by_deal.get(deal_id, []))
        for row in deal_rows:
            outstanding = row.amount - paid[row.pk]
            if not (start <= row.due_on < end) or outstanding <= Decimal("0"):
                continue
            deal = row.deal
            items.append(
                CalendarItem(
                    uid=f"payment-{row.pk}",
                    kind="payment",
                    title=_("Payment of %(amount)s due from %(customer)s")
                    % {
                        "amount": format_money(outstanding, deal.currency),
                        "customer": deal.customer.name,
                    },
                    start=row.due_on,
                    end=row.due_on + datetime.timedelta(days=1),
                    url=f"{deal.get_absolute_url()}#payments",
                    detail=_("Deal %(deal)s") % {"deal": deal.name},
                )
            )
    return items[:KIND_LIMIT]


def _contracts(reader: User, people: list[int], start, end) -> list[CalendarItem]:
    deals = _their_deals(reader, people).values("pk")
    rows = (
        Contract.objects.filter(deal__in=deals, ends_on__gte=start, ends_on__lt=end)
        .select_related("deal", "deal__customer")
        .order_by("ends_on", "pk")[:KIND_LIMIT]
    )
    return [
        CalendarItem(
            uid=f"contract-{contract.pk}",
            kind="contract",
            title=_("Contract %(number)s with %(customer)s ends")
            % {"number": contract.number, "customer": contract.deal.customer.name},
            start=contract.ends_on,
            end=contract.ends_on + datetime.timedelta(days=1),
            url=f"{contract.deal.get_absolute_url()}#contract",
            detail=_("Deal %(deal)s") % {"deal": contract.deal.name},
        )
        for contract in rows
    ]


def calendar_items(
    reader: User, start: datetime.date, end: datetime.date, *, people: list[int] | None = None
) -> list[CalendarItem]:
    """Everything on the calendar of `people` (default: the reader) from `start` up to (not
    including) `end`, as the reader may see it, in time order."""
    people = list(people) if people else [reader.pk]
    items = [
        *_activities(reader, people, start, end),
        *_reminders(reader, people, start, end),
        *_payments(reader, people, start, end),
        *_contracts(reader, people, start, end),
    ]
    return sorted(items, key=lambda item: item.sort_key)


def feed_items(user: User) -> list[CalendarItem]:
    """The items of a person's iCalendar feed: their own calendar around today."""
    today = timezone.localdate()
    return calendar_items(user, today - FEED_PAST, today + FEED_AHEAD)
