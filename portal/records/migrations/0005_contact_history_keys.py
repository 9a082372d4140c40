"""Existing customer history rows of contact edits: keys written as "<contact>: <field>" (the
field's code, in English whatever the reader's language) become sub-record keys
"@records.contact:<field>:<contact>", named in the reader's language when read (ADR 0902).
Keys it cannot read stay as they are."""

from django.db import migrations

# The contact fields an edit could record when the old keys were written.
CONTACT_FIELDS = {
    "name",
    "department",
    "title",
    "phone",
    "mobile",
    "email",
    "preferred_channel",
    "do_not_email",
    "birthday",
    "notes",
}


def rekey(changes):
    rekeyed = {}
    for key, change in changes.items():
        title, sep, field = key.rpartition(": ")
        if sep and title and field in CONTACT_FIELDS:
            key = f"@records.contact:{field}:{title}"
        rekeyed[key] = change
    return rekeyed


def forward(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    rows = AuditEntry.objects.filter(action="contact.updated").only("pk", "changes")
    for entry in rows.iterator(chunk_size=500):
        if not isinstance(entry.changes, dict):
            continue
        rekeyed = rekey(entry.changes)
        if rekeyed != entry.changes:
            entry.changes = rekeyed
            entry.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_history_values_structured"),
        ("core", "0002_objectaccess_covering_index"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
