"""Importing measurements from a spreadsheet, all or nothing.

The file is read and every row checked first; a single problem fails the whole job with a
row-by-row report and changes nothing. Only a clean file is applied, in one transaction that also
marks the job done (`Job.complete`), so a worker dying midway leaves the database as it was and a
second delivery of the same job cannot apply it again. Values are upserted per indicator × unit ×
period: importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from goals.models import EditConflict, ReportingPeriod
from indicators.models import Indicator, Measurement, ValueWrite, WriteConflict, parse_decimal
from jobs.models import Job, JobFailed, JobKind, handler
from spreadsheets.cells import FORMULA_PREFIXES, unescape_formula
from spreadsheets.reading import FileRejected, Row, read_spreadsheet
from strategy.models import Unit
from strategy.policy import EDIT, Policy

#: The template's columns, in order. Names are fixed (not translated) so files travel between
#: languages; indicator_name is there for people and ignored on import. based_on_version is the
#: version of the stored value the template was made from (0: none yet): a value changed since
#: is refused unless the user asks to overwrite. A file without that column is not checked.
COLUMNS = [
    "indicator_code",
    "indicator_name",
    "unit_code",
    "period",
    "value",
    "comment",
    "based_on_version",
]
REQUIRED = ["indicator_code", "unit_code", "period", "value"]
MAX_COMMENT = 4000


@dataclass
class Change:
    row: int
    indicator: Indicator
    unit: Unit
    period: ReportingPeriod
    value: Decimal
    comment: str | None  # None: the file has no comment column, keep what is stored
    based_on: int | None = None  # the stored version the file was made from; None: unchecked

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.indicator.pk, self.unit.pk, self.period.pk)


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.items.append({"row": row, "column": column, "message": str(message)})

    def __bool__(self) -> bool:
        return bool(self.items)


def cell_text(raw: Any) -> str:
    """A cell as the text a person would have typed, for the one parser (`parse_decimal`).

    A number a spreadsheet stored (1000.0 for a typed 1e3 or 1000) is written out in full;
    a text cell is read exactly as typed, so "1e3" is refused here as in the grid.
    """
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float):
        return format(Decimal(repr(raw)), "f") if math.isfinite(raw) else str(raw)
    if isinstance(raw, int | Decimal):
        return format(Decimal(raw), "f")
    return str(raw)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def check_rows(rows: list[Row], header: list[str], *, user, job: Job | None = None) -> list[Change]:
    """Every row's problems, or the changes if there are none. A few queries, not one per row."""
    errors = RowErrors()
    missing = [name for name in REQUIRED if name not in header]
    for name in missing:
        message = _("The column “%(name)s” is missing from the first row.") % {"name": name}
        errors.add(1, name, message)
    if missing:
        raise JobFailed(errors.items)
    if not rows:
        raise JobFailed([{"row": None, "column": None, "message": _("The file has no rows.")}])

    def codes(column: str) -> set[str]:
        return {_text(row.cells.get(column)) for row in rows} - {""}

    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in=codes("indicator_code")).select_related(
            "owner_unit"
        )
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=codes("unit_code"))}
    editable = set(
        Policy.for_user(user).units(EDIT).filter(code__in=units).values_list("pk", flat=True)
    )
    periods = {
        p.code: p
        for p in ReportingPeriod.objects.filter(code__in=codes("period"), strategy__is_current=True)
    }

    changes: list[Change] = []
    seen: dict[tuple[int, int, int], int] = {}
    has_comment = "comment" in header
    every = max(200, len(rows) // 14)  # progress in steps of 5 %, not a write per 200 rows
    for position, row in enumerate(rows):
        if job and position % every == 0:
            job.report_progress(10 + 70 * position // len(rows))
        change = _check_row(row, indicators, units, editable, periods, has_comment, errors)
        if change is None:
            continue
        if change.key in seen:
            errors.add(
                row.number,
                "indicator_code",
                _("This indicator, unit and period were already given on row %(row)d.")
                % {"row": seen[change.key]},
            )
            continue
        seen[change.key] = row.number
        changes.append(change)
    if errors:
        raise JobFailed(errors.items, result={"rows": len(rows)})
    return changes


def _check_row(row, indicators, units, editable, periods, has_comment, errors) -> Change | None:
    number = row.number
    before = len(errors.items)
    for column in sorted(row.formulas):
        errors.add(number, column, _("Formulas are not accepted; enter the value itself."))
    if row.formulas:
        return None
    for column, raw in row.cells.items():
        if isinstance(raw, str) and "\x00" in raw:
            errors.add(number, column, _("The cell contains a NUL character."))
    if len(errors.items) > before:
        return None

    indicator_code = _text(row.cells.get("indicator_code"))
    unit_code = _text(row.cells.get("unit_code"))
    period_code = _text(row.cells.get("period"))
    raw_value = row.cells.get("value")

    indicator = indicators.get(indicator_code)
    unit = units.get(unit_code)
    period = periods.get(period_code)
    if not indicator_code:
        errors.add(number, "indicator_code", _("The indicator code is missing."))
    elif indicator is None or not indicator.active:
        errors.add(
            number, "indicator_code", _("Unknown indicator “%(code)s”.") % {"code": indicator_code}
        )
    if not unit_code:
        errors.add(number, "unit_code", _("The unit code is missing."))
    elif unit is None or unit.pk not in editable:
        errors.add(
            number,
            "unit_code",
            _("Unknown unit “%(code)s”, or you may not report values for it.")
            % {"code": unit_code},
        )
    if not period_code:
        errors.add(number, "period", _("The period is missing."))
    elif period is None:
        errors.add(number, "period", _("Unknown period “%(code)s”.") % {"code": period_code})
    elif not period.is_open:
        errors.add(
            number,
            "period",
            _("The period %(code)s is not open for reporting.") % {"code": period_code},
        )
    if (
        indicator
        and unit
        and unit.pk in editable
        and not unit.path.startswith(indicator.owner_unit.path)
    ):
        errors.add(
            number,
            "indicator_code",
            _("Indicator %(indicator)s is not reported by unit %(unit)s.")
            % {"indicator": indicator.code, "unit": unit.code},
        )
    if indicator and period and indicator.frequency != period.kind:
        errors.add(
            number,
            "period",
            _("Indicator %(indicator)s is reported per %(frequency)s, not per %(kind)s.")
            % {
                "indicator": indicator.code,
                "frequency": indicator.get_frequency_display().lower(),
                "kind": period.get_kind_display().lower(),
            },
        )

    comment = None
    if has_comment:
        typed = _text(row.cells.get("comment"))
        comment = unescape_formula(typed)  # "'=x" is how Veikart's own files write "=x"
        if len(comment) > MAX_COMMENT:
            errors.add(
                number,
                "comment",
                _("The comment is longer than %(limit)d characters.") % {"limit": MAX_COMMENT},
            )
        elif typed.startswith(FORMULA_PREFIXES):
            errors.add(
                number,
                "comment",
                _(
                    "The comment starts with “%(char)s”, which spreadsheet programs run as a "
                    "formula. Start it with a word, or put an apostrophe (') in front."
                )
                % {"char": typed[0]},
            )

    if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
        return None  # no value given: the row changes nothing
    value = None
    try:
        value = (
            indicator.parse_value(cell_text(raw_value))
            if indicator is not None
            else parse_decimal(cell_text(raw_value))
        )
    except ValidationError as error:
        for message in error.messages:
            errors.add(number, "value", message)
    based_on = None
    version = _text(row.cells.get("based_on_version"))
    if version:
        if version.isdigit() and len(version) < 10:
            based_on = int(version)
        else:
            errors.add(
                number,
                "based_on_version",
                _("This column must keep the number the template came with; download a new one."),
            )
    if len(errors.items) > before:
        return None
    return Change(number, indicator, unit, period, value, comment, based_on)


def apply_changes(changes: list[Change], *, user, overwrite: bool = False) -> dict[str, int]:
    """Write the values through the one write path; unchanged values are left alone.

    A value someone changed after the file's template was made is refused, naming who and
    when, unless `overwrite` (the user's explicit choice) is set.
    """
    writes = [
        ValueWrite(
            c.indicator,
            c.unit,
            c.period,
            c.value,
            c.comment,
            based_on=None if overwrite else c.based_on,
        )
        for c in changes
    ]
    try:
        return Measurement.write(writes, by=user)
    except WriteConflict as conflict:
        rows = {c.key: c.row for c in changes}
        errors = RowErrors()
        for current in sorted(conflict.conflicts, key=lambda m: rows.get(m.key, 0)):
            errors.add(
                rows.get(current.key),
                "value",
                _(
                    "Changed by %(who)s on %(when)s, after your file was made: the value is now "
                    "%(value)s. Download a new template, or import again choosing to overwrite "
                    "newer values."
                )
                % {
                    "who": current.entered_by.get_username() if current.entered_by else "?",
                    "when": formats.date_format(
                        timezone.localtime(current.entered_at), "DATETIME_FORMAT"
                    ),
                    "value": format(current.value.normalize(), "f"),
                },
            )
        raise JobFailed(errors.items, result={"stale": len(conflict.conflicts)}) from None


@handler(JobKind.IMPORT_MEASUREMENTS)
def import_measurements(job: Job) -> None:
    try:
        sheet = read_spreadsheet(bytes(job.upload or b""), file_format=job.payload["format"])
    except FileRejected as rejected:
        error = {"row": rejected.row, "column": None, "message": rejected.message}
        raise JobFailed([error]) from None
    job.report_progress(10)
    changes = check_rows(sheet.rows, sheet.header, user=job.created_by, job=job)
    empty = len(sheet.rows) - len(changes)
    job.report_progress(80)
    overwrite = bool(job.payload.get("overwrite"))

    # Implausible values are imported (the bounds already held) but flagged in the report.
    flagged = [
        {"row": c.row, "column": "value", "message": c.indicator.implausible_message()}
        for c in changes
        if c.indicator.is_implausible(c.value)
    ]

    def apply() -> dict[str, Any]:
        written = apply_changes(changes, user=job.created_by, overwrite=overwrite)
        return {**written, "empty": empty, **({"flagged": flagged} if flagged else {})}

    try:
        job.complete(apply)
    except EditConflict:
        raise JobFailed(
            [{"message": _("Someone saved values at the same time. Upload the file again.")}]
        ) from None
