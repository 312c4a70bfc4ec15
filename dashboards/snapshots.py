"""The "as reported" snapshots: the dashboards' figures for a period, frozen when it closes.

`period_figures()` reads the dashboards' stored figures (`dashboards.summary`) for the whole
organisation, and `figures_of()` turns them into plain JSON: per area, pillar, goal and
indicator (rolled up at its owner unit) the status,
the progress, the value and how many units had reported. Decimals are stored as strings, so the
snapshot keeps the exact figures. A dashboard compares a snapshot with the figures it has just
computed through `figures_of()` too, so both sides are produced by the same code.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboards.data import DashboardData, indicator_rows, load
from dashboards.scoring import Status
from dashboards.summary import Coverage, Summary, indicator_results, summarise
from dashboards.tables import Cell, Table, fmt_number, fmt_percent, fmt_status, fmt_value

#: Changes when the shape of `figures_of()` changes, so old snapshots can still be read.
FIGURES_FORMAT = 1


class WholeOrganisation:
    """Reads every unit, like an administrator: a snapshot is of the whole university, whoever
    closed the period and whatever they may see."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


def period_figures(period) -> dict[str, Any]:
    """The figures every dashboard shows for `period`, as they stand now."""
    params = QueryDict(mutable=True)
    params["period"] = period.code
    data = load(WholeOrganisation(), params, today=timezone.localdate(), with_snapshot=True)
    return figures_of(data, summary_with_indicators(data))


def summary_with_indicators(data: DashboardData) -> Summary:
    """The stored figures of the scope, with every indicator owned in it."""
    summary = summarise(data)
    rows = indicator_rows(data, Q(path__startswith=data.scope.path))
    read = indicator_results(data, rows)
    summary.indicators = {r.spec.id: read[(r.spec.id, data.period.id)] for r in rows}
    return summary


def _decimal(value: Decimal | None) -> str | None:
    """Exact, without trailing zeros or an exponent: Decimal("45.000000") → "45"."""
    return None if value is None else format(value.normalize(), "f")


def _coverage(coverage: Coverage) -> dict[str, int]:
    return {
        "reported": coverage.reported,
        "carried": coverage.carried,
        "expected": coverage.expected,
    }


def figures_of(data: DashboardData, summary: Summary) -> dict[str, Any]:
    """The figures of a computed dashboard, keyed by the database id of each object."""
    return {
        "format": FIGURES_FORMAT,
        "period": data.period.code,
        "scope": data.scope.code,
        "areas": {
            str(area.id): {
                "code": area.code,
                "status": str(summary.areas[area.id].status),
                "progress": _decimal(summary.areas[area.id].progress),
                "counts": {str(s): n for s, n in summary.areas[area.id].counts.items()},
                **_coverage(summary.area_coverage[area.id]),
            }
            for area in data.areas
        },
        "pillars": {
            str(pillar.id): {
                "code": pillar.code,
                "status": str(summary.pillars[pillar.id].status),
                "progress": _decimal(summary.pillars[pillar.id].progress),
            }
            for pillar in data.pillars
        },
        "goals": {
            str(goal.id): {
                "code": goal.code,
                "status": str(summary.goals[goal.id].status),
                "progress": _decimal(summary.goals[goal.id].progress),
                "reported_status": str(summary.goals[goal.id].reported),
                **_coverage(summary.goals[goal.id].coverage),
            }
            for goal in data.goals
        },
        "indicators": {
            str(spec_id): {
                "code": result.row.spec.code,
                "unit": result.row.owner_code if result.row.owner_active else "",
                "reference": result.reference.code if result.reference else None,
                "value": _decimal(result.rollup.value),
                "status": str(result.score.status),
                "progress": _decimal(result.score.progress),
                "decimals": result.row.decimals,
                "reported": result.rollup.reported,
                "carried": result.rollup.carried,
                "expected": result.rollup.expected,
            }
            for spec_id, result in summary.indicators.items()
        },
    }


# What a reader sees of a figure: a change below the shown precision is no change.
def _shown_percent(value: str | None) -> int | None:
    return None if value is None else round(Decimal(value) * 100)


def _shown_value(value: str | None, decimals: int) -> Decimal | None:
    return None if value is None else round(Decimal(value), decimals)


def shown(kind: str, entry: dict[str, Any] | None) -> tuple | None:
    """The parts of a figure a dashboard shows, rounded as shown."""
    if entry is None:
        return None
    figure = (entry["status"], _shown_percent(entry.get("progress")))
    if kind == "indicators":
        value = _shown_value(entry.get("value"), entry.get("decimals", 0))
        return (*figure, value, entry.get("reported"), entry.get("expected"))
    if kind == "goals":
        return (*figure, entry.get("reported_status"))
    return figure


def changed(kind: str, key: Any, reported: dict[str, Any], current: dict[str, Any]) -> bool:
    """Whether the figure `key` of `kind` ("areas", "goals", ...) reads differently now than in
    the snapshot. A figure that appeared or disappeared since has changed too."""
    key = str(key)
    return shown(kind, reported.get(kind, {}).get(key)) != shown(
        kind, current.get(kind, {}).get(key)
    )


# --- "As reported" beside "current" on a dashboard ------------------------------------------


def comparable(data: DashboardData) -> bool:
    """A snapshot is of the whole organisation: it is shown beside the dashboard of the same
    scope only (the rectorate's view), where both sides count the same units."""
    snapshot = data.snapshot
    return snapshot is not None and snapshot["figures"].get("scope") == data.scope.code


def comparison_table(
    data: DashboardData, summary: Summary, rows: list[tuple[str, Any, str | Cell]]
) -> Table | None:
    """The figures `rows` ((kind, id, label), e.g. ("goals", 12, "RES-3 ...")) as reported at
    the period's close beside their current value, with a text mark on those that changed."""
    if not comparable(data):
        return None
    reported = data.snapshot["figures"]
    current = figures_of(data, summary)
    taken_at = timezone.localtime(data.snapshot["taken_at"])
    table = Table(
        "as-reported",
        _("As reported when %(period)s was closed (%(when)s) and now")
        % {"period": data.period.code, "when": date_format(taken_at, "SHORT_DATETIME_FORMAT")},
        [
            _("Figure"),
            _("Status as reported"),
            _("Status now"),
            _("Progress as reported (%)"),
            _("Progress now (%)"),
            _("Value as reported"),
            _("Value now"),
            _("Changed since closing"),
        ],
        flagged=(5, 6),
    )
    for kind, key, label in rows:
        before = reported.get(kind, {}).get(str(key))
        now = current.get(kind, {}).get(str(key))
        decimals = (now or before or {}).get("decimals", 0)
        indicator = summary.indicators.get(key) if kind == "indicators" else None
        table.add(
            label if isinstance(label, Cell) else Cell(label),
            *(_status_cell(entry) for entry in (before, now)),
            *(fmt_percent(_number(entry, "progress")) for entry in (before, now)),
            *(
                _value_cell(_number(entry, "value"), decimals, indicator)
                if kind == "indicators"
                else Cell("")
                for entry in (before, now)
            ),
            Cell("≠ " + _("Changed") if changed(kind, key, reported, current) else ""),
        )
    return table


def _value_cell(value: Decimal | None, decimals: int, indicator) -> Cell:
    """A value as reported or now, flagged "unusual" by the indicator's present baseline and
    target where the page lists the indicator."""
    if indicator is None:
        return fmt_number(value, decimals)
    return fmt_value(value, replace(indicator.row.spec, decimals=decimals))


def _number(entry: dict[str, Any] | None, name: str) -> Decimal | None:
    value = entry.get(name) if entry else None
    return None if value is None else Decimal(value)


def _status_cell(entry: dict[str, Any] | None) -> Cell:
    return fmt_status(Status(entry["status"])) if entry else Cell("")
