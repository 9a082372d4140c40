"""Operations shared by migrations."""

from __future__ import annotations

from django.db import migrations


def postgresql_statements(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """Run SQL statements one by one on PostgreSQL and nothing on other engines (indexes,
    statistics and functions the SQLite plans do not need). A migration using it sets
    `atomic = False` when a statement is `CONCURRENTLY`."""

    def run(statements: list[str]):
        def apply(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))
