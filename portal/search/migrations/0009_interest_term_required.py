"""Each stored query's `required` copied onto its inverted-index rows, in the index (ADR 0430).

Matching a document counts its hits per stored query and keeps the queries whose count reaches
`required`; with the count beside the term, that is read from one index-only scan of the terms
instead of a probe into `search_interestquery` for each of the ≈1,100 queries a document's
terms hit. The narrow (id, required, interest_id) index of 0007 is then read by nothing."""

from django.db import migrations, models

COPY_REQUIRED = (
    "UPDATE search_interestterm SET required = (SELECT q.required FROM search_interestquery q "
    "WHERE q.id = search_interestterm.interest_id)"
)
REQUIRED_COVER = (
    "CREATE INDEX IF NOT EXISTS search_interest_required "
    "ON search_interestquery (id, required, interest_id)"
)


class Migration(migrations.Migration):
    dependencies = [("search", "0008_synonyms_and_tie_break")]

    operations = [
        migrations.AddField(
            model_name="interestterm",
            name="required",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunSQL(COPY_REQUIRED, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="interestterm",
            index=models.Index(
                fields=["term", "interest", "required"], name="search_interest_term_req"
            ),
        ),
        migrations.RemoveIndex(model_name="interestterm", name="search_interest_term"),
        migrations.RunSQL("DROP INDEX IF EXISTS search_interest_required", REQUIRED_COVER),
    ]
