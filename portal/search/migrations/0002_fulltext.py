"""The engine-specific full-text structures beside search_searchentry: an FTS5 table on SQLite,
a tsvector and a keys array with GIN indexes on PostgreSQL. Vendor-aware, invisible to the
model state (so makemigrations stays clean)."""

from django.db import migrations

SQLITE_FORWARD = [
    # Terms arrive pre-analysed and space-separated; unicode61 only splits on the spaces
    # (CJK words are letters to it) and folds nothing we have not already folded.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, keys, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]
POSTGRES_FORWARD = [
    "ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS tsv tsvector",
    "ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS keys_arr text[]",
    "CREATE INDEX IF NOT EXISTS search_entry_tsv ON search_searchentry USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS search_entry_keys ON search_searchentry USING GIN (keys_arr)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_keys",
    "DROP INDEX IF EXISTS search_entry_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS keys_arr",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
