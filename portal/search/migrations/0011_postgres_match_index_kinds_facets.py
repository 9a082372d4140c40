"""PostgreSQL: the match index also holds each entry's kind and its filterable values
(ADR 0432).

A reader's search is narrowed to the kinds they may open (`readable_kinds`). Written as
`kind IN (…)`, the planner answered it from the (kind, created_at) b-tree and ANDed that bitmap
with the match's: for a reader of five kinds, a bitmap of 37,500 of 100,000 rows built for
every search, 2.4 ms of a 10 ms statement. A filter such as `tag:POS` was an EXISTS on the
facet table, probed for every match (at 1M documents: a hash of the 126k entries holding the
tag, 870 ms for `payment tag:POS`).

Both become columns of the one GIN index: the kind as a one-element array (matched by
`ARRAY[kind::text] && readable`) and `facets_arr`, each entry's `facet:normalized value` (as
the facet rows hold them; filled here from those rows, then written with them on every
indexing), matched by `facets_arr && {tag:pos}`. They are checked at the word's postings
inside the one GIN scan, as the keys already were. Built CONCURRENTLY so that writes go on;
the old index goes once the new one is there. SQLite: nothing."""

from django.db import migrations

from portal.core.migration_ops import postgresql_statements

POSTGRES_FORWARD = [
    "ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS facets_arr text[]",
    "UPDATE search_searchentry e SET facets_arr = COALESCE(("
    "SELECT array_agg(f.facet || ':' || f.norm ORDER BY f.id) FROM search_searchfacet f "
    "WHERE f.entry_id = e.id), '{}') WHERE e.facets_arr IS NULL",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_match_all "
    "ON search_searchentry USING GIN (tsv, keys_arr, (ARRAY[kind::text]), facets_arr)",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_match",
    "VACUUM ANALYZE search_searchentry",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_entry_match "
    "ON search_searchentry USING GIN (tsv, keys_arr)",
    "DROP INDEX CONCURRENTLY IF EXISTS search_entry_match_all",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS facets_arr",
]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0010_interest_required_on_terms_only")]

    operations = [postgresql_statements(POSTGRES_FORWARD, POSTGRES_BACKWARD)]
