"""The deal policy (decision 0140): a deal is visible where its customer is, plus its owner
(and their manager chain) and co-owners; its activities, reminders and urges go with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from portal.accounts.permissions import has_module_perm
from portal.accounts.tree import manages_person
from portal.core import visibility
from portal.core.policy import AccessPolicy, gated, register
from portal.records.customers.models import Customer
from portal.records.customers.policy import customer_keys, customer_policy
from portal.records.deals.models import (
    Activity,
    Contract,
    Deal,
    DealReminder,
    DealUrge,
    PaymentInstallment,
)

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


class DealPolicy(AccessPolicy):
    """Deals: deals → view, deals of a binned customer out, the keys of `deal_keys`."""

    model = Deal
    followable = True
    module = "deals"

    def live_queryset(self) -> QuerySet[Deal]:
        return live_deals()

    def live_related(self, queryset: QuerySet, field: str) -> QuerySet:
        """NOT IN the deals of the few binned customers, tested on the row's own column: no
        join to the deal, so inside `ActivityPolicy.narrow`'s OR the access test stays a test
        of the activity alone, evaluated once (as the customer's NOT IN through a join to the
        deal it ran twice on PostgreSQL, the reader's deal keys hashed each time; ADR 1006)."""
        binned_deals = Deal.objects.filter(customer_id__in=binned_customers()).values("pk")
        return queryset.exclude(**{f"{field}_id__in": binned_deals})

    def keys(self, obj: Deal) -> set[str]:
        return deal_keys(obj)

    # Same shape choice as customers (decision 0101): a reader who reaches many deals gets
    # the correlated EXISTS (a sorted page stops early), one who reaches few the keyed id set.

    def access(self, user: User, pk, *, select=()) -> Deal:
        """The deal if the user may read it; 404 alike for missing and forbidden."""
        return super().access(
            user,
            pk,
            select=select or ("owner", "customer", "customer__owner", "stage", "department"),
        )

    @gated()
    def can_edit(self, user: User, deal: Deal) -> bool:
        """Owner, co-owners, the owner's manager chain and administrators work on a deal."""
        return (
            deal.owner_id == user.pk or manages_person(user, deal.owner) or is_co_owner(user, deal)
        )

    @gated("transfer")
    def can_hand_over(self, user: User, deal: Deal) -> bool:
        """The owner or their manager chain, holding deals → transfer; administrators."""
        return deal.owner_id == user.pk or manages_person(user, deal.owner)

    def can_urge(self, user: User, deal: Deal) -> bool:
        """Managers (deals → urge) urge open or won (unpaid) deals they can see, never their
        own."""
        if deal.state not in (Deal.State.TRACKING, Deal.State.WON):
            return False
        if deal.owner_id == user.pk or not self.module_allows(user, "urge"):
            return False
        return self.is_visible(user, deal)


class DealPartPolicy(AccessPolicy):
    """A deal's sub-records (activities, reminders, urges) are read through their deal."""

    module = "deals"

    def __init__(self, model: type) -> None:
        self.model = model

    def live_queryset(self) -> QuerySet:
        return self.model.objects.filter(deal__customer__deleted_at__isnull=True)

    def visible_to(self, user: User) -> QuerySet:
        return self.model.objects.filter(deal__in=deal_policy.visible_to(user).values("pk"))

    def narrow(self, queryset: QuerySet, user: User) -> QuerySet:
        """`queryset` — rows of this kind already cut down to a few (a person's own, due
        today) — kept exactly where `visible_to` keeps them, asked per row through the deal's
        `filter_related` (module gate, recycle bin, keys as a correlated EXISTS). The
        `deal__in=<visible deals>` shape first reads every deal the reader may see: on the
        split A/B's 60k deals that made the dashboard's My tasks most of a 0.8–1.2 s page
        (bench/README.md)."""
        return deal_policy.filter_related(queryset, user, "deal")

    def key_object(self, obj) -> Deal:
        return obj.deal

    def keys(self, obj) -> set[str]:
        return deal_keys(obj.deal)

    def can_edit(self, user: User, obj) -> bool:
        return deal_policy.can_edit(user, obj.deal)


class ActivityPolicy(DealPartPolicy):
    """Activities (decision 1001): one on a deal goes with its deal; one on a customer alone
    goes with that customer (the customer policy answers, module gate and keys included)."""

    def __init__(self) -> None:
        super().__init__(Activity)

    def live_queryset(self) -> QuerySet[Activity]:
        return Activity.objects.filter(customer__deleted_at__isnull=True)

    def visible_to(self, user: User) -> QuerySet[Activity]:
        on_deals = Q(deal__in=deal_policy.visible_to(user).values("pk"))
        on_customers = Q(
            deal__isnull=True,
            customer__in=customer_policy.visible_to(user).values("pk"),
        )
        return Activity.objects.filter(on_deals | on_customers)

    def narrow(self, queryset: QuerySet[Activity], user: User) -> QuerySet[Activity]:
        """As `DealPartPolicy.narrow`, with `visible_to`'s two halves: an activity on a deal
        asks the deal, one on a customer alone asks the customer, each per row."""
        on_deals = deal_policy.filter_related(queryset.filter(deal__isnull=False), user, "deal")
        on_customers = customer_policy.filter_related(
            queryset.filter(deal__isnull=True), user, "customer"
        )
        return on_deals | on_customers

    def key_object(self, obj: Activity):
        return obj.deal if obj.deal_id else obj.customer

    def keys(self, obj: Activity) -> set[str]:
        return deal_keys(obj.deal) if obj.deal_id else customer_keys(obj.customer)

    def who_can_see(self, obj: Activity, among=None) -> set[int]:
        if obj.deal_id:
            return deal_policy.who_can_see(obj.deal, among)
        return customer_policy.who_can_see(obj.customer, among)

    def can_edit(self, user: User, obj: Activity) -> bool:
        """On a deal: who works on the deal. On a customer alone: who may change the customer,
        and the person the activity belongs to while they may still see the customer."""
        if obj.deal_id:
            return deal_policy.can_edit(user, obj.deal)
        return self.can_add_to_customer(user, obj.customer) or (
            obj.owner_id == user.pk and self.is_visible(user, obj)
        )

    @gated()
    def can_add_to_customer(self, user: User, customer: Customer) -> bool:
        """Log or plan an activity on a customer without a deal: who may change the customer
        and holds deal tracking (where activities live)."""
        return customer_policy.can_edit(user, customer)


def is_co_owner(user: User, deal: Deal) -> bool:
    return deal.co_owners.filter(pk=user.pk).exists()


deal_policy = register(Deal, DealPolicy())
activity_policy = register(Activity, ActivityPolicy())
reminder_policy = register(DealReminder, DealPartPolicy(DealReminder))
urge_policy = register(DealUrge, DealPartPolicy(DealUrge))
# A deal's contract and plan rows, read by My tasks from their own side (contracts ending in a
# window, rows falling due) and kept through their deal, per row, as its other parts are. Not
# registered: the contracts list and the deal page read them through `deals_visible_to`.
contract_policy = DealPartPolicy(Contract)
installment_policy = DealPartPolicy(PaymentInstallment)

# The names the rest of records calls (one rule: each is the policy's answer).
deals_visible_to = deal_policy.visible_to
access_deal = deal_policy.access
activities_visible_to = activity_policy.visible_to
reminders_visible_to = reminder_policy.visible_to
narrow_activities = activity_policy.narrow
narrow_reminders = reminder_policy.narrow
narrow_urges = urge_policy.narrow
narrow_contracts = contract_policy.narrow
narrow_installments = installment_policy.narrow
can_edit_deal = deal_policy.can_edit
can_hand_over = deal_policy.can_hand_over
can_urge = deal_policy.can_urge
can_edit_activity = activity_policy.can_edit
can_add_customer_activity = activity_policy.can_add_to_customer


def can_answer_urge(user: User, urge: DealUrge) -> bool:
    deal = urge.deal
    return user.pk in {urge.urged_user_id, deal.owner_id} or (visibility.is_administrator(user))


def can_see_urge_report(user: User) -> bool:
    return has_module_perm(user, "deals", "urge") or visibility.is_administrator(user)
