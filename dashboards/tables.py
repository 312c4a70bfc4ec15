"""Dashboard tables: built once, shown on screen and exported as CSV or XLSX with the same text.

Every figure is formatted here, so the page and the exports cannot disagree.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import NamedTuple

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from dashboards.scoring import IndicatorSpec, Status
from indicators.models import implausible_message, is_implausible, plausible_limit
from spreadsheets.cells import escape_formula
from strategy import formatting

STATUS_LABELS = {
    Status.ON_TRACK: gettext_lazy("On track"),
    Status.AT_RISK: gettext_lazy("At risk"),
    Status.OFF_TRACK: gettext_lazy("Off track"),
    Status.NO_DATA: gettext_lazy("No data"),
}


def status_label(status: Status) -> str:
    """A status in words in the active language: translated once per process and language,
    where a page names a status hundreds of times."""
    return _status_label(status, get_language())


@functools.lru_cache(maxsize=64)
def _status_label(status: Status, language: str | None) -> str:
    return str(STATUS_LABELS[status])


# Shapes that tell the statuses apart without colour.
STATUS_ICONS = {
    Status.ON_TRACK: "✓",
    Status.AT_RISK: "!",
    Status.OFF_TRACK: "✕",
    Status.NO_DATA: "–",
}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
STATUS_COLOURS = {
    Status.ON_TRACK: "#009E73",
    Status.AT_RISK: "#E69F00",
    Status.OFF_TRACK: "#D55E00",
    Status.NO_DATA: "#BBBBBB",
}

# Rows of a table shown on screen. At national scale a goal has hundreds of indicators and
# thousands of progress reports, too many to render and read; the downloads keep every row.
SCREEN_ROWS = 100


class Cell(NamedTuple):
    """One cell of a table: a named tuple, as a national page builds a few thousand (a frozen
    dataclass took four times as long to make)."""

    text: str
    number: float | None = None  # the figure as shown, for XLSX and sorting
    percent: bool = False  # `number` is a whole percentage: XLSX stores it as a fraction
    status: Status | None = None
    href: str = ""
    plain: str = ""  # the figure as written in a CSV download: no grouping, a decimal point
    flag: str = ""  # why the value is "unusual" for its indicator (shown beside it, exported)
    svg: str = ""  # a drawing shown on the page instead of `text` (a sparkline); `text` says it
    code: str = ""  # an internal code shown small after `text` (a name), never before it
    muted: bool = False  # shown de-emphasised: a target that is not the unit's own

    @property
    def export_text(self) -> str:
        """The text as downloaded: the name, then its code in brackets."""
        return named_text(self.text, self.code)


def named_text(name: str, code: str) -> str:
    """A name with its code after it, as plain text (downloads, select options, chart labels).
    On a page `{% named %}` (dashboards/templatetags) shows the code small and muted instead."""
    return f"{name} ({code})" if code else name


def closed_label(code: str, successor: str | None) -> str:
    """A unit's code, said closed ("IDI (merged into IDX)", "IDI (closed)") unless `successor`
    is None (an open unit; "" for one closed without a successor)."""
    if successor is None:
        return code
    if successor:
        return _("%(code)s (merged into %(successor)s)") % {"code": code, "successor": successor}
    return _("%(code)s (closed)") % {"code": code}


def named(name: str, code: str, **kwargs) -> Cell:
    """A cell for something with a name and an internal code: the name leads."""
    return Cell(name, code=code, **kwargs)


class Table:
    """A table's header and rows, for the screen and the downloads alike."""

    def __init__(
        self,
        name: str,
        caption: str,
        headers: list[str],
        rows: Sequence[Sequence[Cell | str]] = (),
        flagged: tuple[int, ...] = (),
        on_screen: tuple[int, ...] | None = None,
    ) -> None:
        self.name = name
        self.caption = caption
        self.headers = headers
        #: Columns of indicator values: each is followed in the downloads by a note column
        #: that says "unusual" where the value is (on screen the flag stands beside the value).
        self.flagged = flagged
        #: Columns the page shows, where it shows a table in a shape of its own (the goal
        #: page's compact indicator rows); None: all. The downloads always have every column.
        self.on_screen = on_screen
        self._rows: list[list[Cell] | Callable[[], Sequence[Cell | str]]] = [
            self._cells(row) for row in rows
        ]
        #: Rows beyond the screen's that the page did not even load (the download does).
        self.unloaded = 0

    def add(self, *cells: Cell | str) -> None:
        self._rows.append(self._cells(cells))

    def add_later(self, build: Callable[[], Sequence[Cell | str]]) -> None:
        """A row whose cells are built only when shown or downloaded: a page shows the first
        `SCREEN_ROWS` rows of a table of thousands, and formatting the rest cost most of it."""
        self._rows.append(build)

    @staticmethod
    def _cells(cells: Sequence[Cell | str]) -> list[Cell]:
        return [c if isinstance(c, Cell) else Cell(str(c)) for c in cells]

    def _built(self, count: int) -> list[list[Cell]]:
        for n, row in enumerate(self._rows[:count]):
            if callable(row):
                self._rows[n] = self._cells(row())
        return self._rows[:count]  # type: ignore[return-value]

    @property
    def rows(self) -> list[list[Cell]]:
        return self._built(len(self._rows))

    @property
    def screen_rows(self) -> list[list[Cell]]:
        return self._built(SCREEN_ROWS)

    @property
    def total(self) -> int:
        return len(self._rows) + self.unloaded

    @property
    def hidden_rows(self) -> int:
        return max(0, self.total - SCREEN_ROWS)

    def text_rows(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]

    def export_headers(self) -> list[str]:
        out = []
        for n, header in enumerate(self.headers):
            out.append(header)
            if n in self.flagged:
                out.append(_("%(column)s: note") % {"column": header})
        return out

    def export_rows(self) -> list[list[Cell]]:
        """The rows as downloaded: a note cell after each flagged column."""
        out = []
        for row in self.rows:
            cells = []
            for n, cell in enumerate(row):
                cells.append(cell)
                if n in self.flagged:
                    cells.append(Cell(f"{_('unusual')}: {cell.flag}" if cell.flag else ""))
            out.append(cells)
        return out


def fmt_number(value: Decimal | None, decimals: int) -> Cell:
    if value is None:
        return Cell("")
    rounded = round(value, decimals)
    return Cell(formatting.number(rounded, decimals), float(rounded), plain=f"{rounded:f}")


def fmt_value(value: Decimal | None, spec: IndicatorSpec) -> Cell:
    """An indicator's value, flagged when it is implausible for the indicator (the rule of
    indicators.models.is_implausible, from the baseline and target the page already has)."""
    cell = fmt_number(value, spec.decimals)
    if not is_implausible(value, spec.baseline_value, spec.target_value):
        return cell
    limit = plausible_limit(spec.baseline_value, spec.target_value)
    return cell._replace(flag=implausible_message(limit))


def fmt_percent(share: Decimal | None) -> Cell:
    """A share (0.84) as a whole percentage ("84 %")."""
    if share is None:
        return Cell("")
    whole = round(share * 100)
    return Cell(f"{whole} %", float(whole), percent=True)


def fmt_ratio(ratio: Decimal | None) -> Cell:
    if ratio is None:
        return Cell("")
    rounded = round(ratio, 2)
    return Cell(f"{rounded:.2f}", float(rounded))


def fmt_status(status: Status) -> Cell:
    return Cell(status_label(status), status=status)


def fmt_count(n: int) -> Cell:
    return Cell(str(n), float(n))


def export_name(table: Table, extension: str) -> str:
    return f"veikart-{slugify(table.name)}.{extension}"


def csv_value(cell: Cell) -> str:
    """A figure as a number a spreadsheet reads as one ("-50%", "-0.53"); text escaped."""
    if cell.number is None:
        return cell.plain or escape_formula(cell.export_text)
    number = format(Decimal(repr(cell.number)).normalize(), "f")
    return f"{number}%" if cell.percent else number


def xlsx_value(sheet, cell: Cell):
    if cell.number is None:
        return escape_formula(cell.export_text)
    if not cell.percent:
        return cell.number
    from openpyxl.cell import WriteOnlyCell

    fraction = WriteOnlyCell(sheet, value=float(Decimal(repr(cell.number)) / 100))
    fraction.number_format = "0%"
    return fraction


def to_csv(table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_name(table, "csv")}"'
    response.write("\ufeff")  # so that Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow([escape_formula(h) for h in table.export_headers()])
    for row in table.export_rows():
        writer.writerow([csv_value(c) for c in row])
    return response


def to_xlsx(table: Table) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    title = escape_formula(re.sub(r"[\[\]:*?/\\]", " ", table.name)).lstrip("'")[:31]
    sheet = workbook.create_sheet(title=title or "Sheet")
    sheet.append([escape_formula(h) for h in table.export_headers()])
    for row in table.export_rows():
        sheet.append([xlsx_value(sheet, c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_name(table, "xlsx")}"'
    return response


def export(tables: list[Table], params) -> HttpResponse | None:
    """The download asked for by `?format=csv|xlsx&table=name`, or None for the page itself."""
    fmt = params.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    name = params.get("table") or tables[0].name
    table = next((t for t in tables if t.name == name), None)
    if table is None:
        return HttpResponse(_("No such table."), status=404, content_type="text/plain")
    return to_csv(table) if fmt == "csv" else to_xlsx(table)
