"""Bump the dashboards' data version on every write they depend on.

Bulk operations (`bulk_create`, `QuerySet.update`) send no signals: the querysets of measurements,
progress reports and indicators bump the version themselves (dashboards.versioning).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from dashboards.models import DataVersion, PeriodSnapshot
from goals.models import DevelopmentGoal, GoalPillar, ProgressReport, ReportingPeriod
from goals.signals import period_closing
from indicators.models import Indicator, Measurement, Target
from indicators.signals import measurements_changed
from strategy.models import Area, Pillar, Strategy, Unit

WATCHED = [
    Strategy,
    Area,
    Pillar,
    Unit,
    DevelopmentGoal,
    GoalPillar,
    ReportingPeriod,
    ProgressReport,
    Indicator,
    Target,
    Measurement,
]


def _bump(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata: fixtures load before anything is cached
    DataVersion.bump()


def _freeze_figures(sender, *, period, by, **kwargs) -> None:
    PeriodSnapshot.take(period=period, by=by)


def connect() -> None:
    period_closing.connect(_freeze_figures, dispatch_uid="dashboards-freeze-figures")
    # Bulk writes in SQL (Measurement.objects.overwrite) go through no queryset method.
    measurements_changed.connect(_bump, sender=Measurement, dispatch_uid="dashboards-values")
    for model in WATCHED:
        post_save.connect(_bump, sender=model, dispatch_uid=f"dashboards-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"dashboards-del-{model.__name__}")
    m2m_changed.connect(
        _bump, sender=DevelopmentGoal.pillars.through, dispatch_uid="dashboards-goal-pillars"
    )
