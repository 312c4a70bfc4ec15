"""Goal rows keep their indicators' progress values (`GroupFigure.indicator_progress`), which
settling a change reads to rescore pillars and areas. Stored rows have none yet: queue a full
rebuild, which the next settle (the worker, the sweep within a minute, or a dashboard request)
carries out. A database without figures gets them from `seed_demo` or `figures rebuild`."""

from django.db import migrations, models


def queue_rebuild(apps, schema_editor):
    if apps.get_model("dashboards", "GroupFigure").objects.exists():
        apps.get_model("dashboards", "FigureChange").objects.create(everything=True)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0008_figurechange_scope_figurerun_frame_at")]

    operations = [
        migrations.AddField(
            model_name="groupfigure",
            name="indicator_progress",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(queue_rebuild, migrations.RunPython.noop),
    ]
