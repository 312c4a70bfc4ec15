"""Reading uploaded spreadsheets (XLSX and CSV) into rows, defensively.

Everything a user uploads is hostile until proven otherwise: the size is bounded before
anything is read, an XLSX must be a real zip whose entries stay within bounds before openpyxl
opens it (read-only, parsing XML through defusedxml), and a CSV must be UTF-8 text without NUL
bytes. Problems are raised as `FileRejected` with a message meant for the person who uploaded.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


class FileRejected(Exception):
    def __init__(self, message: str, *, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass
class Row:
    """One data row: its number as the spreadsheet shows it, and cells by header name."""

    number: int
    cells: dict[str, Any]
    formulas: set[str] = field(default_factory=set)


@dataclass
class Sheet:
    header: list[str]
    rows: list[Row]


def read_spreadsheet(data: bytes, *, file_format: str) -> Sheet:
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileRejected(
            _("The file is larger than %(limit)d MB.")
            % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise FileRejected(_("The file is empty."))
    if file_format == "xlsx":
        return _read_xlsx(data)
    return _read_csv(data)


def file_format_of(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    return None


# -- XLSX --------------------------------------------------------------------------------------


def check_zip(data: bytes) -> None:
    """Refuse anything but a modest zip before a zip or XML parser expands it.

    The sizes in the zip's directory may lie, but Python's zipfile (which openpyxl uses) never
    inflates an entry beyond its declared size, so bounding the declared sizes bounds the work.
    """
    not_xlsx = _("The file is not an Excel workbook (.xlsx). Save it as .xlsx or .csv.")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise FileRejected(not_xlsx)
    try:
        with zipfile.ZipFile(buffer) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileRejected(not_xlsx) from error
    if len(entries) > settings.IMPORT_MAX_ZIP_ENTRIES:
        raise FileRejected(
            _("The workbook has too many parts (%(count)d, at most %(limit)d are allowed).")
            % {"count": len(entries), "limit": settings.IMPORT_MAX_ZIP_ENTRIES}
        )
    total = sum(entry.file_size for entry in entries)
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(
            _("The workbook unpacks to more than %(limit)d MB and is refused.")
            % {"limit": settings.IMPORT_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    for entry in entries:
        # Small parts may compress extremely well without harm; only large ones can be bombs.
        if entry.file_size > 1024 * 1024 and (
            entry.file_size > settings.IMPORT_MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        ):
            raise FileRejected(
                _("A part of the workbook (%(name)s) is compressed suspiciously well; refused.")
                % {"name": entry.filename[:100]}
            )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(not_xlsx)


def _read_xlsx(data: bytes) -> Sheet:
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    check_zip(data)
    unreadable = _("The workbook could not be read. Save it again as .xlsx, or as CSV UTF-8.")
    forbidden = _(
        "The workbook contains XML that is not allowed (entity or DTD declarations) and is refused."
    )
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as error:
        raise FileRejected(
            forbidden if _caused_by(error, DefusedXmlException) else unreadable
        ) from error
    try:
        if not workbook.worksheets:
            raise FileRejected(unreadable)
        raw_rows = []
        for index, cells in enumerate(workbook.worksheets[0].iter_rows(), start=1):
            if index > settings.IMPORT_MAX_ROWS + 1:
                raise FileRejected(_too_many_rows())
            raw_rows.append(
                (
                    index,
                    [cell.value for cell in cells],
                    {i for i, cell in enumerate(cells) if getattr(cell, "data_type", None) == "f"},
                )
            )
    except FileRejected:
        raise
    except Exception as error:
        raise FileRejected(
            forbidden if _caused_by(error, DefusedXmlException) else unreadable
        ) from error
    finally:
        workbook.close()
    return _to_sheet(raw_rows)


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    """openpyxl wraps parser errors in its own; look down the chain."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, kind):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


# -- CSV ---------------------------------------------------------------------------------------


def _read_csv(data: bytes) -> Sheet:
    if b"\x00" in data:
        raise FileRejected(
            _(
                "The file contains NUL bytes, so it is not a CSV text file. "
                "If it is a workbook, save it as .xlsx."
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRejected(
            _(
                "The file is not UTF-8 text (unreadable byte on line %(line)d). "
                'Save it as "CSV UTF-8" and upload it again.'
            )
            % {"line": line}
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw_rows = []
    try:
        for index, values in enumerate(reader, start=1):
            if index > settings.IMPORT_MAX_ROWS + 1:
                raise FileRejected(_too_many_rows())
            raw_rows.append((index, values, set()))
    except csv.Error as error:
        raise FileRejected(
            _("The CSV file is malformed near line %(line)d.") % {"line": reader.line_num}
        ) from error
    return _to_sheet(raw_rows)


# -- both --------------------------------------------------------------------------------------


def _too_many_rows() -> str:
    return _("The file has more than %(limit)d rows; split it into smaller files.") % {
        "limit": settings.IMPORT_MAX_ROWS
    }


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_sheet(raw_rows: list[tuple[int, list[Any], set[int]]]) -> Sheet:
    if not raw_rows:
        raise FileRejected(_("The file is empty."))
    _number, header_values, _formulas = raw_rows[0]
    header = [str(value).strip().lower() if value is not None else "" for value in header_values]
    rows = []
    for number, values, formula_positions in raw_rows[1:]:
        if all(_blank(value) for value in values):
            continue
        cells, formulas = {}, set()
        for position, value in enumerate(values):
            name = header[position] if position < len(header) else ""
            if not name:
                continue
            cells[name] = value
            if position in formula_positions:
                formulas.add(name)
        rows.append(Row(number=number, cells=cells, formulas=formulas))
    return Sheet(header=header, rows=rows)
