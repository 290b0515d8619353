"""pg_trgm powers similar-name duplicate detection (and later search). PostgreSQL only."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("constituents", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
