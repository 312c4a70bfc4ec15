"""The figures the API serves: ONE adapter onto the dashboards' stored figures.

Nothing here computes a figure. `dashboard_figures` reads the stored figures through the same
functions as the dashboard pages and their CSV downloads (`dashboards.data.load`,
`indicator_rows`, `dashboards.summary.summarise` and `indicator_results`) for a period and a
unit's subtree, and lays them out as rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.utils import timezone

from dashboards.data import indicator_rows, load
from dashboards.summary import indicator_results, summarise


@dataclass(frozen=True)
class Figures:
    period: str
    unit: str
    rows: list[dict]


def dashboard_figures(user, *, period: str = "", unit: str = "") -> Figures:
    """Indicators, goals, pillars and areas for `period` in `unit`'s subtree, as `user` sees
    them on the dashboards. Unknown or invisible period or unit: Http404."""
    params = QueryDict(mutable=True)
    if period:
        params["period"] = period
    if unit:
        params["unit"] = unit
    data = load(user, params, today=timezone.localdate())
    summary = summarise(data)
    area_codes = {area.id: area.code for area in data.areas}
    goal_areas = {goal.id: area_codes[goal.area_id] for goal in data.goals}
    rows: list[dict] = []
    indicators = indicator_rows(data, data.owned(), with_unit_targets=True)
    results = indicator_results(data, indicators)
    for row in indicators:
        result = results[(row.spec.id, data.period.id)]
        rows.append(
            _row(
                "indicator",
                row.spec.code,
                goal_areas.get(row.spec.goal_id, ""),
                result.score.status,
                result.score.progress,
                actual=result.score.actual,
                expected=result.score.expected,
                values_in=result.rollup.reported,
                values_due=result.rollup.expected,
                target=result.target,
                target_of=data.scope.code if result.unit_target else row.owner_code,
            )
        )
    for goal in data.goals:
        scored = summary.goals[goal.id]
        rows.append(
            _row("goal", goal.code, area_codes[goal.area_id], scored.status, scored.progress)
        )
    for pillar in data.pillars:
        group = summary.pillars[pillar.id]
        rows.append(
            _row("pillar", pillar.code, area_codes[pillar.area_id], group.status, group.progress)
        )
    for area in data.areas:
        group = summary.areas[area.id]
        rows.append(_row("area", area.code, area.code, group.status, group.progress))
    return Figures(data.period.code, data.scope.code, rows)


def _row(
    kind: str,
    code: str,
    area: str,
    status,
    progress: Decimal | None,
    *,
    actual: Decimal | None = None,
    expected: Decimal | None = None,
    values_in: int | None = None,
    values_due: int | None = None,
    target: Decimal | None = None,
    target_of: str | None = None,
) -> dict:
    return {
        "kind": kind,
        "code": code,
        "area": area,
        "status": str(status),
        "progress": progress,
        "actual": actual,
        "expected": expected,
        "values_in": values_in,
        "values_due": values_due,
        "target": target,
        "target_of": target_of,
    }
