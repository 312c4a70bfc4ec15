"""The board report: a PDF for a period and a unit's subtree, made in the background (a job).

`board_report()` gathers what the report shows from the stored figures (dashboards.summary),
the forecasts (dashboards.forecast), the comments marked for the board and the reports'
approval; `render_pdf()` lays it out with WeasyPrint from `templates/dashboards/board_report.html`
(A4, page numbers, table headers repeated on every page, charts as inline SVG). The job handler
`make_board_report` runs both in the language the person chose, with progress on the job page.
What the report contains: docs/board-report.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboards import figures, trends
from dashboards.data import AreaRow, DashboardData, GoalRow, IndicatorRow, indicator_rows, load
from dashboards.exceptions import ExceptionRow, Kind, exceptions
from dashboards.forecast import Forecast, Outcome
from dashboards.forecast_words import verdict
from dashboards.models import UnitCompleteness
from dashboards.scoring import GroupResult, Status
from dashboards.summary import (
    Coverage,
    GoalFigure,
    indicator_results,
    summaries,
    trend_periods,
)
from dashboards.tables import STATUS_COLOURS, STATUS_ICONS, fmt_percent, fmt_status, fmt_value
from goals.models import Comment, ProgressReport, ReportingPeriod, ReportState
from indicators.models import Indicator, goals_reported_on_by
from jobs.models import Job, JobFailed, JobKind, handler
from strategy.models import Unit
from strategy.policy import Policy

Progress = Callable[[int], None]
# Forecasts named on an area's page, the least likely to reach their target first; the
# appendix has every indicator's.
AREA_FORECASTS = 8
# Indicators off track or at risk listed on an area's page, worst first; the appendix has all.
AREA_INDICATOR_EXCEPTIONS = 12


# --- What the report shows ------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    """Reports approved of those expected: one per unit and goal the unit reports on
    (`indicators.models.goals_reported_on_by`) for every unit in the subtree that owes values
    in the period or has a report in it."""

    approved: int
    expected: int

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.approved) / self.expected if self.expected else None


@dataclass(frozen=True)
class GoalLine:
    goal: GoalRow
    figure: GoalFigure

    @property
    def progress(self) -> str:
        return fmt_percent(self.figure.progress).text


@dataclass(frozen=True)
class ForecastLine:
    indicator: IndicatorRow
    forecast: Forecast
    words: str


@dataclass(frozen=True)
class CommentLine:
    goal: GoalRow
    unit_code: str
    author: Any
    created_at: datetime.datetime
    body: str


@dataclass
class AreaSection:
    area: AreaRow
    result: GroupResult
    reported: dict[Status, int]
    coverage: Coverage
    chart: SafeString
    chart_text: str
    goals: list[GoalLine]
    # Off track or at risk, worst first (dashboards.exceptions): goals with their units' story
    # (actions: cause, action, owner, due) and indicators.
    goal_exceptions: list[ExceptionRow] = field(default_factory=list)
    indicator_exceptions: list[ExceptionRow] = field(default_factory=list)
    more_indicator_exceptions: int = 0
    forecasts: list[ForecastLine] = field(default_factory=list)
    more_forecasts: int = 0
    without_forecast: int = 0
    comments: list[CommentLine] = field(default_factory=list)

    @property
    def progress(self) -> str:
        return fmt_percent(self.result.progress).text

    @property
    def completeness(self) -> str:
        return fmt_percent(self.coverage.share).text


@dataclass(frozen=True)
class AppendixLine:
    indicator: IndicatorRow
    goal: GoalRow
    value: str
    target: str
    progress: str
    status: Status
    status_label: str
    forecast: str


@dataclass
class BoardReport:
    data: DashboardData
    unit: Unit
    period: ReportingPeriod
    language: str
    made_at: datetime.datetime
    as_of: datetime.datetime | None
    updating: bool
    approval: Approval
    generated_data: bool
    counts: dict[Status, int]
    areas: list[AreaSection]
    appendix: list[AppendixLine]

    @property
    def approved_share(self) -> str:
        return fmt_percent(self.approval.share).text

    def filename(self) -> str:
        return f"board-report-{self.unit.code}-{self.period.code}-{self.language}.pdf"


# --- Pieces ---------------------------------------------------------------------------------


def approval(data: DashboardData, period: ReportingPeriod) -> Approval:
    """Reports approved / expected in the scope's subtree as it was in the period
    (`DashboardData.units_in`; one query per unit that reports: a background job's cost, not a
    page's)."""
    in_subtree = Q(unit_id__in=data.units_in())
    reporting = set(
        UnitCompleteness.objects.filter(in_subtree, period=period, expected__gt=0).values_list(
            "unit_id", flat=True
        )
    ) | set(
        ProgressReport.objects.filter(in_subtree, period=period).values_list("unit_id", flat=True)
    )
    expected = sum(
        goals_reported_on_by(u, period).count() for u in Unit.objects.filter(pk__in=reporting)
    )
    approved = ProgressReport.objects.filter(
        in_subtree, period=period, state=ReportState.APPROVED
    ).count()
    return Approval(approved, max(expected, approved))


def trend_chart_svg(
    labels: Sequence[str], values: Sequence[float | None], *, title: str, colour: str = "#1f4e79"
) -> SafeString:
    """A line chart of percentages by period as inline SVG (vector in the PDF): a 0–100 %
    grid (higher if a value is), the line with a dot and label on every value, period codes
    below. `title` says in words what it shows."""
    width, height = 480, 170
    left, right, top, bottom = 40, 12, 12, 28
    known = [v for v in values if v is not None]
    ceiling = max([100.0, *known])
    ceiling = 25 * -(-ceiling // 25)
    floor = min([0.0, *known])
    floor = 25 * (floor // 25)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + (ceiling - v) / (ceiling - floor) * plot_h

    grid = []
    tick = floor
    while tick <= ceiling:
        grid.append((f"{y(tick):.1f}", f"{tick:.0f} %", f"{y(tick) + 3:.1f}"))
        tick += 25
    grid_lines = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#d0d5dd" stroke-width="0.6"/>'
        '<text x="{3}" y="{5}" font-size="8" text-anchor="end" fill="#555">{4}</text>',
        ((left, width - right, gy, left - 4, label, ty) for gy, label, ty in grid),
    )
    hundred = ""
    if floor < 100 <= ceiling:
        hundred = format_html(
            '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#333" stroke-width="0.8" '
            'stroke-dasharray="4 3"/>',
            left,
            width - right,
            f"{y(100):.1f}",
        )
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
        ((" ".join(run), colour) for run in runs if len(run) > 1),
    )
    dots = format_html_join(
        "",
        '<circle cx="{0}" cy="{1}" r="3" fill="{3}"/>'
        '<text x="{0}" y="{2}" font-size="8" text-anchor="middle" fill="#222">{4}</text>',
        (
            (f"{x(i):.1f}", f"{y(v):.1f}", f"{y(v) - 6:.1f}", colour, f"{v:.0f} %")
            for i, v in enumerate(values)
            if v is not None
        ),
    )
    axis = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="8" text-anchor="middle" fill="#333">{}</text>',
        ((f"{x(i):.1f}", height - 10, label) for i, label in enumerate(labels)),
    )
    return format_html(
        '<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" '
        'viewBox="0 0 {0} {1}" role="img"><title>{2}</title>{3}{4}{5}{6}{7}</svg>',
        width,
        height,
        title,
        grid_lines,
        hundred,
        lines,
        dots,
        axis,
    )


def indicator_forecasts(data: DashboardData, rows: Sequence[IndicatorRow]) -> dict[int, Forecast]:
    """Each indicator's forecast, as its indicator page shows it (`trends`: the values at its
    owner up to the chosen period that stand for the whole; one query)."""
    history = trends.values(data, list(rows))
    return {row.spec.id: trends.forecast_of(row, history[row.spec.id]) for row in rows}


def board_comments(
    data: DashboardData, period: ReportingPeriod
) -> dict[int, list[tuple[int, Comment]]]:
    """Comments marked for the board, by area: on the reports for the period of the units in
    the scope's subtree then, and on goals as a whole written since the period began (one
    query)."""
    goal_ids = [g.id for g in data.goals]
    comments = (
        Comment.objects.for_board()
        .filter(goal_id__in=goal_ids)
        .filter(
            Q(unit_id__in=data.units_in(), period=period)
            | Q(unit=None, created_at__date__gte=period.start)
        )
        .select_related("unit", "author")
        .order_by("goal__code", "created_at", "pk")
    )
    area_of = {g.id: g.area_id for g in data.goals}
    out: dict[int, list[tuple[int, Comment]]] = defaultdict(list)
    for comment in comments:
        out[area_of[comment.goal_id]].append((comment.goal_id, comment))
    return out


def _target(row: IndicatorRow) -> str:
    spec = row.spec
    if spec.target_value is None:
        return ""
    text = fmt_value(spec.target_value, spec).text
    return f"{text} ({spec.target_period.code})" if spec.target_period else text


# --- The report -----------------------------------------------------------------------------


def board_report(
    user,
    *,
    period: ReportingPeriod,
    unit: Unit,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> BoardReport:
    """What the board report for `unit`'s subtree in `period` shows, read as `user` may see it
    (404 if they may not read the unit), in the active language."""
    tell = progress or (lambda percent: None)
    params = QueryDict(mutable=True)
    params["period"] = period.code
    data = load(user, params, today=timezone.localdate(), unit_code=unit.code)
    state = figures.state()
    tell(20)
    trend = trend_periods(data)
    found = summaries(data, trend)
    summary = found[data.period.id]
    labels = [p.code for p in trend]
    goals_of = {g.id: g for g in data.goals}

    rows = indicator_rows(data, data.owned())
    results = {key[0]: r for key, r in indicator_results(data, rows).items()}
    tell(40)
    forecasts = indicator_forecasts(data, rows)
    comments = board_comments(data, period)
    off_track = exceptions(period=period, unit=unit, policy=data.policy, world=data.world)
    tell(55)

    sections = []
    for area in data.areas:
        result = summary.areas[area.id]
        values = [
            None
            if s.areas[area.id].progress is None
            else float(round(s.areas[area.id].progress * 100))
            for s in (found[p.id] for p in trend)
        ]
        chart_text = (
            _("Median progress by period")
            + ": "
            + ", ".join(
                f"{label} {'–' if v is None else f'{v:.0f} %'}"
                for label, v in zip(labels, values, strict=True)
            )
        )
        area_goals = sorted((g for g in data.goals if g.area_id == area.id), key=lambda g: g.code)
        area_goal_ids = {g.id for g in area_goals}
        lines = []
        without = 0
        for row in rows:
            if row.spec.goal_id not in area_goal_ids:
                continue
            result_of = forecasts[row.spec.id]
            if result_of.outcome == Outcome.FORECAST:
                lines.append(
                    ForecastLine(row, result_of, verdict(result_of, direction=row.spec.direction))
                )
            else:
                without += 1
        lines.sort(key=lambda line: (line.forecast.probability or 0, line.indicator.spec.code))
        indicator_rows_off = [
            row for row in off_track if row.area_code == area.code and row.kind == Kind.INDICATOR
        ]
        sections.append(
            AreaSection(
                area=area,
                result=result,
                reported=summary.area_reported[area.id],
                coverage=summary.area_coverage[area.id],
                chart=trend_chart_svg(labels, values, title=chart_text),
                chart_text=chart_text,
                goals=[GoalLine(g, summary.goals[g.id]) for g in area_goals],
                goal_exceptions=[
                    row for row in off_track if row.area_code == area.code and row.kind == Kind.GOAL
                ],
                indicator_exceptions=indicator_rows_off[:AREA_INDICATOR_EXCEPTIONS],
                more_indicator_exceptions=max(
                    0, len(indicator_rows_off) - AREA_INDICATOR_EXCEPTIONS
                ),
                forecasts=lines[:AREA_FORECASTS],
                more_forecasts=max(0, len(lines) - AREA_FORECASTS),
                without_forecast=without,
                comments=[
                    CommentLine(
                        goals_of[goal_id],
                        comment.unit.code if comment.unit else "",
                        comment.author,
                        comment.created_at,
                        comment.body,
                    )
                    for goal_id, comment in comments.get(area.id, [])
                ],
            )
        )
    tell(65)

    area_order = {a.id: n for n, a in enumerate(data.areas)}
    appendix = []
    for row in sorted(
        rows,
        key=lambda r: (
            area_order.get(goals_of[r.spec.goal_id].area_id, 0),
            goals_of[r.spec.goal_id].code,
            r.spec.code,
        ),
    ):
        result = results[row.spec.id]
        status = result.score.status
        appendix.append(
            AppendixLine(
                indicator=row,
                goal=goals_of[row.spec.goal_id],
                value=fmt_value(result.rollup.value, row.spec).text,
                target=_target(row),
                progress=fmt_percent(result.score.progress).text,
                status=status,
                status_label=fmt_status(status).text,
                forecast=verdict(forecasts[row.spec.id], direction=row.spec.direction),
            )
        )
    counts = {s: 0 for s in Status}
    for g in data.goals:
        counts[summary.goals[g.id].status] += 1
    return BoardReport(
        data=data,
        unit=unit,
        period=period,
        language=translation.get_language() or "en",
        made_at=now or timezone.now(),
        as_of=state.finished_at,
        updating=data.updating,
        approval=approval(data, period),
        generated_data=Indicator.objects.filter(is_generated=True).exists(),
        counts=counts,
        areas=sections,
        appendix=appendix,
    )


def render_html(report: BoardReport) -> str:
    return render_to_string(
        "dashboards/board_report.html",
        {
            "report": report,
            "status_colours": {str(k): v for k, v in STATUS_COLOURS.items()},
            "status_icons": {str(k): v for k, v in STATUS_ICONS.items()},
        },
    )


def render_pdf(report: BoardReport) -> bytes:
    """The report as a PDF. WeasyPrint fetches nothing: the stylesheet is handed over and the
    charts are inline SVG. (The stylesheet is no <style> element: no template has one, so
    that none is ever served under the Content-Security-Policy.)"""
    from weasyprint import CSS, HTML  # loads Pango: only where a PDF is made

    stylesheet = CSS(string=render_to_string("dashboards/board_report.css"))
    return HTML(string=render_html(report), url_fetcher=_refuse_fetch).write_pdf(
        stylesheets=[stylesheet]
    )


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"The board report loads nothing from outside: {url}")


# --- The job --------------------------------------------------------------------------------


@handler(JobKind.BOARD_REPORT)
def make_board_report(job: Job) -> None:
    """Payload: period and unit ids; the language is the job's own (`Job.run` switches to it)."""
    period = ReportingPeriod.objects.filter(pk=job.payload.get("period")).first()
    unit = Unit.objects.filter(pk=job.payload.get("unit")).first()
    if period is None or unit is None:
        raise JobFailed([{"message": _("The period or the unit no longer exists.")}])
    if not Policy.for_user(job.created_by).can_report_to_board(unit):
        raise JobFailed(
            [{"message": _("You may no longer produce the board report for this unit.")}]
        )
    # Figures still pending are brought up to date first, so the report is complete.
    figures.settle(wait=True)
    job.report_progress(10)
    try:
        report = board_report(
            job.created_by, period=period, unit=unit, progress=job.report_progress
        )
    except Http404 as missing:
        raise JobFailed([{"message": _("The unit is not one you may read.")}]) from missing
    job.report_progress(70)
    content = render_pdf(report)
    job.report_progress(95)
    name = report.filename()

    def store() -> dict[str, Any]:
        Job.objects.filter(pk=job.pk).update(output=content, output_name=name)
        return {"bytes": len(content), "areas": len(report.areas)}

    job.complete(store)
