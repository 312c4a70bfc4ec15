"""Load what a dashboard needs in a fixed number of queries, whatever the size of the data.

The rows are handed to `dashboards.scoring` as plain dataclasses; nothing here computes a figure.
Access starts from the user: the units are `Unit.objects.visible_to(user)`, the indicators those
owned inside the chosen unit's subtree, the measurements and reports those of that subtree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.http import Http404, QueryDict

from dashboards.scoring import CUMULATIVE, IndicatorSpec, Period, Tree, UnitNode, reference_period
from goals.models import DevelopmentGoal, GoalPillar, ProgressReport, ReportingPeriod, ReportState
from indicators.models import Indicator, Measurement, Target
from strategy.models import Area, Pillar, Strategy, Unit

COUNTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)
TREND_COUNT = 8  # periods in the overview's sparklines and the area and pillar trends


@dataclass(frozen=True)
class AreaRow:
    id: int
    code: str
    name: str
    colour: str


@dataclass(frozen=True)
class PillarRow:
    id: int
    code: str
    name: str
    area_id: int


@dataclass(frozen=True)
class GoalRow:
    id: int
    code: str
    title: str
    area_id: int
    pillar_ids: tuple[int, ...]


@dataclass(frozen=True)
class IndicatorRow:
    spec: IndicatorSpec
    name: str
    measure: str
    measure_label: str
    decimals: int


@dataclass(frozen=True)
class ReportRow:
    goal_id: int
    unit_id: int
    status: str
    status_label: str
    state: str
    state_label: str
    narrative: str
    next_steps: str
    risks: str
    return_comment: str


class MeasurementRow(NamedTuple):
    """A tuple, not a dataclass: a national page loads over a million of them."""

    unit_id: int
    value: Decimal
    period: Period
    comment: str


@dataclass
class DashboardData:
    strategy: Strategy
    periods: list[Period]
    period: Period
    tree: Tree
    scope: UnitNode
    visible_roots: list[UnitNode]
    areas: list[AreaRow]
    pillars: list[PillarRow]
    goals: list[GoalRow]
    indicators: list[IndicatorRow]
    measurements: dict[int, list[MeasurementRow]] = field(default_factory=dict)
    reports: list[ReportRow] = field(default_factory=list)
    # The latest "as reported" snapshot of the period ({"figures", "taken_at"}), if closed.
    snapshot: dict | None = None
    # indicator id → period id → its measurements of that period, built on first use.
    _by_period: dict[int, dict[int, list[MeasurementRow]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def measurements_in(self, indicator_id: int, period_id: int) -> list[MeasurementRow]:
        """The indicator's measurements of one period (indexed once per indicator)."""
        index = self._by_period.get(indicator_id)
        if index is None:
            index = defaultdict(list)
            for m in self.measurements.get(indicator_id, ()):
                index[m.period.id].append(m)
            self._by_period[indicator_id] = index
        return index.get(period_id, [])

    @property
    def scope_ids(self) -> set[int]:
        return set(self.tree.subtree(self.scope.id))

    def unit(self, code: str) -> UnitNode:
        for node in self.tree.units.values():
            if node.code == code:
                return node
        raise Http404


def current_strategy() -> Strategy:
    strategy = Strategy.objects.filter(is_current=True).first() or Strategy.objects.first()
    if strategy is None:
        raise Http404
    return strategy


def _period(p: ReportingPeriod) -> Period:
    return Period(p.id, p.code, p.kind, p.start, p.end, p.deadline)


def _labels(model, name: str) -> dict[str, str]:
    """A choice field's value → label in the active language, as get_FOO_display gives it."""
    return {k: str(v) for k, v in model._meta.get_field(name).flatchoices}


def periods_up_to(periods: list[Period], chosen: Period, count: int = TREND_COUNT) -> list[Period]:
    """The chosen period and the `count - 1` ones of its kind before it, oldest first."""
    same_kind = sorted(
        (p for p in periods if p.kind == chosen.kind and p.end <= chosen.end),
        key=lambda p: (p.end, p.kind),
    )
    return same_kind[-count:]


def default_period(periods: list[Period], today) -> Period:
    """The latest year whose reporting deadline has passed, else the earliest year."""
    years = [p for p in periods if p.kind == "year"] or periods
    due = [p for p in years if p.deadline and p.deadline <= today]
    return max(due, key=lambda p: p.end) if due else min(years, key=lambda p: p.end)


def load(
    user,
    params: QueryDict,
    *,
    today,
    unit_code: str | None = None,
    with_ancestor_indicators: bool = False,
    trend: int | None = None,
    goal_filter: Q | None = None,
) -> DashboardData:
    """Everything a dashboard page shows for `user`, scoped by the GET params `period` and
    `unit` (or `unit_code`); 404 for a unit the user cannot see.

    `with_ancestor_indicators` adds the indicators owned by the visible units above the scope,
    so that a unit page can show the unit's share in them (from the unit's own subtree only).

    Two ways to load less, for pages that need less (the default loads everything):
    `trend=n` loads, of per-period indicators, only the values of the periods they are read at
    (`scoring.reference_period`) for the chosen period and the n - 1 periods of its kind before
    it (`periods_up_to`); cumulative indicators keep all their values up to the chosen period.
    Figures for other periods cannot be computed from such data. `goal_filter` (a filter on
    DevelopmentGoal, e.g. `Q(area__code="RES")`) loads only the indicators, values and progress
    reports of the goals it matches; the figures of those goals, and of groups made of them
    only, are those of a full load.
    """
    strategy = current_strategy()
    periods = [_period(p) for p in ReportingPeriod.objects.filter(strategy=strategy)]
    if not periods:
        raise Http404
    code = params.get("period")
    if code:
        period = next((p for p in periods if p.code == code), None)
        if period is None:
            raise Http404
    else:
        period = default_period(periods, today)

    units = [
        UnitNode(u.id, u.code, u.parent_id, u.name, u.kind, u.depth, u.path)
        for u in Unit.objects.visible_to(user)
        .active()
        .only("id", "code", "parent", "name", "kind", "depth", "path")
    ]
    if not units:
        raise Http404
    ids = {u.id for u in units}
    # A unit whose parent the user cannot see is the root of one of their subtrees.
    tree = Tree(units)
    roots = sorted((u for u in units if u.parent_id not in ids), key=lambda u: (u.depth, u.code))
    unit_code = unit_code or params.get("unit")
    if unit_code:
        scope = next((u for u in units if u.code == unit_code), None)
        if scope is None:
            raise Http404
    else:
        scope = roots[0]

    areas = [
        AreaRow(a.id, a.code, a.name, a.colour) for a in Area.objects.filter(strategy=strategy)
    ]
    pillars = [
        PillarRow(p.id, p.code, p.name, p.area_id)
        for p in Pillar.objects.filter(area__strategy=strategy)
    ]
    links: dict[int, list[int]] = defaultdict(list)
    for goal_id, pillar_id in GoalPillar.objects.filter(goal__area__strategy=strategy).values_list(
        "goal_id", "pillar_id"
    ):
        links[goal_id].append(pillar_id)
    goals = [
        GoalRow(g.id, g.code, g.title, g.area_id, tuple(sorted(links[g.id])))
        for g in DevelopmentGoal.objects.of_strategy(strategy)
    ]

    by_id = {p.id: p for p in periods}
    owners = Q(owner_unit__path__startswith=scope.path)
    if with_ancestor_indicators:
        ancestors = [u.path for u in units if scope.path.startswith(u.path) and u.id != scope.id]
        owners |= Q(owner_unit__path__in=ancestors)
    indicator_qs = Indicator.objects.active().filter(owners, goal__area__strategy=strategy)
    chosen_goals = DevelopmentGoal.objects.filter(goal_filter).values("id") if goal_filter else None
    if chosen_goals is not None:
        indicator_qs = indicator_qs.filter(goal__in=chosen_goals)
    milestones: dict[int, list[tuple[Period, Decimal]]] = defaultdict(list)
    # The owners' targets; unit (contribution) targets apply through scoring.target_for.
    for indicator_id, period_id, value in Target.objects.filter(
        indicator__in=indicator_qs.values("id"), unit__isnull=True
    ).values_list("indicator_id", "period_id", "value"):
        milestones[indicator_id].append((by_id[period_id], value))
    measure_labels = _labels(Indicator, "measure")
    indicators = [
        IndicatorRow(
            spec=IndicatorSpec(
                id=i.id,
                code=i.code,
                direction=i.direction,
                accumulation=i.accumulation,
                aggregation=i.aggregation,
                frequency=i.frequency,
                owner_unit_id=i.owner_unit_id,
                goal_id=i.goal_id,
                decimals=i.decimals,
                baseline_value=i.baseline_value,
                baseline_period=by_id.get(i.baseline_period_id),
                target_value=i.target_value,
                target_period=by_id.get(i.target_period_id),
                milestones=tuple(sorted(milestones[i.id], key=lambda m: m[0].end)),
            ),
            name=i.name,
            measure=i.measure,
            measure_label=measure_labels.get(i.measure, i.measure),
            decimals=i.decimals,
        )
        for i in indicator_qs
    ]

    measurements: dict[int, list[MeasurementRow]] = defaultdict(list)
    rows = Measurement.objects.filter(
        indicator__in=indicator_qs.values("id"),
        unit__path__startswith=scope.path,
        period__end__lte=period.end,
    ).order_by()  # the model's ordering would sort a large result over four joins
    if trend is not None:
        kinds = {p.kind for p in periods}
        read_at = {
            ref.id
            for chosen in periods_up_to(periods, period, trend)
            for kind in kinds
            if (ref := reference_period(periods, chosen, kind)) is not None
        }
        cumulative = indicator_qs.filter(accumulation=CUMULATIVE).values("id")
        rows = rows.filter(Q(period_id__in=read_at) | Q(indicator__in=cumulative))
    rows = rows.values_list("indicator_id", "unit_id", "period_id", "value", "comment")
    for indicator_id, unit_id, period_id, value, comment in rows:
        measurements[indicator_id].append(MeasurementRow(unit_id, value, by_id[period_id], comment))
    # get_FOO_display() per row is slow (it rebuilds the choices' lookup every call).
    status_labels = _labels(ProgressReport, "status")
    state_labels = _labels(ProgressReport, "state")

    reports = [
        ReportRow(
            r.goal_id,
            r.unit_id,
            r.status,
            status_labels.get(r.status, r.status),
            r.state,
            state_labels.get(r.state, r.state),
            r.narrative,
            r.next_steps,
            r.risks,
            r.return_comment,
        )
        for r in ProgressReport.objects.filter(
            Q(goal__in=chosen_goals) if chosen_goals is not None else Q(),
            period_id=period.id,
            unit__path__startswith=scope.path,
        ).only(
            "goal_id",
            "unit_id",
            "status",
            "state",
            "narrative",
            "next_steps",
            "risks",
            "return_comment",
        )
    ]

    from dashboards.models import PeriodSnapshot

    return DashboardData(
        snapshot=PeriodSnapshot.objects.latest_figures(period.id),
        strategy=strategy,
        periods=sorted(periods, key=lambda p: (p.end, p.kind)),
        period=period,
        tree=tree,
        scope=scope,
        visible_roots=roots,
        areas=areas,
        pillars=pillars,
        goals=goals,
        indicators=indicators,
        measurements=measurements,
        reports=reports,
    )
