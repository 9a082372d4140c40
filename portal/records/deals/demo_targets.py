"""Demo sales targets and commission rules, so the statistics page has something to measure."""

from __future__ import annotations

from decimal import Decimal

from portal.accounts.models import Department, User
from portal.records.deals.models import CommissionRule, CommissionTier, SalesTarget
from portal.records.deals.statistics import Period

D = Decimal


def seed() -> str:
    """Idempotent: quarterly targets for the demo reps and teams (this and last quarter), a
    flat rate for terminals and software, and a tiered default rule."""
    created = 0
    this_quarter = Period.parse("")
    quarters = [this_quarter.previous(), this_quarter]
    for username, amount in (("sales1", 600_000), ("sales2", 450_000)):
        rep = User.objects.filter(username=username).first()
        if rep is None:
            continue
        for quarter in quarters:
            _, was_created = SalesTarget.objects.get_or_create(
                rep=rep,
                period_kind="quarter",
                period_start=quarter.start,
                defaults={"amount": D(amount)},
            )
            created += was_created
    for prefix, amount in (("华东", 900_000), ("华北", 700_000)):
        team = Department.objects.filter(name__startswith=prefix).first()
        if team is None:
            continue
        for quarter in quarters:
            _, was_created = SalesTarget.objects.get_or_create(
                department=team,
                period_kind="quarter",
                period_start=quarter.start,
                defaults={"amount": D(amount)},
            )
            created += was_created
    rules = 0
    for name, line, rate in (("终端 Terminals", "terminals", 3), ("软件 Software", "software", 6)):
        _, was_created = CommissionRule.objects.get_or_create(
            product_line=line, active=True, defaults={"name": name, "rate": D(rate)}
        )
        rules += was_created
    default, was_created = CommissionRule.objects.get_or_create(
        product_line="",
        active=True,
        defaults={"name": "默认阶梯 Default bands", "basis": CommissionRule.Basis.TIERED},
    )
    if was_created:
        rules += 1
        for threshold, rate in ((0, 1), (200_000, 2), (500_000, 3)):
            CommissionTier.objects.create(rule=default, threshold=D(threshold), rate=D(rate))
    if not (created or rules):
        return ""
    return f"{created} sales targets, {rules} commission rules"
