"""`ops.rows.select` reads what the ORM reads: the same rows and the same values, decimals
included (SQLite hands back a float, which the ORM turns into the field's decimal)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dashboards.models import GroupFigure, GroupKind, UnitCompleteness
from dashboards.summary import SUMMARY_FIELDS
from ops.rows import any_of, select
from tests.factories import goal, period, unit


@pytest.fixture
def stored(strategy):
    rows = [
        GroupFigure(
            kind=kind, object_id=n, area_id=goal("RES-3").area_id, unit=unit("IE"),
            period=period(code), status="on_track", progress=progress, reported_status="no_data",
        )
        for n, (kind, code, progress) in enumerate([
            (GroupKind.GOAL, "2024", Decimal("0.12345678901234567891")),
            (GroupKind.AREA, "2024", Decimal("-1.5")),
            (GroupKind.AREA, "2023", None),
            (GroupKind.PILLAR, "2023", Decimal("2")),
        ])
    ]  # fmt: skip
    GroupFigure.objects.bulk_create(rows)
    return rows


def test_select_reads_the_rows_and_values_the_orm_reads(stored):
    kinds, params = any_of("kind", ["area", "goal"])
    got = select(GroupFigure, SUMMARY_FIELDS, f"unit_id = %s AND {kinds}", [unit("IE").pk, *params])
    orm = GroupFigure.objects.filter(unit=unit("IE"), kind__in=["area", "goal"])
    assert sorted(got, key=repr) == sorted(orm.values_list(*SUMMARY_FIELDS), key=repr)
    assert len(got) == 3
    progress = {row[2]: row[4] for row in got}
    assert all(isinstance(p, Decimal) for p in progress.values() if p is not None)


def test_select_makes_named_rows_and_finds_nothing_where_nothing_matches(stored):
    got = select(UnitCompleteness, ["unit_id", "expected"], "period_id = %s", [period("2024").pk])
    assert got == []
    named = GroupFigure.objects.filter(kind="pillar").values_list(*SUMMARY_FIELDS, named=True)
    make = named[0].__class__._make
    assert select(GroupFigure, SUMMARY_FIELDS, "kind = %s", ["pillar"], make) == list(named)


def test_any_of_no_values_matches_nothing(stored):
    nothing, params = any_of("object_id", [])
    assert select(GroupFigure, ["object_id"], nothing, params) == []
    some, params = any_of("object_id", [1, 3])
    assert sorted(select(GroupFigure, ["object_id"], some, params)) == [(1,), (3,)]
