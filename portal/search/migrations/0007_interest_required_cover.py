"""A narrow index over the stored queries' (id, required, interest_id) (ADR 0423): matching
compares each candidate's hit count with `required` for hundreds of stored queries per
document; read from this index, the wide rows (their parsed JSON) are read only for the few
that pass. Invisible to the model state, like 0002, so makemigrations stays clean."""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS search_interest_required "
    "ON search_interestquery (id, required, interest_id)"
)
BACKWARD = "DROP INDEX IF EXISTS search_interest_required"


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_match_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
