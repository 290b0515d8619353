"""Give every existing office the starter directory of national bodies (new offices get it on creation)."""

from django.db import migrations

from constituents.directory import install_directory


def forwards(apps, schema_editor):
    office_model = apps.get_model("security", "Office")
    organisation_model = apps.get_model("constituents", "Organisation")
    for office_id, nation in office_model.objects.values_list("id", "nation"):
        install_directory(office_id, nation, organisation_model)


class Migration(migrations.Migration):
    dependencies = [("constituents", "0003_duplicate_dismissal")]

    # Reversing keeps the rows: offices may have edited them and cases may point at them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
