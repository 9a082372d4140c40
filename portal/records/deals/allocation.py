"""How a deal's payments cover its payment plan (pure: no queries).

A payment recorded against a plan row pays that row first; any amount beyond the row, and every
payment recorded without a row, pays the earliest rows not yet covered (oldest debt first).
So a deal paid in full shows every row paid, whichever way the payments were entered."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

ZERO = Decimal("0")


class PlanRow(Protocol):
    pk: int
    amount: Decimal


class Received(Protocol):
    installment_id: int | None
    amount: Decimal


def allocate(rows: Iterable[PlanRow], payments: Iterable[Received]) -> dict[int, Decimal]:
    """Paid amount per plan row (rows in due order); never more than a row's amount."""
    rows = list(rows)
    paid = {row.pk: ZERO for row in rows}
    amounts = {row.pk: row.amount for row in rows}
    spare = ZERO
    for payment in payments:
        row_id = payment.installment_id
        if row_id in paid:
            room = amounts[row_id] - paid[row_id]
            used = min(room, payment.amount)
            paid[row_id] += used
            spare += payment.amount - used
        else:
            spare += payment.amount
    for row in rows:
        if spare <= 0:
            break
        used = min(row.amount - paid[row.pk], spare)
        if used > 0:
            paid[row.pk] += used
            spare -= used
    return paid


def covered(rows: Iterable[PlanRow], payments: Iterable[Received]) -> set[int]:
    """The plan rows paid in full."""
    rows = list(rows)
    paid = allocate(rows, payments)
    return {row.pk for row in rows if paid[row.pk] >= row.amount}
