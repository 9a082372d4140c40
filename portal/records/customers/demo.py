"""Demo customers and contacts: a few hundred bilingual records over owners, regions and trades."""

from __future__ import annotations

import random

from portal.accounts.models import User
from portal.core import demo_data
from portal.records.customers import actions
from portal.records.customers.models import Customer

# Cities, trades, brand words, people's names, departments and titles the generator draws from.
DATA = demo_data.load(__file__, "customers")
PEOPLE = demo_data.load(__file__, "contacts")
# Each category as often as its weight says ("current" five times, …): rng.choice picks from it.
CATEGORIES = [key for key, weight in DATA["categories"].items() for _ in range(weight)]
COUNT = 300


def generate(
    count: int,
    owners: list[User],
    *,
    seed: int = 20261123,
    contacts_per_customer: tuple[int, int] = (1, 3),
) -> list[dict]:
    """Customer specs (with their contacts) spread over owners, regions, trades, categories."""
    rng = random.Random(seed)  # the same demo every time
    used: set[str] = set()
    specs = []
    for index in range(count):
        place = rng.choice(DATA["cities"])
        city, city_en, province, region = (
            place["city"],
            place["city_en"],
            place["province"],
            place["region"],
        )
        trade = rng.choice(DATA["trades"])
        industry, words_zh, words_en = trade["industry"], trade["words_zh"], trade["words_en"]
        chinese = index % 3 != 2
        if chinese:
            name = f"{city}{rng.choice(DATA['brands_zh'])}{rng.choice(words_zh)}有限公司"
        else:
            brand, words, suffix = DATA["brands_en"], words_en, DATA["suffixes_en"]
            name = f"{rng.choice(brand)} {rng.choice(words)} {rng.choice(suffix)}"
        if name in used:
            name = f"{name} ({index})" if count > 1000 else None
        if name is None:
            continue
        used.add(name)
        owner = (
            owners[index % len(owners)] if len(owners) > 3 else _demo_owner(owners, region, index)
        )
        domain = f"c{index:05d}.example.{'cn' if chinese else 'com'}"
        contacts = []
        for n in range(rng.randint(*contacts_per_customer)):
            language = "zh" if chinese else "en"
            department = rng.choice(PEOPLE["departments"])[language]
            title = rng.choice(PEOPLE["titles"])[language]
            person = (
                rng.choice(PEOPLE["surnames"]) + rng.choice(PEOPLE["given_names"])
                if chinese
                else f"{rng.choice(PEOPLE['first_names_en'])} {rng.choice(PEOPLE['last_names_en'])}"
            )
            contacts.append(
                {
                    "name": person,
                    "department": department,
                    "title": title,
                    "mobile": f"13{rng.randint(100000000, 999999999)}",
                    "email": f"p{n}@{domain}",
                    "preferred_channel": rng.choice(PEOPLE["channels"]),
                    "do_not_email": rng.random() < 0.1,
                }
            )
        specs.append(
            {
                "name": name,
                "short_name": name[len(city) : len(city) + 4] if chinese else name.split(" ")[0],
                "category": rng.choice(CATEGORIES),
                "industry": industry,
                "region": region if chinese else rng.choice([region, "overseas"]),
                "province": province,
                "city": city if chinese else city_en,
                # Municipalities (上海, 北京…) are their own province: name them once.
                "address": f"{'' if province == city else province}{city}{place['street']}"
                f"{rng.randint(1, 999)}号"
                if chinese
                else f"{rng.randint(1, 999)} {city_en} Road",
                "postcode": place["postcode"],
                "phone": f"0{rng.randint(10, 999)}-{rng.randint(5000000, 8999999)}",
                "email": f"info@{domain}",
                "website": f"https://www.{domain}",
                "size": rng.choice(DATA["sizes"]),
                "source": rng.choice(DATA["sources"]),
                "level": rng.choice(DATA["levels"]),
                "tags": "demo",
                "notes": DATA["notes"],
                "owner": owner,
                "contacts": contacts,
                "share_with": owners[1]
                if (len(owners) == 3 and owner == owners[0] and index % 7 == 0)
                else None,
            }
        )
    return specs


def _demo_owner(owners: list[User], region: str, index: int) -> User:
    # East/South/Central customers mostly belong to sales1 (East team), the rest to sales2,
    # and every tenth to the manager.
    if index % 10 == 0:
        return owners[2]
    return owners[0] if region in ("east", "south", "central") else owners[1]


def bulk_insert(specs: list[dict], *, actor: User | None = None) -> tuple[int, int]:
    """Insert customers, contacts, shares, visibility keys and one audit row each, in bulk.

    Only for seeding (demo, benchmark): it skips the per-object events because the search
    demo rebuilds its index afterwards (decision 0101). Codes still come from the numbering
    rule, so later customers continue the same sequence.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from portal.core import visibility
    from portal.core.models import AuditEntry, ObjectAccess
    from portal.core.numbering import get_rule, period_for, render
    from portal.records.customers.models import Contact, CustomerShare

    categories = {key: actions.default_category(key) for key in {*CATEGORIES}}
    with transaction.atomic():
        customer_codes = _reserve("customer", len(specs), get_rule, period_for, render)
        contact_total = sum(len(spec["contacts"]) for spec in specs)
        contact_codes = _reserve("contact", contact_total, get_rule, period_for, render)
        customers = []
        for spec, code in zip(specs, customer_codes, strict=True):
            fields = {
                k: v
                for k, v in spec.items()
                if k not in ("contacts", "share_with", "category", "owner")
            }
            owner = spec["owner"]
            customers.append(
                Customer(
                    code=code,
                    category=categories[spec["category"]],
                    owner=owner,
                    department_id=owner.department_id,
                    created_by=actor,
                    updated_by=actor,
                    **fields,
                )
            )
        Customer.objects.bulk_create(customers, batch_size=2000)
        customer_type = ContentType.objects.get_for_model(Customer)
        access, shares, contacts, audit_rows = [], [], [], []
        codes = iter(contact_codes)
        for customer, spec in zip(customers, specs, strict=True):
            keys = visibility.owner_keys(spec["owner"])
            if spec["share_with"] is not None:
                keys.add(visibility.user_key(spec["share_with"].pk))
                shares.append(
                    CustomerShare(
                        customer=customer, user=spec["share_with"], created_by=spec["owner"]
                    )
                )
            access += [
                ObjectAccess(content_type=customer_type, object_id=customer.pk, key=key)
                for key in keys
            ]
            contacts += [
                Contact(
                    customer=customer,
                    code=next(codes),
                    phone=customer.phone,
                    created_by=actor,
                    **contact,
                )
                for contact in spec["contacts"]
            ]
            audit_rows.append(
                AuditEntry(
                    actor=actor,
                    action="customer.created",
                    content_type=customer_type,
                    object_id=str(customer.pk),
                    object_repr=customer.name[:255],
                    message="demo data",
                )
            )
        ObjectAccess.objects.bulk_create(access, batch_size=5000)
        CustomerShare.objects.bulk_create(shares, batch_size=2000)
        Contact.objects.bulk_create(contacts, batch_size=2000)
        AuditEntry.objects.bulk_create(audit_rows, batch_size=2000)
    return len(customers), len(contacts)


def _reserve(key: str, count: int, get_rule, period_for, render) -> list[str]:
    """Take `count` consecutive numbers of a rule with one UPDATE (same locking as issuing)."""
    from django.db.models import F
    from django.utils import timezone

    from portal.core.models import NumberSequence

    when = timezone.localtime()
    rule = get_rule(key)
    sequence, _ = NumberSequence.objects.get_or_create(rule=rule, period=period_for(rule, when))
    NumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + count)
    sequence.refresh_from_db(fields=["last_value"])
    first = sequence.last_value - count + 1
    return [render(rule.pattern, when, seq) for seq in range(first, sequence.last_value + 1)]


def seed() -> str:
    owners = [
        User.objects.filter(username=name).first() for name in ("sales1", "sales2", "manager")
    ]
    if None in owners or Customer.all_objects.filter(tags__contains="demo").exists():
        return ""
    customers, contacts = bulk_insert(
        generate(COUNT, owners), actor=User.objects.filter(username="admin").first()
    )
    return f"{customers} customers, {contacts} contacts"
