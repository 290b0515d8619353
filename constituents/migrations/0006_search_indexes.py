"""GIN indexes for full-text and trigram search. PostgreSQL only: SQLite searches plainly."""

from django.db import migrations

INDEXES = [
    # Full-text: WHERE office_id = %s AND search_vector @@ query.
    ("constituents_constituent_search", "constituents_constituent USING gin (search_vector)"),
    ("constituents_representative_search", "constituents_representative USING gin (search_vector)"),
    # Similar names and partial postcodes: WHERE last_name %% %s, postcode ILIKE %s.
    ("constituents_constituent_last_trgm", "constituents_constituent USING gin (last_name gin_trgm_ops)"),
    ("constituents_constituent_first_trgm", "constituents_constituent USING gin (first_name gin_trgm_ops)"),
    ("constituents_constituent_postcode_trgm", "constituents_constituent USING gin (postcode gin_trgm_ops)"),
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
    dependencies = [("constituents", "0005_search_vectors")]

    operations = [migrations.RunPython(forwards, backwards)]
