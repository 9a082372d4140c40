"""Commission bands: tiered commission on an amount, and the table of rules in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from portal.records.deals.models.targets import (
    CommissionRule,
)

if TYPE_CHECKING:
    pass
from .money import ZERO, money


def tiered_commission(amount: Decimal, bands: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Progressive commission: each band's rate applies to the part of `amount` inside it.

    `bands` are (threshold, rate %) sorted by threshold; below the first threshold nothing is
    paid (give the first band threshold 0 to pay from the first yuan).
    """
    total = ZERO
    for index, (threshold, rate) in enumerate(bands):
        upper = bands[index + 1][0] if index + 1 < len(bands) else None
        if amount <= threshold:
            break
        portion = (min(amount, upper) if upper is not None else amount) - threshold
        total += portion * rate / 100
    return money(total)


@dataclass
class CommissionTable:
    """Active commission rules by product category ("" = the default rule)."""

    rules: dict[str, CommissionRule] = field(default_factory=dict)
    bands: dict[str, list[tuple[Decimal, Decimal]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> CommissionTable:
        """Two queries: the active rules and their bands."""
        table = cls()
        for rule in CommissionRule.objects.filter(active=True).prefetch_related("tiers"):
            table.rules[rule.product_line] = rule
            table.bands[rule.product_line] = [(t.threshold, t.rate) for t in rule.tiers.all()]
        return table

    def rule_for(self, category: str) -> tuple[str, CommissionRule | None]:
        if category in self.rules:
            return category, self.rules[category]
        return "", self.rules.get("")

    def commission(self, amounts_by_category: dict[str, Decimal]) -> Decimal:
        """One rep's commission in one period, from their won amount per category.

        Categories without their own rule pool into the default rule, so a tiered default
        rule sees the rep's whole "other" total (the tiers are about volume, not deal size).
        """
        pooled: dict[str, Decimal] = {}
        for category, amount in amounts_by_category.items():
            key, rule = self.rule_for(category or "")
            if rule is not None:
                pooled[key] = pooled.get(key, ZERO) + Decimal(amount or 0)
        total = ZERO
        for key, amount in pooled.items():
            rule = self.rules[key]
            if rule.basis == CommissionRule.Basis.TIERED:
                total += tiered_commission(amount, self.bands[key])
            else:
                total += money(amount * rule.rate / 100)
        return money(total)
