"""Who may read and change customers and contacts: every read path asks these helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from portal.accounts.permissions import has_module_perm
from portal.core import visibility
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


def customers_visible_to(user: User) -> QuerySet[Customer]:
    """Live customers the user may read (administrators: all)."""
    if not has_module_perm(user, "customers", "view"):
        return Customer.objects.none()
    return _visible(Customer.objects.all(), user)


def _visible(queryset: QuerySet[Customer], user: User) -> QuerySet[Customer]:
    """The one visibility rule, with a query shape chosen for who is asking (decision 0101):
    `pk IN (keyed ids)` for a reader who sees a small share of the table, a correlated EXISTS
    that lets a sorted, LIMITed page stop early for one who sees much of it. Same answer."""
    correlated = visibility.reaches_many(Customer, user)
    return visibility.filter_visible(queryset, user, correlated=correlated)


def binned_customers_visible_to(user: User) -> QuerySet[Customer]:
    """Customers in the recycle bin that the user may see (and, if they may edit, restore)."""
    if not has_module_perm(user, "customers", "view"):
        return Customer.all_objects.none()
    return _visible(Customer.all_objects.in_bin(), user)


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(
        customer__in=customers_visible_to(user).values("pk"), customer__deleted_at__isnull=True
    )


def access_customer(user: User, pk: int | str, *, include_deleted: bool = False) -> Customer:
    """The customer if the user may read it; 404 alike for missing and forbidden."""
    base = binned_customers_visible_to(user) if include_deleted else customers_visible_to(user)
    try:
        return base.select_related("owner", "category", "department").get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer.") from None


def access_contact(user: User, pk: int | str) -> Contact:
    try:
        return contacts_visible_to(user).select_related("customer").get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact.") from None


def manages_owner(user: User, customer: Customer) -> bool:
    """The user is in the owner's manager chain (manages the owner's department or above)."""
    owner_department = customer.owner.department_id if customer.owner_id else None
    return bool(owner_department) and (
        visibility.manager_key(owner_department) in visibility.user_keys(user)
    )


def can_edit_customer(user: User, customer: Customer) -> bool:
    """Owner, manager chain, administrators, and colleagues it was shared with for editing."""
    if not user.is_authenticated or not user.is_active:
        return False
    if visibility.is_administrator(user):
        return True
    if not has_module_perm(user, "customers", "view"):
        return False
    if customer.owner_id == user.pk or manages_owner(user, customer):
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


def can_share_customer(user: User, customer: Customer) -> bool:
    """Sharing is the owner's decision (and their managers' and administrators')."""
    return (
        customer.owner_id == user.pk
        or visibility.is_administrator(user)
        or manages_owner(user, customer)
    )


def can_transfer_customers(user: User) -> bool:
    return has_module_perm(user, "customers", "transfer")


def can_purge(user: User) -> bool:
    return visibility.is_administrator(user)
