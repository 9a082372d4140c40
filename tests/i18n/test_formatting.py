"""Amounts, dates and relative times the reader's way, the same in every template (ADR 0900)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from portal.core.formatting import (
    format_amount,
    format_date,
    format_datetime,
    format_money,
    format_relative,
)

NOW = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_amounts_are_grouped_with_two_decimals_in_both_languages(language):
    with translation.override(language):
        assert format_amount(Decimal("266000")) == "266,000.00"
        assert format_amount(4898000, places=0) == "4,898,000"
        assert format_amount(Decimal("-1234.5")) == "-1,234.50"
        assert format_amount(None) == ""


def test_money_shows_the_currency_the_way_the_reader_expects():
    with translation.override("en"):
        assert format_money(Decimal("193000"), "CNY") == "CN¥193,000.00"
        assert format_money(Decimal("-5"), "USD") == "-US$5.00"
        assert format_money(Decimal("12"), "CHF") == "CHF12.00"
    with translation.override("zh-hans"):
        assert format_money(Decimal("193000"), "CNY") == "¥193,000.00"
        assert format_money(Decimal("5"), "USD") == "US$5.00"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_one_numeric_date_format_per_language_never_the_us_one(language):
    moment = datetime.datetime(2026, 11, 30, 6, 5, tzinfo=datetime.UTC)  # 14:05 in Shanghai
    with translation.override(language):
        assert format_date(datetime.date(2026, 11, 30)) == "2026-11-30"
        assert format_datetime(moment) == "2026-11-30 14:05"
        # Django's own SHORT_DATE_FORMAT (what knowledge pages used) is ours now, not m/d/Y.
        rendered = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"day": datetime.date(2026, 11, 30)})
        )
        assert rendered == "2026-11-30"


def test_long_dates_follow_the_language():
    day = datetime.date(2026, 11, 30)
    with translation.override("en"):
        assert Template("{{ day|date }}").render(Context({"day": day})) == "30 Nov 2026"
    with translation.override("zh-hans"):
        assert Template("{{ day|date }}").render(Context({"day": day})) == "2026年11月30日"


def test_relative_times_for_a_week_then_the_date():
    with translation.override("zh-hans"):
        assert format_relative(NOW - datetime.timedelta(hours=3, minutes=12), NOW) == "3\xa0小时前"
    with translation.override("en"):
        three_hours_ago = NOW - datetime.timedelta(hours=3, minutes=12)
        assert format_relative(three_hours_ago, NOW) == "3\xa0hours ago"
        assert format_relative(NOW - datetime.timedelta(seconds=20), NOW) == "just now"
        assert format_relative(NOW - datetime.timedelta(days=2), NOW) == "2\xa0days ago"
        assert format_relative(NOW - datetime.timedelta(days=30), NOW) == "2026-10-31"
        assert format_relative(datetime.date(2026, 11, 1), NOW) == "2026-11-01"


def test_the_filters_are_available_in_every_template_without_a_load():
    template = Template(
        "{{ total|amount }}|{{ total|amount:0 }}|{{ total|money:'CNY' }}|{{ day|short_date }}|"
        "{{ moment|short_datetime }}|{{ moment|relative }}"
    )
    context = Context(
        {
            "total": Decimal("193000"),
            "day": datetime.date(2026, 11, 30),
            "moment": timezone.now() - datetime.timedelta(hours=3, minutes=1),
        }
    )
    with translation.override("zh-hans"):
        parts = template.render(context).split("|")
    assert parts[:4] == ["193,000.00", "193,000", "¥193,000.00", "2026-11-30"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", parts[4])
    assert parts[5] == "3\xa0小时前"


TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_formats_dates_or_money_by_hand():
    """Only the machine-readable `date:'c'` (for <time datetime>) is allowed as a date format;
    money goes through |amount or |money, never floatformat with grouping."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for match in re.finditer(r"\|date:(['\"])(.*?)\1|\|floatformat:['\"]\d*g['\"]", text):
            if match.group(2) != "c":
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        if "|timesince" in text or "|naturaltime" in text:
            offenders.append(f"{path.relative_to(TEMPLATES)}: timesince/naturaltime")
    assert offenders == []
