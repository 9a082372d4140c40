"""Code numbering: patterns, periods, and no gaps or duplicates under concurrency."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from portal.core.models import NumberingRule, NumberSequence
from portal.core.numbering import issue_number, render, validate_pattern
from portal.core.testing import run_at_once

TZ = datetime.UTC


def at(year: int, month: int = 3, day: int = 14) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=TZ)


def test_render_fills_every_placeholder():
    assert render("C{yyyy}{mm}{dd}-{seq:05}", at(2026, 7, 9), 42) == "C20260709-00042"
    assert render("D{yy}{seq}", at(2026), 7) == "D267"


@pytest.mark.parametrize("pattern", ["C{yyyy}", "C{yyyy}{seq}{nope}", "{seq"])
def test_patterns_without_seq_or_with_unknown_placeholders_are_refused(pattern):
    with pytest.raises(ValueError):
        validate_pattern(pattern)


def test_rule_validation_names_the_pattern_field(db):
    rule = NumberingRule(key="bad", name="Bad", pattern="C{yyyy}")
    with pytest.raises(ValidationError) as excinfo:
        rule.full_clean()
    assert "pattern" in excinfo.value.message_dict


def test_numbers_follow_each_other_and_reset_each_year(db):
    NumberingRule.objects.create(
        key="customer", name="Customer", pattern="C{yyyy}{seq:05}", reset=NumberingRule.Reset.YEARLY
    )
    assert issue_number("customer", when=at(2026)) == "C202600001"
    assert issue_number("customer", when=at(2026)) == "C202600002"
    assert issue_number("customer", when=at(2027)) == "C202700001"
    assert issue_number("customer", when=at(2026)) == "C202600003"


def test_default_rules_are_created_on_first_use(db):
    assert issue_number("deal", when=at(2026, 11)) == "D2026110001"
    assert NumberingRule.objects.filter(key="deal").exists()


def test_a_rolled_back_transaction_gives_its_number_back(db):
    issue_number("customer", when=at(2026))
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_number("customer", when=at(2026))
        raise RuntimeError("the customer could not be saved")
    assert issue_number("customer", when=at(2026)) == "C202600002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_get_no_duplicates_and_no_gaps():
    """Several threads, each with its own database connection, issue numbers at once; some
    transactions roll back. The committed numbers must be exactly 1..N."""
    threads_count, per_thread = 6, 15

    def issuer(index: int) -> list[str]:
        committed = []
        for attempt in range(per_thread):
            try:
                with transaction.atomic():
                    number = issue_number("service_case", when=at(2026))
                    if (index + attempt) % 5 == 0:
                        raise LookupError("roll this one back")
                committed.append(number)
            except LookupError:
                pass
        return committed

    committed = [number for numbers in run_at_once(issuer, threads_count) for number in numbers]
    sequence_numbers = sorted(int(number[-5:]) for number in committed)
    assert len(sequence_numbers) == len(set(sequence_numbers)), "duplicate numbers issued"
    assert sequence_numbers == list(range(1, len(committed) + 1)), "gap in issued numbers"
    assert len(committed) > threads_count * per_thread * 0.6
    assert NumberSequence.objects.get(rule__key="service_case").last_value == len(committed)
    print(f"{connection.vendor}: {len(committed)} numbers from {threads_count} threads")  # noqa: T201
