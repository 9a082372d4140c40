"""PostgreSQL: the customer list's planner gets a region index and finer name statistics
(ADR 0429).

1. A partial index of live customers on (region, name, id). A region filter — alone or with
   level, industry or category — reads that region's names in order instead of walking every
   name and reading each row to test its region. A rep who sees about 9 % of the customers
   walked ≈ 13,000 entries of the name index (14,342 buffers) to fill a page of
   `level=A&region=east`; through this index, 3,201. Built CONCURRENTLY (writes go on during
   the build).

2. The statistics of UPPER(name) (migration 0011) sampled at 1,000 instead of 100 (a
   1,001-value histogram): a search's LIKE is estimated from the histogram, which at 100
   values put "华东" at 8,011 names (3,360 hold it); at 1,000, 3,423. The search ANDs the LIKE
   with the name-pieces test, and with the LIKE overestimated the planner expected a page of
   matches soon enough to walk the name index, and read 38,000 names (40k buffers) for a
   manager, because the 华东 names all sort after the 33k Latin ones. ANALYZE of the table then
   samples up to 300,000 rows (all 100k here: ≈ 2–6 s on the shared machine).

SQLite: nothing (its list keeps the plans it had)."""

from django.db import migrations

from portal.core.migration_ops import postgresql_statements

POSTGRES_FORWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS records_cust_live_region "
    "ON records_customer (region, name, id) WHERE deleted_at IS NULL",
    "ALTER STATISTICS records_cust_upper_name SET STATISTICS 1000",
    "ANALYZE records_customer",
]
POSTGRES_BACKWARD = [
    "ALTER STATISTICS records_cust_upper_name SET STATISTICS -1",
    "DROP INDEX CONCURRENTLY IF EXISTS records_cust_live_region",
]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("records", "0012_customer_rollup")]

    operations = [postgresql_statements(POSTGRES_FORWARD, POSTGRES_BACKWARD)]
