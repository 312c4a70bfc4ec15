"""Bulk writes of measurements through the domain's one write path.

Rows are checked by the spreadsheet import's own `check_rows` (so an API client gets the
import's messages, word for word) and then written with `Measurement.record`, each against the
version the client read (`base_version`), all in one transaction: one stale or refused row and
nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction

from goals.models import EditConflict
from indicators.models import Measurement
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
    """Record each change against its base version; all or nothing. Raises Refused(conflict)
    listing every stale row with the value and version as they now stand."""
    results, conflicts = [], []
    with transaction.atomic():
        before = {
            (m.indicator_id, m.unit_id, m.period_id): m.version
            for m in Measurement.objects.filter(
                indicator__in={c.indicator.pk for c in changes},
                unit__in={c.unit.pk for c in changes},
                period__in={c.period.pk for c in changes},
            ).only("indicator_id", "unit_id", "period_id", "version")
        }
        for change in changes:
            base = bases[change.row]
            try:
                stored = record(change, base=base, user=user)
            except EditConflict as conflict:
                current = cast(Measurement, conflict.current)
                conflicts.append(_result(change, "conflict", current.version, current.value))
                continue
            if change.key not in before:
                outcome = "created"
            else:
                outcome = "unchanged" if stored.version == before[change.key] else "updated"
            results.append(_result(change, outcome, stored.version, stored.value))
        if conflicts:
            transaction.set_rollback(True)
            raise Refused(conflicts, conflict=True)
    return results


def record(change: Change, *, base: int, user) -> Measurement:
    """The one call into the domain's write path (Measurement.record announces the change)."""
    return Measurement.record(
        indicator=change.indicator,
        unit=change.unit,
        period=change.period,
        value=change.value,
        comment=change.comment or "",
        by=user,
        based_on=base,
    )


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
