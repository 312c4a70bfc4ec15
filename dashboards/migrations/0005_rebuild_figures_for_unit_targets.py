"""The stored figures gain unit (contribution) targets: have the next settle rebuild them all."""

from django.db import migrations


def queue_rebuild(apps, schema_editor):
    apps.get_model("dashboards", "FigureChange").objects.create(everything=True)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0004_indicator_figures_per_unit_target")]

    operations = [migrations.RunPython(queue_rebuild, migrations.RunPython.noop)]
