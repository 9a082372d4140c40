"""Customer writes: create, edit, the recycle bin (delete, restore, purge), sharing, transfer,
and re-keying when the owner moves department."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Department, User
from portal.accounts.permissions import has_module_perm, require_module_perm
from portal.core import audit, events, visibility
from portal.core.models import ObjectAccess
from portal.core.numbering import issue_number
from portal.records.customers import rollup
from portal.records.customers.models import (
    Contact,
    Customer,
    CustomerCategory,
    CustomerShare,
    MailRecipient,
)
from portal.records.customers.policy import (
    can_edit_customer,
    can_purge,
    can_share_customer,
    can_transfer_customers,
    customer_keys,
    customer_policy,
)

CUSTOMER_FIELDS = (
    "name",
    "short_name",
    "category",
    "industry",
    "region",
    "province",
    "city",
    "address",
    "postcode",
    "phone",
    "fax",
    "email",
    "website",
    "size",
    "source",
    "level",
    "tags",
    "notes",
)


DEFAULT_CATEGORIES = [
    # key, English, Chinese
    ("current", "Current customer", "现有客户"),
    ("potential", "Potential customer", "潜在客户"),
    ("partner", "Partner", "合作伙伴"),
    ("agent", "Agent", "代理商"),
]


# Callables run inside the transfer transaction so that records of later modules (open deals)
# follow their customer: follower(customer, *, from_user, to_user, acting_user).
TRANSFER_FOLLOWERS: list[Callable[..., None]] = []


class DuplicateCustomer(ValidationError):
    """Creating would duplicate existing customers; `duplicates` lists them."""

    def __init__(self, duplicates: list[Customer]):
        self.duplicates = duplicates
        # Names none of them: the person creating may not see the customers it matched.
        super().__init__(
            {"name": _("A customer with the same name, phone or email already exists.")}
        )


class ProtectedDuplicate(ValidationError):
    """Creating would duplicate a customer protected for another rep (ADR 1002): refused even
    when "create anyway" is asked. `customer` is the protected one; only its owner is named."""

    def __init__(self, customer: Customer):
        self.customer = customer
        self.owner = customer.owner
        super().__init__(
            {
                "name": _(
                    "This customer is already registered and protected for %(owner)s. "
                    "You may ask them to share it."
                )
                % {"owner": customer.owner}
            }
        )


def default_category(key: str = "potential") -> CustomerCategory:
    for position, (cat_key, name, name_zh) in enumerate(DEFAULT_CATEGORIES):
        CustomerCategory.objects.get_or_create(
            key=cat_key, defaults={"name": name, "name_zh": name_zh, "position": position}
        )
    return CustomerCategory.objects.get(key=key)


def find_duplicates(
    *, name: str = "", phone: str = "", email: str = "", exclude_pk: int | None = None
) -> list[Customer]:
    """Live customers with the same name (case-insensitive), phone or email."""
    condition = Q()
    if name.strip():
        condition |= Q(name__iexact=name.strip())
    if phone.strip():
        condition |= Q(phone=phone.strip())
    if email.strip():
        condition |= Q(email__iexact=email.strip())
    if not condition:
        return []
    queryset = Customer.objects.filter(condition).select_related("owner")
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset.order_by("pk")[:5])


def _apply_keys(customer: Customer, *, actor_id: int | None) -> bool:
    """Set the customer's visibility keys; publish access_changed when they changed."""
    if not visibility.update_object_keys(customer, customer_keys(customer)):
        return False
    events.publish("records.customer_access_changed", customer_id=customer.pk, actor_id=actor_id)
    return True


def _require_edit(user: User, customer: Customer) -> None:
    if not can_edit_customer(user, customer):
        raise PermissionDenied(
            _("You may not change the customer %(name)s.") % {"name": customer.name}
        )


def _check_owner(owner: User) -> None:
    if not owner.is_active or not has_module_perm(owner, "customers", "view"):
        raise ValidationError(
            {
                "owner": _("%(name)s cannot own customers (no access to customer records).")
                % {"name": owner}
            }
        )


def refuse_unknown(fields: Iterable[str], allowed: Iterable[str], message: str) -> None:
    """Refuse fields an action does not take: `message` (translated) names them as
    `%(fields)s`."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(message % {"fields": ", ".join(sorted(unknown))})


def set_fields(obj: Any, names: Iterable[str], values: dict[str, Any]) -> None:
    """Copy the named fields an action was given onto a record (of any domain), text stripped;
    None for a field that may not be null is its default, or "" (forms and the API send None
    for an empty text field)."""
    for name in names:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        field = obj._meta.get_field(name)
        if value is None and not field.null and not field.is_relation:
            value = field.get_default() if field.has_default() else ""
        setattr(obj, name, value)


def _clean_customer(customer: Customer) -> None:
    if customer.category_id is None:
        customer.category = default_category()
    customer.full_clean(exclude=["code", "owner", "department", "created_by", "updated_by"])


def _refuse_protected(duplicates: list[Customer], *, owner: User) -> None:
    """A duplicate protected for another rep is theirs: registering it again is refused."""
    from portal.records.customers import protection

    current = protection.rules()
    for duplicate in duplicates:
        if duplicate.owner_id != owner.pk and protection.is_protected(duplicate, current):
            raise ProtectedDuplicate(duplicate)


def set_and_diff(
    obj: Any, allowed: Iterable[str], values: dict[str, Any], clean: Callable[[Any], None]
) -> dict[str, Any]:
    """An edit of a record (of any domain): the given ones of the `allowed` fields copied onto
    it (`set_fields`), checked (`clean`), and what changed in the history's shape."""
    names = [name for name in allowed if name in values]
    before = audit.snapshot(obj, names)
    set_fields(obj, names, values)
    clean(obj)
    return audit.diff(before, audit.snapshot(obj, names))


@transaction.atomic
def create_customer(
    *, acting_user: User, owner: User | None = None, allow_duplicate: bool = False, **fields: Any
) -> Customer:
    """Register a customer (customers → register); owner defaults to the creator."""
    require_module_perm(acting_user, "customers", "register")
    refuse_unknown(fields, CUSTOMER_FIELDS, _("Unknown customer fields: %(fields)s"))
    owner = owner or acting_user
    if owner.pk != acting_user.pk and not (
        can_transfer_customers(acting_user) or visibility.is_administrator(acting_user)
    ):
        raise PermissionDenied(
            _("Only people who may transfer customers can register a customer for someone else.")
        )
    _check_owner(owner)
    customer = Customer(
        owner=owner,
        department_id=owner.department_id,
        created_by=acting_user,
        updated_by=acting_user,
    )
    set_fields(customer, [n for n in CUSTOMER_FIELDS if n != "category"], fields)
    customer.category = fields.get("category") or default_category()
    _clean_customer(customer)
    duplicates = find_duplicates(name=customer.name, phone=customer.phone, email=customer.email)
    if duplicates:
        _refuse_protected(duplicates, owner=owner)
        if not allow_duplicate:
            raise DuplicateCustomer(duplicates)
    customer.code = issue_number("customer")
    customer.last_activity_on = timezone.localdate()  # protected from registration (ADR 1002)
    with rollup.tracking() as counted:
        customer.save()
        _apply_keys(customer, actor_id=acting_user.pk)
        counted.add(customer.pk)
    audit.record(
        acting_user,
        "customer.created",
        customer,
        changes=audit.added(audit.snapshot(customer, ("code", "name", "category", "owner"))),
    )
    events.publish("records.customer_created", customer_id=customer.pk, actor_id=acting_user.pk)
    return customer


@transaction.atomic
def update_customer(customer: Customer, *, acting_user: User, **fields: Any) -> Customer:
    """Change a customer's details (owner, manager chain, admins, edit-shares)."""
    _require_edit(acting_user, customer)
    refuse_unknown(fields, CUSTOMER_FIELDS, _("Unknown customer fields: %(fields)s"))
    changes = set_and_diff(customer, CUSTOMER_FIELDS, fields, _clean_customer)
    if not changes:
        return customer
    customer.updated_by = acting_user
    with rollup.tracking([customer.pk]):  # the row as stored, whatever this instance held
        customer.save()
    audit.record(acting_user, "customer.updated", customer, changes=changes)
    events.publish("records.customer_updated", customer_id=customer.pk, actor_id=acting_user.pk)
    return customer


def _set_binned(customer: Customer, at: datetime.datetime | None, by: User | None) -> None:
    """Into the recycle bin (`at`, `by`) or out of it (None, None)."""
    customer.deleted_at = at
    customer.deleted_by = by
    with rollup.tracking([customer.pk]):  # the row as stored, whatever this instance held
        customer.save(update_fields=["deleted_at", "deleted_by"])


@transaction.atomic
def delete_customer(customer: Customer, *, acting_user: User) -> Customer:
    """Move a customer to the recycle bin; its contacts and history stay linked to it."""
    _require_edit(acting_user, customer)
    if customer.deleted_at:
        return customer
    _set_binned(customer, timezone.now(), acting_user)
    audit.record(acting_user, "customer.deleted", customer)
    events.publish("records.customer_deleted", customer_id=customer.pk, actor_id=acting_user.pk)
    return customer


@transaction.atomic
def restore_customer(customer: Customer, *, acting_user: User) -> Customer:
    """Take a customer out of the recycle bin, contacts, shares and history as they were."""
    _require_edit(acting_user, customer)
    if not customer.deleted_at:
        return customer
    _set_binned(customer, None, None)
    audit.record(acting_user, "customer.restored", customer)
    events.publish("records.customer_restored", customer_id=customer.pk, actor_id=acting_user.pk)
    return customer


def _protected_summary(objects: Iterable[Any]) -> str:
    """ "2 deals, 1 service case" from the objects that protect a customer."""
    counts: dict[Any, int] = {}
    for obj in objects:
        counts[obj._meta] = counts.get(obj._meta, 0) + 1
    return ", ".join(
        _("%(count)d %(things)s")
        % {"count": n, "things": meta.verbose_name if n == 1 else meta.verbose_name_plural}
        for meta, n in sorted(counts.items(), key=lambda item: item[0].label)
    )


@transaction.atomic
def purge_customer(customer: Customer, *, acting_user: User, confirm: str) -> None:
    """Delete a binned customer for good (administrators, typing its code to confirm)."""
    if not can_purge(acting_user):
        raise PermissionDenied(_("Only administrators can purge customers."))
    if not customer.deleted_at:
        raise ValidationError(_("Only customers in the recycle bin can be purged."))
    if confirm.strip() != customer.code:
        raise ValidationError(
            {"confirm": _("Type the customer code %(code)s to confirm.") % {"code": customer.code}}
        )
    customer_id = customer.pk
    audit.record(
        acting_user,
        "customer.purged",
        customer,
        changes=audit.removed(audit.snapshot(customer, ("code", "name", "owner"))),
    )
    try:
        MailRecipient.objects.filter(customer_id=customer_id).delete()
        Contact.all_objects.filter(customer_id=customer_id).delete()
        CustomerShare.objects.filter(customer_id=customer_id).delete()
        ObjectAccess.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=customer_id
        ).delete()
        Customer.all_objects.filter(pk=customer_id).delete()
    except ProtectedError as exc:
        # Deals and service cases are the company's history: they keep their customer. The
        # raise rolls back the whole purge, audit row included.
        raise ValidationError(
            _("%(name)s still has %(records)s; those are kept, so it cannot be purged.")
            % {"name": customer.name, "records": _protected_summary(exc.protected_objects)}
        ) from exc
    events.publish("records.customer_purged", customer_id=customer_id, actor_id=acting_user.pk)
    events.publish(
        "records.customer_access_changed", customer_id=customer_id, actor_id=acting_user.pk
    )


@transaction.atomic
def share_customer(
    customer: Customer,
    *,
    acting_user: User,
    user: User | None = None,
    department: Department | None = None,
    can_edit: bool = False,
) -> CustomerShare:
    """Share with a named colleague or a department, for reading or editing."""
    if not can_share_customer(acting_user, customer):
        raise PermissionDenied(
            _("Only the owner, their managers and administrators can share this customer.")
        )
    if (user is None) == (department is None):
        raise ValidationError(_("Share with either a colleague or a department."))
    if user is not None and user.pk == customer.owner_id:
        raise ValidationError({"user": _("The owner already sees this customer.")})
    target = {"user": user} if user is not None else {"department": department}
    share, created = CustomerShare.objects.get_or_create(
        customer=customer, **target, defaults={"can_edit": can_edit, "created_by": acting_user}
    )
    if not created and share.can_edit != can_edit:
        share.can_edit = can_edit
        share.save(update_fields=["can_edit"])
    _apply_keys(customer, actor_id=acting_user.pk)
    audit.record(
        acting_user,
        "customer.shared",
        customer,
        changes=audit.added({"shared_with": str(user or department), "can_edit": can_edit}),
    )
    payload: dict[str, Any] = {"customer_id": customer.pk, "actor_id": acting_user.pk}
    if user is not None:
        payload["to_user_id"] = user.pk
    else:
        payload["to_department_id"] = department.pk
    events.publish("records.customer_shared", **payload)
    return share


@transaction.atomic
def unshare_customer(share: CustomerShare, *, acting_user: User) -> None:
    customer = share.customer
    if not can_share_customer(acting_user, customer):
        raise PermissionDenied(
            _("Only the owner, their managers and administrators can share this customer.")
        )
    target = str(share)
    share.delete()
    _apply_keys(customer, actor_id=acting_user.pk)
    audit.record(
        acting_user, "customer.unshared", customer, changes=audit.removed({"shared_with": target})
    )


def change_owner(
    customer: Customer,
    to_user: User,
    *,
    acting_user: User,
    action: str,
    event: str,
    also_saved: tuple[str, ...] = (),
    **payload: Any,
) -> None:
    """Make `to_user` the owner (and their department the customer's), saving the fields
    named in `also_saved` with it; what follows a customer (TRANSFER_FOLLOWERS) follows, the
    keys are re-applied, the owner change is audited as `action` and `event` published with
    `payload`. Transfers and claims from the public pool both go through here."""
    from_user = customer.owner
    customer.owner = to_user
    customer.department_id = to_user.department_id
    customer.updated_by = acting_user
    with rollup.tracking([customer.pk]):
        customer.save(
            update_fields=["owner", "department", *also_saved, "updated_by", "updated_at"]
        )
        for follower in TRANSFER_FOLLOWERS:
            follower(customer, from_user=from_user, to_user=to_user, acting_user=acting_user)
        _apply_keys(customer, actor_id=acting_user.pk)
    audit.record(acting_user, action, customer, changes={"owner": [str(from_user), str(to_user)]})
    events.publish(
        event,
        customer_id=customer.pk,
        actor_id=acting_user.pk,
        **payload,
        from_user_id=from_user.pk,
    )


def _transfer_one(customer: Customer, to_user: User, acting_user: User) -> bool:
    if customer.owner_id == to_user.pk and customer.department_id == to_user.department_id:
        return False
    change_owner(
        customer,
        to_user,
        acting_user=acting_user,
        action="customer.transferred",
        event="records.customer_transferred",
        to_user_id=to_user.pk,
    )
    return True


def _check_transfer(acting_user: User, to_user: User) -> None:
    require_module_perm(acting_user, "customers", "transfer")
    _check_owner(to_user)


@transaction.atomic
def transfer_customer(customer: Customer, *, to_user: User, acting_user: User) -> Customer:
    """Hand a customer to another rep (customers → transfer); contacts and open deals follow."""
    _check_transfer(acting_user, to_user)
    if not customer_policy.is_visible(acting_user, customer):
        raise PermissionDenied(_("You may not transfer a customer you cannot see."))
    _transfer_one(customer, to_user, acting_user)
    return customer


@transaction.atomic
def transfer_customers(customers: QuerySet[Customer], *, to_user: User, acting_user: User) -> int:
    """Bulk transfer; `customers` must already be narrowed to what the user may see."""
    _check_transfer(acting_user, to_user)
    moved = 0
    for customer in customers.select_related("owner").select_for_update(of=("self",)):
        moved += _transfer_one(customer, to_user, acting_user)
    return moved


REKEY_CHUNK = 200


def rekey_customers_of(user_id: int, *, after: int = 0) -> tuple[int, int | None]:
    """A person moved department: their customers' manager-chain key follows them. One chunk
    of their customers after primary key `after`: (customers handled, where the next chunk
    starts, or None when none is left) — a background job's handler (ADR 0142)."""
    owner = User.objects.get(pk=user_id)
    chunk = list(
        Customer.all_objects.filter(owner=owner, pk__gt=after)
        .select_related("owner")
        .order_by("pk")[:REKEY_CHUNK]
    )
    with transaction.atomic(), rollup.tracking([customer.pk for customer in chunk]):
        for customer in chunk:
            if customer.department_id != owner.department_id:
                Customer.all_objects.filter(pk=customer.pk).update(
                    department_id=owner.department_id
                )
            _apply_keys(customer, actor_id=None)
    return len(chunk), (chunk[-1].pk if len(chunk) == REKEY_CHUNK else None)
