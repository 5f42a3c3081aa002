from django.conf import settings
from django.db import migrations

from voronka.deals.defaults import create_default_pipeline


def forwards(apps, schema_editor):
    Pipeline = apps.get_model("deals", "Pipeline")
    if Pipeline.objects.exists():
        return
    create_default_pipeline(
        Pipeline,
        apps.get_model("deals", "Stage"),
        apps.get_model("deals", "StageCriterion"),
        apps.get_model("deals", "LostReason"),
        settings.LANGUAGE_CODE,
    )


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
