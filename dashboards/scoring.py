"""The scoring method of the dashboards, as pure functions over plain data.

Nothing here touches the database: `dashboards.data` loads the rows in a fixed number of
queries and hands them over as the dataclasses below. docs/scoring.md explains every rule with
worked examples; tests/dashboards/test_scoring.py checks those examples.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

# Thresholds of docs/scoring.md. A progress ratio is actual progress / expected progress.
ON_TRACK_RATIO = Decimal("0.95")
AT_RISK_RATIO = Decimal("0.75")
# "Maintain" indicators (and increase/decrease ones whose target equals the baseline): the
# deviation from the level to hold, relative to that level.
MAINTAIN_ON_TRACK = Decimal("0.05")
MAINTAIN_AT_RISK = Decimal("0.10")

INCREASE, DECREASE, MAINTAIN = "increase", "decrease", "maintain"
PER_PERIOD, CUMULATIVE = "per_period", "cumulative"
SUM, MEAN, NONE = "sum", "mean", "none"


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


# From worst to best: the order in which statuses are lined up to take the middle one.
STATUS_RANK = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2}
STATUS_ORDER = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA)

# A unit's own reported status (ProgressReport.status) on the computed scale. "Not started"
# says nothing about progress and is left out.
REPORTED_AS_STATUS = {
    "on_track": Status.ON_TRACK,
    "achieved": Status.ON_TRACK,
    "at_risk": Status.AT_RISK,
    "off_track": Status.OFF_TRACK,
}


# --- Plain data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    id: int
    code: str
    kind: str
    start: datetime.date
    end: datetime.date
    deadline: datetime.date | None = None


@dataclass(frozen=True)
class UnitNode:
    id: int
    code: str
    parent_id: int | None
    name: str = ""
    kind: str = ""
    depth: int = 0
    path: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    code: str
    direction: str
    accumulation: str = PER_PERIOD
    aggregation: str = SUM
    frequency: str = "year"
    owner_unit_id: int = 0
    goal_id: int = 0
    decimals: int = 0
    baseline_value: Decimal | None = None
    baseline_period: Period | None = None
    target_value: Decimal | None = None
    target_period: Period | None = None
    milestones: tuple[tuple[Period, Decimal], ...] = ()
    # Contribution targets of units below the owner: (unit id, milestones in period order).
    unit_targets: tuple[tuple[int, tuple[tuple[Period, Decimal], ...]], ...] = ()


@dataclass(frozen=True)
class Observation:
    """A unit's own value for the reference period; `period` is where it was measured."""

    value: Decimal
    period: Period

    def is_fresh(self, reference: Period) -> bool:
        return self.period.id == reference.id


class Tree:
    """The unit tree: parent → children, in code order."""

    def __init__(self, units: Iterable[UnitNode]):
        self.units: dict[int, UnitNode] = {u.id: u for u in units}
        self.children: dict[int, list[int]] = {uid: [] for uid in self.units}
        for unit in sorted(self.units.values(), key=lambda u: u.code):
            if unit.parent_id in self.children:
                self.children[unit.parent_id].append(unit.id)

    def subtree(self, unit_id: int) -> list[int]:
        """The unit and all units below it, parents before children."""
        out, stack = [], [unit_id]
        while stack:
            uid = stack.pop()
            out.append(uid)
            stack.extend(reversed(self.children.get(uid, [])))
        return out

    def leaves(self, unit_id: int) -> list[int]:
        return [u for u in self.subtree(unit_id) if not self.children[u]]


# --- Periods and the trajectory -------------------------------------------------------------


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole months from one period end to another: 2018-12-31 → 2024-12-31 is 72."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


def reference_period(periods: Sequence[Period], chosen: Period, kind: str) -> Period | None:
    """The period an indicator of frequency `kind` is read at when the dashboard shows `chosen`:
    the latest period of that kind that has ended by the end of `chosen`."""
    candidates = [p for p in periods if p.kind == kind and p.end <= chosen.end]
    return max(candidates, key=lambda p: p.end) if candidates else None


def trajectory(spec: IndicatorSpec) -> list[tuple[Period, Decimal]]:
    """The knots of the expected path: baseline, milestones in between, target."""
    if spec.baseline_period is None or spec.target_period is None:
        return []
    if spec.baseline_value is None or spec.target_value is None:
        return []
    knots = {spec.baseline_period.end: (spec.baseline_period, spec.baseline_value)}
    for period, value in spec.milestones:
        if spec.baseline_period.end < period.end < spec.target_period.end:
            knots[period.end] = (period, value)
    knots[spec.target_period.end] = (spec.target_period, spec.target_value)
    return [knots[end] for end in sorted(knots)]


def expected_value(spec: IndicatorSpec, period: Period) -> Decimal | None:
    """The value expected at the end of `period` on the straight line between the trajectory's
    knots; before the baseline it is the baseline, after the target period the target."""
    knots = trajectory(spec)
    if not knots:
        return None
    if period.end <= knots[0][0].end:
        return knots[0][1]
    for (p0, v0), (p1, v1) in itertools.pairwise(knots):
        if period.end <= p1.end:
            elapsed = months_between(p0.end, period.end)
            span = months_between(p0.end, p1.end)
            return v0 + (v1 - v0) * Decimal(elapsed) / Decimal(span)
    return knots[-1][1]


# --- Unit roll-up ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """A unit's value for one indicator and period, and how much of it was reported.

    `expected` counts the reporting units (active leaves of the subtree, or the unit itself),
    `reported` those whose figure for the period is in, `carried` those whose latest running
    total of a cumulative indicator comes from an earlier period.
    """

    value: Decimal | None
    reported: int
    expected: int
    carried: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.reported - self.carried


def observations_for(
    measurements: Iterable[tuple[int, Decimal, Period]],
    *,
    accumulation: str,
    reference: Period,
) -> dict[int, Observation]:
    """Each unit's own observation for `reference` from its measurements (unit, value, period),
    which must all be of the indicator's frequency.

    Per-period: only the value of the reference period counts. Cumulative: the latest running
    total up to the reference period, never a sum over periods.
    """
    out: dict[int, Observation] = {}
    for unit_id, value, period in measurements:
        if period.id == reference.id:
            out[unit_id] = Observation(value, period)
        elif accumulation == CUMULATIVE and period.end < reference.end:
            current = out.get(unit_id)
            if current is None or current.period.end < period.end:
                out[unit_id] = Observation(value, period)
    return out


def rollup(
    tree: Tree,
    unit_id: int,
    observations: Mapping[int, Observation],
    *,
    aggregation: str,
    reference: Period,
) -> Rollup:
    """The value of `unit_id`: its own fresh measurement if present, else its children's
    values combined by `aggregation` (sum or mean of the children that have a value), else a
    carried running total of its own; units without data are missing, never zero."""
    return Rollup(*_rollup(tree.children, unit_id, observations, aggregation, reference.id))


def rollup_below(
    tree: Tree,
    unit_id: int,
    observations: Mapping[int, Observation],
    *,
    aggregation: str,
    reference: Period,
) -> tuple[Rollup, dict[int, Rollup]]:
    """`rollup` of `unit_id`, and the same roll-up at every unit below it that has units below
    it in turn: each one's share in the whole, as one pass computes them on the way. A unit
    without children (or any unit of a `none` indicator) stands for its own value only."""
    below: dict[int, tuple] = {}
    top = _rollup(tree.children, unit_id, observations, aggregation, reference.id, below)
    below.pop(unit_id, None)
    return Rollup(*top), {u: Rollup(*r) for u, r in below.items()}


def _rollup(children_of, unit_id, observations, aggregation, reference_id, into=None):
    """`rollup` as a plain tuple (value, reported, expected, carried): a dashboard rolls up
    tens of thousands of indicators and periods, each over its owner's subtree. `into`
    collects the tuple of every unit with children on the way."""
    own = observations.get(unit_id)
    children = children_of.get(unit_id)
    if aggregation == NONE or not children:
        if own is None:
            return None, 0, 1, 0
        fresh = own.period.id == reference_id
        return own.value, int(fresh), 1, int(not fresh)
    parts = [
        _rollup(children_of, child, observations, aggregation, reference_id, into)
        for child in children
    ]
    expected = sum(p[2] for p in parts)
    if own is not None and own.period.id == reference_id:
        result = own.value, expected, expected, 0
    else:
        values = [p[0] for p in parts if p[0] is not None]
        if values:
            total = sum(values, Decimal(0))
            value = total if aggregation == SUM else total / len(values)
            result = value, sum(p[1] for p in parts), expected, sum(p[3] for p in parts)
        elif own is not None:
            result = own.value, 0, expected, expected
        else:
            result = None, 0, expected, 0
    if into is not None:
        into[unit_id] = result
    return result


# --- Indicator status -----------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    status: Status
    actual: Decimal | None = None
    expected: Decimal | None = None
    progress: Decimal | None = None  # share of the way from baseline to target
    expected_progress: Decimal | None = None
    ratio: Decimal | None = None  # progress / expected progress
    deviation: Decimal | None = None  # maintain: |actual − level| / |level|
    reached: bool = False
    reason: str = ""


def score(spec: IndicatorSpec, actual: Decimal | None, reference: Period | None) -> Score:
    """Where `actual` stands against the trajectory at `reference`; see docs/scoring.md."""
    if actual is None or reference is None:
        return Score(Status.NO_DATA, reason="no value")
    expected = expected_value(spec, reference)
    if expected is None:
        return Score(Status.NO_DATA, actual=actual, reason="no baseline or target")
    baseline, target = spec.baseline_value, spec.target_value
    if spec.direction == MAINTAIN or baseline == target:
        return _score_level(spec, actual, expected)
    progress = (actual - baseline) / (target - baseline)
    expected_progress = (expected - baseline) / (target - baseline)
    reached = progress >= 1
    if reached:
        status, ratio = Status.ON_TRACK, None
        if expected_progress > 0:
            ratio = progress / expected_progress
    elif expected_progress <= 0:
        # Nothing was expected yet: fine unless the value moved the wrong way.
        ratio = None
        status = Status.ON_TRACK if progress >= 0 else Status.AT_RISK
    else:
        ratio = progress / expected_progress
        status = ratio_status(ratio)
    return Score(
        status,
        actual=actual,
        expected=expected,
        progress=progress,
        expected_progress=expected_progress,
        ratio=ratio,
        reached=reached,
    )


def score_rollup(spec: IndicatorSpec, rolled: Rollup, reference: Period | None) -> Score:
    """`score` of a rolled-up value. A sum with units missing is a part of the whole measured
    against the whole's target, so it is not scored (no data) until every unit is in; a mean
    of the units that reported is a fair estimate and is scored."""
    if spec.aggregation == SUM and rolled.value is not None and rolled.missing > 0:
        return Score(Status.NO_DATA, actual=rolled.value, reason="incomplete sum")
    return score(spec, rolled.value, reference)


def ratio_status(ratio: Decimal) -> Status:
    if ratio >= ON_TRACK_RATIO:
        return Status.ON_TRACK
    if ratio >= AT_RISK_RATIO:
        return Status.AT_RISK
    return Status.OFF_TRACK


def _score_level(spec: IndicatorSpec, actual: Decimal, level: Decimal) -> Score:
    """Hold a level: maintain, or increase/decrease whose target equals the baseline."""
    on_right_side = (spec.direction == INCREASE and actual >= level) or (
        spec.direction == DECREASE and actual <= level
    )
    if on_right_side:
        return Score(
            Status.ON_TRACK,
            actual=actual,
            expected=level,
            deviation=Decimal(0),
            progress=Decimal(1),
            reached=True,
        )
    if level == 0:
        deviation = Decimal(0) if actual == 0 else None
    else:
        deviation = abs(actual - level) / abs(level)
    if deviation is None or deviation > MAINTAIN_AT_RISK:
        status = Status.OFF_TRACK
    elif deviation > MAINTAIN_ON_TRACK:
        status = Status.AT_RISK
    else:
        status = Status.ON_TRACK
    return Score(status, actual=actual, expected=level, deviation=deviation)


# --- Goals, pillars, areas ------------------------------------------------------------------


def middle_status(statuses: Iterable[Status]) -> Status:
    """Line the statuses up from worst to best and take the middle one; with an even number
    the worse of the two middle ones. Statuses without data are left out."""
    return middle_of_counts(Counter(statuses))


def middle_of_counts(counts: Mapping[Status, int]) -> Status:
    """`middle_status` of statuses given as how many there are of each."""
    left = (sum(counts.get(s, 0) for s in STATUS_RANK) - 1) // 2
    if left < 0:
        return Status.NO_DATA
    worst_first = sorted(STATUS_RANK, key=STATUS_RANK.__getitem__)
    for status in worst_first:
        left -= counts.get(status, 0)
        if left < 0:
            return status
    return worst_first[-1]  # not reached: `left` is less than the counts' sum


def median(values: Iterable[Decimal]) -> Decimal | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def status_counts(statuses: Iterable[Status]) -> dict[Status, int]:
    counts = Counter(statuses)
    return {status: counts.get(status, 0) for status in STATUS_ORDER}


def reported_status(report_statuses: Iterable[str]) -> Status:
    """The units' own view of a goal: the middle of their reported statuses."""
    return middle_status(REPORTED_AS_STATUS[s] for s in report_statuses if s in REPORTED_AS_STATUS)


def disagrees(computed: Status, reported: Status) -> bool:
    return Status.NO_DATA not in (computed, reported) and computed != reported


@dataclass
class GoalResult:
    goal_id: int
    status: Status
    indicator_scores: dict[int, Score]
    reported: Status
    report_counts: dict[Status, int] = field(default_factory=dict)

    @property
    def disagreement(self) -> bool:
        return disagrees(self.status, self.reported)

    @property
    def indicator_progress(self) -> list[Decimal]:
        return [s.progress for s in self.indicator_scores.values() if s.progress is not None]

    @property
    def progress(self) -> Decimal | None:
        return median(self.indicator_progress)


class ScoredGoal(Protocol):
    """What a pillar or an area takes of a goal: a `GoalResult`, or a goal's figures as stored
    (`dashboards.figures.GoalFigures`)."""

    @property
    def goal_id(self) -> int: ...

    @property
    def status(self) -> Status: ...

    @property
    def indicator_progress(self) -> Sequence[Decimal]: ...


@dataclass
class GroupResult:
    """An area's or a pillar's goals: each goal counted once."""

    status: Status
    counts: dict[Status, int]
    progress: Decimal | None
    goal_ids: list[int]


def group(goals: Sequence[ScoredGoal]) -> GroupResult:
    """A group's status is the middle of its goals' statuses; its progress the median progress
    of its indicators, each indicator counted once even if its goal sits in two pillars."""
    unique = {g.goal_id: g for g in goals}
    progress = median(p for g in unique.values() for p in g.indicator_progress)
    return GroupResult(
        status=middle_status(g.status for g in unique.values()),
        counts=status_counts(g.status for g in unique.values()),
        progress=progress,
        goal_ids=list(unique),
    )


# Unit (contribution) targets: which target applies to a unit, and what a roll-up is measured
# against. Worked example in docs/scoring.md ("Unit targets").


@dataclass(frozen=True)
class ApplicableTarget:
    value: Decimal | None
    unit_code: str  # whose target it is
    is_own: bool  # the unit's own target, not a whole faculty's or NTNU's


def target_for(
    unit_code: str,
    owner_code: str,
    owner_target: Decimal | None,
    unit_targets: Mapping[str, Decimal],
) -> ApplicableTarget:
    """The target a unit is judged by: its own contribution target if the owner gave it one,
    else the owner's target, which is for the owner unit as a whole (a department must be told
    that NTNU's 550 million is not its own). `unit_targets` maps unit codes to contribution
    targets. The measurement grid shows the same choice (`indicators.views._sections`)."""
    if unit_code != owner_code and unit_code in unit_targets:
        return ApplicableTarget(unit_targets[unit_code], unit_code, True)
    return ApplicableTarget(owner_target, owner_code, unit_code == owner_code)


def rolled_up_target(
    aggregation: str,
    own_target: Decimal | None,
    children_targets: Sequence[Decimal | None],
) -> Decimal | None:
    """What a unit's rolled-up value is measured against.

    The unit's own target (the owner's, or its contribution target) when it has one. Otherwise,
    for a sum, the sum of its children's contribution targets, and for a mean their mean, but
    only when every child has one: a partial sum would make the whole look ahead of target.
    Not combined (`none`): only the unit's own target."""
    if own_target is not None:
        return own_target
    if aggregation == NONE or not children_targets:
        return None
    if any(target is None for target in children_targets):
        return None
    total = sum(children_targets, Decimal(0))
    if aggregation == MEAN:
        return total / len(children_targets)
    return total


Milestones = tuple[tuple[Period, Decimal], ...]


def unit_targets_in(
    tree: Tree,
    owner_id: int,
    aggregation: str,
    own: Mapping[int, Milestones],
) -> dict[int, Milestones]:
    """The targets (milestones, in period order) of the units below the owner that have one,
    own or rolled up (docs/scoring.md, "Unit targets").

    `own` maps a unit to its contribution targets. A unit with any own target is measured
    against those; a unit without one gets, for each period for which every child in `tree`
    has a target, `rolled_up_target` of the children's; periods some child lacks are left
    out. The owner itself is in the result only when it gets a rolled-up target (its own
    target is the indicator's). Values that are not combined (`none`) have no unit targets:
    only the owner reports.
    """
    out: dict[int, Milestones] = {}
    if aggregation == NONE or owner_id not in tree.units:
        return out

    def visit(unit_id: int) -> Milestones:
        children = [visit(c) for c in tree.children.get(unit_id, ())]
        mine = own.get(unit_id) if unit_id != owner_id else None
        if mine:
            found = tuple(sorted(mine, key=lambda m: m[0].end))
        elif children and all(children):
            by_child = [{p: v for p, v in c} for c in children]
            common = set(by_child[0]).intersection(*by_child[1:])
            found = tuple(
                (p, rolled_up_target(aggregation, None, [c[p] for c in by_child]))
                for p in sorted(common, key=lambda p: p.end)
            )
        else:
            found = ()
        if found:
            out[unit_id] = found
        return found

    visit(owner_id)
    return out


def unit_spec(spec: IndicatorSpec, milestones: Milestones, baseline: Decimal | None):
    """The indicator as a unit below its owner is measured: against its own (or rolled-up)
    targets, the latest being the target, from its own value at the baseline period."""
    (target_period, target_value), earlier = milestones[-1], milestones[:-1]
    return replace(
        spec,
        baseline_value=baseline,
        target_value=target_value,
        target_period=target_period,
        milestones=earlier,
    )
