"""Demo customers and contacts: a few hundred bilingual records over owners, regions and trades."""

from __future__ import annotations

import random

from portal.accounts.models import User
from portal.records.customers import actions
from portal.records.customers.models import Customer

CITIES = [
    # (city zh, city en, province zh, region, postcode, district/street)
    ("上海", "Shanghai", "上海", "east", "200120", "浦东新区张江路"),
    ("苏州", "Suzhou", "江苏", "east", "215000", "工业园区星湖街"),
    ("杭州", "Hangzhou", "浙江", "east", "310000", "滨江区江南大道"),
    ("宁波", "Ningbo", "浙江", "east", "315000", "鄞州区天童南路"),
    ("北京", "Beijing", "北京", "north", "100020", "朝阳区建国路"),
    ("天津", "Tianjin", "天津", "north", "300000", "滨海新区第三大街"),
    ("石家庄", "Shijiazhuang", "河北", "north", "050000", "长安区中山东路"),
    ("广州", "Guangzhou", "广东", "south", "510000", "天河区天河北路"),
    ("深圳", "Shenzhen", "广东", "south", "518000", "南山区科技园南路"),
    ("武汉", "Wuhan", "湖北", "central", "430000", "东湖高新区光谷大道"),
    ("成都", "Chengdu", "四川", "southwest", "610000", "高新区天府大道"),
    ("西安", "Xi'an", "陕西", "northwest", "710000", "雁塔区科技路"),
    ("沈阳", "Shenyang", "辽宁", "northeast", "110000", "浑南区创新路"),
]
BRANDS_ZH = [
    "华东",
    "恒信",
    "海川",
    "振华",
    "中联",
    "瑞丰",
    "鼎盛",
    "宏远",
    "金桥",
    "新元",
    "长江",
    "天成",
    "博远",
    "东方",
    "永泰",
    "启明",
    "嘉禾",
    "华信",
    "联创",
    "泰和",
]
TRADES = [
    # (industry, Chinese business words, English business words)
    ("machinery", ["精密机械", "重工机械", "液压设备"], ["Precision Machinery", "Hydraulics"]),
    ("electronics", ["电子科技", "微电子", "光电技术"], ["Electronics", "Semiconductor"]),
    ("automotive", ["汽车零部件", "汽配制造"], ["Auto Parts", "Motor Components"]),
    ("chemicals", ["化工", "新材料"], ["Chemicals", "Advanced Materials"]),
    ("energy", ["新能源", "电力设备"], ["Energy Systems", "Power Equipment"]),
    ("healthcare", ["医疗器械", "生物医药"], ["Medical Devices", "Life Sciences"]),
    ("retail", ["商贸", "连锁超市"], ["Trading", "Retail Group"]),
    ("logistics", ["物流", "供应链管理"], ["Logistics", "Supply Chain"]),
]
BRANDS_EN = [
    "Nordic",
    "Harbour",
    "Summit",
    "Atlas",
    "Pioneer",
    "Bluewater",
    "Evergreen",
    "Keystone",
    "Meridian",
    "Orion",
    "Redwood",
    "Silverline",
    "Northstar",
    "Crescent",
]
SUFFIX_EN = ["Ltd", "GmbH", "Inc.", "Co., Ltd.", "AB", "S.A.", "Pte. Ltd."]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "志强",
    "晓东",
    "海燕",
]
EN_FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Grace", "Henry", "Iris", "Jonas"]
EN_LAST = ["Berg", "Carter", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen"]
DEPTS = [
    ("采购部", "Purchasing"),
    ("设备部", "Engineering"),
    ("财务部", "Finance"),
    ("总经办", "Management"),
    ("技术部", "R&D"),
]
TITLES = [
    ("采购经理", "Purchasing manager"),
    ("总工程师", "Chief engineer"),
    ("财务总监", "CFO"),
    ("总经理", "General manager"),
    ("技术主管", "Technical lead"),
]
CATEGORIES = ["current"] * 5 + ["potential"] * 4 + ["partner", "agent"]
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
        city, city_en, province, region, postcode, street = rng.choice(CITIES)
        industry, words_zh, words_en = rng.choice(TRADES)
        chinese = index % 3 != 2
        if chinese:
            name = f"{city}{rng.choice(BRANDS_ZH)}{rng.choice(words_zh)}有限公司"
        else:
            name = f"{rng.choice(BRANDS_EN)} {rng.choice(words_en)} {rng.choice(SUFFIX_EN)}"
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
            dept_zh, dept_en = rng.choice(DEPTS)
            title_zh, title_en = rng.choice(TITLES)
            person = (
                rng.choice(SURNAMES) + rng.choice(GIVEN)
                if chinese
                else f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
            )
            contacts.append(
                {
                    "name": person,
                    "department": dept_zh if chinese else dept_en,
                    "title": title_zh if chinese else title_en,
                    "mobile": f"13{rng.randint(100000000, 999999999)}",
                    "email": f"p{n}@{domain}",
                    "preferred_channel": rng.choice(["phone", "email", "wechat", "mobile"]),
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
                "address": f"{'' if province == city else province}{city}{street}"
                f"{rng.randint(1, 999)}号"
                if chinese
                else f"{rng.randint(1, 999)} {city_en} Road",
                "postcode": postcode,
                "phone": f"0{rng.randint(10, 999)}-{rng.randint(5000000, 8999999)}",
                "email": f"info@{domain}",
                "website": f"https://www.{domain}",
                "size": rng.choice(["small", "medium", "large"]),
                "source": rng.choice(["referral", "exhibition", "website", "cold_call", "tender"]),
                "level": rng.choice("AABBBCCCCD"),
                "tags": "demo",
                "notes": "演示数据 · demo data",
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
