"""Issue codes from numbering rules, without gaps or duplicates under concurrency.

The sequence row is incremented with an UPDATE inside the caller's transaction: the row lock
(PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) serialises concurrent issuers, and a
rolled-back transaction gives its number back, so numbers stay gap-free.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import NumberingRule, NumberSequence

PLACEHOLDER = re.compile(r"\{(yyyy|yy|mm|dd|seq)(?::0?(\d{1,2}))?\}")

DEFAULT_RULES = {
    "customer": ("Customer code", "C{yyyy}{seq:05}", NumberingRule.Reset.YEARLY),
    "contact": ("Contact code", "P{yyyy}{seq:06}", NumberingRule.Reset.YEARLY),
    "deal": ("Deal number", "D{yyyy}{mm}{seq:04}", NumberingRule.Reset.MONTHLY),
    "service_case": ("Service case number", "S{yyyy}{seq:05}", NumberingRule.Reset.YEARLY),
}


class NumberingError(Exception):
    pass


def validate_pattern(pattern: str) -> None:
    if not any(m.group(1) == "seq" for m in PLACEHOLDER.finditer(pattern)):
        raise ValueError("The pattern must contain {seq}, e.g. C{yyyy}{seq:05}.")
    leftover = PLACEHOLDER.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        raise ValueError("Unknown placeholder; use {yyyy}, {yy}, {mm}, {dd}, {seq} or {seq:05}.")


def period_for(rule: NumberingRule, when: datetime) -> str:
    if rule.reset == NumberingRule.Reset.YEARLY:
        return when.strftime("%Y")
    if rule.reset == NumberingRule.Reset.MONTHLY:
        return when.strftime("%Y%m")
    if rule.reset == NumberingRule.Reset.DAILY:
        return when.strftime("%Y%m%d")
    return "all"


def render(pattern: str, when: datetime, seq: int) -> str:
    def substitute(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return str(seq).zfill(int(width)) if width else str(seq)
        return when.strftime({"yyyy": "%Y", "yy": "%y", "mm": "%m", "dd": "%d"}[name])

    return PLACEHOLDER.sub(substitute, pattern)


def get_rule(key: str) -> NumberingRule:
    try:
        return NumberingRule.objects.get(key=key)
    except NumberingRule.DoesNotExist:
        if key not in DEFAULT_RULES:
            raise NumberingError(f"No numbering rule named {key!r}") from None
        name, pattern, reset = DEFAULT_RULES[key]
        rule, _ = NumberingRule.objects.get_or_create(
            key=key, defaults={"name": name, "pattern": pattern, "reset": reset}
        )
        return rule


def issue_number(key: str, *, when: datetime | None = None) -> str:
    """Issue the next code of the rule `key`; call inside the transaction that uses it."""
    when = timezone.localtime(when or timezone.now())
    with transaction.atomic():
        rule = get_rule(key)
        period = period_for(rule, when)
        sequence, _ = NumberSequence.objects.get_or_create(rule=rule, period=period)
        NumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
        sequence.refresh_from_db(fields=["last_value"])
        return render(rule.pattern, when, sequence.last_value)
