"""Deal writes: deals and their state, activities, reminders, competitors, documents, handover,
urging, and the won deal's order lines, contract, deliveries, payment plan and payments.

Every function checks, writes in a transaction, records an audit row on the deal (so the deal's
history is one list) and publishes `records.deal_*` events on commit (primitives only).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm, require_module_perm
from portal.core import audit, events, uploads, visibility
from portal.core.numbering import issue_number
from portal.records.deals.permissions import (
    can_answer_urge,
    can_edit_deal,
    can_hand_over,
    can_urge,
    deal_keys,
)
from portal.records.models import (
    Activity,
    Contact,
    Contract,
    Customer,
    Deal,
    DealCompetitor,
    DealDocument,
    DealReminder,
    DealStage,
    DealUrge,
    Delivery,
    DocumentVersion,
    OrderLine,
    Payment,
    PaymentInstallment,
)

DEAL_FIELDS = (
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "source",
    "opened_on",
    "stage",
    "notes",
)
ACTIVITY_FIELDS = ("kind", "due_at", "subject", "participants", "outcome", "next_step")
COMPETITOR_FIELDS = (
    "competitor",
    "name",
    "product",
    "price",
    "strategy",
    "strengths",
    "weaknesses",
)
DEFAULT_STAGES = [
    # English, Chinese, probability
    ("Lead", "线索", 10),
    ("Qualified", "已确认需求", 25),
    ("Proposal", "方案报价", 50),
    ("Negotiation", "商务谈判", 75),
]
# Days between contacts per customer level when administrators configured nothing.
DEFAULT_CONTACT_DAYS = {"A": 7, "B": 14, "C": 30, "D": 90}

# What may be attached to a deal (checked by portal.core.uploads).
DOCUMENT_EXTENSIONS = (
    "pdf", "png", "jpg", "jpeg", "doc", "xls", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv",
)  # fmt: skip


def max_document_bytes() -> int:
    return int(getattr(settings, "DEAL_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


# --- helpers ------------------------------------------------------------------------------


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _publish(name: str, deal: Deal, acting_user: User | None, **extra: Any) -> None:
    events.publish(
        f"records.deal_{name}",
        deal_id=deal.pk,
        actor_id=getattr(acting_user, "pk", None),
        **extra,
    )


def _require_edit(user: User, deal: Deal) -> None:
    if not can_edit_deal(user, deal):
        raise PermissionDenied(
            _("You may not change the deal %(number)s.") % {"number": deal.number}
        )


def _require_state(deal: Deal, states: Iterable[str], message: str) -> None:
    if deal.state not in set(states):
        raise ValidationError(message)


def _check_deal_owner(user: User, field: str = "owner") -> None:
    if not user.is_active or not has_module_perm(user, "deals", "view"):
        raise ValidationError(
            {field: _("%(name)s cannot own deals (no access to deal tracking).") % {"name": user}}
        )


def _set_fields(obj: Any, names: Iterable[str], values: dict[str, Any]) -> None:
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


def _check_contacts(customer: Customer, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(contacts)
    strangers = [c for c in contacts if c.customer_id != customer.pk or c.deleted_at]
    if strangers:
        raise ValidationError(
            {
                "contacts": _("%(names)s is not a contact of %(customer)s.")
                % {"names": ", ".join(c.name for c in strangers), "customer": customer.name}
            }
        )
    return contacts


def _check_co_owners(deal_owner: User, co_owners: Iterable[User]) -> list[User]:
    co_owners = [u for u in co_owners if u.pk != deal_owner.pk]
    for user in co_owners:
        _check_deal_owner(user, "co_owners")
    return co_owners


def apply_deal_keys(deal: Deal, *, actor_id: int | None) -> bool:
    """Set the deal's visibility keys; publish access_changed (forum, search) when they moved."""
    wanted = deal_keys(deal)
    if visibility.object_keys(deal) == wanted:
        return False
    visibility.set_object_keys(deal, wanted)
    events.publish("records.deal_access_changed", deal_id=deal.pk, actor_id=actor_id)
    return True


def ensure_default_stages() -> list[DealStage]:
    """The stages administrators start from (created once, then theirs to change)."""
    if not DealStage.objects.exists():
        for position, (name, name_zh, probability) in enumerate(DEFAULT_STAGES):
            DealStage.objects.create(
                name=name, name_zh=name_zh, probability=probability, position=position
            )
    return list(DealStage.objects.filter(is_active=True))


def _clean_deal(deal: Deal) -> None:
    if deal.amount is not None and deal.amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    deal.currency = (deal.currency or "CNY").upper()
    if len(deal.currency) != 3 or not deal.currency.isalpha():
        raise ValidationError({"currency": _("Use a three-letter currency code such as CNY.")})
    if deal.stage_id and not deal.stage.is_active:
        raise ValidationError({"stage": _("This stage is no longer in use.")})
    deal.full_clean(
        exclude=["number", "customer", "owner", "department", "stage", "created_by", "updated_by"]
    )


# --- deals --------------------------------------------------------------------------------


@transaction.atomic
def create_deal(
    *,
    acting_user: User,
    customer: Customer,
    owner: User | None = None,
    contacts: Iterable[Contact] = (),
    co_owners: Iterable[User] = (),
    products: Iterable[Any] = (),
    **fields: Any,
) -> Deal:
    """Open a deal for a customer the user can see (deals → register); owner defaults to them."""
    require_module_perm(acting_user, "deals", "register")
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown deal fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if customer is None or customer.deleted_at or not visibility.can_see(acting_user, customer):
        raise ValidationError({"customer": _("Choose a customer you can see.")})
    owner = owner or acting_user
    if owner.pk != acting_user.pk and not (
        visibility.is_administrator(acting_user)
        or (
            has_module_perm(acting_user, "deals", "transfer")
            and owner.department_id
            and visibility.manager_key(owner.department_id) in visibility.user_keys(acting_user)
        )
    ):
        raise PermissionDenied(_("Only the rep's managers can open a deal in their name."))
    _check_deal_owner(owner)
    contacts = _check_contacts(customer, contacts)
    co_owners = _check_co_owners(owner, co_owners)
    deal = Deal(
        customer=customer,
        owner=owner,
        department_id=owner.department_id,
        source=customer.source,
        created_by=acting_user,
        updated_by=acting_user,
    )
    _set_fields(deal, DEAL_FIELDS, fields)
    if deal.stage_id is None:
        stages = ensure_default_stages()
        deal.stage = stages[0] if stages else None
    _clean_deal(deal)
    deal.number = issue_number("deal")
    deal.save()
    deal.contacts.set(contacts)
    deal.co_owners.set(co_owners)
    deal.products.set(list(products))
    apply_deal_keys(deal, actor_id=acting_user.pk)
    audit.record(
        acting_user,
        "deal.created",
        deal,
        changes=audit.added(
            audit.snapshot(deal, ("number", "name", "customer", "owner", "amount"))
        ),
    )
    _publish("created", deal, acting_user, owner_id=owner.pk, customer_id=customer.pk)
    return deal


@transaction.atomic
def update_deal(
    deal: Deal,
    *,
    acting_user: User,
    contacts: Iterable[Contact] | None = None,
    co_owners: Iterable[User] | None = None,
    products: Iterable[Any] | None = None,
    **fields: Any,
) -> Deal:
    """Change a deal's details; stage changes only while tracking."""
    _require_edit(acting_user, deal)
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown deal fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    names = [name for name in DEAL_FIELDS if name in fields]
    before = audit.snapshot(deal, names)
    old_stage_id = deal.stage_id
    _set_fields(deal, names, fields)
    if deal.stage_id != old_stage_id and not deal.is_open:
        raise ValidationError({"stage": _("The stage can only change while the deal is tracked.")})
    _clean_deal(deal)
    changes = audit.diff(before, audit.snapshot(deal, names))
    if contacts is not None:
        contacts = _check_contacts(deal.customer, contacts)
        old = sorted(deal.contacts.values_list("name", flat=True))
        new = sorted(c.name for c in contacts)
        if old != new:
            deal.contacts.set(contacts)
            changes["contacts"] = [", ".join(old), ", ".join(new)]
    keys_may_change = False
    if co_owners is not None:
        co_owners = _check_co_owners(deal.owner, co_owners)
        old = sorted(str(u) for u in deal.co_owners.all())
        new = sorted(str(u) for u in co_owners)
        if old != new:
            deal.co_owners.set(co_owners)
            changes["co_owners"] = [", ".join(old), ", ".join(new)]
            keys_may_change = True
    if products is not None:
        products = list(products)
        old = sorted(str(p) for p in deal.products.all())
        new = sorted(str(p) for p in products)
        if old != new:
            deal.products.set(products)
            changes["products"] = [", ".join(old), ", ".join(new)]
    if not changes:
        return deal
    deal.updated_by = acting_user
    deal.save()
    if keys_may_change:
        apply_deal_keys(deal, actor_id=acting_user.pk)
    audit.record(acting_user, "deal.updated", deal, changes=changes)
    _publish("updated", deal, acting_user)
    if deal.stage_id != old_stage_id:
        _publish("stage_changed", deal, acting_user, stage_id=deal.stage_id)
    return deal


@transaction.atomic
def win_deal(
    deal: Deal, *, acting_user: User, closed_on: datetime.date | None = None, reason: str = ""
) -> Deal:
    """Tracking → won; the order, contract, deliveries and payments follow."""
    _require_edit(acting_user, deal)
    _require_state(deal, [Deal.State.TRACKING], _("Only a deal being tracked can be won."))
    return _close(deal, Deal.State.WON, acting_user, closed_on, reason, "won")


@transaction.atomic
def lose_deal(
    deal: Deal,
    *,
    acting_user: User,
    reason: str,
    abandoned: bool = False,
    closed_on: datetime.date | None = None,
) -> Deal:
    """Tracking → lost (a competitor or the customer said no) or abandoned (we gave up)."""
    _require_edit(acting_user, deal)
    _require_state(deal, [Deal.State.TRACKING], _("Only a deal being tracked can be closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the deal was lost or abandoned.")})
    state = Deal.State.ABANDONED if abandoned else Deal.State.LOST
    return _close(deal, state, acting_user, closed_on, reason, str(state))


def _close(deal, state, acting_user, closed_on, reason, event) -> Deal:
    before = audit.snapshot(deal, ("state", "closed_on", "close_reason"))
    deal.state = state
    deal.closed_on = closed_on or timezone.localdate()
    if deal.closed_on < deal.opened_on:
        raise ValidationError({"closed_on": _("A deal cannot close before it was opened.")})
    deal.close_reason = (reason or "").strip()
    deal.updated_by = acting_user
    deal.save(update_fields=["state", "closed_on", "close_reason", "updated_by", "updated_at"])
    changes = audit.diff(before, audit.snapshot(deal, ("state", "closed_on", "close_reason")))
    audit.record(acting_user, f"deal.{event}", deal, changes=changes)
    _publish(event, deal, acting_user, state=str(state))
    return deal


@transaction.atomic
def reopen_deal(deal: Deal, *, acting_user: User) -> Deal:
    """A lost or abandoned deal comes back to life (tracking again)."""
    _require_edit(acting_user, deal)
    _require_state(deal, Deal.CLOSED_STATES, _("Only a lost or abandoned deal can be reopened."))
    before = audit.snapshot(deal, ("state", "closed_on"))
    deal.state = Deal.State.TRACKING
    deal.closed_on = None
    deal.updated_by = acting_user
    deal.save(update_fields=["state", "closed_on", "updated_by", "updated_at"])
    audit.record(
        acting_user, "deal.reopened", deal, changes=audit.diff(before, {"state": deal.state})
    )
    _publish("reopened", deal, acting_user)
    return deal


def fulfilment(deal: Deal) -> dict[str, Any]:
    """How far a won deal is delivered and paid (amounts as Decimal)."""
    planned = deal.installments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    received = deal.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if not planned:
        contract = Contract.objects.filter(deal=deal).first()
        if contract is not None:
            planned = contract.amount
        else:
            planned = sum((line.total for line in deal.order_lines.all()), Decimal("0"))
    deliveries = list(deal.deliveries.values_list("delivered_on", flat=True))
    delivered = bool(deliveries) and all(deliveries)
    paid = planned > 0 and received >= planned
    return {
        "planned": planned,
        "received": received,
        "outstanding": max(planned - received, Decimal("0")),
        "delivered": delivered,
        "deliveries": len(deliveries),
        "paid": paid,
    }


def check_completion(deal: Deal, *, acting_user: User | None) -> bool:
    """Won → completed when everything is delivered and paid (called after each such write)."""
    if deal.state != Deal.State.WON:
        return False
    status = fulfilment(deal)
    if not (status["delivered"] and status["paid"]):
        return False
    deal.state = Deal.State.COMPLETED
    deal.completed_on = timezone.localdate()
    deal.save(update_fields=["state", "completed_on", "updated_at"])
    audit.record(
        acting_user, "deal.completed", deal, changes={"state": [Deal.State.WON, deal.state]}
    )
    _publish("completed", deal, acting_user)
    return True


@transaction.atomic
def complete_deal(deal: Deal, *, acting_user: User) -> Deal:
    """The explicit "mark completed" action: refuses unless delivered and paid."""
    _require_edit(acting_user, deal)
    _require_state(deal, [Deal.State.WON], _("Only a won deal can be completed."))
    status = fulfilment(deal)
    if not status["delivered"]:
        raise ValidationError(_("Not everything has been delivered yet."))
    if not status["paid"]:
        raise ValidationError(_("The deal has not been paid in full yet."))
    check_completion(deal, acting_user=acting_user)
    return deal


# --- activities ---------------------------------------------------------------------------


def _clean_activity(activity: Activity) -> None:
    if not activity.subject:
        raise ValidationError({"subject": _("An activity needs a subject.")})
    if activity.due_at is None:
        raise ValidationError({"due_at": _("Give the date and time.")})
    if timezone.is_naive(activity.due_at):
        activity.due_at = timezone.make_aware(activity.due_at)
    activity.full_clean(exclude=["deal", "customer", "owner", "created_by", "follows"])


@transaction.atomic
def create_activity(
    deal: Deal,
    *,
    acting_user: User,
    status: str = Activity.Status.PLANNED,
    contacts: Iterable[Contact] = (),
    owner: User | None = None,
    follows: Activity | None = None,
    **fields: Any,
) -> Activity:
    """Log a done activity or plan one (call, email, visit, meeting, other)."""
    _require_edit(acting_user, deal)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown activity fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if status not in (Activity.Status.PLANNED, Activity.Status.DONE):
        raise ValidationError({"status": _("An activity is planned or done.")})
    owner = owner or acting_user
    _check_deal_owner(owner)
    activity = Activity(
        deal=deal,
        customer_id=deal.customer_id,
        status=status,
        owner=owner,
        follows=follows,
        created_by=acting_user,
    )
    _set_fields(activity, ACTIVITY_FIELDS, fields)
    if status == Activity.Status.DONE:
        activity.done_at = timezone.now()
        if activity.due_at is None:
            activity.due_at = activity.done_at
    _clean_activity(activity)
    if status == Activity.Status.DONE and activity.due_at > timezone.now():
        raise ValidationError({"due_at": _("A done activity cannot lie in the future.")})
    activity.save()
    activity.contacts.set(_check_contacts(deal.customer, contacts))
    audit.record(
        acting_user,
        "deal.activity_logged" if status == Activity.Status.DONE else "deal.activity_planned",
        deal,
        changes=audit.added(
            {
                "activity": f"{activity.get_kind_display()}: {activity.subject}",
                "time": _when(activity.due_at),
            }
        ),
    )
    _publish("activity_added", deal, acting_user, activity_id=activity.pk, status=str(status))
    return activity


@transaction.atomic
def complete_activity(
    activity: Activity,
    *,
    acting_user: User,
    outcome: str = "",
    next_step: str = "",
    next_kind: str = "",
    next_due_at: datetime.datetime | None = None,
    next_subject: str = "",
) -> Activity | None:
    """Mark a planned activity done with its outcome; optionally plan the next one.
    Returns the next activity when one was planned."""
    deal = activity.deal
    _require_edit(acting_user, deal)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(_("Only a planned activity can be completed."))
    activity.status = Activity.Status.DONE
    activity.done_at = timezone.now()
    activity.outcome = (outcome or "").strip()
    activity.next_step = (next_step or "").strip()
    activity.save(update_fields=["status", "done_at", "outcome", "next_step", "updated_at"])
    audit.record(
        acting_user,
        "deal.activity_done",
        deal,
        changes={"activity": [activity.subject, activity.outcome]},
    )
    _publish("activity_done", deal, acting_user, activity_id=activity.pk)
    if next_due_at is None:
        return None
    return create_activity(
        deal,
        acting_user=acting_user,
        kind=next_kind or activity.kind,
        due_at=next_due_at,
        subject=(next_subject or next_step or activity.subject),
        owner=activity.owner,
        follows=activity,
    )


@transaction.atomic
def cancel_activity(activity: Activity, *, acting_user: User) -> Activity:
    _require_edit(acting_user, activity.deal)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(_("Only a planned activity can be cancelled."))
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    audit.record(
        acting_user,
        "deal.activity_cancelled",
        activity.deal,
        changes=audit.removed({"activity": activity.subject}),
    )
    _publish("activity_cancelled", activity.deal, acting_user, activity_id=activity.pk)
    return activity


# --- reminders ----------------------------------------------------------------------------


def _schedule(reminder: DealReminder, people: list[User], acting_user: User | None) -> None:
    from portal.notifications.actions import create_reminder

    deal = reminder.deal
    create_reminder(
        user_ids=[person.pk for person in people],
        due_at=reminder.due_at,
        subject=reminder.subject,
        body=_("Deal %(deal)s · %(customer)s") % {"deal": deal, "customer": deal.customer.name},
        url=deal.get_absolute_url(),
        source=reminder.source,
        acting_user=acting_user,
    )


@transaction.atomic
def create_deal_reminder(
    deal: Deal,
    *,
    acting_user: User,
    due_at: datetime.datetime,
    subject: str,
    body: str = "",
    people: Iterable[User] | None = None,
    kind: str = DealReminder.Kind.REMINDER,
) -> DealReminder:
    """A reminder or appointment on a deal; the notifications worker delivers it when due."""
    _require_edit(acting_user, deal)
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("A reminder needs a subject.")})
    if due_at is None:
        raise ValidationError({"due_at": _("Give the date and time.")})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if kind not in DealReminder.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of reminder.")})
    people = list(people) if people else [acting_user]
    strangers = [person for person in people if not visibility.can_see(person, deal)]
    if strangers:
        raise ValidationError(
            {
                "people": _("%(names)s cannot see this deal.")
                % {"names": ", ".join(str(p) for p in strangers)}
            }
        )
    reminder = DealReminder.objects.create(
        deal=deal, kind=kind, due_at=due_at, subject=subject, body=body, created_by=acting_user
    )
    reminder.people.set(people)
    _schedule(reminder, people, acting_user)
    audit.record(
        acting_user,
        "deal.reminder_set",
        deal,
        changes=audit.added(
            {"reminder": subject, "time": _when(due_at), "people": [str(p) for p in people]}
        ),
    )
    _publish("reminder_set", deal, acting_user, reminder_id=reminder.pk)
    return reminder


def _cancel_undelivered(reminders: Iterable[DealReminder]) -> None:
    from portal.notifications.models import Reminder

    sources = [reminder.source for reminder in reminders]
    if sources:
        Reminder.objects.filter(source__in=sources, delivered_at__isnull=True).delete()


@transaction.atomic
def delete_deal_reminder(reminder: DealReminder, *, acting_user: User) -> None:
    deal = reminder.deal
    _require_edit(acting_user, deal)
    _cancel_undelivered([reminder])
    subject = reminder.subject
    reminder.delete()
    audit.record(
        acting_user, "deal.reminder_removed", deal, changes=audit.removed({"reminder": subject})
    )


# --- competitors --------------------------------------------------------------------------


def _clean_competitor(entry: DealCompetitor) -> None:
    if not entry.name and entry.competitor_id:
        entry.name = entry.competitor.title
    if not entry.name:
        raise ValidationError({"name": _("Name the competitor.")})
    if entry.price is not None and entry.price < 0:
        raise ValidationError({"price": _("The price cannot be negative.")})
    entry.full_clean(exclude=["deal", "competitor", "created_by"])


@transaction.atomic
def add_competitor(deal: Deal, *, acting_user: User, **fields: Any) -> DealCompetitor:
    _require_edit(acting_user, deal)
    unknown = set(fields) - set(COMPETITOR_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown competitor fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    entry = DealCompetitor(deal=deal, created_by=acting_user)
    _set_fields(entry, COMPETITOR_FIELDS, fields)
    _clean_competitor(entry)
    entry.save()
    audit.record(
        acting_user,
        "deal.competitor_added",
        deal,
        changes=audit.added({"competitor": entry.name, "price": entry.price}),
    )
    _publish("competitor_added", deal, acting_user, entry_id=entry.pk)
    return entry


@transaction.atomic
def update_competitor(entry: DealCompetitor, *, acting_user: User, **fields: Any) -> DealCompetitor:
    _require_edit(acting_user, entry.deal)
    names = [name for name in COMPETITOR_FIELDS if name in fields]
    before = audit.snapshot(entry, names)
    _set_fields(entry, names, fields)
    _clean_competitor(entry)
    changes = audit.diff(before, audit.snapshot(entry, names))
    if changes:
        entry.save()
        audit.record(acting_user, "deal.competitor_changed", entry.deal, changes=changes)
        _publish("updated", entry.deal, acting_user)
    return entry


@transaction.atomic
def remove_competitor(entry: DealCompetitor, *, acting_user: User) -> None:
    deal = entry.deal
    _require_edit(acting_user, deal)
    name = entry.name
    entry.delete()
    audit.record(
        acting_user, "deal.competitor_removed", deal, changes=audit.removed({"competitor": name})
    )
    _publish("updated", deal, acting_user)


# --- documents ----------------------------------------------------------------------------


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(safe file name, content type) of an acceptable deal document."""
    checked = uploads.check_upload(
        upload,
        allowed=DOCUMENT_EXTENSIONS,
        max_bytes=max_document_bytes(),
        field="file",
        check_declared=True,
    )
    return checked.name, checked.content_type


@transaction.atomic
def upload_document(
    deal: Deal,
    *,
    acting_user: User,
    file: UploadedFile,
    title: str = "",
    kind: str = DealDocument.Kind.OTHER,
    document: DealDocument | None = None,
    note: str = "",
) -> DocumentVersion:
    """Attach a file to a deal, or a new version of an existing document."""
    _require_edit(acting_user, deal)
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    filename, content_type = check_upload(file)
    if document is None:
        if kind not in DealDocument.Kind.values:
            raise ValidationError({"kind": _("Unknown kind of document.")})
        document = DealDocument.objects.create(
            deal=deal,
            title=(title or "").strip()[:200] or filename,
            kind=kind,
            created_by=acting_user,
        )
        number = 1
    else:
        if document.deal_id != deal.pk:
            raise ValidationError({"document": _("That document belongs to another deal.")})
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
        document.save(update_fields=["updated_at"])
    version = DocumentVersion(
        document=document,
        number=number,
        filename=filename,
        size=file.size,
        content_type=content_type,
        note=(note or "").strip()[:255],
        uploaded_by=acting_user,
    )
    version.file.save(filename, file, save=False)
    version.save()
    audit.record(
        acting_user,
        "deal.document_uploaded",
        deal,
        changes=audit.added({"document": document.title, "version": number, "file": filename}),
    )
    _publish("document_uploaded", deal, acting_user, document_id=document.pk, version=number)
    return version


# --- handover -----------------------------------------------------------------------------


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
    Activity.objects.filter(deal=deal, owner=from_user, status=Activity.Status.PLANNED).update(
        owner=to_user
    )
    apply_deal_keys(deal, actor_id=acting_user.pk)
    audit.record(
        acting_user, "deal.handed_over", deal, changes={"owner": [str(from_user), str(to_user)]}
    )
    _publish("handed_over", deal, acting_user, to_user_id=to_user.pk, from_user_id=from_user.pk)
    return True


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
        or (
            from_user.department_id
            and visibility.manager_key(from_user.department_id) in visibility.user_keys(acting_user)
        )
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


# --- urging -------------------------------------------------------------------------------


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
    _publish("urged", deal, acting_user, urge_id=urge.pk, to_user_id=deal.owner_id)
    return urge


@transaction.atomic
def answer_urge(urge: DealUrge, *, acting_user: User, answer: str) -> DealUrge:
    """The owner acknowledges an urge with an answer; the manager hears about it."""
    from portal.notifications.actions import notify

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
    _publish("urge_answered", deal, acting_user, urge_id=urge.pk, user_id=urge.urged_by_id)
    notify(
        [urge.urged_by_id],
        "deal",
        _("%(name)s answered your urge on deal %(deal)s") % {"name": acting_user, "deal": deal},
        answer,
        deal.get_absolute_url(),
        dedupe_key=f"records.urge_answered:{urge.pk}",
        actor_id=acting_user.pk,
        item=deal,
    )
    return urge


# --- won deals: order lines, contract, deliveries, payments --------------------------------


def _require_won(deal: Deal) -> None:
    _require_state(deal, Deal.WON_STATES, _("Orders, contracts and payments belong to won deals."))


def _positive(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: _("This field is required.")})
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field: _("Enter a number.")}) from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    return number


@transaction.atomic
def add_order_line(
    deal: Deal,
    *,
    acting_user: User,
    quantity: Any,
    unit_price: Any,
    product: Any = None,
    description: str = "",
) -> OrderLine:
    _require_edit(acting_user, deal)
    _require_won(deal)
    if product is None and not (description or "").strip():
        raise ValidationError({"product": _("Choose a product or describe the item.")})
    line = OrderLine(
        deal=deal,
        product=product,
        description=(description or "").strip()[:200],
        quantity=_positive(quantity, "quantity"),
        unit_price=_positive(unit_price, "unit_price", allow_zero=True),
        position=deal.order_lines.count(),
    )
    line.save()
    audit.record(
        acting_user,
        "deal.order_line_added",
        deal,
        changes=audit.added(
            {"item": str(line), "quantity": line.quantity, "price": line.unit_price}
        ),
    )
    _publish("order_changed", deal, acting_user)
    return line


@transaction.atomic
def remove_order_line(line: OrderLine, *, acting_user: User) -> None:
    deal = line.deal
    _require_edit(acting_user, deal)
    _require_won(deal)
    text = str(line)
    line.delete()
    audit.record(
        acting_user, "deal.order_line_removed", deal, changes=audit.removed({"item": text})
    )
    _publish("order_changed", deal, acting_user)


@transaction.atomic
def save_contract(
    deal: Deal,
    *,
    acting_user: User,
    number: str,
    signed_on: datetime.date,
    amount: Any,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    document: DealDocument | None = None,
) -> Contract:
    """Record (or correct) the contract of a won deal."""
    _require_edit(acting_user, deal)
    _require_won(deal)
    if not (number or "").strip():
        raise ValidationError({"number": _("Give the contract number.")})
    if signed_on is None:
        raise ValidationError({"signed_on": _("Give the date it was signed.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The contract cannot end before it starts.")})
    if document is not None and document.deal_id != deal.pk:
        raise ValidationError({"document": _("That document belongs to another deal.")})
    contract = Contract.objects.filter(deal=deal).first() or Contract(deal=deal)
    fields = ("number", "signed_on", "starts_on", "ends_on", "amount", "document")
    before = audit.snapshot(contract, fields) if contract.pk else {}
    contract.number = number.strip()
    contract.signed_on = signed_on
    contract.starts_on = starts_on
    contract.ends_on = ends_on
    contract.amount = _positive(amount, "amount")
    contract.document = document
    contract.save()
    # Named for the deal's history (its labels come from Deal's fields; "amount" there is the
    # expected amount, so the contract's is "total").
    names = {"signed_on": "signed", "starts_on": "starts", "ends_on": "ends", "amount": "total"}
    changes = {
        names.get(key, key): value
        for key, value in audit.diff(before, audit.snapshot(contract, fields)).items()
    }
    audit.record(acting_user, "deal.contract_saved", deal, changes=changes)
    _publish("contract_saved", deal, acting_user)
    return contract


@transaction.atomic
def add_delivery(
    deal: Deal,
    *,
    acting_user: User,
    description: str,
    planned_on: datetime.date | None = None,
    delivered_on: datetime.date | None = None,
) -> Delivery:
    _require_edit(acting_user, deal)
    _require_won(deal)
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe what is delivered.")})
    delivery = Delivery.objects.create(
        deal=deal,
        description=description.strip()[:200],
        planned_on=planned_on,
        delivered_on=delivered_on,
    )
    audit.record(
        acting_user,
        "deal.delivery_added",
        deal,
        changes=audit.added({"delivery": delivery.description, "delivered": delivered_on}),
    )
    _publish("delivery_changed", deal, acting_user)
    check_completion(deal, acting_user=acting_user)
    return delivery


@transaction.atomic
def mark_delivered(
    delivery: Delivery, *, acting_user: User, delivered_on: datetime.date | None = None
) -> Delivery:
    deal = delivery.deal
    _require_edit(acting_user, deal)
    _require_won(deal)
    if delivery.delivered_on:
        return delivery
    delivery.delivered_on = delivered_on or timezone.localdate()
    delivery.save(update_fields=["delivered_on"])
    audit.record(
        acting_user,
        "deal.delivered",
        deal,
        changes={"delivery": [delivery.description, str(delivery.delivered_on)]},
    )
    _publish("delivery_changed", deal, acting_user)
    check_completion(deal, acting_user=acting_user)
    return delivery


def payment_reminder_time(due_on: datetime.date) -> datetime.datetime:
    """Payments fall due at nine in the morning (local time) of their due date."""
    return timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9, 0)))


@transaction.atomic
def add_installment(
    deal: Deal, *, acting_user: User, due_on: datetime.date, amount: Any, note: str = ""
) -> PaymentInstallment:
    """A payment plan entry; a reminder to the owner and co-owners falls due with it."""
    _require_edit(acting_user, deal)
    _require_won(deal)
    if due_on is None:
        raise ValidationError({"due_on": _("Give the due date.")})
    installment = PaymentInstallment.objects.create(
        deal=deal, due_on=due_on, amount=_positive(amount, "amount"), note=(note or "")[:200]
    )
    people = [deal.owner, *deal.co_owners.all()]
    reminder = DealReminder.objects.create(
        deal=deal,
        kind=DealReminder.Kind.PAYMENT,
        due_at=payment_reminder_time(due_on),
        subject=_("Payment of %(amount)s %(currency)s due from %(customer)s")
        % {"amount": installment.amount, "currency": deal.currency, "customer": deal.customer.name},
        installment=installment,
        created_by=acting_user,
    )
    reminder.people.set(people)
    _schedule(reminder, people, acting_user)
    audit.record(
        acting_user,
        "deal.installment_added",
        deal,
        changes=audit.added({"installment": f"{installment.amount} {deal.currency} · {due_on}"}),
    )
    _publish("payment_plan_changed", deal, acting_user)
    return installment


@transaction.atomic
def record_payment(
    deal: Deal,
    *,
    acting_user: User,
    amount: Any,
    received_on: datetime.date | None = None,
    installment: PaymentInstallment | None = None,
    reference: str = "",
) -> Payment:
    """Money received; a fully paid plan entry's pending reminder is withdrawn, and the deal
    completes when it is also delivered."""
    _require_edit(acting_user, deal)
    _require_won(deal)
    if installment is not None and installment.deal_id != deal.pk:
        raise ValidationError({"installment": _("That plan entry belongs to another deal.")})
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A payment cannot be received in the future.")})
    payment = Payment.objects.create(
        deal=deal,
        installment=installment,
        amount=_positive(amount, "amount"),
        received_on=received_on,
        reference=(reference or "").strip()[:100],
        recorded_by=acting_user,
    )
    if installment is not None:
        paid = installment.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if paid >= installment.amount:
            _cancel_undelivered(installment.reminders.all())
    audit.record(
        acting_user,
        "deal.payment_received",
        deal,
        changes=audit.added({"payment": f"{payment.amount} {deal.currency} · {received_on}"}),
    )
    _publish("payment_received", deal, acting_user, payment_id=payment.pk)
    check_completion(deal, acting_user=acting_user)
    return payment


# --- following customers and people ---------------------------------------------------------


def follow_customer_transfer(
    customer: Customer, from_user: User, to_user: User, acting_user: User
) -> None:
    """TRANSFER_FOLLOWERS hook: the old owner's open deals move with their customer."""
    deals = Deal.objects.filter(
        customer=customer, owner=from_user, state__in=[Deal.State.TRACKING, Deal.State.WON]
    ).select_related("owner", "customer")
    for deal in deals:
        if to_user.pk != from_user.pk:
            _hand_over(deal, to_user, acting_user)


def rekey_deals_of_customer(customer_id: int, *, actor_id: int | None = None) -> int:
    """The customer's keys changed (share, transfer, move): its deals' keys follow."""
    count = 0
    with transaction.atomic():
        deals = Deal.objects.filter(customer_id=customer_id).select_related("owner", "customer")
        for deal in deals:
            count += apply_deal_keys(deal, actor_id=actor_id)
    return count


def rekey_deals_owned_by(user_id: int) -> int:
    """A rep moved department: their deals' manager chain moves with them."""
    owner = User.objects.get(pk=user_id)
    count = 0
    with transaction.atomic():
        for deal in Deal.objects.filter(owner=owner).select_related("owner", "customer"):
            if deal.department_id != owner.department_id:
                Deal.objects.filter(pk=deal.pk).update(department_id=owner.department_id)
            count += apply_deal_keys(deal, actor_id=None)
    return count


__all__ = [
    "ACTIVITY_FIELDS",
    "COMPETITOR_FIELDS",
    "DEAL_FIELDS",
    "add_competitor",
    "add_delivery",
    "add_installment",
    "add_order_line",
    "answer_urge",
    "apply_deal_keys",
    "cancel_activity",
    "check_completion",
    "check_upload",
    "complete_activity",
    "complete_deal",
    "create_activity",
    "create_deal",
    "create_deal_reminder",
    "delete_deal_reminder",
    "ensure_default_stages",
    "follow_customer_transfer",
    "fulfilment",
    "handover_deal",
    "handover_deals_of",
    "lose_deal",
    "mark_delivered",
    "record_payment",
    "rekey_deals_of_customer",
    "rekey_deals_owned_by",
    "remove_competitor",
    "remove_order_line",
    "reopen_deal",
    "save_contract",
    "update_competitor",
    "update_deal",
    "upload_document",
    "urge_deal",
    "win_deal",
]
