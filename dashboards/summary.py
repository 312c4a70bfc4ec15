"""Read the stored figures (dashboards.figures) into the shapes the pages present.

One query per kind of figure, whatever the size of the data: the goal, pillar and area figures
of the chosen unit's subtree for a set of dashboard periods; the indicator figures of the
indicators a page lists.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Q

from dashboards import scoring
from dashboards.data import TREND_COUNT, DashboardData, IndicatorRow, periods_up_to
from dashboards.models import GroupFigure, GroupKind, IndicatorFigure
from dashboards.scoring import GroupResult, Period, Rollup, Score, Status
from ops.rows import any_of, select


@dataclass(frozen=True)
class IndicatorResult:
    row: IndicatorRow
    reference: Period | None
    rollup: Rollup
    score: Score
    # What the figure was measured against; `unit_target`: the scope's own (contribution)
    # target for an indicator owned above it, not the owner's.
    target: Decimal | None = None
    target_period: Period | None = None
    unit_target: bool = False


@dataclass(frozen=True)
class Coverage:
    reported: int = 0
    carried: int = 0
    expected: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            self.reported + other.reported,
            self.carried + other.carried,
            self.expected + other.expected,
        )

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.reported) / self.expected if self.expected else None


@dataclass(frozen=True)
class GoalFigure:
    """A goal over the indicators owned in the scope: `counts` are of indicator statuses."""

    goal_id: int
    status: Status = Status.NO_DATA
    progress: Decimal | None = None
    reported: Status = Status.NO_DATA
    report_counts: dict[Status, int] | None = None
    counts: dict[Status, int] | None = None
    coverage: Coverage = Coverage()

    @property
    def disagreement(self) -> bool:
        return scoring.disagrees(self.status, self.reported)

    @property
    def indicator_count(self) -> int:
        return sum((self.counts or {}).values())

    @property
    def scored(self) -> int:
        return self.indicator_count - (self.counts or {}).get(Status.NO_DATA, 0)


class Summary:
    """The goal, pillar and area figures of the scope for one period, from its stored rows
    (`summaries`). Each kind is built on first use: the overview's trend reads only the
    areas' progress of the seven periods before the chosen one."""

    def __init__(self, period: Period, stored: dict[tuple[str, int], Any], groups: _Groups) -> None:
        self.period = period
        self.indicators: dict[int, IndicatorResult] = {}
        self._stored = stored  # (kind, object id) → a row of SUMMARY_FIELDS
        self._groups = groups

    def goal_indicators(self, goal_id: int) -> list[IndicatorResult]:
        return [r for r in self.indicators.values() if r.row.spec.goal_id == goal_id]

    @cached_property
    def goals(self) -> dict[int, GoalFigure]:
        goals = {}
        for goal_id in self._groups.goal_ids:
            row = self._stored.get((GroupKind.GOAL, goal_id))
            goals[goal_id] = GoalFigure(
                goal_id,
                _STATUS[row.status] if row else _NONE,
                row.progress if row else None,
                _STATUS[row.reported_status] if row else _NONE,
                _report_counts(row),
                _counts(row),
                _coverage(row),
            )
        return goals

    def _group(self, kind: str, object_id: int, goal_ids: list[int]) -> GroupResult:
        row = self._stored.get((kind, object_id))
        return GroupResult(
            status=_STATUS[row.status] if row else _NONE,
            counts=_counts(row, len(goal_ids)),
            progress=row.progress if row else None,
            goal_ids=goal_ids,
        )

    @cached_property
    def areas(self) -> dict[int, GroupResult]:
        return {a: self._group(GroupKind.AREA, a, g) for a, g in self._groups.of_area.items()}

    @cached_property
    def pillars(self) -> dict[int, GroupResult]:
        return {p: self._group(GroupKind.PILLAR, p, g) for p, g in self._groups.of_pillar.items()}

    @cached_property
    def area_coverage(self) -> dict[int, Coverage]:
        return {a: _coverage(self._stored.get((GroupKind.AREA, a))) for a in self._groups.of_area}

    @cached_property
    def area_reported(self) -> dict[int, dict[Status, int]]:
        return {
            a: _report_counts(self._stored.get((GroupKind.AREA, a))) for a in self._groups.of_area
        }


@dataclass(frozen=True)
class _Groups:
    """The strategy's goals, and the goals of each area and pillar, in order."""

    goal_ids: list[int]
    of_area: dict[int, list[int]]
    of_pillar: dict[int, list[int]]


#: A stored status (its value) → the Status: a dict lookup, where `Status(value)` costs an
#: enum call per figure (the overview's trend reads 270 rows).
_STATUS = {s.value: s for s in Status}
_ON, _RISK, _OFF, _NONE = Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA


def _counts(row: GroupFigure | None, total: int | None = None) -> dict[Status, int]:
    if row is None:
        counts = {_ON: 0, _RISK: 0, _OFF: 0, _NONE: 0}
    else:
        counts = {_ON: row.on_track, _RISK: row.at_risk, _OFF: row.off_track, _NONE: row.no_data}
    if total is not None:
        # Goals without an indicator or report in the scope have no row: they are "no data".
        counts[_NONE] = total - counts[_ON] - counts[_RISK] - counts[_OFF]
    return counts


def _report_counts(row: GroupFigure | None) -> dict[Status, int]:
    if row is None:
        return {_ON: 0, _RISK: 0, _OFF: 0, _NONE: 0}
    return {
        _ON: row.reports_on_track,
        _RISK: row.reports_at_risk,
        _OFF: row.reports_off_track,
        _NONE: 0,
    }


def _coverage(row: GroupFigure | None) -> Coverage:
    if row is None:
        return Coverage()
    return Coverage(row.values_reported, row.values_carried, row.values_expected)


#: What `summaries` reads of a stored group row: named rows, not instances, by SQL of its own
#: (ops.rows): the ORM's building of the query took longer than running it.
SUMMARY_FIELDS = (
    "period_id", "kind", "object_id", "status", "progress", "reported_status", "on_track",
    "at_risk", "off_track", "no_data", "reports_on_track", "reports_at_risk",
    "reports_off_track", "values_reported", "values_carried", "values_expected",
)  # fmt: skip
_Row = namedtuple("_Row", SUMMARY_FIELDS)


def summaries(
    data: DashboardData,
    periods: Iterable[Period],
    *,
    area_ids: Iterable[int] | None = None,
    earlier: Iterable[GroupKind] | None = None,
) -> dict[int, Summary]:
    """The goal, pillar and area figures of the scope for each of `periods` (one query).
    `earlier`: the only kinds of figure read for the periods before the last one (the others
    read there as no data), where a page's trend shows no more: the overview's shows areas."""
    periods = list(periods)
    ids = [p.id for p in periods]
    if earlier is None:
        where, params = any_of("period_id", ids)
    else:
        where, params = "period_id = %s", [ids[-1]]
        if ids[:-1]:
            before, before_params = any_of("period_id", ids[:-1])
            kinds, kind_params = any_of("kind", [str(k) for k in earlier])
            where = f"({where} OR ({before} AND {kinds}))"
            params += before_params + kind_params
    if area_ids is not None:
        areas, area_params = any_of("area_id", list(area_ids))
        where, params = f"{where} AND {areas}", params + area_params
    stored: dict[int, dict[tuple[str, int], Any]] = {p.id: {} for p in periods}
    for r in select(
        GroupFigure,
        SUMMARY_FIELDS,
        f"unit_id = %s AND {where}",
        [data.scope.id, *params],
        _Row._make,
    ):
        stored[r.period_id][(r.kind, r.object_id)] = r
    of_area: dict[int, list[int]] = {a.id: [] for a in data.areas}
    of_pillar: dict[int, list[int]] = {p.id: [] for p in data.pillars}
    for g in data.goals:
        if g.area_id in of_area:
            of_area[g.area_id].append(g.id)
        for p in g.pillar_ids:
            if p in of_pillar:
                of_pillar[p].append(g.id)
    groups = _Groups([g.id for g in data.goals], of_area, of_pillar)
    return {period.id: Summary(period, stored[period.id], groups) for period in periods}


def summarise(data: DashboardData, period: Period | None = None, **kwargs) -> Summary:
    period = period or data.period
    return summaries(data, [period], **kwargs)[period.id]


# What `result_of` reads of a stored figure: pages read them as named rows, not instances (a
# goal has hundreds of indicators at national scale).
FIGURE_FIELDS = (
    "indicator_id", "period_id", "value", "reported", "carried", "expected_units",
    "expected_value", "progress", "ratio", "status", "target", "target_period_id", "at_owner",
)  # fmt: skip


def result_of(
    row: IndicatorRow,
    reference: Period | None,
    f,  # a stored figure (an IndicatorFigure or a row of its FIGURE_FIELDS), or None
    periods: dict[int, Period] | None = None,
):
    if f is None:
        return IndicatorResult(
            row,
            reference,
            Rollup(None, 0, 0),
            scoring.score(row.spec, None, reference),
            row.spec.target_value,
            row.spec.target_period,
        )
    status = _STATUS[f.status]
    value = f.value
    reached = f.progress is not None and f.progress >= 1
    return IndicatorResult(
        row,
        reference,
        Rollup(value, f.reported, f.expected_units, f.carried),
        Score(
            status,
            actual=value,
            expected=f.expected_value,
            progress=f.progress,
            ratio=f.ratio,
            reached=reached,
        ),
        f.target,
        (periods or {}).get(f.target_period_id),
        not f.at_owner,
    )


class StoredFigures:
    """The stored figures of some indicators (anything with an `id` and a `frequency`: specs,
    `IndicatorKey`s) read at the dashboard's periods, in one query: the owner's figure, or for
    an indicator owned above the scope the scope's figure against its own target
    (docs/scoring.md, "Unit targets")."""

    def __init__(
        self, data: DashboardData, indicators: Iterable, periods: Iterable[Period] | None = None
    ) -> None:
        indicators = list(indicators)
        self.periods = list(periods or [data.period])
        self.period = self.periods[0]
        self.refs = {
            (p.id, kind): scoring.reference_period(data.periods, p, kind)
            for p in self.periods
            for kind in {i.frequency for i in indicators}
        }
        wanted = {r.id for r in self.refs.values() if r is not None}
        self.stored: dict[tuple[int, int], Any] = {}
        for f in IndicatorFigure.objects.filter(
            Q(at_owner=True) | Q(unit_id=data.scope.id),
            indicator_id__any=[i.id for i in indicators],
            period_id__in=wanted,
        ).values_list(*FIGURE_FIELDS, named=True):
            key = (f.indicator_id, f.period_id)
            if key not in self.stored or not f.at_owner:
                self.stored[key] = f
        self.by_id = {p.id: p for p in data.periods}

    def reference(self, indicator, period: Period | None = None) -> Period | None:
        """The period `indicator` is read at on the dashboard's `period` (default: the first)."""
        return self.refs[((period or self.period).id, indicator.frequency)]

    def _figure(self, indicator, reference: Period | None):
        return self.stored.get((indicator.id, reference.id)) if reference else None

    def status(self, indicator, period: Period | None = None) -> Status:
        """The status `result` scores it with, without its full row: no figure is no data."""
        f = self._figure(indicator, self.reference(indicator, period))
        return _STATUS[f.status] if f else _NONE

    def result(self, row: IndicatorRow, period: Period | None = None) -> IndicatorResult:
        reference = self.reference(row.spec, period)
        return result_of(row, reference, self._figure(row.spec, reference), self.by_id)


def indicator_results(
    data: DashboardData, rows: list[IndicatorRow], periods: Iterable[Period] | None = None
) -> dict[tuple[int, int], IndicatorResult]:
    """(indicator id, dashboard period id) → the indicator read at that period (one query;
    `StoredFigures`)."""
    read = StoredFigures(data, [r.spec for r in rows], periods)
    return {(r.spec.id, p.id): read.result(r, p) for p in read.periods for r in rows}


def trend_periods(data: DashboardData, count: int = TREND_COUNT) -> list[Period]:
    """The chosen period and the ones of its kind before it, oldest first."""
    return periods_up_to(data.periods, data.period, count)
