"""Give every existing office the default tag vocabulary (new offices get it when created)."""

from django.db import migrations

from casework.vocabulary_install import install_vocabulary


def forwards(apps, schema_editor):
    Office = apps.get_model("security", "Office")
    for office_id in Office.objects.values_list("id", flat=True):
        install_vocabulary(office_id, apps.get_model("casework", "TagCategory"), apps.get_model("casework", "Tag"))


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial"), ("security", "0002_audit_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
