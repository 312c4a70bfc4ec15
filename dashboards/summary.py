"""Apply the scoring method to loaded data: indicators, goals, pillars and areas for a period.

Pure Python over `dashboards.data.DashboardData`; no queries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dashboards import scoring
from dashboards.data import (
    COUNTED_STATES,
    TREND_COUNT,
    DashboardData,
    IndicatorRow,
    ReportRow,
    periods_up_to,
)
from dashboards.scoring import GoalResult, GroupResult, Period, Rollup, Score, Status


@dataclass(frozen=True)
class IndicatorResult:
    row: IndicatorRow
    reference: Period | None
    rollup: Rollup
    score: Score


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


@dataclass
class Summary:
    period: Period
    indicators: dict[int, IndicatorResult]
    goals: dict[int, GoalResult]
    areas: dict[int, GroupResult]
    pillars: dict[int, GroupResult]
    area_coverage: dict[int, Coverage]
    area_reported: dict[int, dict[Status, int]] = field(default_factory=dict)

    def goal_indicators(self, goal_id: int) -> list[IndicatorResult]:
        return [r for r in self.indicators.values() if r.row.spec.goal_id == goal_id]


def indicator_result(
    data: DashboardData, row: IndicatorRow, period: Period, unit_id: int | None = None
) -> IndicatorResult:
    """One indicator at `period`, rolled up at its owner unit (or at `unit_id`)."""
    spec = row.spec
    at = unit_id or spec.owner_unit_id
    reference = scoring.reference_period(data.periods, period, spec.frequency)
    if reference is None or at not in data.tree.units:
        empty = Rollup(None, 0, 0)
        return IndicatorResult(row, reference, empty, scoring.score(spec, None, reference))
    if spec.accumulation == scoring.CUMULATIVE:
        rows = data.measurements.get(spec.id, ())
    else:
        # Per period: only the reference period's values count (scoring.observations_for).
        rows = data.measurements_in(spec.id, reference.id)
    observations = scoring.observations_for(
        ((m.unit_id, m.value, m.period) for m in rows if m.period.kind == spec.frequency),
        accumulation=spec.accumulation,
        reference=reference,
    )
    rolled = scoring.rollup(
        data.tree, at, observations, aggregation=spec.aggregation, reference=reference
    )
    return IndicatorResult(row, reference, rolled, scoring.score(spec, rolled.value, reference))


def counted_reports(reports: list[ReportRow]) -> dict[int, list[ReportRow]]:
    by_goal: dict[int, list[ReportRow]] = defaultdict(list)
    for report in reports:
        if report.state in COUNTED_STATES:
            by_goal[report.goal_id].append(report)
    return by_goal


def summarise(data: DashboardData, period: Period | None = None) -> Summary:
    period = period or data.period
    results = {row.spec.id: indicator_result(data, row, period) for row in data.indicators}
    by_goal: dict[int, list[IndicatorResult]] = defaultdict(list)
    for result in results.values():
        by_goal[result.row.spec.goal_id].append(result)
    reports = counted_reports(data.reports) if period == data.period else {}

    goals: dict[int, GoalResult] = {}
    for goal in data.goals:
        scores = {r.row.spec.id: r.score for r in by_goal[goal.id]}
        statuses = [r.status for r in reports.get(goal.id, [])]
        goals[goal.id] = GoalResult(
            goal.id,
            scoring.middle_status(s.status for s in scores.values()),
            scores,
            scoring.reported_status(statuses),
            scoring.status_counts(
                scoring.REPORTED_AS_STATUS[s] for s in statuses if s in scoring.REPORTED_AS_STATUS
            ),
        )

    areas, coverage, reported = {}, {}, {}
    for area in data.areas:
        members = [goals[g.id] for g in data.goals if g.area_id == area.id]
        areas[area.id] = scoring.group(members)
        cov = Coverage()
        counts: Counter = Counter()
        for g in members:
            for result in by_goal[g.goal_id]:
                cov += Coverage(
                    result.rollup.reported, result.rollup.carried, result.rollup.expected
                )
            counts.update(g.report_counts)
        coverage[area.id] = cov
        reported[area.id] = {s: counts.get(s, 0) for s in scoring.STATUS_ORDER}
    pillars = {
        pillar.id: scoring.group([goals[g.id] for g in data.goals if pillar.id in g.pillar_ids])
        for pillar in data.pillars
    }
    return Summary(period, results, goals, areas, pillars, coverage, reported)


def trend_periods(data: DashboardData, count: int = TREND_COUNT) -> list[Period]:
    """The chosen period and the ones of its kind before it, oldest first."""
    return periods_up_to(data.periods, data.period, count)
