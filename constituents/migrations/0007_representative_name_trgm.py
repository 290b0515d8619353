"""Trigram index for similar names of people acting for constituents (``name %% %s``). PostgreSQL only."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS constituents_representative_name_trgm "
            "ON constituents_representative USING gin (name gin_trgm_ops)",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS constituents_representative_name_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("constituents", "0006_search_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
