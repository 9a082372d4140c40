"""The customer and contact policies (decision 0140): who may read and change them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from portal.accounts.tree import manages_person
from portal.core import visibility
from portal.core.policy import AccessPolicy, gated, register
from portal.records.customers.models import Contact, Customer, CustomerShare

if TYPE_CHECKING:
    from portal.accounts.models import User


def customer_keys(customer: Customer) -> set[str]:
    """The visibility keys a customer should carry: owner + manager chain + each share.

    A contact carries no keys of its own: it is visible exactly when its customer is.
    """
    keys = visibility.owner_keys(customer.owner)
    for user_id, department_id in CustomerShare.objects.filter(customer=customer).values_list(
        "user_id", "department_id"
    ):
        if user_id:
            keys.add(visibility.user_key(user_id))
        if department_id:
            keys.add(visibility.department_key(department_id))
    return keys


class CustomerPolicy(AccessPolicy):
    """Customers: customers → view, the recycle bin out, the keys of `customer_keys`."""

    model = Customer
    followable = True
    module = "customers"

    def live_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.all()

    def keys(self, obj: Customer) -> set[str]:
        return customer_keys(obj)

    def filter_keys(self, queryset: QuerySet, user: User) -> QuerySet:
        """The one visibility rule, with a query shape chosen for who is asking (decision
        0101): `pk IN (keyed ids)` for a reader who sees a small share of the table, a
        correlated EXISTS that lets a sorted, LIMITed page stop early for one who sees much
        of it. Same answer."""
        correlated = visibility.reaches_many(Customer, user)
        return visibility.filter_visible(queryset, user, correlated=correlated)

    def narrow(self, queryset: QuerySet[Customer], user: User) -> QuerySet[Customer]:
        """`queryset` — `live_queryset()` (the recycle bin already out) cut down by a search
        (its matches, which the planner reads first through the name-pieces index, or, for a
        term most names hold, by walking the name index) — kept exactly where `visible_to`
        keeps it: module gate and keys. A manager, whose keys open whole departments, keeps
        `visible_to`'s shape (a probe per row: their keyed ids are nearly the whole table).
        Any other reader's keyed ids are read once and each row looked up in memory on
        PostgreSQL: for a rep, 54 index pages for ≈ 9k ids, where probing the 2,413 matches
        of "Nordic" one by one read 7,240 (ADR 0429)."""
        if not self.module_allows(user):
            return queryset.none()
        if visibility.is_administrator(user) or visibility.whole_department_keys(user):
            return self.filter_keys(queryset, user)
        # Where the keyed ids are hashed the shape is settled: no bounded count to choose it.
        correlated = not visibility.hashes_keyed_sets(queryset) and visibility.reaches_many(
            Customer, user
        )
        return visibility.filter_visible(queryset, user, correlated=correlated, as_set=True)

    def counting_reach(self, user: User) -> tuple[frozenset[str] | None, QuerySet[Customer]]:
        """How the customers a reader sees split for counting (decision 1003): the manager
        keys whose customers they see whole — counted from the roll-up, which is kept per
        such key; None for every customer (administrators) — and the customers they see
        beyond those keys (their own outside the departments they run, those shared with
        them), counted row by row. A reader with no such key gets all of theirs as rows."""
        if not self.module_allows(user):
            return frozenset(), self.live_queryset().none()
        whole = visibility.whole_department_keys(user)
        if whole is None:
            return None, self.live_queryset().none()
        if not whole:
            return whole, self.visible_to(user)
        return whole, visibility.filter_visible_beyond(self.live_queryset(), user, whole)

    def binned_visible_to(self, user: User) -> QuerySet[Customer]:
        """Customers in the recycle bin that the user may see (and, if they may edit,
        restore)."""
        if not self.module_allows(user):
            return Customer.all_objects.none()
        return self.filter_keys(Customer.all_objects.in_bin(), user)

    def access(self, user: User, pk, *, include_deleted: bool = False, select=()) -> Customer:
        """The customer if the user may read it; 404 alike for missing and forbidden."""
        base = self.binned_visible_to(user) if include_deleted else self.visible_to(user)
        try:
            return base.select_related("owner", "category", "department").get(pk=pk)
        except (Customer.DoesNotExist, ValueError, TypeError):
            raise Http404("No such customer.") from None

    @gated()
    def can_edit(self, user: User, customer: Customer) -> bool:
        """Owner, manager chain, administrators, and colleagues it was shared with for
        editing."""
        if customer.owner_id == user.pk or manages_person(user, customer.owner):
            return True
        keys = visibility.user_keys(user)
        for user_id, department_id in customer.shares.filter(can_edit=True).values_list(
            "user_id", "department_id"
        ):
            if user_id == user.pk or (
                department_id and visibility.department_key(department_id) in keys
            ):
                return True
        return False

    def can_share(self, user: User, customer: Customer) -> bool:
        """Sharing is the owner's decision (and their managers' and administrators')."""
        return (
            customer.owner_id == user.pk
            or visibility.is_administrator(user)
            or manages_person(user, customer.owner)
        )

    def can_transfer(self, user: User, customer: Customer | None = None) -> bool:
        return self.module_allows(user, "transfer")

    def can_purge(self, user: User, customer: Customer | None = None) -> bool:
        return visibility.is_administrator(user)

    # --- the public pool (ADR 1002) ------------------------------------------------------

    def pool_visible_to(self, user: User) -> QuerySet[Customer]:
        """Customers in the public pool: anyone with customer records may browse them (the
        pool is shared by design); the list shows no more than the pool page's columns."""
        if not user.is_authenticated or not user.is_active or not self.module_allows(user):
            return Customer.objects.none()
        return Customer.objects.filter(in_pool=True)

    @gated("register", administrators=False)
    def can_claim(self, user: User, customer: Customer | None = None) -> bool:
        """Claiming is registering a customer as one's own: customers → register. The limit
        per rep is the claim action's check, with its own message."""
        return customer is None or (customer.in_pool and customer.deleted_at is None)

    @gated("register", administrators=False)
    def can_ask_to_share(self, user: User, customer: Customer | None = None) -> bool:
        """Whoever may register customers may ask the owner of a protected duplicate to
        share it (they learn its owner's name and nothing else)."""
        return customer is None or (customer.owner_id != user.pk and not customer.in_pool)


class ContactPolicy(AccessPolicy):
    """A contact is visible exactly when its customer is (it carries no keys of its own)."""

    model = Contact
    module = "customers"

    def live_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.filter(customer__deleted_at__isnull=True)

    def visible_to(self, user: User) -> QuerySet[Contact]:
        return Contact.objects.filter(
            customer__in=customer_policy.visible_to(user).values("pk"),
            customer__deleted_at__isnull=True,
        )

    def access(self, user: User, pk, *, select=("customer",)) -> Contact:
        return super().access(user, pk, select=select)

    def key_object(self, obj: Contact) -> Customer:
        return obj.customer

    def keys(self, obj: Contact) -> set[str]:
        return customer_keys(obj.customer)

    def can_edit(self, user: User, contact: Contact) -> bool:
        return customer_policy.can_edit(user, contact.customer)


customer_policy = register(Customer, CustomerPolicy())
contact_policy = register(Contact, ContactPolicy())

# The names the rest of records calls (one rule: each is the policy's answer).
customers_visible_to = customer_policy.visible_to
binned_customers_visible_to = customer_policy.binned_visible_to
contacts_visible_to = contact_policy.visible_to
access_customer = customer_policy.access
access_contact = contact_policy.access
can_edit_customer = customer_policy.can_edit
can_share_customer = customer_policy.can_share
pool_customers_visible_to = customer_policy.pool_visible_to
can_claim_customer = customer_policy.can_claim


def can_transfer_customers(user: User) -> bool:
    return customer_policy.can_transfer(user)


def can_purge(user: User) -> bool:
    return customer_policy.can_purge(user)
