"""Spreadsheets Veikart writes: the import template and the full report of a period.

Every text cell passes through `escape_formula`, so nothing a user typed can run as a formula
in the reader's spreadsheet program; the file names are chosen here, never by a user.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dashboards.data import load
from dashboards.scoring import Status
from dashboards.snapshots import changed, comparable, figures_of, summary_with_indicators
from dashboards.tables import fmt_count, fmt_number, fmt_percent, fmt_status, fmt_value
from goals.models import DevelopmentGoal, ProgressReport, ReportingPeriod
from indicators.models import Indicator, Measurement, label_indicators
from jobs.models import Job, JobFailed, JobKind, handler
from spreadsheets.cells import escape_formula
from spreadsheets.imports import COLUMNS
from strategy.models import Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class SheetData:
    title: str
    header: list[str]
    rows: Iterable[list[Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: write local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return escape_formula(value)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return _cell(value)


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def workbook_bytes(sheets: Iterable[SheetData]) -> bytes:
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=escape_formula(sheet.title)[:31])
        worksheet.append([_cell(name) for name in sheet.header])
        for row in sheet.rows:
            worksheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(sheet: SheetData) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow([_csv_cell(value) for value in row])
    # A BOM lets Excel recognise UTF-8 (æ, ø, å) when it opens the file.
    return buffer.getvalue().encode("utf-8-sig")


# -- the import template ----------------------------------------------------------------------


def template_indicators(unit: Unit, period: ReportingPeriod):
    """The indicators a unit reports in a period: the active ones of the period's kind owned by
    the unit or a unit above it (an owner's indicator is measured throughout its subtree)."""
    owners = unit.path.strip("/").split("/")
    return (
        Indicator.objects.active()
        .filter(frequency=period.kind, owner_unit__code__in=owners)
        .order_by("code")
    )


def template_sheet(unit: Unit, period: ReportingPeriod) -> SheetData:
    indicators = label_indicators(template_indicators(unit, period).select_related("owner_unit"))
    stored = {
        m.indicator_id: m
        for m in Measurement.objects.filter(unit=unit, period=period, indicator__in=indicators)
    }
    rows = []
    for indicator in indicators:
        measurement = stored.get(indicator.pk)
        rows.append(
            [
                indicator.code,
                indicator.label,
                unit.code,
                period.code,
                _number(measurement.value) if measurement else None,
                measurement.comment if measurement else "",
                measurement.version if measurement else 0,
            ]
        )
    return SheetData(title=_("Values"), header=COLUMNS, rows=rows)


def template_file(unit: Unit, period: ReportingPeriod, *, file_format: str) -> tuple[bytes, str]:
    sheet = template_sheet(unit, period)
    name = f"veikart-template-{unit.code}-{period.code}.{file_format}"
    if file_format == "csv":
        return csv_bytes(sheet), name
    return workbook_bytes([sheet]), name


# -- the period report ------------------------------------------------------------------------


def goal_sheet(period: ReportingPeriod, user) -> SheetData:
    goals = (
        DevelopmentGoal.objects.of_strategy(period.strategy)
        .select_related("area")
        .prefetch_related("pillars")
        .order_by("area__order", "order", "code")
    )
    return SheetData(
        title=_("Areas and goals"),
        header=[_("Area code"), _("Area"), _("Goal code"), _("Goal"), _("Pillars")],
        rows=(
            [
                goal.area.code,
                goal.area.name,
                goal.code,
                goal.title,
                ", ".join(pillar.code for pillar in goal.pillars.all()),
            ]
            for goal in goals
        ),
    )


def indicator_sheet(period: ReportingPeriod, user) -> SheetData:
    measurements = Measurement.objects.visible_to(user).for_period(period).select_related("unit")
    indicators = label_indicators(
        Indicator.objects.visible_to(user)
        .filter(goal__area__strategy=period.strategy)
        .select_related("goal", "owner_unit")
        .prefetch_related(Prefetch("measurements", measurements.order_by("unit__path")))
        .order_by("goal__area__order", "goal__order", "code")
    )

    def rows():
        for indicator in indicators:
            start = [
                indicator.code,
                indicator.label,
                indicator.goal.code,
                indicator.owner_unit.code,
                indicator.get_measure_display(),
                indicator.get_direction_display(),
                _number(indicator.target_value),
            ]
            values = list(indicator.measurements.all())
            if not values:
                yield [*start, None, None, None, None, None]
            for m in values:
                yield [*start, m.unit.code, m.unit.name, _number(m.value), m.comment, m.entered_at]

    return SheetData(
        title=_("Indicators"),
        header=[
            _("Indicator code"),
            _("Indicator"),
            _("Goal code"),
            _("Owner unit"),
            _("Measure"),
            _("Direction"),
            _("Target"),
            _("Unit code"),
            _("Unit"),
            _("Value"),
            _("Comment"),
            _("Entered at"),
        ],
        rows=rows(),
    )


def report_sheet(period: ReportingPeriod, user) -> SheetData:
    reports = (
        ProgressReport.objects.visible_to(user)
        .for_period(period)
        .select_related("goal", "unit")
        .order_by("goal__area__order", "goal__order", "unit__path")
    )
    return SheetData(
        title=_("Progress reports"),
        header=[
            _("Goal code"),
            _("Goal"),
            _("Unit code"),
            _("Unit"),
            _("Status"),
            _("Workflow state"),
            _("Narrative"),
            _("Next steps"),
            _("Risks"),
            _("Submitted at"),
            _("Approved at"),
        ],
        rows=(
            [
                r.goal.code,
                r.goal.title,
                r.unit.code,
                r.unit.name,
                r.get_status_display(),
                r.get_state_display(),
                r.narrative,
                r.next_steps,
                r.risks,
                r.submitted_at,
                r.approved_at,
            ]
            for r in reports
        ),
    )


def about_sheet(period: ReportingPeriod, user) -> SheetData:
    return SheetData(
        title=_("About"),
        header=[_("Field"), _("Value")],
        rows=[
            [_("Period"), period.code],
            [_("Start"), period.start],
            [_("End"), period.end],
            [_("Reporting deadline"), period.deadline],
            [_("Exported at"), timezone.now()],
            [_("Exported by"), user.get_username()],
            [_("Contents"), _("Only the units the exporting person may see are included.")],
        ],
    )


def dashboard_sheet(period: ReportingPeriod, user) -> SheetData:
    """The dashboards' figures for the period as the exporting person's overview shows them
    (the stored figures, dashboards.summary, formatted by dashboards.tables), and, for a closed
    period seen as a whole, the figures as reported when it was closed."""
    header = [
        _("Level"),
        _("Code"),
        _("Name"),
        _("Status"),
        _("Progress (%)"),
        _("Value"),
        _("%(column)s: note") % {"column": _("Value")},
        _("Units reported"),
        _("Units expected"),
        _("Status as reported"),
        _("Progress as reported (%)"),
        _("Value as reported"),
        _("%(column)s: note") % {"column": _("Value as reported")},
        _("Changed since closing"),
    ]
    title = _("Dashboard figures")
    params = QueryDict(mutable=True)
    params["period"] = period.code
    try:
        data = load(user, params, today=timezone.localdate(), with_snapshot=True)
    except Http404:  # no unit to show: an empty sheet
        return SheetData(title=title, header=header, rows=[])
    summary = summary_with_indicators(data)
    current = figures_of(data, summary)
    reported = data.snapshot["figures"] if comparable(data) else None

    def shown(cell) -> Any:
        return cell.number if cell.number is not None else cell.text

    def row(level: str, kind: str, key: int, code: str, name: str) -> list[Any]:
        now = current[kind][str(key)]
        before = reported.get(kind, {}).get(str(key)) if reported else None
        decimals = now.get("decimals", 0)

        def figures(entry) -> list[Any]:
            if entry is None:
                return ["", None, None, ""]
            value = entry.get("value")
            cell = fmt_number(_decimal_or_none(value), decimals)
            if kind == "indicators":  # flagged as on the dashboards (dashboards.tables)
                spec = replace(summary.indicators[key].row.spec, decimals=decimals)
                cell = fmt_value(_decimal_or_none(value), spec)
            return [
                fmt_status(Status(entry["status"])).text,
                shown(fmt_percent(_decimal_or_none(entry.get("progress")))),
                shown(cell) if value else None,
                f"{_('unusual')}: {cell.flag}" if cell.flag else "",
            ]

        status, progress, value, note = figures(now)
        coverage = [now.get("reported"), now.get("expected")]
        counts = [shown(fmt_count(n)) if n is not None else None for n in coverage]
        mark = ""
        if reported is not None:
            mark = _("Changed") if changed(kind, key, reported, current) else ""
        return [level, code, name, status, progress, value, note, *counts, *figures(before), mark]

    def rows():
        for area in data.areas:
            yield row(_("Area"), "areas", area.id, area.code, area.name)
        for pillar in data.pillars:
            yield row(_("Pillar"), "pillars", pillar.id, pillar.code, pillar.name)
        for goal in data.goals:
            yield row(_("Goal"), "goals", goal.id, goal.code, goal.title)
        for result in sorted(summary.indicators.values(), key=lambda r: r.row.spec.code):
            spec = result.row.spec
            yield row(_("Indicator"), "indicators", spec.id, spec.code, result.row.name)

    return SheetData(title=title, header=header, rows=rows())


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


#: The export's sheets in order: builders taking (period, user) and returning SheetData.
PERIOD_SHEETS: list[Callable[[ReportingPeriod, Any], SheetData]] = [
    about_sheet,
    goal_sheet,
    indicator_sheet,
    report_sheet,
    dashboard_sheet,
]


def period_export_name(period: ReportingPeriod, *, now: datetime.datetime | None = None) -> str:
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return f"veikart-{period.code}-{stamp}.xlsx"


@handler(JobKind.EXPORT_PERIOD)
def export_period(job: Job) -> None:
    period = (
        ReportingPeriod.objects.select_related("strategy")
        .filter(pk=job.payload.get("period"))
        .first()
    )
    if period is None:
        raise JobFailed([{"message": _("The period no longer exists.")}])
    user = job.created_by
    job.report_progress(10)
    content = workbook_bytes(builder(period, user) for builder in PERIOD_SHEETS)
    job.report_progress(90)
    name = period_export_name(period)

    def store() -> dict[str, Any]:
        Job.objects.filter(pk=job.pk).update(output=content, output_name=name)
        return {"bytes": len(content)}

    job.complete(store)
