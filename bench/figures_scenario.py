"""A scenario of writes through every path, for CI to run `manage.py figures check` after it.

    python -m bench.figures_scenario      (after migrate, load_strategy and seed_demo)

Each write commits on its own, as in production; the figures are settled by the task queued on
commit (eager without a broker), so `figures check` must then find 0 differences.
"""

from __future__ import annotations

import os
from decimal import Decimal

import django


def run() -> None:
    from django.contrib.auth import get_user_model

    from goals.models import ProgressReport, ReportingPeriod, ReportState
    from indicators.models import Indicator, Measurement, Target
    from spreadsheets.imports import Change, apply_changes
    from strategy.models import Unit

    admin = get_user_model().objects.filter(is_superuser=True).first()
    values = list(
        Measurement.objects.select_related("indicator", "unit", "period").order_by("pk")[:40]
    )
    # The grid: conditional updates of single values.
    for m in values[:10]:
        Measurement.record(
            indicator=m.indicator,
            unit=m.unit,
            period=m.period,
            value=m.value + 1,
            comment="scenario",
            by=admin,
            based_on=m.version,
        )
    # An import: bulk updates and inserts in one transaction.
    from django.db import transaction

    with transaction.atomic():
        apply_changes(
            [
                Change(n, m.indicator, m.unit, m.period, m.value + 2, None)
                for n, m in enumerate(values[10:30])
            ],
            user=admin,
        )
    # The admin: save one value, delete another.
    m = Measurement.objects.get(pk=values[30].pk)
    m.value += 3
    m.save()
    Measurement.objects.get(pk=values[31].pk).delete()
    # The report workflow.
    for report in ProgressReport.objects.filter(state=ReportState.DRAFT)[:3]:
        report.submit(by=admin)
    # Targets and indicators.
    indicator = values[0].indicator
    Target.objects.update_or_create(
        indicator=indicator,
        period=indicator.target_period,
        unit=None,
        defaults={"value": Decimal(1)},
    )
    # A unit's own (contribution) target, as the owner sets it on the indicator's page.
    below = indicator.units_below_owner().order_by("path").first()
    periods = indicator.unit_target_periods()
    if below is not None and periods and indicator.aggregation != "none":
        indicator.set_unit_target(unit=below, period=periods.last(), value=Decimal(1))
    other = Indicator.objects.exclude(pk=indicator.pk).first()
    other.target_value = (other.target_value or 0) + 1
    other.save()
    # A unit closes; a period closes.
    leaf = Unit.objects.filter(children__isnull=True, active=True).order_by("path").last()
    leaf.active = False
    leaf.save()
    period = ReportingPeriod.objects.filter(is_open=True).order_by("end").first()
    if period is not None:
        period.close(by=admin)
    print("Scenario written: grid, import, admin, reports, targets, indicator, unit, period.")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    run()
