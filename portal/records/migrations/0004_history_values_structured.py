"""Existing deal history rows: values written as English text at the time ("Email: Sent the
quote", "266000.00 CNY · 2026-11-30", a contract total "193000.00") become the structured values
that are rendered in the reader's language (ADR 0902). Values it cannot read stay as they are."""

import re

from django.db import migrations

# The activity kinds' labels as they were written (English, and Chinese for entries made
# under 中文), by code.
ACTIVITY_KINDS = {
    "Call": "call",
    "Email": "email",
    "Visit": "visit",
    "Meeting": "meeting",
    "Other": "other",
    "电话": "call",
    "电子邮件": "email",
    "拜访": "visit",
    "会议": "meeting",
    "其他": "other",
}
MONEY_DATE = re.compile(r"^(?P<amount>-?\d+(?:\.\d+)?) (?P<currency>[A-Z]{3}) · (?P<date>\d{4}-\d{2}-\d{2})$")
AMOUNT = re.compile(r"^-?\d+(?:\.\d+)?$")


def _activity(text):
    if not isinstance(text, str) or ": " not in text:
        return text
    label, subject = text.split(": ", 1)
    code = ACTIVITY_KINDS.get(label)
    if code is None:
        return text
    return {
        "$": "labelled",
        "label": {"$": "choice", "model": "records.activity", "field": "kind", "value": code},
        "text": subject,
    }


def _money_date(text):
    match = MONEY_DATE.match(text) if isinstance(text, str) else None
    if match is None:
        return text
    return {
        "$": "parts",
        "parts": [
            {"$": "money", "amount": match["amount"], "currency": match["currency"]},
            {"$": "date", "value": match["date"]},
        ],
    }


def _total(currency):
    def convert(text):
        if isinstance(text, str) and AMOUNT.match(text):
            return {"$": "money", "amount": text, "currency": currency}
        return text

    return convert


def structure(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    Deal = apps.get_model("records", "Deal")
    try:
        deal_type = ContentType.objects.get(app_label="records", model="deal")
    except ContentType.DoesNotExist:
        return  # a fresh database: no history yet
    entries = AuditEntry.objects.filter(
        content_type=deal_type,
        action__in=[
            "deal.activity_logged",
            "deal.activity_planned",
            "deal.installment_added",
            "deal.payment_received",
            "deal.contract_saved",
        ],
    )
    currencies = dict(Deal.objects.values_list("pk", "currency"))
    for entry in entries.iterator(chunk_size=500):
        converters = {"activity": _activity, "installment": _money_date, "payment": _money_date}
        try:
            converters["total"] = _total(currencies.get(int(entry.object_id), ""))
        except ValueError:
            pass
        changes = dict(entry.changes or {})
        changed = False
        for key, convert in converters.items():
            pair = changes.get(key)
            if isinstance(pair, list):
                new = [convert(value) for value in pair]
                if new != pair:
                    changes[key] = new
                    changed = True
        if changed:
            entry.changes = changes
            entry.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("records", "0003_bounded_amounts"),
    ]

    operations = [migrations.RunPython(structure, migrations.RunPython.noop)]
