"""Numbers, amounts, dates and relative times the reader's way (ADR 0900): one place for every
template (the `formatting` template library) and for text rendered in Python."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, numberformat, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext, pgettext

# How long a moment is shown as "3 hours ago" before it becomes a date.
RELATIVE_FOR = datetime.timedelta(days=7)


def _currency_symbol(code: str) -> str:
    # The symbol as the reader expects it: a Chinese reader's yuan is plain ¥, an English
    # reader needs CN¥ to tell it from the yen (CLDR's choice for both languages).
    symbols = {
        "CNY": pgettext("currency symbol", "CN¥"),
        "USD": pgettext("currency symbol", "US$"),
        "EUR": "€",
        "HKD": "HK$",
        "JPY": "JP¥",
        "GBP": "£",
    }
    return symbols.get(code, code)


def format_amount(value, places: int = 2) -> str:
    """A number with the reader's grouping and decimal separator: 193,000.00."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return numberformat.format(
        number,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=formats.get_format("NUMBER_GROUPING"),
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_money(value, currency: str = "", places: int = 2) -> str:
    """An amount with its currency the reader's way: CN¥193,000.00 in English, ¥193,000.00 in
    中文."""
    amount = format_amount(value, places)
    if not amount or not currency:
        return amount
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    return f"{sign}{_currency_symbol(currency)}{digits}"


def format_date(value) -> str:
    """A calendar date, the one numeric format of the reader's language."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def format_month(value) -> str:
    """A month as a heading: "November 2026" / "2026年11月" (the language's YEAR_MONTH_FORMAT)."""
    if not value:
        return ""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def format_weekday(value) -> str:
    """A day's short weekday name: "Mon" / "周一"."""
    if not value:
        return ""
    return formats.date_format(value, "D")


def format_datetime(value) -> str:
    """A moment in local time: date and hour:minute."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def format_relative(value, now: datetime.datetime | None = None) -> str:
    """ "3 hours ago" / "3 小时前" for the last week, the date before that."""
    if not value:
        return ""
    now = now or timezone.now()
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    delta = now - value
    if delta < datetime.timedelta(seconds=0):
        return format_datetime(value)
    if delta < datetime.timedelta(minutes=1):
        return gettext("just now")
    if delta > RELATIVE_FOR:
        return format_date(value)
    # Only the largest unit: "3 hours ago", not "3 hours, 12 minutes ago".
    return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}
