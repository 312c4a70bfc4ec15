"""Keep the stored figures in step with every write (dashboards.figures).

Receivers only note what changed (`figures.queue`, a row appended in the writer's
transaction); the figures are computed after the commit. Values: the domain's
`measurements_changed`, sent by every value write path (bulk ones included). Reports, targets,
indicators and the structure (units, goals, pillars, areas, periods): model signals.

A structure edit queues only what it changes (docs/architecture.md, "What a structure edit
recomputes"): a `pre_save` receiver reads the stored row's figure inputs (`INPUTS`, one query)
and the `post_save` receiver compares them with the saved ones. A write that changes no input
(a name, a description, a deadline, a period opened or closed, an order) queues no
recomputation; one to the strategy's structure that the pages cache (`FRAME`: a name of an
area, a deadline) queues a change of that cache's key only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from dashboards import figures
from dashboards.models import GroupFigure, GroupKind, PeriodSnapshot
from dashboards.scoring import Period
from goals.models import DevelopmentGoal, GoalPillar, ProgressReport, ReportingPeriod
from goals.signals import computed_status_asked, period_closing, report_step_taken
from indicators.models import Indicator, Target
from indicators.signals import measurements_changed
from strategy.models import Area, Pillar, Strategy, Unit, UnitParentHistory

#: Per model, the fields the figures are computed from (dashboards.figures: `load_world`,
#: `load_specs`, `indicator_figures`, `group_figures`, `completeness_rows`).
INPUTS: dict[type[Model], tuple[str, ...]] = {
    Strategy: ("is_current",),
    Area: ("strategy_id",),
    Pillar: ("area_id",),
    DevelopmentGoal: ("area_id",),
    GoalPillar: ("goal_id", "pillar_id"),
    ReportingPeriod: ("strategy_id", "kind", "start", "end"),
    # `code` orders a unit's children, and so the order values are summed in.
    Unit: ("parent_id", "code", "active", "valid_from", "valid_to", "successor_id"),
    UnitParentHistory: ("unit_id", "parent_id", "valid_from", "valid_to"),
}
INPUTS[Indicator] = (
    "goal_id", "owner_unit_id", "active", "direction", "accumulation", "aggregation",
    "frequency", "decimals", "baseline_value", "baseline_period_id", "target_value",
    "target_period_id",
)  # fmt: skip
#: The models of the strategy's structure as the pages cache it (`dashboards.data`, with the
#: `figures.World` of every unit): any save changes it (a name, an order, a deadline, a unit's
#: place), except opening or closing a period.
FRAME = {
    Strategy,
    Area,
    Pillar,
    DevelopmentGoal,
    GoalPillar,
    ReportingPeriod,
    Unit,
    UnitParentHistory,
}
NOT_IN_FRAME = {"is_open"}

#: The indicator's inputs that decide which units owe it a value (`completeness_rows`).
OWED_BY = ("goal_id", "owner_unit_id", "active", "aggregation", "frequency")

Inputs = dict[str, object]


def _values_changed(sender, *, keys, kept=(), **kwargs) -> None:
    figures.queue(values=keys, values_in_place=kept)


#: The fields that place a target or a report: where an edit moves one (the admin), the figures
#: of its old place change too.
PLACED_BY = {Target: ("indicator",), ProgressReport: ("goal", "unit", "period")}


def _remember_place(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Read the stored row's place before the save (none for a new row, or where the save
    writes none of its fields)."""
    fields = PLACED_BY[sender]
    if raw or instance._state.adding or (update_fields and not set(update_fields) & set(fields)):
        return
    instance.__dict__["_figure_place"] = (
        sender._base_manager.filter(pk=instance.pk)
        .values_list(*(f"{f}_id" for f in fields))
        .first()
    )


def _target_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        before = instance.__dict__.pop("_figure_place", None) or ()
        figures.queue(indicator_ids={instance.indicator_id, *before})


def _report_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        before = instance.__dict__.pop("_figure_place", None)
        here = (instance.goal_id, instance.unit_id, instance.period_id)
        figures.queue(reports={here, before} if before else {here})


def _report_step(sender, *, report_id, **kwargs) -> None:
    # Sent after the step committed (a conditional UPDATE sends no model signal).
    report = ProgressReport.objects.filter(pk=report_id).values("goal", "unit", "period").first()
    if report:
        figures.queue(reports=[(report["goal"], report["unit"], report["period"])])


# --- Structure edits ----------------------------------------------------------------------------


def _remember_inputs(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Read the stored row's figure inputs before the save (None: a new row)."""
    fields = INPUTS[sender]
    if raw or instance.pk is None:
        instance._figure_inputs = None
    elif update_fields is not None and not set(update_fields) & _names(fields):
        instance._figure_inputs = _inputs(instance, fields)  # none of them written
    else:
        instance._figure_inputs = (
            sender._base_manager.filter(pk=instance.pk).values(*fields).first()
        )


def _names(fields: tuple[str, ...]) -> set[str]:
    return set(fields) | {f.removesuffix("_id") for f in fields}


def _inputs(instance: Model, fields: tuple[str, ...]) -> Inputs:
    return {f: getattr(instance, f) for f in fields}


def _structure_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return  # loaddata: `figures rebuild` (or seed_demo) computes them afterwards
    if sender in FRAME and not (update_fields and set(update_fields) <= NOT_IN_FRAME):
        figures.queue(frame=True)
    old = instance.__dict__.pop("_figure_inputs", None)
    new = _inputs(instance, INPUTS[sender])
    if created or old is None:
        ON_CREATE[sender](instance)
        return
    changed = {f for f in new if old[f] != new[f]}
    if changed:
        ON_CHANGE[sender](instance, old, changed)


def _structure_deleted(sender, instance, **kwargs) -> None:
    if sender in FRAME:
        figures.queue(frame=True)
    ON_DELETE[sender](instance)


def _everything(*args) -> None:
    figures.queue(everything=True)


def _nothing(*args) -> None:
    pass


def _strategy_created(strategy: Strategy) -> None:
    # Only a strategy that becomes the current one changes what the dashboards show.
    others_current = Strategy.objects.filter(is_current=True).exclude(pk=strategy.pk).exists()
    if strategy.is_current or not others_current:
        figures.queue(everything=True)


def _goal_pillar_changed(link: GoalPillar, old: Inputs | None = None, changed=()) -> None:
    goals = {link.goal_id} | ({old["goal_id"]} if old else set())
    figures.queue(areas_of_goals=goals)


def _goal_pillars_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_") and action != "pre_clear":
        return
    figures.queue(frame=True)
    if not reverse:
        figures.queue(areas_of_goals=[instance.pk])
    elif pk_set:
        figures.queue(areas_of_goals=pk_set)
    elif action == "pre_clear":  # a pillar's links: the goals are gone after the clear
        figures.queue(areas_of_goals=instance.goals.values_list("pk", flat=True))


def _period_created(period: ReportingPeriod) -> None:
    """A new period gets figures, and becomes the one read at the periods ending after it."""
    figures.queue(
        periods=ReportingPeriod.objects.filter(
            strategy_id=period.strategy_id, end__gte=period.end
        ).values_list("pk", flat=True)
    )


def _indicator_created(indicator: Indicator) -> None:
    figures.queue(indicator_ids=[indicator.pk], completeness_below=[indicator.owner_unit_id])


def _indicator_deleted(indicator: Indicator) -> None:
    """Its figures are deleted with it, so a settle cannot see which goal rows counted them:
    its goal's area is recomputed, and the units that owed it owe less."""
    figures.queue(
        indicator_ids=[indicator.pk],
        completeness_below=[indicator.owner_unit_id],
        areas_of_goals=[indicator.goal_id],
    )


def _indicator_changed(indicator: Indicator, old: Inputs, changed: set[str]) -> None:
    owed_by = changed & set(OWED_BY)
    figures.queue(
        indicator_ids=[indicator.pk],
        completeness_below={old["owner_unit_id"], indicator.owner_unit_id} if owed_by else (),
    )


def _unit_created(unit: Unit) -> None:
    if unit.valid_from is None:
        # It counts in every period: the indicators owned above it expect a value of it.
        figures.queue(new_units=[unit.pk])
    else:  # only the periods it exists in
        figures.queue(periods=_periods_ending(unit.valid_from))
    if unit.successor_id is not None:
        figures.queue(unit_groups=_successor_standing(unit.successor_id))


def _unit_changed(unit: Unit, old: Inputs, changed: set[str]) -> None:
    """Recompute the periods whose unit tree the edit changes: a move on day D, a close or a
    merge from D, changes nothing for the periods that ended before D."""
    if "code" in changed:
        figures.queue(everything=True)  # rare: the order of every roll-up it is in
        return
    ends = _tree_changed_for(unit, old, changed)
    if any(lo is None and hi is None for lo, hi in ends):
        figures.queue(everything=True)
        return
    if ends:
        figures.queue(periods=_periods_ending(*ends))
    if "successor_id" in changed:
        groups = _successor_standing(old["successor_id"]) + _successor_standing(unit.successor_id)
        figures.queue(unit_groups=groups)


Day = datetime.date | None


def _periods_ending(*ranges: tuple[Day, Day] | Day) -> list[int]:
    """The current strategy's periods whose last day is in one of `ranges` ([from, to), None:
    unbounded; or a day: from that day on)."""
    within = Q()
    for r in ranges:
        lo, hi = r if isinstance(r, tuple) else (r, None)
        within |= Q(end__gte=lo or datetime.date.min, end__lt=hi or datetime.date.max)
    periods = ReportingPeriod.objects.filter(within, strategy=figures.current_strategy())
    return list(periods.values_list("pk", flat=True))


def _tree_changed_for(unit: Unit, old: Inputs, changed: set[str]) -> list[tuple[Day, Day]]:
    """The periods whose tree the edit changes, as ranges [from, to) of their last day (None:
    unbounded)."""
    ends: list[tuple[Day, Day]] = []
    if "parent_id" in changed:
        # `Unit.move` records the old place until the day before: the new one from then on.
        ends.append((unit.placed_since(), None))
    if "valid_from" in changed:
        days = sorted(d for d in (old["valid_from"], unit.valid_from) if d is not None)
        # A unit without `valid_from` counts from the first period.
        ends.append((days[0], days[1]) if len(days) == 2 else (None, days[0]))
    if "valid_to" in changed:
        # Periods that start after the earlier end, and those ending after it (the place it
        # had on its last day).
        day = min(d for d in (old["valid_to"], unit.valid_to) if d is not None)
        ends.append((day + datetime.timedelta(days=1), None))
    # A unit closed without a date counts in no period (`figures.Validity.during`).
    if (not old["active"] and old["valid_to"] is None) != (
        not unit.active and unit.valid_to is None
    ):
        ends.append((None, None))
    return ends


def _successor_standing(unit_id: int | None) -> list[tuple[int, int]]:
    """(unit, period) of the successors whose figures count a predecessor's subtree: each
    successor in the chain from `unit_id`, for the periods in which it did not exist yet
    (`figures.World.standing_for`)."""
    chain = []
    while unit_id is not None and unit_id not in [u.pk for u in chain]:
        successor = Unit.objects.filter(pk=unit_id).first()
        if successor is None:
            break
        chain.append(successor)
        unit_id = successor.successor_id
    periods = [
        Period(p.pk, p.code, p.kind, p.start, p.end)
        for p in ReportingPeriod.objects.filter(strategy=figures.current_strategy())
    ]
    out = []
    for period in periods:
        for successor in chain:
            validity = figures.Validity(successor.active, successor.valid_from, successor.valid_to)
            if validity.during(period):
                break
            out.append((successor.pk, period.id))
    return out


def _history_created(entry: UnitParentHistory) -> None:
    # `Unit.move` records the current place before it changes it: that alone changes no
    # period (the Unit save then queues the periods after the move).
    latest = (
        UnitParentHistory.objects.filter(unit_id=entry.unit_id)
        .order_by("-valid_to")
        .values_list("pk", flat=True)
        .first()
    )
    parent_now = Unit.objects.filter(pk=entry.unit_id).values_list("parent_id", flat=True).first()
    if latest != entry.pk or parent_now != entry.parent_id:
        figures.queue(everything=True)  # a correction of the history: rare


Created = Callable[[Model], None]
Changed = Callable[[Model, Inputs, set[str]], None]

# The rare edits that keep a full recomputation are the `_everything` ones (documented in
# docs/architecture.md): a strategy becoming current, an area or goal moved or deleted, a
# pillar moved to another area, a period's dates, kind or strategy edited or a period deleted,
# a unit's code edited or a unit deleted, the parent history corrected by hand.
ON_CREATE: dict[type[Model], Created] = {
    Strategy: _strategy_created,
    Area: _nothing,  # no goals or pillars yet
    Pillar: _nothing,  # no goals linked yet
    DevelopmentGoal: _nothing,  # no indicators, links or reports yet
    GoalPillar: _goal_pillar_changed,
    ReportingPeriod: _period_created,
    Unit: _unit_created,
    UnitParentHistory: _history_created,
    Indicator: _indicator_created,
}
ON_CHANGE: dict[type[Model], Changed] = {
    Strategy: _everything,
    Area: _everything,
    Pillar: _everything,
    DevelopmentGoal: _everything,
    GoalPillar: _goal_pillar_changed,
    ReportingPeriod: _everything,
    Unit: _unit_changed,
    UnitParentHistory: _everything,
    Indicator: _indicator_changed,
}
ON_DELETE: dict[type[Model], Created] = {
    Strategy: _everything,
    Area: _everything,
    # Its links are deleted with it, each refreshing its goal's area; without links it had
    # no figures.
    Pillar: _nothing,
    DevelopmentGoal: _everything,
    GoalPillar: _goal_pillar_changed,
    ReportingPeriod: _everything,
    Unit: _everything,
    UnitParentHistory: _everything,
    Indicator: _indicator_deleted,
}


def _freeze_figures(sender, *, period, by, **kwargs) -> None:
    # Inside the closing transaction: first bring the stored figures up to date.
    figures.settle(wait=True)
    PeriodSnapshot.take(period=period, by=by)


def _snapshot_changed(sender, instance, raw=False, **kwargs) -> None:
    """The pages' frame knows which periods have a snapshot (dashboards.data)."""
    if not raw:
        figures.queue(frame=True)


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
    post_save.connect(_snapshot_changed, sender=PeriodSnapshot, dispatch_uid="dashboards-snap")
    post_delete.connect(_snapshot_changed, sender=PeriodSnapshot, dispatch_uid="dashboards-unsnap")
    for model, receiver in [(Target, _target_changed), (ProgressReport, _report_changed)]:
        name = model.__name__
        pre_save.connect(_remember_place, sender=model, dispatch_uid=f"dashboards-pre-{name}")
        post_save.connect(receiver, sender=model, dispatch_uid=f"dashboards-save-{name}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"dashboards-del-{name}")
    for model in INPUTS:
        name = model.__name__
        pre_save.connect(_remember_inputs, sender=model, dispatch_uid=f"dashboards-pre-{name}")
        post_save.connect(_structure_saved, sender=model, dispatch_uid=f"dashboards-save-{name}")
        post_delete.connect(_structure_deleted, sender=model, dispatch_uid=f"dashboards-del-{name}")
    m2m_changed.connect(
        _goal_pillars_changed,
        sender=DevelopmentGoal.pillars.through,
        dispatch_uid="dashboards-goal-pillars",
    )
