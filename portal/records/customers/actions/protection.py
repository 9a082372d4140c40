"""Customer protection writes (ADR 1002): the worker's warnings and moves to the public pool,
claiming from the pool, and asking the owner of a protected customer to share it."""

from __future__ import annotations

import datetime
import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit, events
from portal.records.customers import protection
from portal.records.customers.models import Customer
from portal.records.customers.policy import customer_policy

from .customers import _check_owner, change_owner

#: The worker handles at most this many customers per run (the next run takes the rest).
BATCH = 500
SHARE_REQUEST_SALT = "records.customer_share_request"
SHARE_REQUEST_MAX_AGE = 7 * 24 * 3600


class ClaimLimitReached(ValidationError):
    """The rep already holds as many customers from the pool as the rules allow."""


def held_from_pool(user: User) -> int:
    """How many customers the rep holds that they claimed from the pool."""
    return Customer.objects.filter(owner=user, in_pool=False, claimed_at__isnull=False).count()


# --- the worker ------------------------------------------------------------------------------


def _candidates(current, today: datetime.date) -> list[int]:
    """Ids whose stored facts say they lapse within the warning window (or have an open deal
    that may have closed since): their facts are refreshed before anything is decided."""
    owned = Customer.objects.filter(in_pool=False)
    soon = protection.lapsing(owned, current, today) | protection.lapsed(owned, current, today)
    ids = list(soon.order_by("pk").values_list("pk", flat=True)[:BATCH])
    ids += list(
        owned.filter(has_open_deal=True).order_by("pk").values_list("pk", flat=True)[:BATCH]
    )
    return ids


def run_protection(*, today: datetime.date | None = None) -> int:
    """Worker job: warn owners whose customers' protection lapses within the warning window
    (once per lapse date) and move lapsed customers into the public pool. Each row is claimed
    by a conditional UPDATE, so two workers never warn or move the same customer twice."""
    today = today or timezone.localdate()
    current = protection.rules()
    if not current.enabled:
        return 0
    protection.refresh_facts(_candidates(current, today))
    done = 0
    owned = Customer.objects.filter(in_pool=False)
    for customer in protection.lapsed(owned, current, today).select_related("owner")[:BATCH]:
        done += _move_to_pool(customer, today=today)
    for customer in protection.lapsing(owned, current, today).select_related("owner")[:BATCH]:
        done += _warn_owner(customer, current, today=today)
    return done


@transaction.atomic
def _move_to_pool(customer: Customer, *, today: datetime.date) -> int:
    now = timezone.now()
    claimed = Customer.objects.filter(
        pk=customer.pk,
        in_pool=False,
        has_open_deal=False,
        last_activity_on=customer.last_activity_on,
    ).update(in_pool=True, pooled_at=now, lapse_warned_for=None)
    if not claimed:
        return 0
    customer.in_pool, customer.pooled_at = True, now
    audit.record(
        None,
        "customer.pooled",
        customer,
        changes={"owner": [str(customer.owner), None]},
    )
    events.publish(
        "records.customer_pooled",
        customer_id=customer.pk,
        actor_id=None,
        from_user_id=customer.owner_id,
    )
    return 1


@transaction.atomic
def _warn_owner(customer: Customer, current, *, today: datetime.date) -> int:
    until = protection.protected_until(customer, current)
    claimed = (
        Customer.objects.filter(pk=customer.pk, in_pool=False)
        .exclude(lapse_warned_for=until)
        .update(lapse_warned_for=until)
    )
    if not claimed:
        return 0
    events.publish(
        "records.customer_protection_lapsing",
        customer_id=customer.pk,
        actor_id=None,
        owner_id=customer.owner_id,
        until=until.isoformat(),
    )
    return 1


# --- claiming ------------------------------------------------------------------------------


@transaction.atomic
def claim_customer(customer: Customer, *, acting_user: User) -> Customer:
    """Take a customer from the public pool as one's own, within the per-rep limit; it is
    protected again from today."""
    if not customer_policy.can_claim(acting_user):
        raise PermissionDenied(_("You may not claim customers from the public pool."))
    locked = Customer.objects.select_for_update().select_related("owner").filter(pk=customer.pk)
    customer = locked.first()
    if customer is None or not customer.in_pool:
        raise ValidationError(_("This customer is no longer in the public pool."))
    _check_owner(acting_user)
    limit = protection.rules().claim_limit
    if held_from_pool(acting_user) >= limit:
        raise ClaimLimitReached(
            _(
                "You already hold %(count)d customers from the public pool, the most allowed. "
                "Nothing was claimed."
            )
            % {"count": limit}
        )
    now = timezone.now()
    customer.in_pool = False
    customer.pooled_at = None
    customer.claimed_at = now
    customer.last_activity_on = timezone.localdate(now)
    customer.lapse_warned_for = None
    change_owner(
        customer,
        acting_user,
        acting_user=acting_user,
        action="customer.claimed",
        event="records.customer_claimed",
        also_saved=("in_pool", "pooled_at", "claimed_at", "last_activity_on", "lapse_warned_for"),
    )
    return customer


# --- asking the owner of a protected duplicate to share ------------------------------------


def _share_request_key(token: str) -> str:
    return f"{SHARE_REQUEST_SALT}:{token}"


def share_request_token(customer: Customer, user: User) -> str:
    """A random ticket naming the protected customer and the registrant, kept server-side
    (the cache), so the refusal can offer "ask the owner to share" without showing the
    customer's id or anything else of it — a signed token would carry the id readable."""
    token = secrets.token_urlsafe(24)
    cache.set(_share_request_key(token), {"c": customer.pk, "u": user.pk}, SHARE_REQUEST_MAX_AGE)
    return token


def ask_owner_to_share(token: str, *, acting_user: User) -> Customer:
    """Tell the owner of a protected customer that `acting_user` asks to share it (once per
    ticket)."""
    expired = ValidationError({"token": _("This request has expired; register again.")})
    data = cache.get(_share_request_key(token)) if token else None
    if not isinstance(data, dict) or data.get("u") != acting_user.pk:
        raise expired
    cache.delete(_share_request_key(token))
    customer = Customer.objects.filter(pk=data.get("c")).select_related("owner").first()
    if customer is None or not customer_policy.can_ask_to_share(acting_user, customer):
        raise ValidationError({"token": _("This customer can no longer be shared with you.")})
    audit.record(acting_user, "customer.share_asked", customer)
    events.publish(
        "records.customer_share_asked",
        customer_id=customer.pk,
        actor_id=acting_user.pk,
        owner_id=customer.owner_id,
    )
    return customer
