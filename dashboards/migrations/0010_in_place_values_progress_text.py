"""Two changes for the settle of one value (issue 9):

- `FigureChange.scope` "in_place": a value changed in place, whose settle recounts no
  completeness (which values exist did not change).
- A goal row's indicators' progress values (`GroupFigure.indicator_progress`) become text, one
  decimal after another, stored uncompressed on PostgreSQL: the settle of one value rewrites
  four goal rows of about 900 values, and compressing them took three of the four milliseconds
  of that write. The stored lists are not converted: a full rebuild is queued, which the next
  settle (the worker, the sweep within a minute, or a dashboard request) carries out, as in
  0009; so does the way back. Pages never read these lists. Stop the Celery workers before
  migrating: an older worker would store the lists as JSON in the text column.
"""

from django.db import migrations, models


def queue_rebuild(apps, schema_editor):
    if apps.get_model("dashboards", "GroupFigure").objects.exists():
        apps.get_model("dashboards", "FigureChange").objects.create(everything=True)


def store_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE dashboards_groupfigure ALTER COLUMN indicator_progress SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0009_groupfigure_indicator_progress")]

    operations = [
        migrations.AlterField(
            model_name="figurechange",
            name="scope",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "indicator, value or report"),
                    ("in_place", "a value changed in place: which values exist did not"),
                    ("area", "the goal's area, every unit and period"),
                    ("period", "every figure of a period"),
                    ("groups", "a unit's goal, pillar and area figures of a period"),
                    ("recount", "completeness of a unit's subtree, every period"),
                    ("new_unit", "the indicators owned above a new unit"),
                    ("frame", "the strategy's names, periods or links as the pages cache them"),
                ],
                default="",
                max_length=8,
            ),
        ),
        migrations.RemoveField(model_name="groupfigure", name="indicator_progress"),
        migrations.AddField(
            model_name="groupfigure",
            name="indicator_progress",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(store_uncompressed, migrations.RunPython.noop),
        migrations.RunPython(queue_rebuild, queue_rebuild),
    ]
