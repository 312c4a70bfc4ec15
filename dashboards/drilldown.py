"""The indicator page: one indicator drilled down to the units of the chosen subtree.

For the period the dashboard shows (read at the indicator's own period, docs/scoring.md
section 1): each unit's value rolled up over its own subtree (`scoring.rollup`), the target
that applies to it (`scoring.target_for`: its own contribution target, else the owner's, marked
as the owner's as a whole), progress and status where they mean something, and whether it has
reported. Then the indicator as a whole at its owner from the stored figures: its trend against
the expected trajectory and the forecast to the target period (docs/scoring.md section 7).

A fixed number of queries: the indicator with its owner's targets, the units' contribution
targets, the values of the subtree at the period, the stored figures of its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from dashboards import scoring
from dashboards.data import DashboardData, IndicatorRow, indicator_rows
from dashboards.forecast_words import verdict
from dashboards.pages import _area_code, _base, _query, _url
from dashboards.scoring import MEAN, NONE, SUM, Period, Rollup, Score, UnitNode
from dashboards.sparkline import trend_svg
from dashboards.tables import (
    Cell,
    Table,
    closed_label,
    fmt_count,
    fmt_number,
    fmt_percent,
    fmt_status,
    fmt_value,
)
from dashboards.trends import forecast_of, histories, is_whole, points_of
from indicators.models import Measurement, Target
from strategy import formatting
from strategy.policy import READ

# Units named in "not yet reported" before the sentence says how many more the table lists.
NAMED_MISSING = 25


@dataclass(frozen=True)
class UnitLine:
    unit: UnitNode
    depth: int  # below the drill-down's root
    rollup: Rollup
    target: scoring.ApplicableTarget
    target_kind: str  # "own", "units" (their targets added up), "owner"
    score: Score | None  # None: not scored (a part of a sum)
    reporter: bool  # a unit that owes a value


def indicator(data: DashboardData, indicator_id: int) -> dict[str, Any]:
    rows = indicator_rows(data, Q(), indicator_ids=[indicator_id])
    if not rows:
        raise Http404
    row = rows[0]
    spec = row.spec
    tree = data.tree
    owner = tree.units.get(spec.owner_unit_id)
    # Roles cover subtrees: a reader of any unit under the owner may see the indicator.
    if owner is None and not any(u.path.startswith(row.owner_path) for u in tree.units.values()):
        raise Http404
    goal = next((g for g in data.goals if g.id == spec.goal_id), None)
    if goal is None:
        raise Http404
    ref = scoring.reference_period(data.periods, data.period, spec.frequency)
    root = _root(data, spec.owner_unit_id, ref) if ref is not None else None
    lines = _unit_lines(data, row, root, ref) if root is not None and ref is not None else []

    query = _query(data)
    table = Table(
        "units",
        _("Units"),
        [
            _("Unit"),
            _("Value"),
            _("Target"),
            _("Whose target"),
            _("Progress (%)"),
            _("Status"),
            _("Reported"),
        ],
        flagged=(1,),
    )
    unit_query = f"period={data.period.code}"
    for line in lines:
        u = line.unit
        successor = data.successor_code(u.id)
        table.add(
            Cell(
                "\u2003" * line.depth + f"{u.name} ({closed_label(u.code, successor)})",
                # A closed unit has no page.
                href=_url("unit", u.code, query=unit_query) if successor is None else "",
            ),
            fmt_value(line.rollup.value, spec),
            fmt_number(line.target.value, spec.decimals),
            Cell(_target_label(line)),
            fmt_percent(line.score.progress if line.score else None),
            fmt_status(line.score.status) if line.score else Cell(_("not scored")),
            Cell(_reported_label(line)),
        )
    reporters = [line for line in lines if line.reporter]
    reported = [line for line in reporters if line.rollup.value is not None]
    missing = [line.unit for line in reporters if line.rollup.value is None]

    history = histories(data, [row])[spec.id] if owner is not None else []
    current = next((h for h in reversed(history) if h.reference == ref), None)
    result = forecast_of(row, points_of(history)) if owner is not None else None
    trend_table = _trend_table(row, history)
    context = _base(
        data,
        row=row,
        spec=spec,
        goal=goal,
        area_code=_area_code(data, goal.area_id),
        owner=owner,
        owner_code=row.owner_code,
        root=root,
        reference=ref,
        current=current,
        current_value=fmt_value(current.score.actual, spec) if current else Cell(""),
        target=fmt_number(spec.target_value, spec.decimals),
        lines=lines,
        units_table=table,
        trend_table=trend_table,
        tables=[table, trend_table],
        reported_count=len(reported),
        reporter_count=len(reporters),
        missing=missing[:NAMED_MISSING],
        # Closed units have no page to link to.
        closed={u.id for u in missing if data.successor_code(u.id) is not None},
        missing_more=max(0, len(missing) - NAMED_MISSING),
        forecast=result,
        forecast_text=verdict(result, direction=spec.direction) if result else "",
        forecast_band=_band_text(result, row) if result and result.is_forecast else "",
        chart=_chart(row, history, result) if history else "",
        not_scored=spec.aggregation == SUM and any(line.score is None for line in lines),
        crumbs=[
            (_("Overview"), _url("overview", query=query)),
            (
                goal.title,
                _url("goal", _area_code(data, goal.area_id), goal.code, query=query),
            ),
        ],
    )
    return context


def _root(data: DashboardData, owner_id: int, ref: Period) -> UnitNode | None:
    """Where the drill-down starts in the tree of `ref`: the chosen unit if it was in the
    owner's subtree then, the owner if it was in the chosen unit's, else None (outside)."""
    scope = data.scope
    if owner_id in data.world.ancestors_or_self(scope.id, ref):
        return scope
    if scope.id in data.world.ancestors_or_self(owner_id, ref):
        return data.node(owner_id)
    return None


def _unit_lines(
    data: DashboardData, row: IndicatorRow, root: UnitNode, ref: Period
) -> list[UnitLine]:
    """Every unit of `root`'s subtree as it was in `ref` (`World.tree_at`: the tree the stored
    figures of `ref` roll up over, closed units included) with its value at `ref`, parents
    before children; the units the reader may not see roll up into their parents' values
    without a line of their own."""
    spec = row.spec
    tree = data.world.tree_at(ref)
    if root.id not in tree.units:
        return []  # the unit did not exist then
    subtree = tree.subtree(root.id)
    read_at = Q(period_id=ref.id)
    if spec.accumulation == scoring.CUMULATIVE:
        read_at = Q(period__kind=ref.kind, period__end__lte=ref.end)
    by_id = {p.id: p for p in data.periods}
    values = [
        (unit_id, value, by_id[period_id])
        for unit_id, value, period_id in (
            Measurement.objects.filter(read_at, indicator_id=spec.id, unit_id__in=subtree)
            .order_by()  # the default ordering joins periods and units
            .values_list("unit_id", "value", "period_id")
        )
        if period_id in by_id
    ]
    observations = scoring.observations_for(values, accumulation=spec.accumulation, reference=ref)
    own_targets = _contribution_targets(row, ref)
    owner_target = _owner_target(row, ref)
    # A unit's contribution target: its own, else its units' added up (scoring.rolled_up_target).
    contribution: dict[int, Decimal | None] = {}
    kinds: dict[int, str] = {}
    for unit_id in reversed(subtree):
        own = own_targets.get(unit_id)
        children = tree.children[unit_id]
        combined = scoring.rolled_up_target(
            spec.aggregation, own, [contribution[c] for c in children]
        )
        contribution[unit_id] = combined
        kinds[unit_id] = "own" if own is not None else "units"
    codes = {u: tree.units[u].code for u in subtree}
    targets = {codes[u]: v for u, v in contribution.items() if v is not None}
    # Who owes a value (as for completeness, docs/scoring.md section 5): the owner alone for an
    # indicator not combined, else the units at the bottom of the owner's subtree.
    reporters = {spec.owner_unit_id} if spec.aggregation == NONE else set(tree.leaves(root.id))
    depth = {root.id: 0}
    for unit_id in subtree:
        for child in tree.children[unit_id]:
            depth[child] = depth[unit_id] + 1
    lines = []
    for unit_id in subtree:
        unit = tree.units[unit_id]
        if not data.policy.can(READ, unit):
            continue
        rolled = scoring.rollup(
            tree, unit_id, observations, aggregation=spec.aggregation, reference=ref
        )
        target = scoring.target_for(unit.code, row.owner_code, owner_target, targets)
        kind = "owner" if target.unit_code == row.owner_code else kinds[unit_id]
        is_owner = unit_id == spec.owner_unit_id
        # A part of a sum says nothing measured against the whole's target.
        scored = is_owner or spec.aggregation in (MEAN, NONE)
        score = scoring.score_rollup(spec, rolled, ref) if scored else None
        lines.append(
            UnitLine(
                unit=unit,
                depth=depth[unit_id],
                rollup=rolled,
                target=target,
                target_kind=kind,
                score=score,
                reporter=unit_id in reporters,
            )
        )
    return lines


def _owner_target(row: IndicatorRow, ref: Period) -> Decimal | None:
    """The owner's target for the whole: its milestone for the period read, else the final one."""
    for period, value in row.spec.milestones:
        if period.id == ref.id:
            return value
    return row.spec.target_value


def _contribution_targets(row: IndicatorRow, ref: Period) -> dict[int, Decimal]:
    """Unit id → its contribution target: for the period read if set, else for the indicator's
    target period."""
    target_period = row.spec.target_period
    wanted = [ref.id] + ([target_period.id] if target_period else [])
    out: dict[int, Decimal] = {}
    for unit_id, period_id, value in (
        Target.objects.filter(indicator_id=row.spec.id, unit__isnull=False, period_id__in=wanted)
        .order_by()  # the default ordering joins periods
        .values_list("unit_id", "period_id", "value")
    ):
        if period_id == ref.id or unit_id not in out:
            out[unit_id] = value
    return out


def _target_label(line: UnitLine) -> str:
    if line.target.value is None:
        return ""
    if line.target_kind == "owner":
        if line.unit.code == line.target.unit_code:
            return _("its own")
        return _("%(owner)s's, as a whole") % {"owner": line.target.unit_code}
    if line.target_kind == "units":
        return _("its units' targets combined")
    return _("its own")


def _reported_label(line: UnitLine) -> str:
    """A unit that owes a value: whether it is in. A unit above them: how many of them are."""
    rolled = line.rollup
    if line.reporter:
        if rolled.value is None:
            return _("Not yet")
        if rolled.carried:
            return _("Carried from an earlier period")
        return _("Yes")
    if rolled.expected > 1:
        return _("%(n)d of %(total)d") % {"n": rolled.reported, "total": rolled.expected}
    return ""


def _trend_table(row: IndicatorRow, history) -> Table:
    spec = row.spec
    table = Table(
        "trend",
        _("%(indicator)s by period") % {"indicator": row.name},
        [
            _("Period"),
            _("Actual"),
            _("Expected"),
            _("Units reported"),
            _("Units expected"),
            _("Status"),
        ],
        flagged=(1,),
    )
    for h in history:
        table.add(
            Cell(h.reference.code),
            fmt_value(h.rollup.value, spec),
            fmt_number(scoring.expected_value(spec, h.reference), spec.decimals),
            fmt_count(h.rollup.reported),
            fmt_count(h.rollup.expected),
            fmt_status(h.score.status),
        )
    return table


def _number(value: Decimal | float, decimals: int) -> str:
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return formatting.number(round(number, decimals), decimals)


def _band_text(result, row: IndicatorRow) -> str:
    decimals = row.decimals
    return _(
        "Forecast for %(period)s: %(projected)s, 8 in 10 chances between %(low)s and %(high)s."
    ) % {
        "period": row.spec.target_period.code,
        "projected": _number(result.projected, decimals),
        "low": _number(result.low, decimals),
        "high": _number(result.high, decimals),
    }


def _chart(row: IndicatorRow, history, result) -> str:
    spec = row.spec
    actuals = [
        (h.reference.end, h.reference.code, h.rollup.value if is_whole(h) else None)
        for h in history
    ]
    knots = [(p.end, v) for p, v in scoring.trajectory(spec)]
    target = None
    if spec.target_period is not None and spec.target_value is not None:
        target = (spec.target_period.end, spec.target_period.code, spec.target_value)
    band = None
    if result is not None and result.is_forecast:
        band = (result.target_end, result.projected, result.low, result.high)
    words = ", ".join(
        f"{code}: {'–' if v is None else _number(v, row.decimals)}" for _e, code, v in actuals
    )
    title = _("%(name)s: values %(values)s; target %(target)s.") % {
        "name": row.name,
        "values": words or "–",
        "target": (
            f"{_number(spec.target_value, row.decimals)} ({spec.target_period.code})"
            if target
            else "–"
        ),
    }
    return trend_svg(title=title, actuals=actuals, trajectory=knots, target=target, band=band)
