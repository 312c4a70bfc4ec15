"""Bulk writes of measurements through the domain's one write path.

Rows are checked by the spreadsheet import's own `check_rows` (so an API client gets the
import's messages, word for word) and then written with one `Measurement.write` call, each row
against the version the client read (`base_version`): one stale or refused row and nothing is
written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from indicators.models import Measurement, ValueWrite, WriteConflict
from jobs.models import JobFailed
from spreadsheets.imports import COLUMNS, Change, check_rows
from spreadsheets.reading import Row


@dataclass
class Refused(Exception):
    """The rows cannot be written; `errors` per row, `conflict` if only versions were stale."""

    errors: list[dict[str, Any]]
    conflict: bool = False


def check(rows: list[dict[str, Any]], *, user) -> list[Change]:
    """The import's checks and messages. Rows are numbered from 1, as in the request."""
    sheet_rows = [
        Row(
            number=position,
            cells={
                "indicator_code": row["indicator"],
                "unit_code": row["unit"],
                "period": row["period"],
                "value": row["value"],
                "comment": row.get("comment", ""),
            },
        )
        for position, row in enumerate(rows, start=1)
    ]
    try:
        changes = check_rows(sheet_rows, COLUMNS, user=user)
    except JobFailed as failed:
        raise Refused([_api_error(e) for e in failed.errors]) from None
    return changes


def write(changes: list[Change], bases: dict[int, int], *, user) -> list[dict[str, Any]]:
    """Write every change against its base version in one `Measurement.write`: all or nothing.
    Raises Refused(conflict) listing every stale row with the value and version as they now
    stand."""
    keys = {change.key for change in changes}
    with transaction.atomic():
        before = _stored(keys)
        try:
            Measurement.write(
                [
                    ValueWrite(
                        change.indicator,
                        change.unit,
                        change.period,
                        change.value,
                        change.comment or "",
                        based_on=bases[change.row],
                    )
                    for change in changes
                ],
                by=user,
            )
        except WriteConflict as conflict:
            current = {m.key: m for m in conflict.conflicts}
            raise Refused(
                [
                    _result(
                        change, "conflict", current[change.key].version, current[change.key].value
                    )
                    for change in changes
                    if change.key in current
                ],
                conflict=True,
            ) from None
        after = _stored(keys)
    results = []
    for change in changes:
        version, value = after[change.key]
        if change.key not in before:
            outcome = "created"
        else:
            outcome = "unchanged" if version == before[change.key][0] else "updated"
        # Saved and scored as any other value, but worth a second look (docs/scoring.md).
        results.append(
            {
                **_result(change, outcome, version, value),
                "unusual": change.indicator.is_implausible(value),
            }
        )
    return results


def _stored(keys: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], tuple[int, Any]]:
    """(version, value) of the stored values of these keys, in one query."""
    if not keys:
        return {}
    indicators, units, periods = (set(column) for column in zip(*keys, strict=True))
    rows = Measurement.objects.filter(
        indicator__in=indicators, unit__in=units, period__in=periods
    ).values_list("indicator_id", "unit_id", "period_id", "version", "value")
    return {
        (indicator, unit, period): (version, value)
        for indicator, unit, period, version, value in rows
        if (indicator, unit, period) in keys
    }


def _result(change: Change, outcome: str, version: int, value) -> dict[str, Any]:
    return {
        "row": change.row,
        "indicator": change.indicator.code,
        "unit": change.unit.code,
        "period": change.period.code,
        "outcome": outcome,
        "version": version,
        "value": str(value),
    }


FIELDS = {"indicator_code": "indicator", "unit_code": "unit"}


def _api_error(error: dict[str, Any]) -> dict[str, Any]:
    column = error.get("column") or ""
    return {
        "row": error.get("row"),
        "field": FIELDS.get(column, column) or None,
        "message": str(error.get("message")),
    }
