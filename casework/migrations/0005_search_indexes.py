"""GIN index for case full-text search. PostgreSQL only: SQLite searches plainly."""

from django.db import migrations

INDEXES = [
    # WHERE office_id = %s AND search_vector @@ query.
    ("casework_case_search", "casework_case USING gin (search_vector)"),
    # Partial references: WHERE reference ILIKE '%%0142%%'.
    ("casework_case_reference_trgm", "casework_case USING gin (reference gin_trgm_ops)"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _ in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_search_vectors"), ("constituents", "0002_trigram")]

    operations = [migrations.RunPython(forwards, backwards)]
