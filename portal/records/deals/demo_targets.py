"""Demo sales targets and commission rules, so the statistics page has something to measure."""

from __future__ import annotations

from decimal import Decimal

from portal.accounts.models import Department, User
from portal.core import demo_data
from portal.records.deals.models import CommissionRule, CommissionTier, SalesTarget
from portal.records.deals.statistics import Period

D = Decimal
# Quarterly targets per rep and per team, flat and tiered commission rules.
DATA = demo_data.load(__file__, "targets")


def seed() -> str:
    """Idempotent: quarterly targets for the demo reps and teams (this and last quarter), a
    flat rate for terminals and software, and a tiered default rule."""
    created = 0
    this_quarter = Period.parse("")
    quarters = [this_quarter.previous(), this_quarter]
    owners = [
        (User.objects.filter(username=target["rep"]).first(), "rep", target["amount"])
        for target in DATA["rep_targets"]
    ] + [
        (
            Department.objects.filter(name__startswith=target["department_prefix"]).first(),
            "department",
            target["amount"],
        )
        for target in DATA["team_targets"]
    ]
    for owner, field, amount in owners:
        if owner is None:
            continue
        for quarter in quarters:
            _, was_created = SalesTarget.objects.get_or_create(
                **{field: owner},
                period_kind="quarter",
                period_start=quarter.start,
                defaults={"amount": D(amount)},
            )
            created += was_created
    rules = 0
    for rule in DATA["flat_rules"]:
        _, was_created = CommissionRule.objects.get_or_create(
            product_line=rule["product_line"],
            active=True,
            defaults={"name": rule["name"], "rate": D(rule["rate"])},
        )
        rules += was_created
    default, was_created = CommissionRule.objects.get_or_create(
        product_line="",
        active=True,
        defaults={"name": DATA["tiered_rule"]["name"], "basis": CommissionRule.Basis.TIERED},
    )
    if was_created:
        rules += 1
        for tier in DATA["tiered_rule"]["tiers"]:
            CommissionTier.objects.create(
                rule=default, threshold=D(tier["threshold"]), rate=D(tier["rate"])
            )
    if not (created or rules):
        return ""
    return f"{created} sales targets, {rules} commission rules"
