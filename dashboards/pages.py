"""What each dashboard page shows: its tables, charts and text summaries, from scored data."""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import Q
from django.http import Http404
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dashboards import charts, scoring, trends
from dashboards.data import (
    COUNTED_STATES,
    DashboardData,
    GoalRow,
    IndicatorKey,
    IndicatorRow,
    Lineage,
    indicator_keys,
    indicator_page,
    indicator_rows,
    lineage,
    report_rows,
    rows_of,
)
from dashboards.exceptions import Change, ExceptionRow, Kind, exceptions, open_actions
from dashboards.forecast_words import short_verdict
from dashboards.models import (
    GroupFigure,
    GroupKind,
    IndicatorShare,
    UnitCompleteness,
    UnitReports,
)
from dashboards.scoring import STATUS_ORDER, Status
from dashboards.snapshots import comparable, comparison_table
from dashboards.sparkline import sparkline_svg
from dashboards.summary import (
    GoalFigure,
    IndicatorResult,
    StoredFigures,
    Summary,
    indicator_results,
    summaries,
    trend_periods,
)
from dashboards.tables import (
    SCREEN_ROWS,
    STATUS_LABELS,
    Cell,
    Table,
    closed_label,
    fmt_count,
    fmt_number,
    fmt_percent,
    fmt_ratio,
    fmt_status,
    fmt_value,
    named,
    named_text,
)
from indicators.models import Measurement
from ops.addresses import address_pattern, reverse_once
from ops.rows import any_of, select
from strategy.policy import Policy

# --- Shared pieces --------------------------------------------------------------------------


def _query(data: DashboardData, *, with_unit: bool = True) -> str:
    params = {"period": data.period.code}
    if with_unit and data.scope.id != data.visible_roots[0].id:
        params["unit"] = data.scope.code
    return urlencode(params)


def _href_pattern(name: str, query: str, arguments: int = 1) -> str:
    """A dashboard address with `{0}`, `{1}`, … for its arguments: reversed once for a table of
    hundreds (an indicator's id, a unit's quoted code, an area's and a goal's)."""
    pattern = address_pattern(f"dashboards:{name}", *(str(n) for n in range(arguments)))
    return f"{pattern}?{query}" if query else pattern


def _url(name: str, *args: str, query: str = "") -> str:
    url = reverse_once(f"dashboards:{name}", *args)
    return f"{url}?{query}" if query else url


def _filters(data: DashboardData) -> dict[str, Any]:
    """The period and unit choices of the filter form, as (value, label) pairs."""
    top = min(r.depth for r in data.visible_roots)
    units = sorted(
        (u for u in data.tree.units.values() if u.depth <= top + 1 or u.id == data.scope.id),
        key=lambda u: u.path,
    )  # the few listed sorted, not a university's 600
    periods = sorted(data.periods, key=lambda p: -p.end.toordinal())
    return {
        "years": [(p.code, p.code) for p in periods if p.kind == "year"],
        "tertials": [(p.code, p.code) for p in periods if p.kind != "year"],
        "units": [(u.code, "\u2003" * (u.depth - top) + named_text(u.name, u.code)) for u in units],
        "period": data.period.code,
        "scope": data.scope.code,
    }


def _base(data: DashboardData, **extra) -> dict[str, Any]:
    return {
        "data": data,
        "filters": _filters(data),
        "query": _query(data),
        "charts": [],
        "tables": [],
        "has_unit_role": True,  # known here; spares the navigation's query
        **extra,
    }


def _status_sentence(counts: dict[Status, int], noun_count: int) -> str:
    return _("%(on)d on track, %(risk)d at risk, %(off)d off track and %(none)d without data") % {
        "on": counts[Status.ON_TRACK],
        "risk": counts[Status.AT_RISK],
        "off": counts[Status.OFF_TRACK],
        "none": counts[Status.NO_DATA],
    } + ngettext(" (of %(n)d goal).", " (of %(n)d goals).", noun_count) % {"n": noun_count}


def _goal_code_map(data: DashboardData) -> dict[int, GoalRow]:
    return {g.id: g for g in data.goals}


def _area_code(data: DashboardData, area_id: int) -> str:
    return next(a.code for a in data.areas if a.id == area_id)


def _percent_or_none(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value * 100))


def _trend(data: DashboardData, **kwargs) -> list[Summary]:
    """The stored figures of the chosen period and the ones of its kind before it (the chosen
    one last), in one query (`summaries`, with its `area_ids` and `earlier`)."""
    periods = trend_periods(data)
    found = summaries(data, periods, **kwargs)
    return [found[p.id] for p in periods]


def _goal_table(
    data: DashboardData,
    summary: Summary,
    goals: list[GoalRow],
    name: str,
    caption: str,
    previous: Summary | None,
) -> Table:
    query = _query(data)
    table = Table(
        name,
        caption,
        [
            _("Goal"),
            _("Pillars"),
            _("Status"),
            _("Progress (%)"),
            _("Change since previous period (points)"),
            _("Indicators with data"),
            _("Units' reported status"),
            _("Agreement"),
        ],
    )
    pillars = {p.id: p for p in data.pillars}
    for goal in goals:
        result = summary.goals[goal.id]
        change = Cell("")
        if previous is not None:
            before, now = previous.goals[goal.id].progress, result.progress
            if before is not None and now is not None:
                points = round((now - before) * 100)
                arrow = "↑" if points > 0 else "↓" if points < 0 else "→"
                change = Cell(f"{arrow} {points:+d}", float(points))
        table.add(
            named(
                goal.title,
                goal.code,
                href=_url("goal", _area_code(data, goal.area_id), goal.code, query=query),
            ),
            Cell("; ".join(named_text(pillars[p].name, pillars[p].code) for p in goal.pillar_ids)),
            fmt_status(result.status),
            fmt_percent(result.progress),
            change,
            Cell(f"{result.scored} / {result.indicator_count}"),
            fmt_status(result.reported),
            Cell("≠ " + _("Disagree") if result.disagreement else ""),
        )
    return table


# --- Overview -------------------------------------------------------------------------------


def _spark_title(label: str, labels: list[str], values: list[float | None]) -> str:
    points = ", ".join(
        f"{period}: {'–' if v is None else f'{v:.0f} %'}"
        for period, v in zip(labels, values, strict=True)
    )
    return f"{label}: {points}"


def overview(data: DashboardData) -> dict[str, Any]:
    trend = _trend(data, earlier=[GroupKind.AREA])  # the cards' sparklines
    summary = trend[-1]
    query = _query(data)
    context = _base(data, summary=summary)
    labels = [s.period.code for s in trend]

    cards = []
    areas_table = Table(
        "areas",
        _("Strategy areas"),
        [
            _("Area"),
            _("Status"),
            _("Goals on track"),
            _("Goals at risk"),
            _("Goals off track"),
            _("Goals no data"),
            _("Median progress"),
            _("Reports on track"),
            _("Reports at risk"),
            _("Reports off track"),
            _("Values in"),
            _("Values due"),
            _("Complete"),
            _("Disagreements"),
        ],
    )
    for area in data.areas:
        result = summary.areas[area.id]
        coverage = summary.area_coverage[area.id]
        reported = summary.area_reported[area.id]
        area_goals = [g for g in data.goals if g.area_id == area.id]
        disagreements = sum(1 for g in area_goals if summary.goals[g.id].disagreement)
        spark = [_percent_or_none(s.areas[area.id].progress) for s in trend]
        spark_title = _spark_title(_("Median progress by period"), labels, spark)
        href = _url("area", area.code, query=query)
        cards.append(
            {
                "area": area,
                "href": href,
                "result": result,
                "progress": fmt_percent(result.progress),
                "reported": reported,
                "coverage": coverage,
                "completeness": fmt_percent(coverage.share),
                "disagreements": disagreements,
                "spark_range": f"{labels[0]}–{labels[-1]}" if labels else "",
                "spark": sparkline_svg(spark, title=spark_title, width=240, height=40),
                "summary": _status_sentence(result.counts, len(result.goal_ids)),
            }
        )
        areas_table.add(
            named(area.name, area.code, href=href),
            fmt_status(result.status),
            *(fmt_count(result.counts[s]) for s in STATUS_ORDER),
            fmt_percent(result.progress),
            *(fmt_count(reported[s]) for s in STATUS_ORDER[:3]),
            fmt_count(coverage.reported),
            fmt_count(coverage.expected),
            fmt_percent(coverage.share),
            fmt_count(disagreements),
        )
    tree, goals_table = _goal_tree(data, summary, query)
    all_goals = [summary.goals[g.id] for g in data.goals]
    counts = scoring.status_counts(g.status for g in all_goals)
    as_reported = comparison_table(
        data,
        summary,
        [("areas", a.id, named(a.name, a.code)) for a in data.areas]
        + [("goals", g.id, named(g.title, g.code)) for g in data.goals],
    )
    context.update(
        cards=cards,
        tables=[areas_table, goals_table, *([as_reported] if as_reported else [])],
        areas_table=areas_table,
        goals_table=goals_table,
        goal_tree=tree,
        as_reported_table=as_reported,
        counts=counts,
        exception_goals=exception_goal_count(summary),
        exceptions_href=_url("exceptions", query=query),
        text_summary=_status_sentence(counts, len(all_goals)),
        tree_summary=_worst_area_sentence(data, summary),
    )
    return context


def _goal_tree(
    data: DashboardData, summary: Summary, query: str
) -> tuple[list[dict[str, Any]], Table]:
    """Areas → pillars → goals with their statuses, each goal once: under the first of its
    pillars (in the strategy's order), with the others named beside it, or under its area when
    it belongs to no pillar. Also the same as a table, one row per goal, for the download."""
    table = Table(
        "goals",
        _("Development goals by area and pillar"),
        [
            _("Goal"),
            _("Area"),
            _("Pillars"),
            _("Status"),
            _("Progress (%)"),
            _("Units' reported status"),
        ],
    )
    pillar_order = {p.id: n for n, p in enumerate(data.pillars)}
    pillars = {p.id: p for p in data.pillars}
    area_href, pillar_href, goal_href = (
        _href_pattern(name, query, n) for name, n in (("area", 1), ("pillar", 2), ("goal", 2))
    )
    tree = []
    for area in data.areas:
        area_goals = [g for g in data.goals if g.area_id == area.id]
        area_code = quote(area.code)
        by_pillar: dict[int | None, list[dict[str, Any]]] = {}
        first: dict[int, int | None] = {}
        for g in area_goals:
            own = sorted(g.pillar_ids, key=lambda p: pillar_order.get(p, 0))
            first[g.id] = own[0] if own else None
            figure = summary.goals[g.id]
            href = goal_href.format(area_code, quote(g.code))
            by_pillar.setdefault(first[g.id], []).append(
                {
                    "goal": g,
                    "href": href,
                    "result": figure,
                    "progress": fmt_percent(figure.progress),
                    "also": [pillars[p] for p in own[1:]],
                }
            )
            table.add(
                named(g.title, g.code, href=href),
                named(area.name, area.code),
                Cell("; ".join(named_text(pillars[p].name, pillars[p].code) for p in own)),
                fmt_status(figure.status),
                fmt_percent(figure.progress),
                fmt_status(figure.reported),
            )
        tree.append(
            {
                "area": area,
                "href": area_href.format(area_code),
                "result": summary.areas[area.id],
                "pillars": [
                    {
                        "pillar": p,
                        "href": pillar_href.format(area_code, quote(p.code)),
                        "result": summary.pillars[p.id],
                        "goals": by_pillar.get(p.id, []),
                        # goals of this pillar listed under their first pillar, another
                        "shared": sum(
                            1 for g in area_goals if p.id in g.pillar_ids and first[g.id] != p.id
                        ),
                    }
                    for p in data.pillars
                    if p.area_id == area.id
                ],
                "goals": by_pillar.get(None, []),
            }
        )
    return tree, table


def _worst_area_sentence(data: DashboardData, summary: Summary) -> str:
    worst = max(
        data.areas,
        key=lambda a: (summary.areas[a.id].counts[Status.OFF_TRACK], -a.id),
        default=None,
    )
    if worst is None or summary.areas[worst.id].counts[Status.OFF_TRACK] == 0:
        return _("No area has a goal off track.")
    return _("%(area)s has the most goals off track (%(n)d).") % {
        "area": worst.name,
        "n": summary.areas[worst.id].counts[Status.OFF_TRACK],
    }


# --- Area and pillar ------------------------------------------------------------------------


def _add_progress_sparklines(table: Table, goals: list[GoalRow], trend: list[Summary]) -> None:
    """A column with each goal's median progress over the trend's periods, drawn on the server;
    its text (and download) gives the figures."""
    table.headers.append(_("Progress trend"))
    labels = [s.period.code for s in trend]
    for goal, row in zip(goals, table.rows, strict=True):
        values = [_percent_or_none(s.goals[goal.id].progress) for s in trend]
        words = ", ".join(
            f"{label}: {'–' if v is None else f'{v:.0f} %'}"
            for label, v in zip(labels, values, strict=True)
        )
        title = _("Progress of %(goal)s by period: %(values)s") % {
            "goal": goal.title,
            "values": words,
        }
        row.append(Cell(words, svg=sparkline_svg(values, title=title, target=100)))


def _chart_label(name: str, code: str, length: int = 32) -> str:
    """A chart's legend entry: the name (cut short, the hover text has it all), then the code."""
    short = name if len(name) <= length else name[: length - 1].rstrip() + "…"
    return named_text(short, code)


def _group_page(data, summary, trend, goals, *, title, code, eyebrow, result, crumbs, pillars=()):
    previous = trend[-2] if len(trend) > 1 else None
    table = _goal_table(data, summary, goals, "goals", _("Goals"), previous)
    _add_progress_sparklines(table, goals, trend)
    series = [
        (
            _chart_label(g.title, g.code),
            [s.period.code for s in trend],
            [_percent_or_none(s.goals[g.id].progress) for s in trend],
        )
        for g in goals
    ]
    context = _base(
        data,
        summary=summary,
        title=title,
        code=code,
        eyebrow=eyebrow,
        result=result,
        crumbs=crumbs,
        pillars=pillars,
        goals_table=table,
        tables=[table],
        text_summary=_status_sentence(result.counts, len(goals)),
    )
    context["charts"].append({"id": "progress", "figure": charts.progress_lines(series)})
    trend_table = Table(
        "progress-trend",
        _("Progress by period (%)"),
        [_("Goal"), *[s.period.code for s in trend]],
    )
    for goal in goals:
        trend_table.add(
            named(goal.title, goal.code), *[fmt_percent(s.goals[goal.id].progress) for s in trend]
        )
    context["tables"].append(trend_table)
    context["trend_table"] = trend_table
    return context


def area(data: DashboardData, code: str) -> dict[str, Any]:
    row = next((a for a in data.areas if a.code == code), None)
    if row is None:
        raise Http404
    trend = _trend(data, area_ids=[row.id])
    summary = trend[-1]
    query = _query(data)
    goals = [g for g in data.goals if g.area_id == row.id]
    pillars = [
        {
            "pillar": p,
            "result": summary.pillars[p.id],
            "href": _url("pillar", row.code, p.code, query=query),
        }
        for p in data.pillars
        if p.area_id == row.id
    ]
    return _group_page(
        data,
        summary,
        trend,
        goals,
        title=row.name,
        code=row.code,
        eyebrow=_("Strategy area"),
        result=summary.areas[row.id],
        crumbs=[(_("Overview"), _url("overview", query=query))],
        pillars=pillars,
    )


def pillar(data: DashboardData, area_code: str, code: str) -> dict[str, Any]:
    area_row = next((a for a in data.areas if a.code == area_code), None)
    row = area_row and next(
        (p for p in data.pillars if p.code == code and p.area_id == area_row.id), None
    )
    if row is None:
        raise Http404
    goals = [g for g in data.goals if row.id in g.pillar_ids]
    trend = _trend(data, area_ids={area_row.id, *(g.area_id for g in goals)})
    summary = trend[-1]
    query = _query(data)
    return _group_page(
        data,
        summary,
        trend,
        goals,
        title=row.name,
        code=row.code,
        eyebrow=_("Pillar"),
        result=summary.pillars[row.id],
        crumbs=[
            (_("Overview"), _url("overview", query=query)),
            (area_row.name, _url("area", area_row.code, query=query)),
        ],
    )


# --- Goal -----------------------------------------------------------------------------------

# Indicator rows shown at once on a goal page (the most urgent first); the others, up to the
# table's screen limit, one click further, and all of them in the downloads.
FIRST_INDICATORS = 10
SHOWN_INDICATORS = 50
# Narratives shown at once (off track first), and in all; the others are in the downloads.
FIRST_NARRATIVES = 3
SHOWN_NARRATIVES = 12
REPORT_URGENCY = {"off_track": 0, "at_risk": 1, "on_track": 2, "achieved": 3}


class _IndicatorLines:
    """The goal page's compact rows: name, value, target, status, sparkline, forecast words.

    Built on demand: the page shows `SHOWN_INDICATORS` of a goal's hundreds (national scale),
    sorted by their stored status (`StoredFigures.status`) before any full row is read; the
    download and the "as reported" table ask for all, and only then are the others' rows and
    values read."""

    def __init__(self, data: DashboardData, keys: list[IndicatorKey], read: StoredFigures):
        self.data = data
        self.keys = keys
        self.read = read
        self.shown = self._results(keys[:SHOWN_INDICATORS])
        self._history = trends.values(data, [i.row for i in self.shown])
        self._rest: list[IndicatorResult] | None = None
        self.pattern = _indicator_href(data)

    def _results(self, keys: list[IndicatorKey]) -> list[IndicatorResult]:
        return [self.read.result(row) for row in rows_of(self.data, keys)] if keys else []

    @property
    def rest(self) -> list[IndicatorResult]:
        """Those not shown, in the same order (read at the first call, in three queries)."""
        if self._rest is None:
            self._rest = self._results(self.keys[SHOWN_INDICATORS:])
            self._history.update(trends.values(self.data, [i.row for i in self._rest]))
        return self._rest

    def line(self, ind: IndicatorResult, *, spark: bool = False) -> dict:
        row, spec = ind.row, ind.row.spec
        history = self._history[spec.id]
        result = trends.forecast_of(row, history)
        target, whose = _target_cells(self.data, ind)
        target_period = ind.target_period if ind.unit_target else spec.target_period
        line = {
            "result": ind,
            "row": row,
            "href": self.pattern.format(spec.id),
            # A closed owner says so: "(IDI, merged into IDX)".
            "owner_mark": "" if row.owner_active else f"({_owner_label(row)})",
            "value": fmt_value(ind.score.actual, spec),
            "target": target,
            "whose_target": whose,
            # Said on screen where the target is not simply the owner's own, as on the unit page.
            "whose": whose if ind.unit_target or target.muted else None,
            "target_period": target_period.code if target_period else "",
            "forecast": short_verdict(result, direction=spec.direction),
        }
        if spark:
            line["spark"], line["spark_words"] = trends.spark(row, history)
        return line


def _indicator_cells(line: dict) -> list[Cell]:
    """A goal page's indicator row as its table (the downloads) has it."""
    ind = line["result"]
    decimals = ind.row.decimals
    owner = f" {line['owner_mark']}" if line["owner_mark"] else ""
    return [
        Cell(f"{ind.row.name}{owner}", href=line["href"]),
        Cell(ind.row.spec.code),
        Cell(ind.reference.code if ind.reference else ""),
        line["value"],
        fmt_number(ind.score.expected, decimals),
        line["target"],
        Cell(line["target_period"]),
        line["whose_target"],
        fmt_percent(ind.score.progress),
        fmt_ratio(ind.score.ratio),
        fmt_status(ind.score.status),
        Cell(line["forecast"]),
        fmt_count(ind.rollup.reported),
        fmt_count(ind.rollup.expected),
    ]


def goal(data: DashboardData, area_code: str, code: str) -> dict[str, Any]:
    area_row = next((a for a in data.areas if a.code == area_code), None)
    row = area_row and next(
        (g for g in data.goals if g.code == code and g.area_id == area_row.id), None
    )
    if row is None:
        raise Http404
    summary = summaries(data, [data.period])[data.period.id]
    query = _query(data)
    result: GoalFigure = summary.goals[row.id]
    # A successor's page lists its predecessors' indicators too: their trends continue there.
    keys = indicator_keys(
        data, lineage(data).owners(data), goal_ids=[row.id], with_unit_targets=True
    )
    read = StoredFigures(data, keys)
    urgency = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.NO_DATA: 3}
    keys.sort(key=lambda k: (urgency[read.status(k)], k.name, k.code))
    lines = _IndicatorLines(data, keys, read)
    shown = [lines.line(ind, spark=True) for ind in lines.shown]
    context = _base(data, summary=summary, goal=row, area=area_row, result=result)

    indicators_table = Table(
        "indicators",
        _("Indicators"),
        [
            _("Indicator"),
            _("Code"),
            _("Period"),
            _("Actual"),
            _("Expected"),
            _("Target"),
            _("Target period"),
            _("Whose target"),
            _("Progress (%)"),
            _("Progress ratio"),
            _("Status"),
            _("Forecast"),
            _("Units reported"),
            _("Units expected"),
        ],
        flagged=(3,),
        on_screen=(0, 1, 3, 5, 7, 10, 11),
    )
    for line in shown:
        indicators_table.add(*_indicator_cells(line))
    for n in range(len(keys) - len(shown)):
        indicators_table.add_later(lambda n=n: _indicator_cells(lines.line(lines.rest[n])))

    goal_reports = report_rows(data, goal_id=row.id)
    reports_table = Table(
        "reports",
        _("Progress reports"),
        [
            _("Unit"),
            _("Reported status"),
            _("Workflow state"),
            _("Narrative"),
            _("Next steps"),
            _("Risks"),
        ],
    )
    reports = sorted(goal_reports, key=lambda r: data.node(r.unit_id).path)
    unit_href = _unit_href(_query(data, with_unit=False))
    narratives = []
    for report in reports:
        u = data.node(report.unit_id)
        counted = report.state in COUNTED_STATES
        reported = scoring.REPORTED_AS_STATUS.get(report.status) if counted else None
        cell = _unit_cell(data, u.id, unit_href)
        href = cell.href
        # Hundreds of reports at national scale: the cells of those shown only.
        first = Cell(u.name, href=href) if href else cell
        reports_table.add_later(functools.partial(_report_cells, first, report, reported))
        narratives.append(
            {
                "report": report,
                "unit": u,
                "code": cell.code,  # a closed unit's says so
                "href": href,
                "status": reported,
                "counted": counted,
            }
        )
    narratives.sort(
        key=lambda n: (
            not n["counted"],
            REPORT_URGENCY.get(n["report"].status, 4),
            n["unit"].path,
        )
    )
    comments_table = Table(
        "comments",
        _("Comments on values"),
        [_("Indicator"), _("Unit"), _("Period"), _("Comment")],
    )
    # The comments shown: those on the values the indicators are read at, by the units in the
    # scope's subtree as it was then. The indicators read at the same period are asked for
    # together: one condition per period.
    by_reference: dict[int, list[int]] = {}
    for key in keys:
        if (reference := read.reference(key)) is not None:
            by_reference.setdefault(reference.id, []).append(key.id)
    read_at = Q()
    for period_id, ids in by_reference.items():
        in_scope = data.units_in(data.world.by_id[period_id])
        read_at |= Q(period_id=period_id, indicator_id__any=ids, unit_id__any=in_scope)
    names = {key.id: key.name for key in keys}
    codes = {p.id: p.code for p in data.periods}
    comments = sorted(
        (
            Measurement.objects.filter(read_at)
            .exclude(comment="")
            .order_by()  # sorted here; the default ordering joins indicators and units
            .values_list("indicator_id", "unit_id", "period_id", "comment")
            if read_at
            else []
        ),
        key=lambda c: (names[c[0]], data.node(c[1]).path),
    )
    for indicator_id, unit_id, period_id, comment in comments:
        comments_table.add(
            Cell(names[indicator_id]),
            Cell(data.node(unit_id).code),
            Cell(codes.get(period_id, "")),
            Cell(comment),
        )
    for report in reports:
        if report.return_comment:
            comments_table.add(
                Cell(_("Progress report")),
                Cell(data.node(report.unit_id).code),
                Cell(data.period.code),
                Cell(report.return_comment),
            )
    as_reported = None
    if comparable(data):  # a closed period: its figures beside every indicator's now
        summary.indicators = {i.row.spec.id: i for i in lines.shown + lines.rest}
        as_reported = comparison_table(
            data,
            summary,
            [("goals", row.id, named_text(row.title, row.code))]
            + [
                ("indicators", key.id, named_text(key.name, key.code))
                for key in sorted(keys, key=lambda k: k.code)
            ],
        )
    context.update(
        indicators_table=indicators_table,
        reports_table=reports_table,
        comments_table=comments_table,
        as_reported_table=as_reported,
        tables=[indicators_table, reports_table, comments_table]
        + ([as_reported] if as_reported else []),
        crumbs=[
            (_("Overview"), _url("overview", query=query)),
            (area_row.name, _url("area", area_row.code, query=query)),
        ],
        text_summary=_goal_sentence(result, len(keys)),
        progress=fmt_percent(result.progress),
        coverage=result.coverage,
        narratives=narratives[:FIRST_NARRATIVES],
        more_narratives=narratives[FIRST_NARRATIVES:SHOWN_NARRATIVES],
        hidden_narratives=max(0, len(narratives) - SHOWN_NARRATIVES),
        first_lines=shown[:FIRST_INDICATORS],
        more_lines=shown[FIRST_INDICATORS:],
        hidden_lines=len(keys) - len(shown),
        indicator_count=len(keys),
    )
    return context


def _report_cells(unit: Cell, report, status: Status | None) -> list[Cell]:
    """A row of the goal page's table of progress reports."""
    return [
        unit,
        Cell(report.status_label, status=status),
        Cell(report.state_label),
        Cell(report.narrative),
        Cell(report.next_steps),
        Cell(report.risks),
    ]


def _goal_sentence(result: GoalFigure, n: int) -> str:
    counts = result.counts or {}
    text = _(
        "The goal is %(status)s: of its %(n)d indicators %(on)d are on track, %(risk)d at "
        "risk, %(off)d off track and %(none)d without data."
    ) % {
        "status": STATUS_LABELS[result.status].lower(),
        "n": n,
        "on": counts.get(Status.ON_TRACK, 0),
        "risk": counts.get(Status.AT_RISK, 0),
        "off": counts.get(Status.OFF_TRACK, 0),
        "none": counts.get(Status.NO_DATA, 0),
    }
    if result.reported != Status.NO_DATA:
        text += " " + _("The units report it as %(status)s.") % {
            "status": STATUS_LABELS[result.reported].lower()
        }
    if result.disagreement:
        text += " " + _("The computed and the reported status disagree.")
    return text


# --- Unit -----------------------------------------------------------------------------------


def unit(data: DashboardData) -> dict[str, Any]:
    scope = data.scope
    query = _query(data, with_unit=False)
    goals = _goal_code_map(data)
    own_table = Table(
        "indicators",
        _("Indicators owned by this unit and the units below it"),
        [
            _("Goal"),
            _("Indicator"),
            _("Owner"),
            _("Period"),
            _("Actual"),
            _("Expected"),
            _("Progress (%)"),
            _("Status"),
            _("Units reported"),
            _("Units expected"),
        ],
        flagged=(4,),
    )
    share_table = Table(
        "contributions",
        _("This unit's share in indicators owned higher up"),
        [
            _("Goal"),
            _("Indicator"),
            _("Owner"),
            _("Period"),
            _("Value of this unit"),
            _("Combined by"),
            _("Units reported"),
            _("Units expected"),
            _("Target"),
            _("Whose target"),
            _("Status"),
        ],
        flagged=(4,),
    )
    ancestors = [data.tree.units[u] for u in _ancestor_ids(data, scope.id)]
    history = lineage(data)
    # A faculty owns a thousand indicators at national scale: the page loads the rows it shows
    # (and counts the rest), a download of the table all of them.
    owned = history.owners(data)
    if data.download in (own_table.name, ""):
        own_rows = indicator_rows(data, owned)
    else:
        own_rows, total = indicator_page(data, owned, SCREEN_ROWS)
        own_table.unloaded = total - len(own_rows)
    own = indicator_results(data, own_rows)

    @functools.cache
    def goal_link(goal_id: int) -> Cell:
        g = goals.get(goal_id)
        if g is None:
            return Cell("")
        return named(
            g.title, g.code, href=_url("goal", _area_code(data, g.area_id), g.code, query=query)
        )

    def goal_cell(spec) -> Cell:
        return goal_link(spec.goal_id)

    indicator_href = _indicator_href(data)
    history_of = trends.values(data, own_rows) if own_rows else {}
    own_table.headers += [_("Trend"), _("Forecast")]

    def own_row(row: IndicatorRow) -> list[Cell]:
        result = own[(row.spec.id, data.period.id)]
        spec = row.spec
        points = history_of[spec.id]
        svg, words = trends.spark(row, points)
        forecast = trends.forecast_of(row, points)
        return [
            goal_cell(spec),
            named(row.name, spec.code, href=indicator_href.format(spec.id)),
            Cell(_owner_label(row)),
            Cell(result.reference.code if result.reference else ""),
            fmt_value(result.score.actual, spec),
            fmt_number(result.score.expected, spec.decimals),
            fmt_percent(result.score.progress),
            fmt_status(result.score.status),
            fmt_count(result.rollup.reported),
            fmt_count(result.rollup.expected),
            Cell(words, svg=svg),
            Cell(short_verdict(forecast, direction=spec.direction)),
        ]

    def share_row(row: IndicatorRow, share: IndicatorResult) -> list[Cell]:
        spec = row.spec
        against = scored[(spec.id, data.period.id)]
        return [
            goal_cell(spec),
            named(row.name, spec.code, href=indicator_href.format(spec.id)),
            Cell(_owner_label(row)),
            Cell(share.reference.code if share.reference else ""),
            fmt_value(share.rollup.value, spec),
            Cell(_aggregation_label(spec.aggregation)),
            fmt_count(share.rollup.reported),
            fmt_count(share.rollup.expected),
            *_target_cells(data, against),
            fmt_status(against.score.status)
            if against.unit_target
            else Cell(_("Not scored here"), muted=True),
        ]

    # A faculty owns a thousand indicators at national scale: rows are built when shown.
    for row in own_rows:
        own_table.add_later(functools.partial(own_row, row))
    share_rows = indicator_rows(data, Q(path__in=[a.path for a in ancestors])) if ancestors else []
    scored = indicator_results(data, share_rows) if share_rows else {}
    for row, share in zip(share_rows, _shares(data, share_rows), strict=True):
        share_table.add_later(functools.partial(share_row, row, share))
    context = _base(
        data,
        unit=scope,
        own_table=own_table,
        share_table=share_table,
        tables=[own_table, share_table],
        ancestors=ancestors,
        children=[data.tree.units[c] for c in data.tree.children[scope.id]],
        **_unit_trend(data, history),
    )
    context["tables"].append(context["trend_table"])
    children = data.tree.children[scope.id]
    if children:
        heat = _heatmap(data, children)
        context.update(heat)
        context["tables"].append(heat["heat_table"])
    return context


def _indicator_href(data: DashboardData) -> str:
    """The address of an indicator's own page for the scope and period, with `{}` for its id:
    reversed once for a table of hundreds."""
    return _href_pattern("indicator", _query(data))


def _target_cells(data: DashboardData, result: IndicatorResult) -> tuple[Cell, Cell]:
    """The target a figure is measured against and whose it is. A unit measured by its own
    contribution target is told so; a unit below the owner without one sees the owner's target
    de-emphasised, for the owner as a whole (the wording of the measurement grid)."""
    spec, scope = result.row.spec, data.scope
    target, whose, muted = result.target, result.row.owner_code, False
    if result.unit_target:
        whose = _("%(unit)s's own target") % {"unit": scope.code}
    elif spec.owner_unit_id in _ancestor_ids(data, scope.id):
        whose = _("for %(owner)s as a whole, not %(unit)s's") % {
            "owner": result.row.owner_code,
            "unit": scope.code,
        }
        muted = True
    cell = fmt_number(target, spec.decimals)
    return cell._replace(muted=muted), Cell(whose, muted=muted)


def _owner_label(row: IndicatorRow) -> str:
    return closed_label(row.owner_code, None if row.owner_active else row.owner_successor)


def _unit_href(query: str) -> str:
    """The address of a unit's page with `{}` for its code: reversed once for a list of
    hundreds of units (`_unit_cell`)."""
    return _href_pattern("unit", query)


def _unit_cell(data: DashboardData, unit_id: int, href: str) -> Cell:
    """A unit listed for a period: named and linked to its page (`href`, from `_unit_href`); a
    closed unit, which has no page, marked as merged or closed."""
    u = data.node(unit_id)
    successor = data.successor_code(unit_id)
    if successor is None:
        return named(u.name, u.code, href=href.format(quote(u.code)))
    return named(u.name, closed_label(u.code, successor))


def _unit_trend(data: DashboardData, history: Lineage) -> dict[str, Any]:
    """The unit's area figures over the trend periods (one query). For the periods before the
    unit existed they are its predecessors' (dashboards.figures), marked as theirs."""
    trend = _trend(data, earlier=[GroupKind.AREA])
    carried = {s.period.id for s in trend if history.carried(s.period)}
    names = ", ".join(p.code for p in history.predecessors)

    def heading(period) -> str:
        if period.id in carried:
            return _("%(period)s (%(units)s)") % {"period": period.code, "units": names}
        return period.code

    table = Table(
        "unit-trend",
        _("Progress by period (%)"),
        [_("Area"), *[heading(s.period) for s in trend]],
    )
    for a in data.areas:
        table.add(named(a.name, a.code), *[fmt_percent(s.areas[a.id].progress) for s in trend])
    notes = [
        _("Before %(date)s: %(unit)s, merged into %(successor)s.")
        % {
            "date": p.merged_on.isoformat() if p.merged_on else "–",
            "unit": named_text(p.name, p.code),
            "successor": p.successor_code,
        }
        for p in history.predecessors
    ]
    return {"trend_table": table, "trend_notes": notes}


def _shares(data: DashboardData, rows: list[IndicatorRow]) -> list[IndicatorResult]:
    """The scope's share in indicators owned above it, at the period each is read at: stored
    with the figures (`IndicatorShare`, rolled up over the scope's subtree as it was in that
    period). A unit without units below it, and any unit of an indicator that is not
    combined, stands for its own value: read as entered (cumulative ones: the latest running
    total up to the period), at most one value per row."""
    period, scope = data.period, data.scope
    refs = {
        kind: scoring.reference_period(data.periods, period, kind)
        for kind in {r.spec.frequency for r in rows}
    }
    # One reference period per frequency, and an indicator has shares at periods of its own
    # frequency only: filtering by all of them reads each indicator at its own.
    read_at = {ref.id for ref in refs.values() if ref is not None}
    stored = (
        {
            indicator_id: scoring.Rollup(value, reported, expected, carried)
            for indicator_id, value, reported, expected, carried in IndicatorShare.objects.filter(
                unit_id=scope.id, period_id__in=read_at, indicator_id__any=[r.spec.id for r in rows]
            ).values_list("indicator_id", "value", "reported", "expected_units", "carried")
        }
        if read_at
        else {}
    )
    unstored = [r for r in rows if r.spec.id not in stored and refs[r.spec.frequency]]
    own = _own_observations(data, unstored, refs)
    alone = scoring.Tree([scope])
    out = []
    for row in rows:
        spec, ref = row.spec, refs[row.spec.frequency]
        if ref is None:
            rolled = scoring.Rollup(None, 0, 0)
        elif spec.id in stored:
            rolled = stored[spec.id]
        else:
            rolled = scoring.rollup(
                alone, scope.id, own.get(spec.id, {}), aggregation=spec.aggregation, reference=ref
            )
        out.append(IndicatorResult(row, ref, rolled, scoring.score_rollup(spec, rolled, ref)))
    return out


def _own_observations(
    data: DashboardData, rows: list[IndicatorRow], refs: dict[str, scoring.Period | None]
) -> dict[int, dict[int, scoring.Observation]]:
    """The scope's own observation of each indicator at its reference period, in one query."""
    groups: dict[tuple[str, bool], list[int]] = {}
    for row in rows:
        key = (row.spec.frequency, row.spec.accumulation == scoring.CUMULATIVE)
        groups.setdefault(key, []).append(row.spec.id)
    read_at = Q()
    for (kind, cumulative), ids in groups.items():
        ref = refs[kind]
        if cumulative:
            read_at |= Q(indicator_id__in=ids, period__kind=kind, period__end__lte=ref.end)
        else:
            read_at |= Q(indicator_id__in=ids, period_id=ref.id)
    if not read_at:
        return {}
    by_id = {p.id: p for p in data.periods}
    values: dict[int, list] = {r.spec.id: [] for r in rows}
    for indicator_id, period_id, value in (
        Measurement.objects.filter(read_at, unit_id=data.scope.id)
        .order_by()  # the default ordering joins periods and units
        .values_list("indicator_id", "period_id", "value")
    ):
        values[indicator_id].append((data.scope.id, value, by_id[period_id]))
    return {
        r.spec.id: scoring.observations_for(
            values[r.spec.id], accumulation=r.spec.accumulation, reference=refs[r.spec.frequency]
        )
        for r in rows
    }


def _ancestor_ids(data: DashboardData, unit_id: int) -> list[int]:
    out = []
    parent = data.tree.units[unit_id].parent_id
    while parent in data.tree.units:
        out.append(parent)
        parent = data.tree.units[parent].parent_id
    return list(reversed(out))


def _aggregation_label(aggregation: str) -> str:
    return {"sum": _("Sum"), "mean": _("Mean"), "none": _("Not combined")}[aggregation]


def _heatmap(data: DashboardData, children: list[int]) -> dict[str, Any]:
    """Reported status of each child unit's subtree for each goal: the stored goal figures of
    the children (from their submitted and approved progress reports)."""
    reported = {
        (unit_id, goal_id): Status(status)
        for unit_id, goal_id, status in GroupFigure.objects.filter(
            unit_id__in=children, period_id=data.period.id, kind=GroupKind.GOAL
        ).values_list("unit_id", "object_id", "reported_status")
    }
    goals = data.goals
    rows = [data.tree.units[c] for c in children]
    statuses = [[reported.get((u.id, g.id), Status.NO_DATA) for g in goals] for u in rows]
    table = Table(
        "heatmap",
        _("Reported status by unit and goal"),
        [_("Unit"), *[g.code for g in goals]],
    )
    for u, line in zip(rows, statuses, strict=True):
        table.add(named(u.name, u.code), *[fmt_status(s) for s in line])
    n_reported = sum(1 for line in statuses for s in line if s != Status.NO_DATA)
    return {
        "heat_table": table,
        "heat_summary": _(
            "%(n)d of %(total)d unit-goal pairs have a submitted or approved report; "
            "%(off)d are reported off track."
        )
        % {
            "n": n_reported,
            "total": len(rows) * len(goals),
            "off": sum(1 for line in statuses for s in line if s == Status.OFF_TRACK),
        },
    }


# --- Completeness ---------------------------------------------------------------------------


#: Up to how many units a page's query names them (`_of_units`).
NAMED_UNITS_AT_MOST = 100


def _of_units(period: scoring.Period, units: frozenset[int]) -> tuple[str, list]:
    """SQL for the rows of `period` (ops.rows), narrowed to those of `units` for a small
    subtree; for a large one the caller keeps the listed from all of them: PostgreSQL took
    longer to plan and probe an array of a university's 600 ids than to read the period's every
    row (completeness at national scale: 16 → 12 ms)."""
    if len(units) > NAMED_UNITS_AT_MOST:
        return "period_id = %s", [period.id]
    of_units, params = any_of("unit_id", sorted(units))
    return f"period_id = %s AND {of_units}", [period.id, *params]


def completeness(data: DashboardData, today: datetime.date) -> dict[str, Any]:
    """Per reporting unit in the scope's subtree as it was in the chosen period
    (`DashboardData.units_in`): values entered of all those it owes for the period, whoever
    owns the indicator, and its reports (both stored, dashboards.figures)."""
    period = data.period
    listed = data.units_in()
    expected: Counter = Counter()
    entered: Counter = Counter()
    submitted: Counter = Counter()
    drafts: Counter = Counter()
    where, params = _of_units(period, listed)
    for unit_id, owed, done in select(
        UnitCompleteness, ["unit_id", "expected", "entered"], where, params
    ):
        if unit_id in listed:
            expected[unit_id], entered[unit_id] = owed, done
    for unit_id, counted, other in select(
        UnitReports, ["unit_id", "submitted", "drafts"], where, params
    ):
        if unit_id in listed:
            submitted[unit_id], drafts[unit_id] = counted, other
    unit_ids = set(expected) | set(submitted)
    table = Table(
        "completeness",
        _("Reporting by unit"),
        [
            _("Unit"),
            _("Values entered"),
            _("Values due"),
            _("Reports submitted or approved"),
            _("Reports in draft or returned"),
            _("State"),
        ],
    )
    states = (_("Not started"), _("Incomplete"), _("Complete"))  # by rank
    rows = []
    for uid in unit_ids:
        u = data.node(uid)
        missing = expected[uid] - entered[uid]
        if missing == 0 and submitted[uid]:
            rank = 2
        elif entered[uid] or submitted[uid] or drafts[uid]:
            rank = 1
        else:
            rank = 0
        rows.append((rank, u.path, u, states[rank]))
    rows.sort(key=lambda r: (r[0], r[1]))
    unit_href = _unit_href(_query(data, with_unit=False))

    def row(rank: int, u, state: str) -> list[Cell]:
        return [
            _unit_cell(data, u.id, unit_href),
            fmt_count(entered[u.id]),
            fmt_count(expected[u.id]),
            fmt_count(submitted[u.id]),
            fmt_count(drafts[u.id]),
            Cell(state, status={0: Status.OFF_TRACK, 1: Status.AT_RISK, 2: Status.ON_TRACK}[rank]),
        ]

    for rank, _path, u, state in rows:  # 600 units at national scale: build what is shown
        table.add_later(functools.partial(row, rank, u, state))
    days = (period.deadline - today).days if period.deadline else None
    not_reported = sum(1 for r in rows if r[0] < 2)
    return _base(
        data,
        table=table,
        tables=[table],
        days=days,
        overdue=days is not None and days < 0,
        days_abs=abs(days) if days is not None else None,
        not_reported=not_reported,
        total=len(rows),
    )


# --- Exceptions -----------------------------------------------------------------------------

CHANGE_LABELS = {
    Change.NEW: gettext_lazy("New exception"),
    Change.WORSE: gettext_lazy("Worse"),
    Change.SAME: gettext_lazy("Unchanged"),
    Change.IMPROVED: gettext_lazy("Improved"),
}


def exception_goal_count(summary: Summary) -> int:
    """Goals the exceptions page lists for the summary's period and unit: computed or reported
    off track or at risk (the rule of dashboards.exceptions, from the same stored figures), for
    the overview's link to it."""
    bad = (Status.OFF_TRACK, Status.AT_RISK)
    return sum(1 for g in summary.goals.values() if g.status in bad or g.reported in bad)


def _exception_href(data: DashboardData, row: ExceptionRow, query: str) -> str:
    if row.kind == Kind.INDICATOR and row.indicator_id is not None:
        return _url("indicator", str(row.indicator_id), query=query)
    return _url("goal", row.area_code, row.goal_code, query=query)


def exceptions_page(data: DashboardData, policy: Policy, today: datetime.date) -> dict[str, Any]:
    rows = exceptions(
        period=data.period, unit=data.scope, policy=policy, today=today, world=data.world
    )
    listed_goals = {r.goal_id for r in rows if r.kind == Kind.GOAL}
    actions = open_actions(
        period=data.period, unit=data.scope, policy=policy, today=today, world=data.world
    )
    shown_goals = {r.goal_id for r in rows}
    query = _query(data)
    items = [
        {
            "row": r,
            "href": _exception_href(data, r, query),
            "goal_href": _url("goal", r.area_code, r.goal_code, query=query),
            "goal_listed": r.kind == Kind.INDICATOR and r.goal_id in listed_goals,
            "change": CHANGE_LABELS[r.change],
            "progress": fmt_percent(r.progress),
            "ratio": fmt_ratio(r.ratio),
            "value": fmt_number(r.value, r.decimals),
            "expected": fmt_number(r.expected_value, r.decimals),
        }
        for r in rows
    ]
    table = Table(
        "exceptions",
        _("Goals and indicators off track or at risk"),
        [
            _("Goal or indicator"),
            _("Code"),
            _("Kind"),
            _("Goal"),
            _("Status"),
            _("Units' reported status"),
            _("Status in the previous period"),
            _("Change"),
            _("Progress (%)"),
            _("Progress ratio"),
            _("Value"),
            _("Expected value"),
            _("Units' reports"),
            _("Open actions"),
        ],
    )
    for item in items:
        r = item["row"]
        table.add(
            Cell(r.name, href=item["href"]),
            Cell(r.code),
            Cell(_("Indicator") if r.kind == Kind.INDICATOR else _("Goal")),
            Cell(r.goal_code),
            fmt_status(r.status),
            fmt_status(r.reported),
            fmt_status(r.previous_status) if r.previous_status else Cell(""),
            Cell(str(item["change"])),
            item["progress"],
            item["ratio"],
            item["value"],
            item["expected"],
            Cell(
                " | ".join(
                    f"{rep.unit_label}: {rep.status_label}: {rep.narrative}" for rep in r.reports
                )
            ),
            Cell(
                " | ".join(
                    _("%(action)s (%(owner)s, due %(due)s)")
                    % {"action": a.action, "owner": a.owner, "due": a.due.isoformat()}
                    for a in r.actions
                )
            ),
        )
    goals_count = len(listed_goals)
    return _base(
        data,
        items=items,
        table=table,
        tables=[table],
        goals_count=goals_count,
        indicators_count=len(rows) - goals_count,
        other_actions=[a for a in actions if a.goal_id not in shown_goals],
        today=today,
    )
