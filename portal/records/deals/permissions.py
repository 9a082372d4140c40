"""Who may read and change deals: a deal is visible where its customer is, plus its owner
(and their manager chain) and co-owners; every read path asks these helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from portal.accounts.permissions import has_module_perm
from portal.core import visibility
from portal.records.customers.models import Customer
from portal.records.customers.permissions import customer_keys
from portal.records.deals.models import Activity, Deal, DealReminder, DealUrge

if TYPE_CHECKING:
    from portal.accounts.models import User


def deal_keys(deal: Deal) -> set[str]:
    """The keys a deal should carry: its customer's keys (the same rule, computed, so they are
    right inside a transfer's transaction), the owner and their manager
    chain (a deal handed to a rep outside the customer's circle stays theirs), co-owners."""
    keys = customer_keys(deal.customer)
    keys |= visibility.owner_keys(deal.owner)
    keys.update(
        visibility.user_key(user_id) for user_id in deal.co_owners.values_list("pk", flat=True)
    )
    return keys


def deals_visible_to(user: User) -> QuerySet[Deal]:
    """Deals the user may read (administrators: all)."""
    if not has_module_perm(user, "deals", "view"):
        return Deal.objects.none()
    # Same shape choice as customers (decision 0101): a reader who reaches many deals gets the
    # correlated EXISTS (a sorted page stops early), one who reaches few the keyed id set.
    correlated = visibility.reaches_many(Deal, user)
    return visibility.filter_visible(live_deals(), user, correlated=correlated)


def live_deals(*, aggregate: bool = False) -> QuerySet[Deal]:
    """The base of every deal read (lists, pages, API, search, statistics, dashboards): a
    customer in the recycle bin takes its deals with it, and restoring brings them back.

    Same rows, two shapes (measured at 300k deals on SQLite): for pages, a join on the
    customer — a primary-key probe per row that keeps the planner on the list's sort index
    (the NOT IN shape made "closing soon" sort every open deal: 205 ms); for aggregates,
    NOT IN the few binned customers, which the covering team-pipeline index answers without
    reading rows (the join made the team pipeline 140 ms instead of 18)."""
    if aggregate:
        return Deal.objects.exclude(customer_id__in=binned_customers())
    return Deal.objects.filter(customer__deleted_at__isnull=True)


def binned_customers() -> QuerySet[Customer]:
    """Ids of the customers in the recycle bin; rows hanging off deals exclude them alike."""
    return Customer.all_objects.filter(deleted_at__isnull=False).values("pk")


def access_deal(user: User, pk: int | str) -> Deal:
    """The deal if the user may read it; 404 alike for missing and forbidden."""
    try:
        return (
            deals_visible_to(user)
            .select_related("owner", "customer", "customer__owner", "stage", "department")
            .get(pk=pk)
        )
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deal.") from None


def activities_visible_to(user: User) -> QuerySet[Activity]:
    return Activity.objects.filter(deal__in=deals_visible_to(user).values("pk"))


def reminders_visible_to(user: User) -> QuerySet[DealReminder]:
    """Reminders on deals the user may see."""
    return DealReminder.objects.filter(deal__in=deals_visible_to(user).values("pk"))


def manages_owner(user: User, deal: Deal) -> bool:
    """The user is in the owner's manager chain (manages the owner's department or above)."""
    department_id = deal.owner.department_id if deal.owner_id else None
    return bool(department_id) and (
        visibility.manager_key(department_id) in visibility.user_keys(user)
    )


def is_co_owner(user: User, deal: Deal) -> bool:
    return deal.co_owners.filter(pk=user.pk).exists()


def can_edit_deal(user: User, deal: Deal) -> bool:
    """Owner, co-owners, the owner's manager chain and administrators work on a deal."""
    if not user.is_authenticated or not user.is_active:
        return False
    if visibility.is_administrator(user):
        return True
    if not has_module_perm(user, "deals", "view"):
        return False
    return deal.owner_id == user.pk or manages_owner(user, deal) or is_co_owner(user, deal)


def can_hand_over(user: User, deal: Deal) -> bool:
    """The owner or their manager chain, holding deals → transfer; administrators."""
    if visibility.is_administrator(user):
        return True
    if not has_module_perm(user, "deals", "transfer"):
        return False
    return deal.owner_id == user.pk or manages_owner(user, deal)


def can_urge(user: User, deal: Deal) -> bool:
    """Managers (deals → urge) urge open or won (unpaid) deals they can see, never their own."""
    if deal.state not in (Deal.State.TRACKING, Deal.State.WON):
        return False
    if deal.owner_id == user.pk or not has_module_perm(user, "deals", "urge"):
        return False
    return visibility.can_see(user, deal)


def can_answer_urge(user: User, urge: DealUrge) -> bool:
    deal = urge.deal
    return user.pk in {urge.urged_user_id, deal.owner_id} or (visibility.is_administrator(user))


def can_see_urge_report(user: User) -> bool:
    return has_module_perm(user, "deals", "urge") or visibility.is_administrator(user)
