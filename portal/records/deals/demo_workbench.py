"""Demo of the sales workbench (#18): customers lapsed into the public pool, sales1's calls and
appointments with a contact this week and next (so the calendar and My tasks have something),
a contract ending within a month, and the fax gateway with one sent fax batch. Made through
the real actions; each part is skipped when it is already there, so seeding twice adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from portal.accounts.models import User
from portal.core import demo_data
from portal.records.customers.models import Customer
from portal.records.deals import actions
from portal.records.deals.models import Activity, Deal

DATA = demo_data.load(__file__, "workbench")
# A one-page PDF (the fax attachment); faxes carry PDFs only.
PRICE_LIST = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
CUSTOMER_KEYS = ("name", "short_name", "city", "province", "region", "industry", "level")


def _person(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _customer(spec: dict, owner: User) -> Customer:
    from portal.records.customers import actions as customer_actions

    existing = Customer.all_objects.filter(name=spec["name"]).first()
    if existing is not None:
        return existing
    fields = {key: spec[key] for key in (*CUSTOMER_KEYS, "phone", "fax") if key in spec}
    return customer_actions.create_customer(acting_user=owner, allow_duplicate=True, **fields)


def seed_pool(today: datetime.date) -> int:
    """Register the customers, date their last contact back (what months without a call would
    have left), and let the protection job move the lapsed ones into the pool."""
    from portal.records.customers.actions import run_protection

    made = []
    for spec in DATA["pool"]:
        owner = _person(spec["owner"])
        if owner is None or Customer.all_objects.filter(name=spec["name"]).exists():
            continue
        customer = _customer(spec, owner)
        idle_since = today - datetime.timedelta(days=spec["days_idle"])
        # Demo history only: the customer was registered and last contacted months ago.
        Customer.objects.filter(pk=customer.pk).update(
            last_activity_on=idle_since,
            created_at=timezone.make_aware(datetime.datetime.combine(idle_since, datetime.time(9))),
        )
        made.append(customer.pk)
    if made:
        run_protection(today=today)
    return Customer.objects.filter(pk__in=made, in_pool=True).count()


def seed_calendar(today: datetime.date) -> int:
    """sales1's customer without a deal: a call logged today, a call still to make today, a
    demo meeting with the contact in two days and a site visit next week."""
    from portal.records.customers import actions as customer_actions

    spec = DATA["calendar"]
    owner = _person(spec["owner"])
    if owner is None:
        return 0
    customer = _customer(spec["customer"], owner)
    if Activity.objects.filter(customer=customer, deal__isnull=True).exists():
        return 0
    contact = customer.contacts.filter(name=spec["contact"]["name"]).first()
    if contact is None:
        contact = customer_actions.create_contact(customer, acting_user=owner, **spec["contact"])
    now = timezone.localtime()
    done = spec["done_call"]
    actions.create_activity(
        acting_user=owner,
        customer=customer,
        status=Activity.Status.DONE,
        kind=done["kind"],
        subject=done["subject"],
        outcome=done["outcome"],
        due_at=min(_at(today, 9), now - datetime.timedelta(minutes=30)),
        contacts=[contact],
    )
    call = spec["call_today"]
    actions.create_activity(
        acting_user=owner,
        customer=customer,
        kind=call["kind"],
        subject=call["subject"],
        due_at=_at(today, 17),
        contacts=[contact],
    )
    for key in ("meeting", "visit"):
        item = spec[key]
        starts = _at(today + datetime.timedelta(days=item["days_ahead"]), item["hour"])
        actions.create_activity(
            acting_user=owner,
            customer=customer,
            kind=item["kind"],
            subject=item["subject"],
            place=item["place"],
            due_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            contacts=[contact],
            remind_minutes=60,
        )
    return 4


def seed_contract(today: datetime.date) -> int:
    """A won deal of last year whose contract ends within a month: in My tasks, on the
    calendar, in the contracts list, and its expiry reminder scheduled (due at once)."""
    spec = DATA["contract"]
    owner = _person(spec["owner"])
    if owner is None or Deal.objects.filter(name=spec["deal"]).exists():
        return 0
    customer = _customer(DATA["calendar"]["customer"], owner)
    ends_on = today + datetime.timedelta(days=spec["ends_in_days"])
    closed_on = ends_on - datetime.timedelta(days=366)
    deal = actions.create_deal(
        acting_user=owner,
        customer=customer,
        name=spec["deal"],
        amount=Decimal(spec["amount"]),
        opened_on=closed_on - datetime.timedelta(days=30),
        expected_close_date=closed_on,
        contacts=list(customer.contacts.all()[:1]),
    )
    actions.win_deal(deal, acting_user=owner, closed_on=closed_on)
    actions.save_contract(
        deal,
        acting_user=owner,
        number=spec["number"],
        signed_on=closed_on,
        amount=Decimal(spec["amount"]),
        starts_on=closed_on + datetime.timedelta(days=1),
        ends_on=ends_on,
    )
    return 1


def seed_fax() -> int:
    """The administrator sets the fax gateway; sales1 faxes the price list to a customer."""
    from portal.records.customers import actions as customer_actions
    from portal.records.customers.actions.mail import Attachment
    from portal.records.customers.models import MailBatch
    from portal.records.customers.policy import customers_visible_to

    spec = DATA["fax"]
    admin, sender = _person("admin"), _person(spec["sender"])
    if admin is None or sender is None:
        return 0
    if not customer_actions.fax_gateway_domain():
        customer_actions.set_fax_gateway(spec["gateway"], acting_user=admin)
    if MailBatch.objects.filter(channel="fax", subject=spec["subject"]).exists():
        return 0
    batch = customer_actions.compose_fax(
        acting_user=sender,
        customers=customers_visible_to(sender).filter(name__in=spec["customers"]),
        subject=spec["subject"],
        body=spec["body"],
        attachment=Attachment(spec["file"], PRICE_LIST, "application/pdf"),
    )
    customer_actions.send_mail_batch(batch, acting_user=sender)
    return 1


def seed() -> str:
    today = timezone.localdate()
    pooled = seed_pool(today)
    activities = seed_calendar(today)
    contracts = seed_contract(today)
    faxes = seed_fax()
    if not (pooled or activities or contracts or faxes):
        return ""
    return (
        f"workbench: {pooled} customers in the pool, {activities} activities, "
        f"{contracts} contract ending soon, {faxes} fax batch"
    )
