"""What each dashboard page shows: its tables, charts and text summaries, from scored data."""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards import charts, scoring
from dashboards.data import (
    COUNTED_STATES,
    DashboardData,
    GoalRow,
    IndicatorRow,
    indicator_count,
    indicator_rows,
    report_rows,
)
from dashboards.models import GroupFigure, GroupKind, IndicatorShare, UnitCompleteness
from dashboards.scoring import STATUS_ORDER, Status
from dashboards.snapshots import comparison_table
from dashboards.summary import (
    GoalFigure,
    IndicatorResult,
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
    fmt_count,
    fmt_number,
    fmt_percent,
    fmt_ratio,
    fmt_status,
    fmt_value,
)
from goals.models import ProgressReport
from indicators.models import Measurement

MAX_CHARTS = 12  # indicator charts on a goal page

# --- Shared pieces --------------------------------------------------------------------------


def _query(data: DashboardData, *, with_unit: bool = True) -> str:
    params = {"period": data.period.code}
    if with_unit and data.scope.id != data.visible_roots[0].id:
        params["unit"] = data.scope.code
    return urlencode(params)


def _url(name: str, *args: str, query: str = "") -> str:
    url = reverse(f"dashboards:{name}", args=args)
    return f"{url}?{query}" if query else url


def _filters(data: DashboardData) -> dict[str, Any]:
    top = min(r.depth for r in data.visible_roots)
    units = [
        u
        for u in sorted(data.tree.units.values(), key=lambda u: u.path)
        if u.depth <= top + 1 or u.id == data.scope.id
    ]
    return {
        "periods": sorted(data.periods, key=lambda p: (p.kind != "year", -p.end.toordinal())),
        "units": [
            {"unit": u, "label": "\u2003" * (u.depth - top) + f"{u.code} {u.name}"} for u in units
        ],
        "period": data.period,
        "scope": data.scope,
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


def _trend(data: DashboardData) -> list[Summary]:
    """The stored figures of the chosen period and the ones of its kind before it (the chosen
    one last), in one query."""
    periods = trend_periods(data)
    found = summaries(data, periods)
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
            _("Status"),
            _("Progress (%)"),
            _("Change since previous period (points)"),
            _("Indicators with data"),
            _("Units' reported status"),
            _("Agreement"),
        ],
    )
    pillar_codes = {p.id: p.code for p in data.pillars}
    for goal in goals:
        result = summary.goals[goal.id]
        change = Cell("")
        if previous is not None:
            before, now = previous.goals[goal.id].progress, result.progress
            if before is not None and now is not None:
                points = round((now - before) * 100)
                arrow = "↑" if points > 0 else "↓" if points < 0 else "→"
                change = Cell(f"{arrow} {points:+d}", float(points))
        title = f"{goal.code} {goal.title}"
        if goal.pillar_ids:
            title += " (" + ", ".join(pillar_codes[p] for p in goal.pillar_ids) + ")"
        table.add(
            Cell(title, href=_url("goal", _area_code(data, goal.area_id), goal.code, query=query)),
            fmt_status(result.status),
            fmt_percent(result.progress),
            change,
            Cell(f"{result.scored} / {result.indicator_count}"),
            fmt_status(result.reported),
            Cell("≠ " + _("Disagree") if result.disagreement else ""),
        )
    return table


# --- Overview -------------------------------------------------------------------------------


def overview(data: DashboardData) -> dict[str, Any]:
    trend = _trend(data)
    summary = trend[-1]
    query = _query(data)
    context = _base(data, summary=summary)
    labels = [s.period.code for s in trend]

    cards, nodes = [], []
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
    goals_table = Table(
        "goals",
        _("Development goals by area and pillar"),
        [
            _("Area"),
            _("Pillar"),
            _("Goal"),
            _("Status"),
            _("Progress (%)"),
            _("Units' reported status"),
        ],
    )
    for area in data.areas:
        result = summary.areas[area.id]
        coverage = summary.area_coverage[area.id]
        reported = summary.area_reported[area.id]
        area_goals = [g for g in data.goals if g.area_id == area.id]
        disagreements = sum(1 for g in area_goals if summary.goals[g.id].disagreement)
        chart_id = f"spark-{area.code}"
        spark = [_percent_or_none(s.areas[area.id].progress) for s in trend]
        context["charts"].append(
            {"id": chart_id, "figure": charts.sparkline(labels, spark, area.name)}
        )
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
                "chart_id": chart_id,
                "spark_range": f"{labels[0]}–{labels[-1]}" if labels else "",
                "spark_text": ", ".join(
                    f"{label}: {'–' if v is None else f'{v:.0f} %'}"
                    for label, v in zip(labels, spark, strict=True)
                ),
                "summary": _status_sentence(result.counts, len(result.goal_ids)),
            }
        )
        areas_table.add(
            Cell(f"{area.code} {area.name}", href=href),
            fmt_status(result.status),
            *(fmt_count(result.counts[s]) for s in STATUS_ORDER),
            fmt_percent(result.progress),
            *(fmt_count(reported[s]) for s in STATUS_ORDER[:3]),
            fmt_count(coverage.reported),
            fmt_count(coverage.expected),
            fmt_percent(coverage.share),
            fmt_count(disagreements),
        )
        nodes.append(
            {"id": area.code, "parent": "", "label": area.code, "status": result.status, "value": 0}
        )
        area_nodes = []
        for pillar in (p for p in data.pillars if p.area_id == area.id):
            pillar_goals = [g for g in area_goals if pillar.id in g.pillar_ids]
            nodes.append(
                {
                    "id": pillar.code,
                    "parent": area.code,
                    "label": pillar.code,
                    "status": summary.pillars[pillar.id].status,
                    "value": len(pillar_goals),
                }
            )
            for g in pillar_goals:
                area_nodes.append(
                    {
                        "id": f"{pillar.code}/{g.code}",
                        "parent": pillar.code,
                        "label": g.code,
                        "status": summary.goals[g.id].status,
                        "value": 1,
                    }
                )
                goals_table.add(
                    Cell(area.code),
                    Cell(pillar.code),
                    Cell(f"{g.code} {g.title}", href=_url("goal", area.code, g.code, query=query)),
                    fmt_status(summary.goals[g.id].status),
                    fmt_percent(summary.goals[g.id].progress),
                    fmt_status(summary.goals[g.id].reported),
                )
        for g in (g for g in area_goals if not g.pillar_ids):
            area_nodes.append(
                {
                    "id": f"{area.code}/{g.code}",
                    "parent": area.code,
                    "label": g.code,
                    "status": summary.goals[g.id].status,
                    "value": 1,
                }
            )
        nodes.extend(area_nodes)
        nodes[[n["id"] for n in nodes].index(area.code)]["value"] = sum(
            n["value"] for n in nodes if n["parent"] == area.code
        )
    context["charts"].append({"id": "sunburst", "figure": charts.sunburst(nodes)})
    all_goals = [summary.goals[g.id] for g in data.goals]
    counts = scoring.status_counts(g.status for g in all_goals)
    as_reported = comparison_table(
        data,
        summary,
        [("areas", a.id, f"{a.code} {a.name}") for a in data.areas]
        + [("goals", g.id, f"{g.code} {g.title}") for g in data.goals],
    )
    context.update(
        cards=cards,
        tables=[areas_table, goals_table, *([as_reported] if as_reported else [])],
        areas_table=areas_table,
        goals_table=goals_table,
        as_reported_table=as_reported,
        counts=counts,
        text_summary=_status_sentence(counts, len(all_goals)),
        sunburst_summary=_sunburst_sentence(data, summary),
    )
    return context


def _sunburst_sentence(data: DashboardData, summary: Summary) -> str:
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


def _group_page(data, summary, trend, goals, *, title, eyebrow, result, crumbs, pillars=()):
    previous = trend[-2] if len(trend) > 1 else None
    table = _goal_table(data, summary, goals, "goals", _("Goals"), previous)
    series = [
        (
            g.code,
            [s.period.code for s in trend],
            [_percent_or_none(s.goals[g.id].progress) for s in trend],
        )
        for g in goals
    ]
    context = _base(
        data,
        summary=summary,
        title=title,
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
        trend_table.add(Cell(goal.code), *[fmt_percent(s.goals[goal.id].progress) for s in trend])
    context["tables"].append(trend_table)
    context["trend_table"] = trend_table
    return context


def area(data: DashboardData, code: str) -> dict[str, Any]:
    row = next((a for a in data.areas if a.code == code), None)
    if row is None:
        raise Http404
    trend = _trend(data)
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
        title=f"{row.code} {row.name}",
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
    trend = _trend(data)
    summary = trend[-1]
    query = _query(data)
    goals = [g for g in data.goals if row.id in g.pillar_ids]
    return _group_page(
        data,
        summary,
        trend,
        goals,
        title=f"{row.code} {row.name}",
        eyebrow=_("Pillar"),
        result=summary.pillars[row.id],
        crumbs=[
            (_("Overview"), _url("overview", query=query)),
            (area_row.name, _url("area", area_row.code, query=query)),
        ],
    )


# --- Goal -----------------------------------------------------------------------------------


def _indicator_block(data: DashboardData, result: IndicatorResult, history: list[IndicatorResult]):
    spec, row = result.row.spec, result.row
    decimals = row.decimals
    names = {"actual": _("Actual"), "trajectory": _("Expected trajectory"), "target": _("Target")}
    labels = [h.reference.code for h in history if h.reference]
    actuals = [
        None if h.rollup.value is None else float(round(h.rollup.value, decimals))
        for h in history
        if h.reference
    ]
    knots = [(p.code, float(v)) for p, v in scoring.trajectory(spec)]
    target = (spec.target_period.code, float(spec.target_value)) if knots else None
    figure = charts.indicator_trend(
        labels=labels, actuals=actuals, trajectory=knots, target=target, names=names
    )
    table = Table(
        f"trend-{spec.code}",
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
        if h.reference is None:
            continue
        table.add(
            Cell(h.reference.code),
            fmt_value(h.rollup.value, spec),
            fmt_number(scoring.expected_value(spec, h.reference), decimals),
            fmt_count(h.rollup.reported),
            fmt_count(h.rollup.expected),
            fmt_status(h.score.status),
        )
    score = result.score
    parts = [
        _("%(status)s.") % {"status": STATUS_LABELS[score.status]},
    ]
    if score.actual is not None and result.reference:
        parts.append(
            _("%(period)s: %(actual)s (expected %(expected)s, target %(target)s in %(tp)s).")
            % {
                "period": result.reference.code,
                "actual": fmt_number(score.actual, decimals).text,
                "expected": fmt_number(score.expected, decimals).text or "–",
                "target": fmt_number(spec.target_value, decimals).text or "–",
                "tp": spec.target_period.code if spec.target_period else "–",
            }
        )
    value = fmt_value(score.actual, spec)
    if value.flag:
        parts.append(_("The value is unusual: %(why)s") % {"why": value.flag})
    if result.rollup.expected:
        parts.append(_coverage_text(result))
    return {
        "result": result,
        "row": row,
        "chart_id": f"trend-{spec.code}",
        "figure": figure,
        "table": table,
        "summary": " ".join(parts),
        "value": value,
        "expected": fmt_number(score.expected, decimals),
        "progress": fmt_percent(score.progress),
        "ratio": fmt_ratio(score.ratio),
    }


def _coverage_text(result: IndicatorResult) -> str:
    r = result.rollup
    text = _("%(reported)d of %(expected)d units reported") % {
        "reported": r.reported,
        "expected": r.expected,
    }
    if r.carried:
        text += ", " + ngettext(
            "%(n)d carried from an earlier period", "%(n)d carried from earlier periods", r.carried
        ) % {"n": r.carried}
    return text + "."


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
    rows = indicator_rows(data, Q(path__startswith=data.scope.path), goal_ids=[row.id])
    read = indicator_results(data, rows)
    indicators = [read[(r.spec.id, data.period.id)] for r in rows]
    summary.indicators = {i.row.spec.id: i for i in indicators}
    urgency = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.NO_DATA: 3}
    indicators.sort(key=lambda r: (urgency[r.score.status], r.row.spec.code))
    blocks = []
    # A goal can have hundreds of indicators at national scale: chart the most urgent ones,
    # list them all in the table.
    charted = indicators[:MAX_CHARTS]
    history_of = {i.row.spec.id: _history_periods(data, i.row) for i in charted}
    wanted = {p for periods in history_of.values() for p in periods}
    history = indicator_results(data, [i.row for i in charted], wanted) if wanted else {}
    for ind in charted:
        spec = ind.row.spec
        points = [history[(spec.id, p.id)] for p in history_of[spec.id]]
        blocks.append(_indicator_block(data, ind, points))
    context = _base(data, summary=summary, goal=row, area=area_row, result=result, blocks=blocks)
    for block in blocks:
        context["charts"].append({"id": block["chart_id"], "figure": block["figure"]})

    indicators_table = Table(
        "indicators",
        _("Indicators"),
        [
            _("Indicator"),
            _("Period"),
            _("Actual"),
            _("Expected"),
            _("Progress (%)"),
            _("Progress ratio"),
            _("Status"),
            _("Units reported"),
            _("Units expected"),
        ],
        flagged=(2,),
    )
    for ind in indicators:
        decimals = ind.row.decimals
        indicators_table.add(
            Cell(f"{ind.row.spec.code} {ind.row.name}"),
            Cell(ind.reference.code if ind.reference else ""),
            fmt_value(ind.score.actual, ind.row.spec),
            fmt_number(ind.score.expected, decimals),
            fmt_percent(ind.score.progress),
            fmt_ratio(ind.score.ratio),
            fmt_status(ind.score.status),
            fmt_count(ind.rollup.reported),
            fmt_count(ind.rollup.expected),
        )

    units = data.tree.units
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
    reports = sorted(
        (r for r in goal_reports if r.unit_id in units),
        key=lambda r: units[r.unit_id].path,
    )
    for report in reports:
        u = units[report.unit_id]
        counted = report.state in COUNTED_STATES
        reported = scoring.REPORTED_AS_STATUS.get(report.status) if counted else None
        reports_table.add(
            Cell(
                f"{u.code} {u.name}", href=_url("unit", u.code, query=_query(data, with_unit=False))
            ),
            Cell(report.status_label, status=reported),
            Cell(report.state_label),
            Cell(report.narrative),
            Cell(report.next_steps),
            Cell(report.risks),
        )
    comments_table = Table(
        "comments",
        _("Comments on values"),
        [_("Indicator"), _("Unit"), _("Period"), _("Comment")],
    )
    # The comments shown: those on the values the indicators are read at, in the scope.
    read_at = Q()
    for ind in indicators:
        if ind.reference is not None:
            read_at |= Q(indicator_id=ind.row.spec.id, period_id=ind.reference.id)
    comments = (
        Measurement.objects.filter(read_at, unit__path__startswith=data.scope.path)
        .exclude(comment="")
        .order_by("indicator__code", "unit__path")
        .values_list("indicator__code", "unit_id", "period__code", "comment")
        if read_at
        else []
    )
    for indicator_code, unit_id, period_code, comment in comments:
        if unit_id in units:
            comments_table.add(
                Cell(indicator_code), Cell(units[unit_id].code), Cell(period_code), Cell(comment)
            )
    for report in reports:
        if report.return_comment:
            comments_table.add(
                Cell(_("Progress report")),
                Cell(units[report.unit_id].code),
                Cell(data.period.code),
                Cell(report.return_comment),
            )
    as_reported = comparison_table(
        data,
        summary,
        [("goals", row.id, f"{row.code} {row.title}")]
        + [
            ("indicators", ind.row.spec.id, f"{ind.row.spec.code} {ind.row.name}")
            for ind in sorted(indicators, key=lambda r: r.row.spec.code)
        ],
    )
    context.update(
        indicators_table=indicators_table,
        reports_table=reports_table,
        comments_table=comments_table,
        as_reported_table=as_reported,
        tables=[indicators_table, reports_table, comments_table]
        + [b["table"] for b in blocks]
        + ([as_reported] if as_reported else []),
        crumbs=[
            (_("Overview"), _url("overview", query=query)),
            (area_row.name, _url("area", area_row.code, query=query)),
        ],
        text_summary=_goal_sentence(result, len(indicators)),
        charted=len(blocks),
        indicator_count=len(indicators),
    )
    return context


def _history_periods(data: DashboardData, row: IndicatorRow) -> list:
    """The periods an indicator's chart shows: of its frequency, from its baseline to the
    chosen period, the last 12."""
    spec = row.spec
    periods = [p for p in data.periods if p.kind == spec.frequency and p.end <= data.period.end]
    if spec.baseline_period:
        periods = [p for p in periods if p.end >= spec.baseline_period.end]
    return periods[-12:]


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
        ],
        flagged=(4,),
    )
    ancestors = [data.tree.units[u] for u in _ancestor_ids(data, scope.id)]
    # A faculty owns a thousand indicators at national scale: the page loads the rows it shows
    # (and counts the rest), a download of the table all of them.
    owned = Q(path__startswith=scope.path)
    if data.download in (own_table.name, ""):
        own_rows = indicator_rows(data, owned)
    else:
        own_rows = indicator_rows(data, owned, limit=SCREEN_ROWS)
        own_table.unloaded = indicator_count(data, owned) - len(own_rows)
    own = indicator_results(data, own_rows)

    @functools.cache
    def goal_link(goal_id: int) -> Cell:
        g = goals.get(goal_id)
        if g is None:
            return Cell("")
        return Cell(g.code, href=_url("goal", _area_code(data, g.area_id), g.code, query=query))

    def goal_cell(spec) -> Cell:
        return goal_link(spec.goal_id)

    def own_row(row: IndicatorRow) -> list[Cell]:
        result = own[(row.spec.id, data.period.id)]
        spec = row.spec
        return [
            goal_cell(spec),
            Cell(f"{spec.code} {row.name}"),
            Cell(_owner_label(row)),
            Cell(result.reference.code if result.reference else ""),
            fmt_value(result.score.actual, spec),
            fmt_number(result.score.expected, spec.decimals),
            fmt_percent(result.score.progress),
            fmt_status(result.score.status),
            fmt_count(result.rollup.reported),
            fmt_count(result.rollup.expected),
        ]

    for row in own_rows:  # a faculty owns a thousand at national scale: build what is shown
        own_table.add_later(functools.partial(own_row, row))
    share_rows = indicator_rows(data, Q(path__in=[a.path for a in ancestors])) if ancestors else []
    for row, share in zip(share_rows, _shares(data, share_rows), strict=True):
        spec = row.spec
        share_table.add(
            goal_cell(spec),
            Cell(f"{spec.code} {row.name}"),
            Cell(_owner_label(row)),
            Cell(share.reference.code if share.reference else ""),
            fmt_value(share.rollup.value, spec),
            Cell(_aggregation_label(spec.aggregation)),
            fmt_count(share.rollup.reported),
            fmt_count(share.rollup.expected),
        )
    context = _base(
        data,
        unit=scope,
        own_table=own_table,
        share_table=share_table,
        tables=[own_table, share_table],
        ancestors=ancestors,
        children=[data.tree.units[c] for c in data.tree.children[scope.id]],
    )
    children = data.tree.children[scope.id]
    if children:
        heat = _heatmap(data, children)
        context.update(heat)
        context["tables"].append(heat["heat_table"])
        context["charts"].append({"id": "heatmap", "figure": heat["heat_figure"]})
    return context


def _owner_label(row: IndicatorRow) -> str:
    if row.owner_active:
        return row.owner_code
    return _("%(code)s (closed)") % {"code": row.owner_code}


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
                unit_id=scope.id, period_id__in=read_at, indicator_id__in=[r.spec.id for r in rows]
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
    for indicator_id, period_id, value in Measurement.objects.filter(
        read_at, unit_id=data.scope.id
    ).values_list("indicator_id", "period_id", "value"):
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
        table.add(Cell(f"{u.code} {u.name}"), *[fmt_status(s) for s in line])
    n_reported = sum(1 for line in statuses for s in line if s != Status.NO_DATA)
    return {
        "heat_table": table,
        "heat_figure": charts.heatmap([u.code for u in rows], [g.code for g in goals], statuses),
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


def completeness(data: DashboardData, today: datetime.date) -> dict[str, Any]:
    """Per reporting unit in the scope: values entered of all those it owes for the chosen
    period, whoever owns the indicator (stored, dashboards.figures), and its reports."""
    period = data.period
    tree = data.tree
    expected: Counter = Counter()
    entered: Counter = Counter()
    for unit_id, owed, done in UnitCompleteness.objects.filter(
        period_id=period.id, unit__path__startswith=data.scope.path
    ).values_list("unit_id", "expected", "entered"):
        expected[unit_id] = owed
        entered[unit_id] = done
    submitted: Counter = Counter()
    drafts: Counter = Counter()
    for unit_id, n_counted, n_other in (
        ProgressReport.objects.filter(period_id=period.id, unit__path__startswith=data.scope.path)
        .values("unit_id")
        .annotate(
            # Counting `state` (never null), not `id`: the count reads the index alone.
            counted=Count("state", filter=Q(state__in=COUNTED_STATES)),
            other=Count("state", filter=~Q(state__in=COUNTED_STATES)),
        )
        .values_list("unit_id", "counted", "other")
    ):
        submitted[unit_id] = n_counted
        drafts[unit_id] = n_other
    unit_ids = (
        set(expected) | {u for u, n in submitted.items() if n} | {u for u, n in drafts.items() if n}
    )
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
    rows = []
    for uid in unit_ids:
        u = tree.units.get(uid)
        if u is None:
            continue
        missing = expected[uid] - entered[uid]
        if missing == 0 and submitted[uid]:
            state, rank = _("Complete"), 2
        elif entered[uid] or submitted[uid] or drafts[uid]:
            state, rank = _("Incomplete"), 1
        else:
            state, rank = _("Not started"), 0
        rows.append((rank, u.path, u, state))
    rows.sort(key=lambda r: (r[0], r[1]))
    query = _query(data, with_unit=False)

    def row(rank: int, u, state: str) -> list[Cell]:
        return [
            Cell(f"{u.code} {u.name}", href=_url("unit", u.code, query=query)),
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
