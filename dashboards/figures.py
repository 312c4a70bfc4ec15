"""The stored figures: computed with `dashboards.scoring`, written here, read by the pages.

Four tables (docs/architecture.md, "Stored figures"):
- `IndicatorFigure`: an indicator rolled up at its owner unit and scored, for every period of its
  frequency (the periods it can be read at);
- `GroupFigure`: goals, pillars and areas for every dashboard period and every unit a dashboard
  can be filtered by, over the indicators owned in that unit's subtree;
- `UnitCompleteness`: per reporting unit and period the values owed (whoever owns the
  indicator) and entered;
- `UnitReports`: per unit and period its progress reports, counted and not yet counted.

Writers only append `FigureChange` rows in their own transaction (dashboards.signals); `settle()`
turns them into figures right after the commit (a Celery task queued on commit, a sweep every
minute, and any dashboard request that finds work pending). One settler at a time holds an
advisory lock; writers never wait for it. `compute_all()` is the full recomputation from raw
rows that `rebuild()` stores and `check()` compares.
"""

from __future__ import annotations

import bisect
import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Context, Decimal
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from dashboards import scoring
from dashboards.models import (
    ChangeScope,
    FigureChange,
    FigureRun,
    GroupFigure,
    GroupKind,
    IndicatorFigure,
    IndicatorShare,
    UnitCompleteness,
    UnitReports,
)
from dashboards.scoring import IndicatorSpec, Period, Score, Status, Tree, UnitNode
from goals.models import DevelopmentGoal, GoalPillar, ProgressReport, ReportingPeriod, ReportState
from indicators.models import Indicator, Measurement, Target
from ops.bulk import analyze, insert_rows
from ops.text import first_translation, translated_columns
from strategy.models import Pillar, Strategy, Unit, UnitParentHistory
from strategy.policy import READ, Policy

logger = logging.getLogger(__name__)

COUNTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)
LOCK_KEY = 0x56454B46  # pg advisory lock of the one settler ("VEKF")

Progress = Callable[[str], None]
STATUSES = {s.value: s for s in Status}  # a stored status as the enum, faster than Status(…)


# --- What the computation needs, loaded in bulk -------------------------------------------------


@dataclass(frozen=True)
class Validity:
    active: bool
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def during(self, period: Period) -> bool:
        """Whether the unit existed during the period. A unit closed without a date (inactive,
        no `valid_to`) counts in no period, as before validity dates were kept."""
        if not self.active and self.valid_to is None:
            return False
        starts_ok = self.valid_from is None or self.valid_from <= period.end
        return starts_ok and (self.valid_to is None or self.valid_to >= period.start)


@dataclass
class World:
    strategy: Strategy | None
    periods: list[Period]
    by_id: dict[int, Period]
    tree: Tree  # every unit, closed ones too, under its current parent
    area_of_goal: dict[int, int]
    pillars_of_goal: dict[int, tuple[int, ...]]
    goals_of_area: dict[int, list[int]]
    pillars_of_area: dict[int, list[int]]
    validity: dict[int, Validity] = field(default_factory=dict)
    # unit → its earlier parents as (last day, parent), oldest first (UnitParentHistory)
    moves: dict[int, list[tuple[datetime.date, int | None]]] = field(default_factory=dict)
    successor: dict[int, int] = field(default_factory=dict)  # merged unit → its successor
    _parents: dict[int, dict[int, int | None]] = field(default_factory=dict)
    _trees: dict[int, Tree] = field(default_factory=dict)
    _shared: dict[tuple, Tree] = field(default_factory=dict)
    _standing: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    _members: dict[int, dict[int, set[int]]] = field(default_factory=dict)
    _chosen: dict[int, list[Period]] = field(default_factory=dict)
    _readable: dict[str, Tree] = field(default_factory=dict)
    _listed: dict[tuple[int, int, str], frozenset[int]] = field(default_factory=dict)

    # The one rule of which tree a period rolls up over (docs/architecture.md, "Which units
    # count in a period"): the units that existed during the period, each under the parent it
    # had on the period's last day (or on its own last day, if it closed during the period).

    def parents_at(self, period: Period) -> dict[int, int | None]:
        """Every unit's parent during `period`, closed units included."""
        parents = self._parents.get(period.id)
        if parents is None:
            parents = {u: n.parent_id for u, n in self.tree.units.items()}
            for unit_id, moves in self.moves.items():
                valid_to = self.validity[unit_id].valid_to
                day = period.end if valid_to is None else min(period.end, valid_to)
                for last_day, parent_id in moves:
                    if day <= last_day:
                        parents[unit_id] = parent_id
                        break
            self._parents[period.id] = parents
        return parents

    def tree_at(self, period: Period) -> Tree:
        """The unit tree valid during `period`: a period's roll-up uses the units that existed
        then, where they were then, so closing or moving a unit later never changes an earlier
        period's figure."""
        tree = self._trees.get(period.id)
        if tree is None:
            parents = self.parents_at(period)
            ids = sorted(u for u, v in self.validity.items() if v.during(period))
            key = tuple((u, parents[u]) for u in ids)
            tree = self._shared.get(key)
            if tree is None:
                units = self.tree.units
                tree = self._shared[key] = Tree(
                    units[u]
                    if units[u].parent_id == parents[u]
                    else replace(units[u], parent_id=parents[u])
                    for u in ids
                )
            self._trees[period.id] = tree
        return tree

    def ancestors_or_self(self, unit_id: int, period: Period) -> list[int]:
        """The unit and the units above it during `period` (closed units keep their place)."""
        parents = self.parents_at(period)
        out = []
        while unit_id in parents and unit_id not in out:
            out.append(unit_id)
            unit_id = parents[unit_id]
        return out

    def standing_for(self, unit_id: int, period: Period) -> list[int]:
        """The units whose dashboard figures of `period` count what belongs to `unit_id`: its
        ancestors, and the successors of each of them that did not exist yet during `period`
        (a successor's trend continues with its predecessors' figures)."""
        cache = self._standing.setdefault(period.id, {})
        out = cache.get(unit_id)
        if out is None:
            out = []
            for a in self.ancestors_or_self(unit_id, period):
                out.append(a)
                s = self.successor.get(a)
                while s is not None and s not in out and not self.validity[s].during(period):
                    out.append(s)
                    s = self.successor.get(s)
            cache[unit_id] = out
        return out

    def members_at(self, unit_id: int, period: Period) -> set[int]:
        """The units whose things count in `unit_id`'s figures of `period` (`standing_for`
        turned round)."""
        members = self._members.get(period.id)
        if members is None:
            members = defaultdict(set)
            for u in self.tree.units:
                for a in self.standing_for(u, period):
                    members[a].add(u)
            self._members[period.id] = members
        return members.get(unit_id, set())

    def listed(self, unit_id: int, period: Period, policy: Policy) -> frozenset[int]:
        """The units whose things a page lists for `unit_id` and `period`: those that count in
        its figures of the period (`members_at`: its subtree then, closed units included, and
        the predecessors a successor stands for), of those `policy` lets the reader see (by
        their place today, as everywhere)."""
        units = self.tree.units
        return _kept(
            self._listed,
            (unit_id, period.id, policy.cache_key),
            lambda: frozenset(
                u for u in self.members_at(unit_id, period) if policy.can(READ, units[u])
            ),
            limit=256,  # a national page asked about 600 units every request
        )

    def readable(self, policy: Policy) -> Tree:
        """The open units `policy` lets the reader see, under their parents today: the units
        of the dashboards' filters (kept per reach: the rectorate's is every unit)."""
        return _kept(
            self._readable,
            policy.cache_key,
            lambda: Tree(
                node
                for node in self.tree.units.values()
                if self.validity[node.id].active and policy.can(READ, node)
            ),
            limit=64,
        )

    def refs(self, chosen: Period) -> dict[str, Period]:
        """The period each frequency is read at when a dashboard shows `chosen`."""
        out = {}
        for kind in {p.kind for p in self.periods}:
            ref = scoring.reference_period(self.periods, chosen, kind)
            if ref is not None:
                out[kind] = ref
        return out

    def chosen_for(self, ref_id: int) -> list[Period]:
        """The dashboard periods that read an indicator of the ref's kind at `ref_id`."""
        chosen = self._chosen.get(ref_id)
        if chosen is None:  # asked once per changed figure: an import changes thousands
            ref = self.by_id[ref_id]
            chosen = self._chosen[ref_id] = [
                p for p in self.periods if self.refs(p).get(ref.kind) == ref
            ]
        return chosen


_K = TypeVar("_K")
_V = TypeVar("_V")


def _kept(store: dict[_K, _V], key: _K, make: Callable[[], _V], *, limit: int) -> _V:
    """`store[key]`, made the first time it is asked for; a store of `limit` entries starts
    afresh (a world lives until the structure changes, its readers' reaches are many)."""
    found = store.get(key)
    if found is None:
        if len(store) >= limit:
            store.clear()
        found = store[key] = make()
    return found


def current_strategy() -> Strategy | None:
    return Strategy.objects.filter(is_current=True).first() or Strategy.objects.first()


def load_world() -> World:
    strategy = current_strategy()
    periods = [
        Period(p.id, p.code, p.kind, p.start, p.end, p.deadline)
        for p in ReportingPeriod.objects.filter(strategy=strategy)
    ]
    goals = list(DevelopmentGoal.objects.filter(area__strategy=strategy).values_list("id", "area"))
    links: dict[int, list[int]] = defaultdict(list)
    for goal_id, pillar_id in GoalPillar.objects.filter(goal__area__strategy=strategy).values_list(
        "goal_id", "pillar_id"
    ):
        links[goal_id].append(pillar_id)
    pillars = list(Pillar.objects.filter(area__strategy=strategy).values_list("id", "area"))
    return world_of(strategy, periods, goals, links, pillars)


@dataclass(frozen=True)
class _UnitRow:
    id: int
    code: str
    parent_id: int | None
    name: str
    kind: str
    depth: int
    path: str
    active: bool
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    successor_id: int | None


def world_of(
    strategy: Strategy | None,
    periods: list[Period],
    goals: list[tuple[int, int]],
    links: dict[int, list[int]],
    pillars: list[tuple[int, int]],
) -> World:
    """The world over a strategy's structure already loaded (goal → area, goal → pillars,
    pillar → area): reads every unit, closed ones too, and their earlier parents (two
    queries). The dashboards' frame builds its own from what it loaded (dashboards.data)."""
    periods = sorted(periods, key=lambda p: (p.end, p.kind))
    names = translated_columns("name")
    end = 3 + len(names)
    # Plain rows, the name in the active language (`translated_columns`): model instances and
    # their translated-name descriptors cost more than the query at national scale.
    rows = [
        _UnitRow(*row[:3], first_translation(row[3:end]), *row[end:])
        for row in Unit.objects.values_list(
            "id", "code", "parent_id", *names, "kind", "depth", "path", "active", "valid_from",
            "valid_to", "successor_id",
        )
    ]  # fmt: skip
    moves: dict[int, list[tuple[datetime.date, int | None]]] = defaultdict(list)
    for unit_id, valid_to, parent_id in UnitParentHistory.objects.order_by(
        "unit_id", "valid_to"
    ).values_list("unit_id", "valid_to", "parent_id"):
        moves[unit_id].append((valid_to, parent_id))
    units = [UnitNode(u.id, u.code, u.parent_id, u.name, u.kind, u.depth, u.path) for u in rows]
    goals_of_area: dict[int, list[int]] = defaultdict(list)
    for goal_id, area_id in goals:
        goals_of_area[area_id].append(goal_id)
    pillars_of_area: dict[int, list[int]] = defaultdict(list)
    for pillar_id, area_id in pillars:
        pillars_of_area[area_id].append(pillar_id)
    return World(
        strategy=strategy,
        periods=periods,
        by_id={p.id: p for p in periods},
        tree=Tree(units),
        area_of_goal=dict(goals),
        pillars_of_goal={g: tuple(sorted(links.get(g, ()))) for g, _ in goals},
        goals_of_area=goals_of_area,
        pillars_of_area=pillars_of_area,
        validity={u.id: Validity(u.active, u.valid_from, u.valid_to) for u in rows},
        moves=dict(moves),
        successor={u.id: u.successor_id for u in rows if u.successor_id is not None},
    )


def load_specs(world: World, indicator_ids: Iterable[int] | None = None) -> list[IndicatorSpec]:
    """The active indicators of the current strategy (or those of `indicator_ids` among them).

    The one place that decides which target values an indicator is measured against: the
    owner's (`Target` without a unit, and the indicator's target) and the units' contribution
    targets (`Target.unit`), which `indicator_figures` applies with `scoring.unit_targets_in`."""
    qs = Indicator.objects.active().filter(goal__area__strategy=world.strategy)
    targets = Target.objects.filter(indicator__in=qs.values("id")).order_by()
    if indicator_ids is not None:
        ids = list(indicator_ids)
        qs = qs.filter(id__in=ids)
        # By id alone (the index): targets of an indicator not in `qs` are never looked up.
        targets = Target.objects.filter(indicator_id__in=ids).order_by()
    milestones: dict[int, list[tuple[Period, Decimal]]] = defaultdict(list)
    per_unit: dict[int, dict[int, list[tuple[Period, Decimal]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for indicator_id, unit_id, period_id, value in targets.values_list(
        "indicator_id", "unit_id", "period_id", "value"
    ):
        if period_id not in world.by_id:
            continue
        if unit_id is None:
            milestones[indicator_id].append((world.by_id[period_id], value))
        else:
            per_unit[indicator_id][unit_id].append((world.by_id[period_id], value))

    def by_end(rows: list[tuple[Period, Decimal]]) -> tuple[tuple[Period, Decimal], ...]:
        return tuple(sorted(rows, key=lambda m: m[0].end))

    return [
        IndicatorSpec(
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
            baseline_period=world.by_id.get(i.baseline_period_id),
            target_value=i.target_value,
            target_period=world.by_id.get(i.target_period_id),
            milestones=by_end(milestones[i.id]),
            unit_targets=tuple(
                (unit_id, by_end(rows)) for unit_id, rows in sorted(per_unit[i.id].items())
            ),
        )
        for i in qs.only(
            "id",
            "code",
            "direction",
            "accumulation",
            "aggregation",
            "frequency",
            "owner_unit",
            "goal",
            "decimals",
            "baseline_value",
            "baseline_period",
            "target_value",
            "target_period",
        )
    ]


def load_measurements(
    world: World,
    indicator_ids: Iterable[int] | None = None,
    period_ids: Iterable[int] | None = None,
) -> dict[int, list[tuple[int, Decimal, Period]]]:
    """(unit, value, period) per indicator (of `indicator_ids` and in `period_ids`, or all), of
    the indicator's own frequency only."""
    rows = Measurement.objects.order_by()
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=list(indicator_ids))
    else:
        rows = rows.filter(period__strategy=world.strategy)
    if period_ids is not None:
        rows = rows.filter(period_id__in=list(period_ids))
    out: dict[int, list[tuple[int, Decimal, Period]]] = defaultdict(list)
    by_id = world.by_id
    for indicator_id, unit_id, period_id, value in rows.values_list(
        "indicator_id", "unit_id", "period_id", "value"
    ).iterator(chunk_size=20000):
        period = by_id.get(period_id)
        if period is not None:
            out[indicator_id].append((unit_id, value, period))
    return out


PLACES = Decimal("1e-20")  # the stored precision of figures
WIDE = Context(prec=60)


def _q(value: Decimal | None) -> Decimal | None:
    """The stored precision, and zero without a sign: the database keeps none, and a goal's
    progress values are stored as text (`GroupFigure.indicator_progress`)."""
    if value is None:
        return None
    stored = value.quantize(PLACES, context=WIDE)
    return stored.copy_abs() if stored.is_zero() else stored


# --- Indicator figures --------------------------------------------------------------------------


def indicator_figures(
    world: World,
    spec: IndicatorSpec,
    measurements: list[tuple[int, Decimal, Period]],
    shares: list[IndicatorShare] | None = None,
    only: set[int] | None = None,
) -> list[IndicatorFigure]:
    """The indicator at its owner for every period of its frequency (docs/scoring.md 2–3), and
    at every unit below the owner that has a target of its own or rolled up from its
    children's contribution targets ("Unit targets"), measured against that target.

    `shares` collects, from the owner's roll-up, the indicator at every unit below its owner
    that has units below it (`IndicatorShare`). `only`: the ids of the periods to compute
    (all of the indicator's frequency if None)."""
    rows = [m for m in measurements if m[2].kind == spec.frequency]
    by_period: dict[int, list] = defaultdict(list)
    for m in rows:
        by_period[m[2].id].append(m)
    cumulative = spec.accumulation == scoring.CUMULATIVE
    own_targets = dict(spec.unit_targets)

    def observed(ref: Period):
        # Per period: only the reference period's values count; cumulative: all up to it.
        candidates = rows if cumulative else by_period.get(ref.id, ())
        return scoring.observations_for(candidates, accumulation=spec.accumulation, reference=ref)

    baseline = spec.baseline_period
    at_baseline = None
    if own_targets and baseline is not None and baseline.kind == spec.frequency:
        at_baseline = (world.tree_at(baseline), observed(baseline))

    def baseline_of(unit_id: int) -> Decimal | None:
        # A unit's own starting point: its value at the indicator's baseline period.
        if at_baseline is None or unit_id not in at_baseline[0].units:
            return None
        return scoring.rollup(
            at_baseline[0], unit_id, at_baseline[1], aggregation=spec.aggregation,
            reference=baseline,
        ).value  # fmt: skip

    out = []
    for ref in world.periods:
        if ref.kind != spec.frequency or (only is not None and ref.id not in only):
            continue
        tree = world.tree_at(ref)
        if spec.owner_unit_id not in tree.units:
            continue  # the owner did not exist then
        observations = observed(ref)
        targets = (
            scoring.unit_targets_in(tree, spec.owner_unit_id, spec.aggregation, own_targets)
            if own_targets
            else {}
        )
        owner_rolled, below = scoring.rollup_below(
            tree,
            spec.owner_unit_id,
            observations,
            aggregation=spec.aggregation,
            reference=ref,
        )
        if shares is not None:
            shares.extend(
                IndicatorShare(
                    indicator_id=spec.id,
                    unit_id=unit_id,
                    period_id=ref.id,
                    value=_q(share.value),
                    reported=share.reported,
                    carried=share.carried,
                    expected_units=share.expected,
                )
                for unit_id, share in below.items()
            )
        owner_spec = spec
        if spec.target_value is None and spec.owner_unit_id in targets:
            owner_spec = scoring.unit_spec(spec, targets[spec.owner_unit_id], spec.baseline_value)
        scored_at = [(spec.owner_unit_id, owner_spec, True)] + [
            (unit_id, scoring.unit_spec(spec, milestones, baseline_of(unit_id)), False)
            for unit_id, milestones in targets.items()
            if unit_id != spec.owner_unit_id
        ]
        for unit_id, unit_spec, at_owner in scored_at:
            rolled = (
                owner_rolled
                if at_owner
                else scoring.rollup(
                    tree, unit_id, observations, aggregation=spec.aggregation, reference=ref
                )
            )
            score = scoring.score_rollup(unit_spec, rolled, ref)
            out.append(
                IndicatorFigure(
                    indicator_id=spec.id,
                    unit_id=unit_id,
                    at_owner=at_owner,
                    goal_id=spec.goal_id,
                    period_id=ref.id,
                    value=_q(rolled.value),
                    reported=rolled.reported,
                    carried=rolled.carried,
                    expected_units=rolled.expected,
                    expected_value=_q(score.expected),
                    progress=_q(score.progress),
                    ratio=_q(score.ratio),
                    status=str(score.status),
                    target=unit_spec.target_value,
                    target_period_id=unit_spec.target_period.id
                    if unit_spec.target_period
                    else None,
                )
            )
    return out


# --- Goals, pillars and areas -------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """What a group needs of an indicator figure."""

    indicator_id: int
    goal_id: int
    status: str
    progress: Decimal | None
    reported: int
    carried: int
    expected: int


@dataclass(frozen=True)
class GoalFigures:
    """What a goal's pillars and area take of its figures (`scoring.ScoredGoal`): computed from
    its indicators and reports, or read back from its stored row (`_refresh_unit_groups`)."""

    goal_id: int
    status: Status
    indicator_progress: tuple[Decimal, ...]
    report_counts: dict[Status, int]
    coverage: tuple[int, int, int]  # values reported, carried, expected


def group_figures(
    world: World,
    unit_id: int,
    chosen: Period,
    area_ids: Iterable[int],
    scored: Iterable[Scored],
    reports: Iterable[tuple[int, str]],
) -> list[GroupFigure]:
    """Goals, pillars and areas of `area_ids` for `chosen`, over the indicator figures owned in
    the unit's subtree (`scored`) and the counted reports (goal, status) of that subtree.

    A group without any indicator or report in the subtree gets no row: the pages read a
    missing row as "no data"."""
    goal_ids = [g for a in area_ids for g in world.goals_of_area.get(a, ())]
    rows, goals = goal_figures(world, unit_id, chosen, goal_ids, scored, reports)
    return rows + area_figures(world, unit_id, chosen, goals)


def goal_figures(
    world: World,
    unit_id: int,
    chosen: Period,
    goal_ids: Iterable[int],
    scored: Iterable[Scored],
    reports: Iterable[tuple[int, str]],
) -> tuple[list[GroupFigure], list[GoalFigures]]:
    """The rows of the goals of `goal_ids` that have an indicator figure or a report in the
    subtree, and what their pillars and areas take of them."""
    by_goal: dict[int, list[Scored]] = defaultdict(list)
    for s in scored:
        by_goal[s.goal_id].append(s)
    reported_by_goal: dict[int, list[str]] = defaultdict(list)
    for goal_id, status in reports:
        reported_by_goal[goal_id].append(status)
    rows: list[GroupFigure] = []
    goals: list[GoalFigures] = []
    for goal_id in goal_ids:
        members = by_goal.get(goal_id, [])
        statuses = reported_by_goal.get(goal_id, [])
        if not members and not statuses:
            continue
        scores = {s.indicator_id: Score(STATUSES[s.status], progress=s.progress) for s in members}
        result = scoring.GoalResult(
            goal_id,
            scoring.middle_status(s.status for s in scores.values()),
            scores,
            scoring.reported_status(statuses),
            scoring.status_counts(
                scoring.REPORTED_AS_STATUS[s] for s in statuses if s in scoring.REPORTED_AS_STATUS
            ),
        )
        progress = tuple(sorted(result.indicator_progress))
        coverage = (
            sum(s.reported for s in members),
            sum(s.carried for s in members),
            sum(s.expected for s in members),
        )
        goal = GoalFigures(goal_id, result.status, progress, result.report_counts, coverage)
        goals.append(goal)
        counts = scoring.status_counts(s.status for s in scores.values())
        rows.append(_goal_row(world, unit_id, chosen, goal, counts, result.reported))
    return rows, goals


def _goal_row(
    world: World,
    unit_id: int,
    chosen: Period,
    goal: GoalFigures,
    counts: dict[Status, int],
    reported: Status,
) -> GroupFigure:
    """A goal's stored row, with its indicators' progress values (`goal.indicator_progress`,
    sorted) as text."""
    row = _group_row(
        GroupKind.GOAL,
        goal.goal_id,
        world.area_of_goal[goal.goal_id],
        unit_id,
        chosen,
        status=goal.status,
        progress=scoring.median(goal.indicator_progress),
        counts=counts,
        reported=reported,
        report_counts=goal.report_counts,
        coverage=goal.coverage,
    )
    row.indicator_progress = GroupFigure.progress_text(goal.indicator_progress)
    return row


def area_figures(
    world: World,
    unit_id: int,
    chosen: Period,
    goals: Iterable[GoalFigures],
    pillars: set[int] | None = None,
) -> list[GroupFigure]:
    """The area rows, and the rows of their pillars (of `pillars`, or all), over the figures
    of their goals in the subtree (all of them: an area's progress is the median over every
    indicator of its goals)."""
    by_area: dict[int, list[GoalFigures]] = defaultdict(list)
    for g in goals:
        by_area[world.area_of_goal[g.goal_id]].append(g)
    out: list[GroupFigure] = []
    for area_id, in_area in by_area.items():
        groups = [(GroupKind.AREA, area_id, in_area)] + [
            (
                GroupKind.PILLAR,
                pillar_id,
                [g for g in in_area if pillar_id in world.pillars_of_goal.get(g.goal_id, ())],
            )
            for pillar_id in world.pillars_of_area.get(area_id, ())
            if pillars is None or pillar_id in pillars
        ]
        for kind, object_id, members in groups:
            if not members:
                continue
            result = scoring.group(members)
            report_counts: Counter = Counter()
            for g in members:
                report_counts.update(g.report_counts)
            out.append(
                _group_row(
                    kind,
                    object_id,
                    area_id,
                    unit_id,
                    chosen,
                    status=result.status,
                    progress=result.progress,
                    counts=result.counts,
                    reported=scoring.Status.NO_DATA,
                    report_counts=report_counts,
                    coverage=tuple(sum(g.coverage[i] for g in members) for i in range(3)),
                )
            )
    return out


def _group_row(
    kind, object_id, area_id, unit_id, chosen, *, status, progress, counts, reported,
    report_counts, coverage
) -> GroupFigure:  # fmt: skip
    return GroupFigure(
        kind=kind,
        object_id=object_id,
        area_id=area_id,
        unit_id=unit_id,
        period_id=chosen.id,
        status=str(status),
        progress=_q(progress),
        on_track=counts[Status.ON_TRACK],
        at_risk=counts[Status.AT_RISK],
        off_track=counts[Status.OFF_TRACK],
        no_data=counts[Status.NO_DATA],
        reported_status=str(reported),
        reports_on_track=report_counts.get(Status.ON_TRACK, 0),
        reports_at_risk=report_counts.get(Status.AT_RISK, 0),
        reports_off_track=report_counts.get(Status.OFF_TRACK, 0),
        values_reported=coverage[0],
        values_carried=coverage[1],
        values_expected=coverage[2],
    )


def _seen_by(world: World, figure: IndicatorFigure, period: Period) -> list[int]:
    """The units whose goal figures of `period` count an indicator figure: the owner's figure
    counts for the owner and every unit above it then (and successors standing for them,
    `World.standing_for`); a unit's figure against its own target for that unit only
    (docs/scoring.md, "Unit targets")."""
    if figure.at_owner:
        return world.standing_for(figure.unit_id, period)
    return [figure.unit_id]


def _scored(figure: IndicatorFigure) -> Scored:
    return Scored(
        figure.indicator_id,
        figure.goal_id,
        figure.status,
        figure.progress,
        figure.reported,
        figure.carried,
        figure.expected_units,
    )


# --- Completeness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """What completeness takes of an indicator (`IndicatorSpec` has the same), read without
    its targets."""

    id: int
    owner_unit_id: int
    frequency: str
    aggregation: str


def load_owed(world: World, *, owners: Iterable[int] = (), ids: Iterable[int] = ()) -> list[Owed]:
    """The active indicators of the current strategy owned by `owners` or of `ids`."""
    return [
        Owed(*row)
        for row in Indicator.objects.active()
        .filter(Q(owner_unit_id__any=list(owners)) | Q(id__any=list(ids)))
        .filter(goal__area__strategy=world.strategy)
        .order_by()
        .values_list("id", "owner_unit_id", "frequency", "aggregation")
    ]


def completeness_rows(
    world: World,
    specs: Iterable[IndicatorSpec | Owed],
    present: dict[tuple[int, int], set[int]],
    period: Period,
    units: set[int] | None = None,
) -> list[UnitCompleteness]:
    """Per reporting unit (of `units`, or all): values owed for `period` and entered.

    `present`: (indicator, period) → units with a value. A unit owes a value for every active
    indicator of the period's kind whose reporting units include it (docs/scoring.md 5),
    whoever owns the indicator; a value entered higher up inside the owner's subtree covers it.
    """
    tree = world.tree_at(period)
    expected: Counter = Counter()
    entered: Counter = Counter()
    # Hundreds of indicators share a few owners: their reporting units (of `units`) once each.
    leaves: dict[int, list[int]] = {}

    def counted(reporters: list[int]) -> list[int]:
        return reporters if units is None else [u for u in reporters if u in units]

    for spec in specs:
        owner = spec.owner_unit_id
        if spec.frequency != period.kind or owner not in tree.units:
            continue
        if spec.aggregation == scoring.NONE:
            reporters = counted([owner])
        elif owner in leaves:
            reporters = leaves[owner]
        else:
            reporters = leaves[owner] = counted(tree.leaves(owner))
        have = present.get((spec.id, period.id), set())
        for u in reporters:
            expected[u] += 1
            if u in have:
                entered[u] += 1
                continue
            for a in world.ancestors_or_self(u, period):
                if a in have:
                    entered[u] += 1
                    break
                if a == owner:
                    break
    return [
        UnitCompleteness(unit_id=u, period_id=period.id, expected=n, entered=entered[u])
        for u, n in expected.items()
    ]


def unit_report_counts(
    units: Iterable[int] | None = None, periods: Iterable[int] | None = None
) -> list[UnitReports]:
    """Per unit and period (of `units` and `periods`, or all) with a progress report: how many
    are submitted or approved (`COUNTED_STATES`) and how many are not."""
    reports = ProgressReport.objects.order_by()
    if units is not None:
        reports = reports.filter(unit_id__any=set(units))
    if periods is not None:
        reports = reports.filter(period_id__any=set(periods))
    return [
        UnitReports(unit_id=u, period_id=p, submitted=counted, drafts=n - counted)
        for u, p, counted, n in reports.values("unit_id", "period_id")
        .annotate(counted=Count("state", filter=Q(state__in=COUNTED_STATES)), n=Count("state"))
        .order_by("period_id", "unit_id")  # stored by period, as the page reads them
        .values_list("unit_id", "period_id", "counted", "n")
    ]


# --- The full recomputation ---------------------------------------------------------------------


@dataclass
class Figures:
    indicators: list[IndicatorFigure]
    groups: list[GroupFigure]
    completeness: list[UnitCompleteness]
    shares: list[IndicatorShare] = field(default_factory=list)
    reports: list[UnitReports] = field(default_factory=list)


def compute_all(world: World | None = None, progress: Progress | None = None) -> Figures:
    """Every stored figure, computed from the raw rows."""
    world = world or load_world()
    say = progress or (lambda text: None)
    specs = load_specs(world)
    say(f"{len(specs)} indicators, {len(world.tree.units)} units, {len(world.periods)} periods")
    measurements = load_measurements(world)
    say(f"{sum(len(v) for v in measurements.values())} values loaded")
    indicators: list[IndicatorFigure] = []
    shares: list[IndicatorShare] = []
    for n, spec in enumerate(specs, 1):
        indicators.extend(indicator_figures(world, spec, measurements.get(spec.id, []), shares))
        if n % 2000 == 0:
            say(f"indicators: {n} of {len(specs)}")
    say(f"indicators: {len(indicators)} figures, {len(shares)} shares of units below owners")

    groups = _group_rows(world, indicators, world.periods, say)

    present: dict[tuple[int, int], set[int]] = defaultdict(set)
    for indicator_id, rows in measurements.items():
        for unit_id, _value, period in rows:
            present[(indicator_id, period.id)].add(unit_id)
    completeness: list[UnitCompleteness] = []
    for period in world.periods:
        completeness.extend(completeness_rows(world, specs, present, period))
    reports = unit_report_counts()
    say(
        f"{len(groups)} group figures, {len(completeness)} completeness rows, "
        f"{len(reports)} units' reports"
    )
    return Figures(indicators, groups, completeness, shares, reports)


def _group_rows(
    world: World,
    indicators: Iterable[IndicatorFigure],
    chosen_periods: list[Period],
    say: Progress = lambda text: None,
    area_ids: Iterable[int] | None = None,
) -> list[GroupFigure]:
    """Every unit's goal, pillar and area figures for `chosen_periods` (of `area_ids`, or all),
    over `indicators` (at least those of the periods the chosen ones read) and the counted
    reports."""
    # Every unit's subtree sees the figures of the indicators owned in it.
    by_period: dict[int, list[IndicatorFigure]] = defaultdict(list)
    for f in indicators:
        by_period[f.period_id].append(f)
    reports: dict[int, dict[int, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    counted = ProgressReport.objects.filter(
        period_id__in=[p.id for p in chosen_periods], state__in=COUNTED_STATES
    ).order_by()  # counted, not listed: the default ordering would sort 250,000 rows
    if area_ids is not None:
        counted = counted.filter(goal__area_id__in=area_ids)
    for goal_id, unit_id, period_id, status in counted.values_list(
        "goal_id", "unit_id", "period_id", "status"
    ):
        for a in world.standing_for(unit_id, world.by_id[period_id]):
            reports[period_id][a].append((goal_id, status))
    all_areas = list(world.goals_of_area) if area_ids is None else list(area_ids)
    groups: list[GroupFigure] = []
    for chosen in chosen_periods:
        per_unit: dict[int, list[Scored]] = defaultdict(list)
        for ref in world.refs(chosen).values():
            for f in by_period.get(ref.id, ()):
                s = _scored(f)
                for a in _seen_by(world, f, chosen):
                    per_unit[a].append(s)
        for unit_id in world.tree.units:
            groups.extend(
                group_figures(
                    world,
                    unit_id,
                    chosen,
                    all_areas,
                    per_unit.get(unit_id, ()),
                    reports[chosen.id].get(unit_id, ()),
                )
            )
        say(f"groups: {chosen.code}")
    return groups


def _lock(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def _copy(model, rows: list, progress: Progress | None = None) -> None:
    """Insert unsaved figure instances: COPY on PostgreSQL (`ops.bulk`), where `bulk_create`
    spent minutes on the 600,000 group figures of a national rebuild."""
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    insert_rows(model, fields, (tuple(getattr(r, f) for f in fields) for r in rows))
    if progress:
        progress(f"stored {len(rows)} {model._meta.verbose_name} rows")


def rebuild(progress: Progress | None = None) -> Figures:
    """Recompute and store every figure; pending changes are covered by it."""
    with transaction.atomic():
        _lock(wait=True)
        FigureChange.objects.all().delete()
        return _store_all(progress)


def _store_all(progress: Progress | None = None) -> Figures:
    figures = compute_all(progress=progress)
    stored = (IndicatorFigure, IndicatorShare, GroupFigure, UnitCompleteness, UnitReports)
    for model in stored:
        model.objects.all().delete()
    _copy(IndicatorFigure, figures.indicators, progress)
    _copy(IndicatorShare, figures.shares, progress)
    _copy(GroupFigure, figures.groups, progress)
    _copy(UnitCompleteness, figures.completeness, progress)
    _copy(UnitReports, figures.reports, progress)
    analyze(*stored)
    now = timezone.now()
    FigureRun.objects.update_or_create(
        pk=1, defaults={"finished_at": now, "rebuilt_at": now, "frame_at": now}
    )
    return figures


# --- Keeping them up to date --------------------------------------------------------------------


def queue(
    *,
    indicator_ids: Iterable[int] = (),
    values: Iterable[tuple[int, int, int]] = (),
    values_in_place: Iterable[tuple[int, int, int]] = (),
    reports: Iterable[tuple[int, int, int]] = (),
    areas_of_goals: Iterable[int] = (),
    periods: Iterable[int] = (),
    unit_groups: Iterable[tuple[int, int]] = (),
    completeness_below: Iterable[int] = (),
    new_units: Iterable[int] = (),
    frame: bool = False,
    everything: bool = False,
) -> None:
    """Note what a write changed, in the writer's transaction, and settle after it commits.

    `indicator_ids`: indicators whose definition or targets changed; `values`: (indicator,
    unit, period) of changed measurements, of which `values_in_place` were stored before and
    still are (no completeness changes); `reports`: (goal, unit, period) of progress reports.
    Structure edits (dashboards.signals): `areas_of_goals`, goals whose area's group figures
    change (a goal–pillar link); `periods`, periods whose unit tree changed (every figure of
    them); `unit_groups`, (unit, period) whose group figures change (a successor's standing);
    `completeness_below`, units whose subtree owes other values (an indicator's owner,
    frequency, reporting units); `new_units`, units added to the tree; `frame`, the strategy's
    structure as the pages cache it (names, periods, links) changed.
    """
    rows = [FigureChange(indicator_id=i) for i in set(indicator_ids)]
    in_place = set(values_in_place)
    rows += [
        FigureChange(
            indicator_id=i,
            unit_id=u,
            period_id=p,
            scope=ChangeScope.IN_PLACE if (i, u, p) in in_place else ChangeScope.ROWS,
        )
        for i, u, p in set(values)
    ]
    rows += [FigureChange(goal_id=g, unit_id=u, period_id=p) for g, u, p in set(reports)]
    rows += [FigureChange(scope=ChangeScope.AREA, goal_id=g) for g in set(areas_of_goals)]
    rows += [FigureChange(scope=ChangeScope.PERIOD, period_id=p) for p in set(periods)]
    rows += [
        FigureChange(scope=ChangeScope.GROUPS, unit_id=u, period_id=p) for u, p in set(unit_groups)
    ]
    rows += [
        FigureChange(scope=ChangeScope.COMPLETENESS, unit_id=u) for u in set(completeness_below)
    ]
    rows += [FigureChange(scope=ChangeScope.NEW_UNIT, unit_id=u) for u in set(new_units)]
    if frame:
        rows.append(FigureChange(scope=ChangeScope.FRAME))
    if everything:
        rows.append(FigureChange(everything=True))
    if not rows:
        return
    FigureChange.objects.bulk_create(rows)
    transaction.on_commit(_settle_later)


def _settle_later() -> None:
    from dashboards.tasks import settle_figures

    try:
        settle_figures.delay()
    except Exception:  # the sweep and the next dashboard request settle instead
        logger.exception("Could not queue settling the figures")


def pending() -> bool:
    return FigureChange.objects.exists()


@dataclass(frozen=True)
class State:
    pending: bool
    finished_at: datetime.datetime | None
    rebuilt_at: datetime.datetime | None
    rebuild_pending: bool = False
    waiting_since: datetime.datetime | None = None  # the oldest pending change
    frame_at: datetime.datetime | None = None  # `FigureRun.frame_at`
    # A change to the structure (`frame_at` will move on) or a rebuild is pending: the frame
    # cached under `frame_at` is older than the units and periods in the database.
    frame_pending: bool = False

    @property
    def frame_stamp(self) -> datetime.datetime | None:
        """The key of the pages' cached strategy structure (None: not cached)."""
        return self.frame_at or self.rebuilt_at

    def left_to_worker(self, now: datetime.datetime) -> bool:
        """Whether pending changes are recent enough to leave to the worker whose task was
        queued with them: a reader then sees the page as it was, marked as being updated,
        instead of waiting for a settle (seconds at national scale, and every reader at once).
        Older changes mean no worker took them: a page settles them itself."""
        return self.waiting_since is not None and now - self.waiting_since < WORKER_GRACE


#: How long a page leaves pending changes to a worker before settling them itself.
WORKER_GRACE = datetime.timedelta(seconds=10)


def state() -> State:
    """Whether changes are pending, and when the figures were last complete and last rebuilt,
    in one query. Every dashboard page asks first: written as SQL, as compiling the ORM's
    three subqueries took five times as long as running them (1 → 0.2 ms)."""
    run, change = (connection.ops.quote_name(m._meta.db_table) for m in (FigureRun, FigureChange))
    # The table names are the models'; there are no values.
    sql = (
        "SELECT c.waiting_since, c.rebuilds, c.reframes, "  # noqa: S608
        "r.finished_at, r.rebuilt_at, r.frame_at "
        "FROM (SELECT MIN(queued_at) AS waiting_since, "
        "SUM(CASE WHEN everything THEN 1 ELSE 0 END) AS rebuilds, "
        "SUM(CASE WHEN everything OR scope = %s THEN 1 ELSE 0 END) AS reframes "
        f"FROM {change}) c LEFT JOIN {run} r ON r.id = 1"  # nosec B608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ChangeScope.FRAME.value])
        waiting_since, rebuilds, reframes, *run_at = cursor.fetchone()
    waiting_since, *run_at = (_moment(t) for t in (waiting_since, *run_at))
    pending = waiting_since is not None
    if run_at[0] is None:  # never settled: all that is pending is a rebuild
        return State(pending, None, None, pending, frame_pending=pending)
    finished_at, rebuilt_at, frame_at = run_at
    return State(
        pending, finished_at, rebuilt_at, bool(rebuilds), waiting_since, frame_at, bool(reframes)
    )


def _moment(value: datetime.datetime | str | None) -> datetime.datetime | None:
    """A timestamp as SQL hands it back: aware from PostgreSQL; from SQLite text (an aggregate)
    or a naive datetime, both in the connection's time zone (as Django stores them there)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


#: The scopes of an indicator's, a value's or a report's change (not a structure edit's).
ROW_SCOPES = (ChangeScope.ROWS, ChangeScope.IN_PLACE)


def settle(*, wait: bool = True) -> bool:
    """Turn the pending changes into stored figures, in one transaction (a settler that dies
    leaves them pending). False if another process is at it and `wait` is False; that one
    covers what is pending."""
    with transaction.atomic():
        if not _lock(wait):
            return False
        changes = list(
            FigureChange.objects.values_list(
                "pk", "indicator_id", "goal_id", "unit_id", "period_id", "everything", "scope"
            )
        )
        if not changes:
            return True
        # Only what was committed before this read: later changes stay for the next settle.
        FigureChange.objects.filter(pk__in=[c[0] for c in changes]).delete()
        if any(c[5] for c in changes):
            _store_all()
            return True
        now = timezone.now()
        if any(c[6] == ChangeScope.FRAME for c in changes):
            FigureRun.objects.update_or_create(pk=1, defaults={"finished_at": now, "frame_at": now})
            changes = [c for c in changes if c[6] != ChangeScope.FRAME]
            if not changes:
                return True
        rows = [c for c in changes if c[6] in ROW_SCOPES]
        values = [c for c in rows if c[1] is not None and c[3] is not None]
        scoped: dict[str, set] = defaultdict(set)
        for _pk, _indicator, goal_id, unit_id, period_id, _all, scope in changes:
            if scope in ROW_SCOPES:
                continue
            if scope == ChangeScope.AREA:
                scoped[scope].add(goal_id)
            elif scope == ChangeScope.PERIOD:
                scoped[scope].add(period_id)
            elif scope == ChangeScope.GROUPS:
                scoped[scope].add((unit_id, period_id))
            elif scope:
                scoped[scope].add(unit_id)
        world = _settling_world()
        rebased, rebuilt = _recompute_periods(world, scoped[ChangeScope.PERIOD])
        _apply(
            {c[1] for c in rows if c[1] is not None and c[4] is None} | rebased,
            {(c[1], c[3], c[4]) for c in values},
            {(c[2], c[3], c[4]) for c in rows if c[2] is not None},
            world=world,
            # Recounted: values added, deleted or moved (also if changed in place afterwards).
            added_or_removed={(c[1], c[3], c[4]) for c in values if c[6] == ChangeScope.ROWS},
            areas_of_goals=scoped[ChangeScope.AREA],
            unit_groups=scoped[ChangeScope.GROUPS],
            completeness_below=scoped[ChangeScope.COMPLETENESS],
            new_units=scoped[ChangeScope.NEW_UNIT],
            rebuilt=rebuilt,
        )
        FigureRun.objects.update_or_create(pk=1, defaults={"finished_at": now})
    return True


#: The world the last settle in this process used, by its structure's stamp.
_kept_world: dict[datetime.datetime, World] = {}


def _settling_world() -> World:
    """The world of the current structure, kept by this process under `FigureRun.frame_at`,
    which the settle of any change to the structure moves on (dashboards.signals `FRAME`), as
    the pages keep theirs (`dashboards.data`): reading 600 units and their history again took
    a fifth of a national settle of one value."""
    stamps = FigureRun.objects.filter(pk=1).values_list("frame_at", "rebuilt_at").first()
    key = stamps and (stamps[0] or stamps[1])
    if key is None:
        return load_world()
    if key not in _kept_world:
        _kept_world.clear()
        _kept_world[key] = load_world()
    return _kept_world[key]


def _recompute_periods(world: World, period_ids: set[int]) -> tuple[set[int], set[int]]:
    """Recompute and store every figure of the periods whose unit tree changed (a unit moved,
    merged, closed, its validity edited; a period added): their indicator figures and shares,
    the group figures of the dashboards showing them and their completeness. The periods
    before such a change keep their figures ("history is history") and are not read.

    Returns the indicators with units' own targets whose baseline is one of these periods (a
    unit's starting point is its value in the baseline period's tree, so all their periods
    change: `_apply` recomputes them), and the dashboard periods whose group figures it stored,
    from the figures of the periods they read as they are now."""
    ids = {p.id for p in world.periods if p.id in period_ids}
    if not ids:
        return set(), set()
    # The dashboards showing a later period read these periods' indicators too, and a
    # period's dashboards read indicators of other kinds at periods not recomputed here.
    shown = ids | {c.id for p in ids for c in world.chosen_for(p)}
    chosen = [p for p in world.periods if p.id in shown]
    read = ids | {ref.id for p in chosen for ref in world.refs(p).values()}
    specs = load_specs(world)
    measurements = load_measurements(world)
    indicators: list[IndicatorFigure] = []
    shares: list[IndicatorShare] = []
    for spec in specs:
        indicators.extend(
            indicator_figures(world, spec, measurements.get(spec.id, []), shares, only=read)
        )
    groups = _group_rows(world, indicators, chosen)
    present: dict[tuple[int, int], set[int]] = defaultdict(set)
    for indicator_id, rows in measurements.items():
        for unit_id, _value, period in rows:
            if period.id in ids:
                present[(indicator_id, period.id)].add(unit_id)
    completeness = [
        row
        for p in world.periods
        if p.id in ids
        for row in completeness_rows(world, specs, present, p)
    ]
    for model in (IndicatorFigure, IndicatorShare, UnitCompleteness):
        model.objects.filter(period_id__in=ids).delete()
    GroupFigure.objects.filter(period_id__in=shown).delete()
    _copy(IndicatorFigure, [f for f in indicators if f.period_id in ids])
    _copy(IndicatorShare, [s for s in shares if s.period_id in ids])
    _copy(GroupFigure, groups)
    _copy(UnitCompleteness, completeness)
    rebased = {
        s.id
        for s in specs
        if s.unit_targets and s.baseline_period is not None and s.baseline_period.id in ids
    }
    return rebased, shown


def _apply(
    indicator_ids: set[int],
    values: set[tuple[int, int, int]],
    reports: set[tuple[int, int, int]],
    *,
    world: World | None = None,
    areas_of_goals: set[int] = frozenset(),  # type: ignore[assignment]
    unit_groups: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    completeness_below: set[int] = frozenset(),  # type: ignore[assignment]
    new_units: set[int] = frozenset(),  # type: ignore[assignment]
    rebuilt: set[int] = frozenset(),  # type: ignore[assignment]
    added_or_removed: set[tuple[int, int, int]] | None = None,
) -> None:
    """Settle the changed indicators (`indicator_ids`: every period), values and reports, and
    the structure edits' scopes. `added_or_removed`: the values whose units' completeness is
    recounted (None: all of `values`; the others changed in place). `rebuilt`: the dashboard
    periods whose goal rows `_recompute_periods` has just stored with the new figures; a
    changed figure read there rescores its goal instead of moving a row that holds it
    already."""
    world = world or load_world()
    if new_units:
        # A new unit changes the roll-ups of the indicators owned above it (the units they
        # expect a value from): those of its ancestors in any period.
        above = {
            a
            for unit_id in new_units
            for p in world.periods
            for a in world.ancestors_or_self(unit_id, p)
        }
        indicator_ids = indicator_ids | set(
            Indicator.objects.filter(owner_unit_id__in=above).values_list("id", flat=True)
        )
        completeness_below = completeness_below | new_units
    dirty: dict[tuple[int, int], set[int]] = defaultdict(set)  # (unit, chosen) → goals
    moved: dict[tuple[int, int], dict[int, list[Move]]] = defaultdict(lambda: defaultdict(list))

    def touch(goal_id: int, unit_id: int, chosen_ids: Iterable[int]) -> None:
        if goal_id not in world.area_of_goal:
            return
        for p in chosen_ids:
            for a in world.standing_for(unit_id, world.by_id[p]):
                dirty[(a, p)].add(goal_id)

    if indicator_ids or values:
        specs = load_specs(world, indicator_ids | {v[0] for v in values})
        scope = _recomputed_periods(world, specs, values, whole=indicator_ids)
        old = {
            _key_indicator(f): f
            for f in IndicatorFigure.objects.filter(indicator_id__in=list(scope))
            if _in_scope(scope, f.indicator_id, f.period_id)
        }
        measurements = load_measurements(world, scope, _periods_read(specs, scope))
        new = {}
        shares: list[IndicatorShare] = []
        for spec in specs:
            for f in indicator_figures(
                world, spec, measurements.get(spec.id, []), shares, only=scope[spec.id]
            ):
                new[_key_indicator(f)] = f
        changed = [k for k in old.keys() | new.keys() if _differs(old.get(k), new.get(k))]
        for key in changed:
            for sign, f in ((-1, old.get(key)), (1, new.get(key))):
                known = f is not None and f.period_id in world.by_id
                if not known or f.goal_id not in world.area_of_goal:
                    continue
                scored = _scored(f)
                for chosen in world.chosen_for(f.period_id):
                    for a in _seen_by(world, f, chosen):
                        if chosen.id in rebuilt:
                            dirty[(a, chosen.id)].add(f.goal_id)
                        else:
                            moved[(a, chosen.id)][f.goal_id].append((sign, scored))
        stale = [f.pk for f in old.values()]
        for start in range(0, len(stale), 10_000):  # SQLite takes 32,766 parameters at most
            IndicatorFigure.objects.filter(pk__any=stale[start : start + 10_000]).delete()
        _copy(IndicatorFigure, list(new.values()))
        _replace_shares(scope, shares)
        _update_completeness(world, values if added_or_removed is None else added_or_removed, specs)
    for goal_id, unit_id, period_id in reports:
        if period_id in world.by_id:
            touch(goal_id, unit_id, [period_id])
    _recount_reports({(unit_id, period_id) for _goal, unit_id, period_id in reports})
    every_goal = set(world.area_of_goal)
    for unit_id, period_id in unit_groups:
        if unit_id in world.tree.units and period_id in world.by_id:
            dirty[(unit_id, period_id)] |= every_goal
    areas = {world.area_of_goal[g] for g in areas_of_goals if g in world.area_of_goal}
    if areas:
        _store_area_groups(world, areas)
        dirty = {
            key: left
            for key, goals in dirty.items()
            if (left := {g for g in goals if world.area_of_goal[g] not in areas})
        }
        moved = {
            key: left
            for key, goals in moved.items()
            if (left := {g: m for g, m in goals.items() if world.area_of_goal[g] not in areas})
        }
    _refresh_groups(world, dirty, moved)
    if completeness_below:
        _recount_completeness(world, _subtrees_and_parents(world, completeness_below))


def _recomputed_periods(
    world: World,
    specs: list[IndicatorSpec],
    values: set[tuple[int, int, int]],
    whole: set[int],
) -> dict[int, set[int] | None]:
    """Per indicator, the periods whose figures and shares a change can move (None: all).

    A changed definition or target (`whole`) moves every period. A changed value moves its
    period and, for a cumulative indicator, the later ones: the figures of a period are rolled
    up from that period's values (a cumulative one's from the values up to it). Both are
    taken as "from the earliest changed period on". A value at or before the baseline period
    moves every period: a unit's own target starts from its value there."""
    earliest: dict[int, Period] = {}
    for indicator_id, _unit, period_id in values:
        period = world.by_id.get(period_id)
        if period is not None and (
            indicator_id not in earliest or period.end < earliest[indicator_id].end
        ):
            earliest[indicator_id] = period
    scope: dict[int, set[int] | None] = {i: None for i in whole | {v[0] for v in values}}
    for spec in specs:
        since = earliest.get(spec.id)
        baseline = spec.baseline_period
        if spec.id in whole or since is None or (baseline and baseline.end >= since.end):
            continue
        scope[spec.id] = {
            p.id for p in world.periods if p.kind == spec.frequency and p.end >= since.end
        }
    return scope


def _periods_read(specs: list[IndicatorSpec], scope: dict[int, set[int] | None]) -> set[int] | None:
    """The periods whose values the recomputation of `scope` reads: its periods and the
    baseline period (a unit's own target starts from its value there); None, all of them, when
    an indicator is recomputed for every period or is cumulative (a period adds up the values
    of those before it)."""
    read: set[int] = set()
    for spec in specs:
        periods = scope.get(spec.id)
        if periods is None or spec.accumulation == scoring.CUMULATIVE:
            return None
        read |= periods
        if spec.baseline_period is not None:
            read.add(spec.baseline_period.id)
    return read


def _in_scope(scope: dict[int, set[int] | None], indicator_id: int, period_id: int) -> bool:
    periods = scope[indicator_id]
    return periods is None or period_id in periods


def _store_area_groups(world: World, area_ids: set[int]) -> None:
    """Recompute the group figures of whole areas, every unit and period, in one pass over
    their stored indicator figures (a goal–pillar link changed). `_refresh_groups` would run
    five queries for each of hundreds of units."""
    stored = IndicatorFigure.objects.filter(goal__area_id__in=area_ids).only(
        "indicator_id", "unit_id", "goal_id", "period_id", "at_owner", "status", "progress",
        "reported", "carried", "expected_units",
    )  # fmt: skip
    rows = _group_rows(world, stored.iterator(chunk_size=20000), world.periods, area_ids=area_ids)
    GroupFigure.objects.filter(area_id__in=area_ids).delete()
    _copy(GroupFigure, rows)


def _subtrees_and_parents(world: World, unit_ids: set[int]) -> dict[int, set[int]]:
    """Per period, the units below (and including) each of `unit_ids` and their parents: the
    reporting units whose owed values change when an indicator owned there changes or a unit
    is added there (the parent may stop being a leaf)."""
    out: dict[int, set[int]] = defaultdict(set)
    for p in world.periods:
        tree = world.tree_at(p)
        parents = world.parents_at(p)
        for unit_id in unit_ids:
            if unit_id in tree.units:
                out[p.id].update(tree.subtree(unit_id))
            if parents.get(unit_id) is not None:
                out[p.id].add(parents[unit_id])
    return out


SHARE_FIELDS = ("value", "reported", "carried", "expected_units")


def _replace_shares(scope: dict[int, set[int] | None], shares: list[IndicatorShare]) -> None:
    """Store the new shares of the indicators and periods of `scope`, writing only the rows
    that changed: a value changes the shares of the units above it only, out of hundreds per
    indicator."""
    new = {_key_share(s): s for s in shares}
    old = {
        (unit, period, indicator): (pk, *rest)
        for pk, unit, period, indicator, *rest in IndicatorShare.objects.filter(
            indicator_id__in=list(scope)
        ).values_list("pk", "unit_id", "period_id", "indicator_id", *SHARE_FIELDS)
        if _in_scope(scope, indicator, period)
    }
    stale = [
        row[0]
        for key, row in old.items()
        if key not in new or row[1:] != tuple(getattr(new[key], f) for f in SHARE_FIELDS)
    ]
    fresh = [
        s
        for key, s in new.items()
        if key not in old or old[key][1:] != tuple(getattr(s, f) for f in SHARE_FIELDS)
    ]
    if stale:
        IndicatorShare.objects.filter(pk__in=stale).delete()
    _copy(IndicatorShare, fresh)


def _differs(a: IndicatorFigure | None, b: IndicatorFigure | None) -> bool:
    if a is None or b is None:
        return a is not b
    # `at_owner` decides who counts the figure (`_seen_by`): an owner's for the units above it.
    fields = (
        "at_owner", "goal_id", "status", "progress", "reported", "carried", "expected_units",
    )  # fmt: skip
    return any(getattr(a, f) != getattr(b, f) for f in fields)


def _refresh_groups(
    world: World,
    dirty: dict[tuple[int, int], set[int]],
    moved: dict[tuple[int, int], dict[int, list[Move]]],
) -> None:
    """Bring the goals of `dirty` ((unit, chosen period) → goals: rescored) and of `moved`
    (→ goal → the indicator figures that left it and joined it) up to date, then their pillars
    and areas from the goal rows: the changed ones and the others' stored rows. One pass per
    unit, for all its periods (a value is read at several dashboard periods)."""
    by_unit: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    for (unit_id, chosen_id), goal_ids in dirty.items():
        by_unit[unit_id][0][chosen_id] = goal_ids
    for (unit_id, chosen_id), moves in moved.items():
        by_unit[unit_id][1][chosen_id] = moves
    for unit_id, (rescored, moved_in_unit) in by_unit.items():
        _refresh_unit_groups(world, unit_id, rescored, moved_in_unit)


#: An indicator figure that left a goal (-1) or joined it (+1).
Move = tuple[int, Scored]


@dataclass
class _GoalTally:
    """A stored goal row in a form that indicator figures can leave and join: a settle of one
    value moves a goal of 900 indicators without reading them. Everything on the row is a
    count, a sum or the sorted progress list, and the goal's status the middle of its counts
    (`scoring.middle_of_counts`)."""

    counts: Counter
    progress: list[Decimal]
    coverage: list[int]
    reported: Status
    report_counts: dict[Status, int]

    @classmethod
    def of(cls, row: tuple | None) -> _GoalTally:
        """From a stored row (`STORED_GOAL`) or, for a goal without one, empty."""
        if row is None:
            return cls(Counter(), [], [0, 0, 0], Status.NO_DATA, {})
        on, risk, off, none, progress, reported, r_on, r_risk, r_off, *coverage = row
        return cls(
            Counter({Status.ON_TRACK: on, Status.AT_RISK: risk, Status.OFF_TRACK: off,
                     Status.NO_DATA: none}),
            GroupFigure.progress_values(progress),
            coverage,
            STATUSES[reported],
            {Status.ON_TRACK: r_on, Status.AT_RISK: r_risk, Status.OFF_TRACK: r_off},
        )  # fmt: skip

    def move(self, moves: list[Move]) -> bool:
        """Take the moves in; False if the row does not hold a figure said to leave it, or no
        indicator is left (whether a report keeps the row only a rescoring can tell)."""
        for sign, s in sorted(moves, key=lambda m: -m[0]):  # joins first
            self.counts[STATUSES[s.status]] += sign
            for i, n in enumerate((s.reported, s.carried, s.expected)):
                self.coverage[i] += sign * n
            if s.progress is None:
                continue
            if sign > 0:
                bisect.insort(self.progress, s.progress)
                continue
            at = bisect.bisect_left(self.progress, s.progress)
            if at == len(self.progress) or self.progress[at] != s.progress:
                return False
            del self.progress[at]
        return min(self.counts.values()) >= 0 and sum(self.counts.values()) > 0

    def figures(self, goal_id: int) -> GoalFigures:
        return GoalFigures(
            goal_id,
            scoring.middle_of_counts(self.counts),
            tuple(self.progress),
            self.report_counts,
            (self.coverage[0], self.coverage[1], self.coverage[2]),
        )

    def row(self, world: World, unit_id: int, chosen: Period, goal: GoalFigures) -> GroupFigure:
        return _goal_row(world, unit_id, chosen, goal, self.counts, self.reported)


#: What `_GoalTally.of` and `_refresh_unit_groups` read of a stored goal row.
STORED_GOAL = (
    "on_track", "at_risk", "off_track", "no_data", "indicator_progress", "reported_status",
    "reports_on_track", "reports_at_risk", "reports_off_track", "values_reported",
    "values_carried", "values_expected",
)  # fmt: skip


def _refresh_unit_groups(
    world: World,
    unit_id: int,
    rescored: dict[int, set[int]],
    moved: dict[int, dict[int, list[Move]]],
) -> None:
    """`_refresh_groups` for one unit: one read of the areas' stored goal rows for all its
    periods, one delete and one insert; two more reads (indicator figures, reports) if a goal
    is rescored."""
    chosen = {p: world.by_id[p] for p in rescored.keys() | moved.keys()}
    areas = {
        p: {world.area_of_goal[g] for g in rescored.get(p, set()) | moved.get(p, {}).keys()}
        for p in chosen
    }
    stored = {
        (period_id, goal_id): (area_id, rest)
        for period_id, goal_id, area_id, *rest in GroupFigure.objects.filter(
            unit_id=unit_id,
            period_id__in=list(chosen),
            kind=GroupKind.GOAL,
            area_id__in=set().union(*areas.values()),
        ).values_list("period_id", "object_id", "area_id", *STORED_GOAL)
    }
    rows: list[GroupFigure] = []
    goals: dict[int, list[GoalFigures]] = defaultdict(list)
    rescore = {p: set(rescored.get(p, ())) for p in chosen}
    for p, moves_by_goal in moved.items():
        for goal_id, moves in moves_by_goal.items():
            if goal_id in rescore[p]:
                continue
            row = stored.get((p, goal_id))
            tally = _GoalTally.of(row[1] if row else None)
            if not tally.move(moves):
                rescore[p].add(goal_id)
                continue
            goal = tally.figures(goal_id)
            goals[p].append(goal)
            rows.append(tally.row(world, unit_id, chosen[p], goal))
    if any(rescore.values()):
        rows += _rescored_goals(world, unit_id, chosen, rescore, goals)
    replaced = Q(pk__in=[])
    for p, goal_ids in rescore.items():
        goal_ids = goal_ids | moved.get(p, {}).keys()
        goals[p] += [
            _GoalTally.of(row).figures(goal_id)
            for (q, goal_id), (area_id, row) in stored.items()
            if q == p and area_id in areas[p] and goal_id not in goal_ids
        ]
        # A pillar none of whose goals changed keeps its row. A goal's link to a pillar of
        # another area (a pillar moved in the admin) counts there for none of the two areas.
        pillars = {
            pillar
            for g in goal_ids
            for pillar in world.pillars_of_goal.get(g, ())
            if pillar in world.pillars_of_area.get(world.area_of_goal[g], ())
        }
        rows += area_figures(world, unit_id, chosen[p], goals[p], pillars)
        replaced |= Q(period_id=p) & (
            Q(kind=GroupKind.GOAL, object_id__in=goal_ids)
            | Q(kind=GroupKind.AREA, object_id__in=areas[p])
            | Q(kind=GroupKind.PILLAR, object_id__in=pillars)
        )
    GroupFigure.objects.filter(replaced, unit_id=unit_id).delete()
    GroupFigure.objects.bulk_create(rows)


def _rescored_goals(
    world: World,
    unit_id: int,
    chosen: dict[int, Period],
    rescore: dict[int, set[int]],
    goals: dict[int, list[GoalFigures]],
) -> list[GroupFigure]:
    """The rows of the goals of `rescore` (chosen period → goals), scored again from their
    indicator figures and reports in the unit's subtree; adds what their areas take to
    `goals`."""
    members = {p: world.members_at(unit_id, c) for p, c in chosen.items()}
    refs = {p: {r.id for r in world.refs(c).values()} for p, c in chosen.items()}
    every_member = list(set().union(*members.values()))
    every_goal = list(set().union(*rescore.values()))
    # The same figures as `_seen_by`: owners' in the subtree, the unit's own-target ones.
    figures = IndicatorFigure.objects.filter(
        Q(at_owner=True, unit_id__any=every_member) | Q(at_owner=False, unit_id=unit_id),
        period_id__in=set().union(*(refs[p] for p, g in rescore.items() if g)),
        goal_id__in=every_goal,
    ).values_list(
        "period_id", "unit_id", "at_owner", "indicator_id", "goal_id", "status", "progress",
        "reported", "carried", "expected_units",
    )  # fmt: skip
    reports = (
        ProgressReport.objects.filter(
            period_id__in=[p for p, g in rescore.items() if g],
            unit_id__any=every_member,
            state__in=COUNTED_STATES,
            goal_id__in=every_goal,
        )
        .order_by()
        .values_list("period_id", "unit_id", "goal_id", "status")
    )
    by_period: dict[int, list] = defaultdict(list)
    for f in figures:
        by_period[f[0]].append(f)
    rows: list[GroupFigure] = []
    for p, goal_ids in rescore.items():
        if not goal_ids:
            continue
        scored = [
            Scored(*f[3:])
            for ref in refs[p]
            for f in by_period[ref]
            if f[4] in goal_ids and (f[1] in members[p] if f[2] else f[1] == unit_id)
        ]
        counted = [
            (g, status)
            for q, u, g, status in reports
            if q == p and g in goal_ids and u in members[p]
        ]
        goal_rows, rescored = goal_figures(world, unit_id, chosen[p], goal_ids, scored, counted)
        rows += goal_rows
        goals[p] += rescored
    return rows


def _update_completeness(
    world: World, keys: set[tuple[int, int, int]], specs: Iterable[IndicatorSpec]
) -> None:
    """Recount, for every indicator they owe, the reporting units a changed value covers: the
    reporting units of the indicator below the unit that holds the value (`specs`: the active
    indicators of the values, as the settle loaded them)."""
    by_id = {s.id: s for s in specs}
    touched: dict[int, set[int]] = defaultdict(set)  # period → units
    # An import's thousands of keys share a few trees, owners and units: walk each once.
    leaves: dict[tuple[int, int], list[int]] = {}
    below: dict[tuple[int, int], set[int]] = {}
    for indicator_id, unit_id, period_id in keys:
        spec = by_id.get(indicator_id)
        if spec is None or period_id not in world.by_id:
            continue
        tree = world.tree_at(world.by_id[period_id])
        if spec.owner_unit_id not in tree.units or unit_id not in tree.units:
            continue
        if spec.aggregation == scoring.NONE:
            reporters = [spec.owner_unit_id]
        else:
            key = (id(tree), spec.owner_unit_id)
            if key not in leaves:
                leaves[key] = tree.leaves(spec.owner_unit_id)
            reporters = leaves[key]
        key = (id(tree), unit_id)
        if key not in below:
            below[key] = set(tree.subtree(unit_id))
        touched[period_id].update(u for u in reporters if u in below[key])
    _recount_completeness(world, touched)


def _recount_completeness(world: World, touched: dict[int, set[int]]) -> None:
    """Recount and store the completeness of the units of `touched` (period → units)."""
    touched = {p: units for p, units in touched.items() if units and p in world.by_id}
    if not touched:
        return
    chains = {
        a
        for period_id, units in touched.items()
        for u in units
        for a in world.ancestors_or_self(u, world.by_id[period_id])
    }
    owed = load_owed(world, owners=chains)
    present: dict[tuple[int, int], set[int]] = defaultdict(set)
    for indicator_id, unit_id, period_id in (
        Measurement.objects.filter(
            indicator_id__any=[s.id for s in owed],
            unit_id__any=list(chains),
            period_id__in=list(touched),
        )
        .order_by()
        .values_list("indicator_id", "unit_id", "period_id")
    ):
        present[(indicator_id, period_id)].add(unit_id)
    for period_id, unit_ids in touched.items():
        rows = completeness_rows(world, owed, present, world.by_id[period_id], unit_ids)
        UnitCompleteness.objects.filter(period_id=period_id, unit_id__in=unit_ids).delete()
        UnitCompleteness.objects.bulk_create(rows)


def _recount_reports(places: set[tuple[int, int]]) -> None:
    """Count again the reports of the units and periods of the (unit, period) pairs whose
    reports changed (every pair of them: those that did not change count the same)."""
    if not places:
        return
    units, periods = {u for u, _p in places}, {p for _u, p in places}
    UnitReports.objects.filter(unit_id__any=units, period_id__any=periods).delete()
    UnitReports.objects.bulk_create(unit_report_counts(units, periods))


# --- Checking -----------------------------------------------------------------------------------


def _key_indicator(f: IndicatorFigure):
    return (f.indicator_id, f.unit_id, f.period_id)


def _key_group(f: GroupFigure):
    return (f.unit_id, f.period_id, f.kind, f.object_id)


def _key_unit_period(f: UnitCompleteness | UnitReports):
    return (f.unit_id, f.period_id)


def _key_share(f: IndicatorShare):
    return (f.unit_id, f.period_id, f.indicator_id)


INDICATOR_FIELDS = (
    "at_owner", "target", "target_period_id", "goal_id", "value", "reported", "carried",
    "expected_units", "expected_value", "progress", "ratio", "status",
)  # fmt: skip
GROUP_FIELDS = (
    "area_id", "status", "progress", "on_track", "at_risk", "off_track", "no_data",
    "reported_status", "reports_on_track", "reports_at_risk", "reports_off_track",
    "values_reported", "values_carried", "values_expected", "indicator_progress",
)  # fmt: skip
COMPLETENESS_FIELDS = ("expected", "entered")
REPORTS_FIELDS = ("submitted", "drafts")


#: SQLite (`make run`) keeps about 15 significant digits of a figure stored with 20 decimals
#: (Django reads its decimals through a float): there, a difference within this share of the
#: figure is none. PostgreSQL keeps all 20: equal to 15 decimals is equal there.
SQLITE_WITHIN = Decimal("1e-14")


def _loses_digits() -> bool:
    return connection.vendor == "sqlite"


def _same(a, b, lossy: bool = False) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        if lossy:
            return abs(a - b) <= SQLITE_WITHIN * max(Decimal(1), abs(a), abs(b))
        return round(a, 15) == round(b, 15)
    if isinstance(a, list) and isinstance(b, list):  # a goal's progress values
        return len(a) == len(b) and all(_same(x, y, lossy) for x, y in zip(a, b, strict=True))
    return a == b


def _comparable(row, field: str):
    value = getattr(row, field)
    return GroupFigure.progress_values(value) if field == "indicator_progress" else value


def differences(progress: Progress | None = None, limit: int | None = None) -> list[str]:
    """Every stored figure that differs from a full recomputation from the raw rows."""
    computed = compute_all(progress=progress)
    lossy = _loses_digits()
    out: list[str] = []
    for name, model, rows, key, fields in (
        ("indicator", IndicatorFigure, computed.indicators, _key_indicator, INDICATOR_FIELDS),
        ("share", IndicatorShare, computed.shares, _key_share, SHARE_FIELDS),
        ("group", GroupFigure, computed.groups, _key_group, GROUP_FIELDS),
        ("completeness", UnitCompleteness, computed.completeness, _key_unit_period,
         COMPLETENESS_FIELDS),
        ("reports", UnitReports, computed.reports, _key_unit_period, REPORTS_FIELDS),
    ):  # fmt: skip
        want = {key(r): r for r in rows}
        have = {key(r): r for r in model.objects.defer(None).iterator(chunk_size=20000)}
        for k in sorted(want.keys() | have.keys(), key=repr):
            w, h = want.get(k), have.get(k)
            if h is None:
                out.append(f"{name} {k}: missing")
            elif w is None:
                out.append(f"{name} {k}: stored but not computed")
            else:
                for f in fields:
                    if not _same(_comparable(w, f), _comparable(h, f), lossy):
                        out.append(
                            f"{name} {k}: {f} stored {getattr(h, f)!r}, computed {getattr(w, f)!r}"
                        )
            if limit and len(out) >= limit:
                return out
    return out
