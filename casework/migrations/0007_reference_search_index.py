"""Trigram index for ``reference__icontains`` (Django compares UPPER(reference)). PostgreSQL only."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS casework_case_reference_trgm", params=None)
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS casework_case_reference_upper_trgm "
            "ON casework_case USING gin ((UPPER(reference::text)) gin_trgm_ops)",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS casework_case_reference_upper_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0006_case_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
