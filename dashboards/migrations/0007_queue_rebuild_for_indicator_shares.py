"""Existing stored figures have no `IndicatorShare` rows yet: queue a full rebuild, which the
next settle (the worker, the sweep within a minute, or a dashboard request) carries out.
A database without figures (a fresh one) gets them from `seed_demo` or `figures rebuild`."""

from django.db import migrations


def queue_rebuild(apps, schema_editor):
    if apps.get_model("dashboards", "IndicatorFigure").objects.exists():
        apps.get_model("dashboards", "FigureChange").objects.create(everything=True)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0006_indicatorshare")]

    operations = [migrations.RunPython(queue_rebuild, migrations.RunPython.noop)]
