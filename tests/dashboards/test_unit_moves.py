"""Moves and merges of units keep history as it was: a period rolls up over the tree valid in
it (each unit under the parent it had then), and a successor's trend continues with its
predecessors' figures for the periods before it existed."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from dashboards import figures
from dashboards.models import GroupFigure, GroupKind, IndicatorFigure, UnitCompleteness
from dashboards.tables import csv_value, fmt_percent
from strategy.models import Unit
from tests.dashboards.test_pages import get
from tests.factories import IndicatorFactory, MeasurementFactory, UserFactory, goal, period, unit

MOVED_ON = datetime.date(2025, 1, 1)


def stored_before(day: datetime.date) -> dict:
    """Every stored figure of the periods that ended before `day`."""
    fields = {
        IndicatorFigure: figures.INDICATOR_FIELDS,
        GroupFigure: ("kind", "object_id", *figures.GROUP_FIELDS),
        UnitCompleteness: figures.COMPLETENESS_FIELDS,
    }
    out = {}
    for model, names in fields.items():
        for row in model.objects.defer(None).filter(period__end__lt=day):
            values = (getattr(row, n) for n in names)  # a goal's progress list as a tuple
            key = (model.__name__, row.unit_id, row.period_id, *(
                tuple(v) if isinstance(v, list) else v for v in values
            ))  # fmt: skip
            out[key] = True
    return out


def value_of(indicator, year: str):
    return IndicatorFigure.objects.get(indicator=indicator, period=period(year)).value


@pytest.fixture
def ie_sum(strategy):
    """An IE-owned sum with values at IDI and IEL in 2024 and 2025, and an NV-owned one."""
    ie_owned = IndicatorFactory(goal=goal("RES-3"), owner_unit=unit("IE"), aggregation="sum")
    nv_owned = IndicatorFactory(goal=goal("RES-3"), owner_unit=unit("NV"), aggregation="sum")
    for year, idi, iel in (("2024", 10, 1), ("2025", 20, 2)):
        for indicator in (ie_owned, nv_owned):
            MeasurementFactory(
                indicator=indicator, unit=unit("IDI"), period=period(year), value=idi
            )
        MeasurementFactory(indicator=ie_owned, unit=unit("IEL"), period=period(year), value=iel)
    MeasurementFactory(indicator=nv_owned, unit=unit("IBI"), period=period("2025"), value=300)
    return ie_owned, nv_owned


def test_moving_a_department_keeps_every_earlier_periods_stored_figures_exactly(dashboard_data):
    dashboard_data(1)
    figures.rebuild()
    before = stored_before(MOVED_ON)

    unit("IDI").move(to=unit("NV"), on=MOVED_ON, by=UserFactory())
    figures.settle()

    assert stored_before(MOVED_ON) == before
    assert figures.differences() == []


def test_after_a_move_later_periods_roll_up_under_the_new_parent(ie_sum):
    ie_owned, nv_owned = ie_sum
    figures.rebuild()

    unit("IDI").move(to=unit("NV"), on=MOVED_ON)
    figures.settle()

    assert (value_of(ie_owned, "2024"), value_of(ie_owned, "2025")) == (11, 2)
    assert (value_of(nv_owned, "2024"), value_of(nv_owned, "2025")) == (None, 320)
    assert figures.differences() == []


def test_a_move_in_the_middle_of_a_year_counts_from_that_year(ie_sum):
    ie_owned, _nv_owned = ie_sum
    unit("IDI").move(to=unit("NV"), on=datetime.date(2025, 6, 1))
    figures.rebuild()
    assert (value_of(ie_owned, "2024"), value_of(ie_owned, "2025")) == (11, 2)


def test_faculty_group_figures_follow_the_department_to_its_new_faculty(ie_sum):
    figures.rebuild()
    unit("IDI").move(to=unit("NV"), on=MOVED_ON)
    figures.settle()

    def expected_values(code: str, year: str) -> int:
        row = GroupFigure.objects.get(
            unit=unit(code), period=period(year), kind=GroupKind.GOAL, object_id=goal("RES-3").id
        )
        return row.values_expected

    # IE's indicator expects a value of IDI in 2024 but not in 2025; NV's from 2025 on.
    assert expected_values("IE", "2025") == expected_values("IE", "2024") - 1
    assert expected_values("NV", "2025") == expected_values("NV", "2024") + 1


def test_moves_record_the_parent_history(strategy):
    idi = unit("IDI")
    idi.move(to=unit("NV"), on=datetime.date(2023, 1, 1))
    idi.move(to=unit("IE"), on=datetime.date(2025, 1, 1))
    rows = list(idi.parent_history.values_list("parent__code", "valid_from", "valid_to"))
    assert rows == [
        ("IE", None, datetime.date(2022, 12, 31)),
        ("NV", datetime.date(2023, 1, 1), datetime.date(2024, 12, 31)),
    ]
    assert (idi.parent.code, idi.path) == ("IE", "NTNU/IE/IDI/")


@pytest.fixture
def merged(dashboard_data):
    """IDI merged on 2025-01-01 into IDX, a department that began that day."""
    made = dashboard_data(1)["indicators"]
    idi_owned = IndicatorFactory(goal=goal("RES-3"), owner_unit=unit("IDI"), aggregation="sum")
    for year, value in (("2023", 7), ("2024", 9)):
        MeasurementFactory(indicator=idi_owned, unit=unit("IDI"), period=period(year), value=value)
    idx = Unit.objects.create(
        code="IDX", name_en="Computer science", name_nb="Datateknologi", kind="department",
        parent=unit("IE"), valid_from=MOVED_ON,
    )  # fmt: skip
    figures.rebuild()
    before = stored_before(MOVED_ON)
    unit("IDI").merge_into(idx, on=MOVED_ON, by=UserFactory())
    figures.settle()
    return {"indicators": made, "idi_owned": idi_owned, "idx": idx, "before": before}


def test_merging_closes_the_unit_and_names_its_successor(merged):
    idi = unit("IDI")
    assert (idi.active, idi.valid_to, idi.successor) == (
        False,
        datetime.date(2024, 12, 31),
        merged["idx"],
    )


def test_merging_keeps_every_earlier_figure_of_the_units_that_existed(merged):
    idx = merged["idx"].id
    after = {k: v for k, v in stored_before(MOVED_ON).items() if k[1] != idx}
    assert after == merged["before"]
    assert figures.differences() == []


def test_the_successor_carries_its_predecessors_figures_for_earlier_periods(merged):
    def goal_rows(code: str) -> set:
        return set(
            GroupFigure.objects.filter(unit=unit(code), period=period("2024")).values_list(
                "kind", "object_id", "status", "progress", "values_reported", "reported_status"
            )
        )

    assert goal_rows("IDX") == goal_rows("IDI") != set()


def test_the_successor_does_not_change_its_own_parents_earlier_figures(merged):
    # IDX sits under IE, where IDI was: IE's 2024 figures were stored before the merge.
    ie = unit("IE").id
    assert {k for k in stored_before(MOVED_ON) if k[1] == ie} == {
        k for k in merged["before"] if k[1] == ie
    }


def test_an_existing_unit_absorbing_another_keeps_its_own_earlier_figures(dashboard_data):
    dashboard_data(1)
    figures.rebuild()
    before = stored_before(MOVED_ON)
    unit("IFY").merge_into(unit("IKJ"), on=MOVED_ON)
    figures.settle()
    assert stored_before(MOVED_ON) == before


# --- Pages ----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_successors_unit_page_continues_the_trend_with_its_predecessors_figures_marked(
    client, personas, merged
):
    client.force_login(personas.rector)
    page = get(client, "/dashboard/unit/IDX/", period="2025").content.decode()
    assert f"Before 2025-01-01: {unit('IDI').name} (IDI)" in page and "merged into IDX" in page
    rows = csv_rows(
        get(client, "/dashboard/unit/IDX/", period="2025", format="csv", table="unit-trend")
    )
    assert "2024 (IDI)" in rows[0] and "2025" in rows[0]
    research = next(r for r in rows if r[0].endswith("(RES)"))
    stored = GroupFigure.objects.get(
        unit=unit("IDI"), period=period("2024"), kind=GroupKind.AREA, object_id=goal().area_id
    )
    assert research[rows[0].index("2024 (IDI)")] == csv_value(fmt_percent(stored.progress)) != ""


def test_the_successors_pages_list_the_predecessors_indicators_marked_as_merged(
    client, personas, merged
):
    idi_owned = merged["idi_owned"]
    client.force_login(personas.rector)
    unit_page = get(client, "/dashboard/unit/IDX/").content.decode()
    goal_page = get(client, "/dashboard/area/RES/goal/RES-3/", unit="IDX").content.decode()
    assert idi_owned.code in unit_page and "IDI (merged into IDX)" in unit_page
    assert f"{idi_owned.name} (IDI (merged into IDX))" in goal_page


def test_the_unit_page_of_a_unit_without_predecessors_marks_no_period(client, personas, ie_sum):
    client.force_login(personas.rector)
    rows = csv_rows(get(client, "/dashboard/unit/IE/", format="csv", table="unit-trend"))
    assert (
        rows[0][1:]
        == ["2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024"][-len(rows[0]) + 1 :]
    )
