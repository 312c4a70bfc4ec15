"""Keep the stored figures in step with every write (dashboards.figures).

Receivers only note what changed (`figures.queue`, a row appended in the writer's
transaction); the figures are computed after the commit. Values: the domain's
`measurements_changed`, sent by every value write path (bulk ones included). Reports, targets,
indicators and the structure (units, goals, pillars, areas, periods): model signals. A change
to the structure recomputes everything.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from dashboards import figures
from dashboards.models import GroupFigure, GroupKind, PeriodSnapshot
from goals.models import DevelopmentGoal, GoalPillar, ProgressReport, ReportingPeriod
from goals.signals import computed_status_asked, period_closing, report_step_taken
from indicators.models import Indicator, Target
from indicators.signals import measurements_changed
from strategy.models import Area, Pillar, Strategy, Unit, UnitParentHistory

STRUCTURE = [
    Strategy,
    Area,
    Pillar,
    Unit,
    UnitParentHistory,
    DevelopmentGoal,
    GoalPillar,
    ReportingPeriod,
    Indicator,
]


def _values_changed(sender, *, keys, **kwargs) -> None:
    figures.queue(values=keys)


def _structure_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata: `figures rebuild` (or seed_demo) computes them afterwards
    figures.queue(everything=True)


def _target_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        figures.queue(indicator_ids=[instance.indicator_id])


def _report_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        figures.queue(reports=[(instance.goal_id, instance.unit_id, instance.period_id)])


def _report_step(sender, *, report_id, **kwargs) -> None:
    # Sent after the step committed (a conditional UPDATE sends no model signal).
    report = ProgressReport.objects.filter(pk=report_id).values("goal", "unit", "period").first()
    if report:
        figures.queue(reports=[(report["goal"], report["unit"], report["period"])])


def _freeze_figures(sender, *, period, by, **kwargs) -> None:
    # Inside the closing transaction: first bring the stored figures up to date.
    figures.settle(wait=True)
    PeriodSnapshot.take(period=period, by=by)


def _computed_status(sender, *, goal_id, unit_id, period_id, **kwargs) -> str | None:
    """The goal's stored status over the indicators owned in the unit's subtree for the
    period, for the report form (None: no figure or no data)."""
    status = (
        GroupFigure.objects.filter(
            kind=GroupKind.GOAL, object_id=goal_id, unit_id=unit_id, period_id=period_id
        )
        .values_list("status", flat=True)
        .first()
    )
    return status if status in ("on_track", "at_risk", "off_track") else None


def connect() -> None:
    computed_status_asked.connect(_computed_status, dispatch_uid="dashboards-computed-status")
    period_closing.connect(_freeze_figures, dispatch_uid="dashboards-freeze-figures")
    measurements_changed.connect(_values_changed, dispatch_uid="dashboards-values")
    report_step_taken.connect(_report_step, dispatch_uid="dashboards-report-step")
    for model, receiver in [(Target, _target_changed), (ProgressReport, _report_changed)] + [
        (model, _structure_changed) for model in STRUCTURE
    ]:
        name = model.__name__
        post_save.connect(receiver, sender=model, dispatch_uid=f"dashboards-save-{name}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"dashboards-del-{name}")
    m2m_changed.connect(
        _structure_changed,
        sender=DevelopmentGoal.pillars.through,
        dispatch_uid="dashboards-goal-pillars",
    )
