"""Cell values going into and coming out of spreadsheets."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: A spreadsheet program may run text starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Make text safe to put in a spreadsheet cell; other values pass unchanged.

    Text that a spreadsheet program would read as a formula (OWASP's "CSV injection") gets a
    leading single quote, which makes it plain text; characters XML cannot hold are removed.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo `escape_formula` on text read back from a file made by Veikart."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
