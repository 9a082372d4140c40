"""Rounding money and percentages the same way in every figure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


ZERO = Decimal("0")


CENT = Decimal("0.01")


def money(value) -> Decimal:
    return (Decimal(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """part / whole in percent with one decimal, or None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def win_rate(won: int, lost: int) -> Decimal | None:
    """Deals won of those closed won or lost, in percent (an abandoned deal is neither)."""
    return percent(won, won + lost)
