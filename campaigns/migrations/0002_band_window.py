import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def date_free_bands(apps, schema_editor):
    """Bands of messages outside any campaign take their message's time; exemplars stay null."""
    band = apps.get_model("campaigns", "SignatureBand")
    signature = apps.get_model("campaigns", "MessageSignature")
    member = apps.get_model("campaigns", "CampaignMember")
    in_campaigns = member._base_manager.values("message_id")
    free = signature._base_manager.exclude(message_id__in=in_campaigns)
    band._base_manager.filter(signature_id__in=free.values("pk")).update(
        received_at=Subquery(signature._base_manager.filter(pk=OuterRef("signature_id")).values("received_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("security", "0004_data_protection"),
    ]

    operations = [
        migrations.AddField(
            model_name="signatureband",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(date_free_bands, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signatureband",
            name="office",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="security.office",
            ),
        ),
    ]
