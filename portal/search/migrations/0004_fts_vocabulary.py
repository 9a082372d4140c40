"""SQLite only: an fts5vocab view of the full-text table, for spelling suggestions."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_vocab USING fts5vocab(search_fts, 'col')"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_vocab")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_interest_required")]

    operations = [migrations.RunPython(forward, backward)]
