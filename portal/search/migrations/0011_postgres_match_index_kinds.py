"""PostgreSQL: the match index also holds each entry's kind (ADR 0432).

A reader's search is narrowed to the kinds they may open (`readable_kinds`). Written as
`kind IN (…)`, the planner answered it from the (kind, created_at) b-tree and ANDed that bitmap
with the match's: for a reader of five kinds, a bitmap of 37,500 of 100,000 rows built for
every search, 2.4 ms of a 10 ms statement. As the GIN index's third column (a one-element
array, matched by `ARRAY[kind::text] && readable`), the kind is checked at the word's postings
inside the one GIN scan, as the keys are. Built CONCURRENTLY so that writes go on; the old
two-column index goes once the new one is there. SQLite: nothing (its kind test is on the
covering index it already reads)."""

from django.db import migrations

from portal.core.migration_ops import postgresql_statements

POSTGRES_FORWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_match_kind "
    "ON search_searchentry USING GIN (tsv, keys_arr, (ARRAY[kind::text]))",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_match",
    "ANALYZE search_searchentry",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_match "
    "ON search_searchentry USING GIN (tsv, keys_arr)",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_match_kind",
]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0010_interest_required_on_terms_only")]

    operations = [postgresql_statements(POSTGRES_FORWARD, POSTGRES_BACKWARD)]
