"""Each unit's reports per period, counted (`UnitReports`): filled here from the reports, as
`figures.unit_report_counts` counts them, so the completeness page is right at once. A full rebuild
is queued too (where figures are stored): a worker of the previous release still running
during the deploy settles a report's change without recounting; the rebuild, by the new
release's worker or sweep, counts again whatever changed meanwhile."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

COUNTED_STATES = ("submitted", "approved")  # dashboards.figures.COUNTED_STATES, as of now


def count_reports(apps, schema_editor):
    reports = apps.get_model("goals", "ProgressReport").objects.order_by()
    UnitReports = apps.get_model("dashboards", "UnitReports")
    UnitReports.objects.bulk_create(
        (
            UnitReports(unit_id=u, period_id=p, submitted=counted, drafts=n - counted)
            for u, p, counted, n in reports.values("unit_id", "period_id")
            .annotate(counted=Count("state", filter=Q(state__in=COUNTED_STATES)), n=Count("state"))
            .order_by("period_id", "unit_id")  # stored by period, as the page reads them
            .values_list("unit_id", "period_id", "counted", "n")
        ),
        batch_size=5000,
    )
    if apps.get_model("dashboards", "GroupFigure").objects.exists():
        apps.get_model("dashboards", "FigureChange").objects.create(everything=True)


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0010_in_place_values_progress_text'),
        ('goals', '0008_progressreport_period_goal_state_index'),
        ('strategy', '0003_unit_successor_parent_history'),
    ]

    operations = [
        migrations.CreateModel(
            name='UnitReports',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('submitted', models.PositiveIntegerField(default=0)),
                ('drafts', models.PositiveIntegerField(default=0)),
                ('period', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='goals.reportingperiod')),
                ('unit', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='strategy.unit')),
            ],
            options={
                'verbose_name': 'unit reports',
                'verbose_name_plural': 'unit reports',
                'constraints': [models.UniqueConstraint(fields=('unit', 'period'), name='unit_reports_unique')],
            },
        ),
        migrations.RunPython(count_reports, migrations.RunPython.noop),
    ]
