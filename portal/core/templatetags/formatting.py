"""Template filters for amounts, dates and relative times (built in to every template; ADR 0900)."""

from django import template

from portal.core import formatting

register = template.Library()


@register.filter
def amount(value, places=2):
    """`{{ total|amount }}` → 193,000.00; `{{ total|amount:0 }}` → 193,000."""
    return formatting.format_amount(value, int(places))


@register.filter
def money(value, currency=""):
    """`{{ deal.amount|money:deal.currency }}` → CN¥193,000.00 (¥193,000.00 in 中文)."""
    return formatting.format_money(value, currency)


# The one-value filters are the formatting functions themselves:
# `{{ deal.opened_on|short_date }}` → 2026-11-30; `{{ day|month_heading }}` → November 2026 /
# 2026年11月; `{{ day|weekday }}` → Mon / 周一; `{{ activity.due_at|short_datetime }}` →
# 2026-11-30 14:00 (local time); `{{ topic.last_post_at|relative }}` → 3 hours ago / 3 小时前,
# a date after a week.
register.filter("short_date", formatting.format_date)
register.filter("month_heading", formatting.format_month)
register.filter("weekday", formatting.format_weekday)
register.filter("short_datetime", formatting.format_datetime)
register.filter("relative", formatting.format_relative)
