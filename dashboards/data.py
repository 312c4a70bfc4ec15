"""Load the frame of a dashboard page in a fixed number of queries, whatever the size of the data.

Nothing here computes a figure: the figures are stored (dashboards.figures) and read by
dashboards.summary. Access starts from the user: the units are those `strategy.policy` lets
the user read; a page shows the stored figures of the chosen unit's subtree only.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Window
from django.http import Http404, QueryDict
from django.utils import timezone, translation

from dashboards import figures, scoring
from dashboards.models import IndicatorFigure, PeriodSnapshot
from dashboards.scoring import IndicatorSpec, Period, Tree, UnitNode
from goals.models import DevelopmentGoal, GoalPillar, ProgressReport, ReportingPeriod, ReportState
from indicators.models import Indicator, Target, indicator_labels, plain_indicators
from ops.text import first_translation, translated_columns
from strategy.models import Area, Pillar, Strategy, Unit
from strategy.policy import Policy

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
    owner_code: str = ""
    owner_active: bool = True
    owner_successor: str = ""  # the code of the unit a closed owner was merged into
    owner_path: str = ""


@dataclass(frozen=True)
class Predecessor:
    """A unit merged into the scope (directly, or into a unit that was merged into it)."""

    code: str
    name: str
    path: str
    successor_code: str
    merged_on: datetime.date | None  # the successor's first day: the day after the last


@dataclass(frozen=True)
class Lineage:
    """The scope's first day and the units merged into it, for the trends that continue there."""

    valid_from: datetime.date | None
    valid_to: datetime.date | None
    predecessors: tuple[Predecessor, ...] = ()

    def owners(self, data: DashboardData) -> Q:
        """The units whose indicators the scope's pages list: its subtree as it was in the
        chosen period (`DashboardData.owned`) and its predecessors' (their trends continue at
        the scope, whatever the period)."""
        q = data.owned()
        for p in self.predecessors:
            q |= Q(path__startswith=p.path)
        return q

    def carried(self, period: Period) -> bool:
        """Whether the scope's figures of `period` are its predecessors' (the rule of
        `dashboards.figures.World.standing_for`: the scope did not exist then)."""
        return bool(self.predecessors) and not figures.Validity(
            True, self.valid_from, self.valid_to
        ).during(period)


def lineage(data: DashboardData) -> Lineage:
    """The scope's validity and its predecessors: one query, none for a unit that succeeds
    no other."""
    scope = data.scope
    if scope.id not in data.successors:
        return Lineage(None, None)
    rows = {
        u.id: u
        for u in Unit.objects.filter(Q(successor__isnull=False) | Q(pk=scope.id)).only(
            "id", "code", "name", "path", "valid_from", "valid_to", "successor"
        )
    }
    found: dict[int, Predecessor] = {}
    frontier = {scope.id}
    while frontier:
        below = [
            u
            for u in rows.values()
            if u.successor_id in frontier and u.id not in found and u.id != scope.id
        ]
        for u in below:
            found[u.id] = Predecessor(
                u.code,
                u.name,
                u.path,
                rows[u.successor_id].code,
                u.valid_to + datetime.timedelta(days=1) if u.valid_to else None,
            )
        frontier = {u.id for u in below}
    me = rows.get(scope.id)
    return Lineage(
        me.valid_from if me else None,
        me.valid_to if me else None,
        tuple(sorted(found.values(), key=lambda p: p.code)),
    )


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


@dataclass
class DashboardData:
    """What every dashboard page shows around its figures: the period, the unit scope, the
    strategy's areas, pillars and goals. The figures themselves are read from the stored
    figures (dashboards.stored)."""

    strategy: Strategy
    periods: list[Period]
    period: Period
    tree: Tree
    scope: UnitNode
    visible_roots: list[UnitNode]
    areas: list[AreaRow]
    pillars: list[PillarRow]
    goals: list[GoalRow]
    # Every unit, closed ones too, and where each was when (shared by all requests until the
    # structure next changes): which units a list shows for a period.
    world: figures.World
    policy: Policy  # the reader's
    # The latest "as reported" snapshot of the period ({"figures", "taken_at"}), if closed.
    snapshot: dict | None = None
    # Changes not yet in the stored figures (another process is settling them), and when the
    # figures were last complete.
    updating: bool = False
    last_complete: datetime.datetime | None = None
    # The visible units that are some unit's successor (their trends continue predecessors').
    successors: frozenset[int] = frozenset()
    # The table asked for as a download (`?format=csv|xlsx&table=`), None for the page: a page
    # loads only the rows it shows of a long table, a download all of them.
    download: str | None = None
    _units_in: dict[int, frozenset[int]] = field(default_factory=dict, repr=False)

    def unit(self, code: str) -> UnitNode:
        for node in self.tree.units.values():
            if node.code == code:
                return node
        raise Http404

    def units_in(self, period: Period | None = None) -> frozenset[int]:
        """The units a page lists things of for `period` (the chosen one unless given): those
        in the scope's subtree as it was then, closed ones included, and those a successor
        stands for before it existed, that the user may read (`World.listed`)."""
        period = period or self.period
        found = self._units_in.get(period.id)
        if found is None:
            found = self._units_in[period.id] = self.world.listed(
                self.scope.id, period, self.policy
            )
        return found

    def owned(self) -> Q:
        """The units (a filter on Unit) whose indicators count in the scope's figures of the
        chosen period: those of `units_in`."""
        return Q(pk__any=self.units_in())

    def node(self, unit_id: int) -> UnitNode:
        """Any unit, closed ones too, with its name and code."""
        return self.world.tree.units[unit_id]

    def successor_code(self, unit_id: int) -> str | None:
        """For a closed unit: the code of the unit it was merged into ("" for none); None for
        an open one."""
        if self.world.validity[unit_id].active:
            return None
        successor = self.world.successor.get(unit_id)
        return self.world.tree.units[successor].code if successor else ""


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


#: The code of the classes a cached frame is pickled from, part of its key in the shared
#: cache: a process running other code (during a deploy, or a worker not yet restarted) must
#: not unpickle a frame whose classes had other fields. One did, in a load test after `World`
#: gained one: every dashboard page answered 500 until the structure next changed.
FRAME_CODE = hashlib.sha256(
    b"".join(Path(m).read_bytes() for m in (__file__, figures.__file__, scoring.__file__))
).hexdigest()[:16]


def frame_key(stamp: datetime.datetime | None, language: str) -> str:
    """The shared cache's key of the frame of a structure stamp, in a language."""
    return f"dashboards:frame:{FRAME_CODE}:{stamp.isoformat() if stamp else ''}:{language}"


def _strategy_frame(stamp) -> tuple:
    """The current strategy, its periods, areas, pillars and goals (with their pillars), the
    `figures.World` over them (every unit and its earlier parents), and the ids of the periods
    with an "as reported" snapshot (taking one moves the stamp on, dashboards.signals).

    Cached under the time this structure last changed (`FigureRun.frame_at`, set by the
    settle of any change to it, dashboards.signals, and by a full rebuild): all processes
    agree on that time, so no process serves a frame older than the figures it shows.
    Without a rebuild yet, not cached.
    """
    key = frame_key(stamp, translation.get_language())
    frame = (_frames.get(key) or cache.get(key)) if stamp else None
    if frame is not None:
        _keep(key, frame)
        return frame
    strategy = current_strategy()
    periods = [_period(p) for p in ReportingPeriod.objects.filter(strategy=strategy)]
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
        for g in DevelopmentGoal.objects.of_strategy(strategy).only("id", "code", "title", "area")
    ]
    world = figures.world_of(
        strategy,
        periods,
        [(g.id, g.area_id) for g in goals],
        {g.id: list(g.pillar_ids) for g in goals},
        [(p.id, p.area_id) for p in pillars],
    )
    snapshotted = frozenset(
        PeriodSnapshot.objects.filter(period__strategy=strategy).values_list("period_id", flat=True)
    )
    frame = (strategy, periods, areas, pillars, goals, world, snapshotted)
    if stamp:
        cache.set(key, frame, 24 * 3600)
        _keep(key, frame)
    return frame


#: The frames this process read last, by cache key (stamp and language): unpickling the world
#: of 600 units from the shared cache cost each national page 7 ms. The key comes from the
#: database on every request, so no process keeps serving a frame another one replaced.
_frames: dict[str, tuple] = {}


def _keep(key: str, frame: tuple) -> None:
    if key not in _frames:
        if len(_frames) >= 4:  # a stamp and the languages: drop the oldest
            _frames.pop(next(iter(_frames), ""), None)  # another thread may have dropped it
        _frames[key] = frame


def load(
    user,
    params: QueryDict,
    *,
    today,
    unit_code: str | None = None,
    with_snapshot: bool = False,
    policy: Policy | None = None,
) -> DashboardData:
    """The frame of a dashboard page for `user` (whose `policy` a view has already worked
    out, if it passes it), scoped by the GET params `period` and `unit`
    (or `unit_code`); 404 for a period that does not exist or a unit the user cannot see.

    A fixed number of queries whatever the size of the data. Pending figure changes are settled
    first, unless another process is at it: the page then says that figures are being updated.
    `with_snapshot` adds the period's latest "as reported" snapshot.
    """
    state = figures.state()
    updating = state.pending
    # With a worker, settling is its job (queued with the change); a page settles only what
    # no worker took in time, and never a full rebuild (after a change to the structure): at
    # national scale that takes longer than a request may. Without a broker, the page settles.
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if state.pending and (
        eager or not (state.rebuild_pending or state.left_to_worker(timezone.now()))
    ):
        updating = not figures.settle(wait=False)
        if not updating:
            state = figures.state()
    strategy, periods, areas, pillars, goals, world, snapshotted = _strategy_frame(
        state.frame_stamp
    )
    if not periods:
        raise Http404
    code = params.get("period")
    if code:
        period = next((p for p in periods if p.code == code), None)
        if period is None:
            raise Http404
    else:
        period = default_period(periods, today)

    # The units come from the frame's world (every unit, read once per change to the
    # structure): reading the user's 600 units per request was a third of a national page.
    # While a change to the units waits to be settled, the world is older: read them now.
    policy = policy or Policy.for_user(user)
    units_world = figures.load_world() if state.frame_pending else world
    tree = units_world.readable(policy)
    if not tree.units:
        raise Http404
    # A unit whose parent the user cannot see is the root of one of their subtrees.
    roots = sorted(
        (u for u in tree.units.values() if u.parent_id not in tree.units),
        key=lambda u: (u.depth, u.code),
    )
    unit_code = unit_code or params.get("unit")
    if unit_code:
        scope = next((u for u in tree.units.values() if u.code == unit_code), None)
        if scope is None:
            raise Http404
    else:
        scope = roots[0]

    return DashboardData(
        # Read only for a period that has one (while the frame is being renewed: any period).
        snapshot=PeriodSnapshot.objects.latest_figures(period.id)
        if with_snapshot and (period.id in snapshotted or state.frame_pending)
        else None,
        strategy=strategy,
        periods=sorted(periods, key=lambda p: (p.end, p.kind)),
        period=period,
        tree=tree,
        scope=scope,
        visible_roots=roots,
        areas=areas,
        pillars=pillars,
        goals=goals,
        world=world,
        policy=policy,
        updating=updating,
        last_complete=state.finished_at if updating else None,
        successors=frozenset(u for u in units_world.successor.values() if u in tree.units),
    )


def _indicators(
    data: DashboardData,
    owners: Q,
    goal_ids: list[int] | None = None,
    indicator_ids: list[int] | None = None,
    *,
    with_unit_targets: bool = False,
):
    which = Q(owner_unit__in=Unit.objects.filter(owners).values("id"))
    if with_unit_targets:
        which |= Q(
            id__in=IndicatorFigure.objects.filter(unit_id=data.scope.id, at_owner=False).values(
                "indicator_id"
            )
        )
    indicator_qs = plain_indicators().active().filter(which, goal__area__strategy=data.strategy)
    if goal_ids is not None:
        indicator_qs = indicator_qs.filter(goal_id__in=goal_ids)
    if indicator_ids is not None:
        indicator_qs = indicator_qs.filter(id__in=indicator_ids)
    return indicator_qs


def indicator_rows(
    data: DashboardData,
    owners: Q,
    goal_ids: list[int] | None = None,
    indicator_ids: list[int] | None = None,
    *,
    with_unit_targets: bool = False,
) -> list[IndicatorRow]:
    """The active indicators of the strategy owned by `owners` (a filter on Unit), optionally
    of some goals or some indicators only, as `IndicatorRow`s (targets and milestones included),
    in code order.

    `with_unit_targets`: also those owned above the scope that the scope is measured in by a
    target of its own (a stored figure of the scope; docs/scoring.md, "Unit targets")."""
    indicators = _indicators(
        data, owners, goal_ids, indicator_ids, with_unit_targets=with_unit_targets
    )
    return _rows(data, list(indicators.order_by("code").values_list(*_row_fields())))


class IndicatorKey(NamedTuple):
    """What a long list of indicators needs of each to sort and label it, before the full rows
    of those it shows are read (`rows_of`): a goal has 820 at national scale."""

    id: int
    code: str
    frequency: str
    name: str  # its label among the list (`indicator_labels`)


def indicator_keys(
    data: DashboardData, owners: Q, goal_ids: list[int], *, with_unit_targets: bool = False
) -> list[IndicatorKey]:
    """`indicator_rows` of some goals as keys, labelled among themselves, in code order."""
    indicators = _indicators(data, owners, goal_ids, with_unit_targets=with_unit_targets)
    found = list(
        indicators.order_by("code").values_list(
            "id", "code", "frequency", "owner_unit__code", *translated_columns("name")
        )
    )
    labels = indicator_labels([(i[0], first_translation(i[4:]), i[3], i[1]) for i in found])
    return [IndicatorKey(i[0], i[1], i[2], labels[i[0]]) for i in found]


def rows_of(data: DashboardData, keys: list[IndicatorKey]) -> list[IndicatorRow]:
    """The full rows of `keys`, in their order and with their labels."""
    found = {
        i[0]: i
        for i in plain_indicators()
        .filter(id__any=[k.id for k in keys])
        .order_by()
        .values_list(*_row_fields())
    }
    return _rows(data, [found[k.id] for k in keys], {k.id: k.name for k in keys})


def indicator_page(data: DashboardData, owners: Q, limit: int) -> tuple[list[IndicatorRow], int]:
    """The first `limit` of `indicator_rows(data, owners)`, and how many there are in all (in
    the same query: a faculty owns a thousand indicators at national scale)."""
    first = list(
        _indicators(data, owners)
        .annotate(total=Window(Count("id")))
        .order_by("code")
        .values_list(*_row_fields(), "total")[:limit]
    )
    return _rows(data, [row[:-1] for row in first]), (first[0][-1] if first else 0)


# An indicator as a page reads it: plain values, no model instances (hundreds of indicators at
# national scale, each with translated-name descriptors); the name in the active language
# from its columns (`translated_columns`), last.
ROW_FIELDS = (
    "id", "code", "direction", "accumulation", "aggregation", "frequency", "owner_unit_id",
    "goal_id", "decimals", "baseline_value", "baseline_period_id", "target_value",
    "target_period_id", "measure", "owner_unit__code", "owner_unit__active",
    "owner_unit__successor__code", "owner_unit__path",
)  # fmt: skip


def _row_fields() -> list[str]:
    return [*ROW_FIELDS, *translated_columns("name")]


def _rows(
    data: DashboardData, indicators: list[tuple], labels: dict[int, str] | None = None
) -> list[IndicatorRow]:
    """`labels`: given where the rows are part of a longer list labelled as a whole."""
    by_id = {p.id: p for p in data.periods}
    milestones: dict[int, list[tuple[Period, Decimal]]] = defaultdict(list)
    # The owners' targets; unit (contribution) targets apply through scoring.target_for.
    for indicator_id, period_id, value in (
        Target.objects.filter(indicator_id__any=[i[0] for i in indicators], unit__isnull=True)
        .order_by()  # Target's ordering joins periods, goals and areas
        .values_list("indicator_id", "period_id", "value")
    ):
        if period_id in by_id:
            milestones[indicator_id].append((by_id[period_id], value))
    measure_labels = _labels(Indicator, "measure")
    # With its owner where another indicator shown has the same name (the one rule).
    if labels is None:
        width = len(ROW_FIELDS)
        labels = indicator_labels(
            [(i[0], first_translation(i[width:]), i[14], i[1]) for i in indicators]
        )
    rows = []
    for (
        pk, code, direction, accumulation, aggregation, frequency, owner_id, goal_id, decimals,
        baseline, baseline_period_id, target, target_period_id, measure, owner_code,
        owner_active, successor_code, owner_path, *_names,
    ) in indicators:  # fmt: skip
        spec = IndicatorSpec(
            id=pk,
            code=code,
            direction=direction,
            accumulation=accumulation,
            aggregation=aggregation,
            frequency=frequency,
            owner_unit_id=owner_id,
            goal_id=goal_id,
            decimals=decimals,
            baseline_value=baseline,
            baseline_period=by_id.get(baseline_period_id),
            target_value=target,
            target_period=by_id.get(target_period_id),
            milestones=tuple(sorted(milestones[pk], key=lambda m: m[0].end)),
        )
        rows.append(
            IndicatorRow(
                spec=spec,
                name=labels[pk],
                measure=measure,
                measure_label=measure_labels.get(measure, measure),
                decimals=decimals,
                owner_code=owner_code,
                owner_active=owner_active,
                owner_successor=successor_code or "",
                owner_path=owner_path,
            )
        )
    return rows


def report_rows(data: DashboardData, **filters) -> list[ReportRow]:
    """The progress reports of the chosen period by the units the scope lists then
    (`DashboardData.units_in`), filtered further."""
    status_labels = _labels(ProgressReport, "status")
    state_labels = _labels(ProgressReport, "state")
    fields = ("goal_id", "unit_id", "status", "state", "narrative", "next_steps", "risks")
    return [
        ReportRow(
            goal_id,
            unit_id,
            status,
            status_labels.get(status, status),
            state,
            state_labels.get(state, state),
            narrative,
            next_steps,
            risks,
            return_comment,
        )
        # Plain rows: a goal has hundreds of reports at national scale.
        for goal_id, unit_id, status, state, narrative, next_steps, risks, return_comment in (
            ProgressReport.objects.filter(
                period_id=data.period.id, unit_id__any=data.units_in(), **filters
            )
            .order_by()  # the default ordering joins periods, goals, areas and units
            .values_list(*fields, "return_comment")
        )
    ]
