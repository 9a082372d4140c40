"""PostgreSQL: one GIN index over (tsv, keys_arr) instead of one per column (ADR 0422).

With two single-column indexes the planner ANDs two bitmaps, and the keys bitmap holds nearly
every row (most documents are open to staff): building it cost more than the whole match. One
multi-column GIN scan advances through the rare word's postings and checks the keys at those
rows only. Built CONCURRENTLY so that writes go on during the migration. SQLite: nothing."""

from django.db import migrations

from portal.core.migration_ops import postgresql_statements

POSTGRES_FORWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_match "
    "ON search_searchentry USING GIN (tsv, keys_arr)",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_keys",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_tsv",
    "ANALYZE search_searchentry",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_tsv "
    "ON search_searchentry USING GIN (tsv)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_keys "
    "ON search_searchentry USING GIN (keys_arr)",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_match",
]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0005_covering_indexes")]

    operations = [postgresql_statements(POSTGRES_FORWARD, POSTGRES_BACKWARD)]
