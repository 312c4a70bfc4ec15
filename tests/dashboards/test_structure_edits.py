"""A structure edit recomputes only what it changes (issue 9): a write that changes no input of
the figures queues nothing, an indicator or goal–pillar edit recomputes that indicator or area,
and a move or merge only the periods whose unit tree changed. After each the stored figures
equal a full recomputation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dashboards import figures
from dashboards.models import (
    ChangeScope,
    FigureChange,
    GroupFigure,
    GroupKind,
    UnitCompleteness,
)
from goals.models import GoalPillar, ReportingPeriod
from strategy.models import Pillar, Unit
from tests.dashboards.test_history_lists import completeness_rows, label
from tests.dashboards.test_unit_moves import stored_before
from tests.factories import IndicatorFactory, MeasurementFactory, UserFactory, goal, period, unit

MOVED_ON = datetime.date(2025, 1, 1)


@pytest.fixture
def stored(dashboard_data):
    """The dashboard data with every figure stored and nothing pending."""
    made = dashboard_data(1)
    figures.rebuild()
    return made


@pytest.fixture
def no_full_recompute(monkeypatch):
    def refused(*args, **kwargs):
        pytest.fail("the settle recomputed everything")

    monkeypatch.setattr(figures, "_store_all", refused)


@pytest.fixture
def recomputed_periods(monkeypatch) -> list[str]:
    """The codes of the periods the settle recomputed whole (`figures._recompute_periods`)."""
    seen: list[str] = []
    real = figures._recompute_periods

    def spy(world, period_ids):
        seen.extend(sorted(p.code for p in world.periods if p.id in period_ids))
        return real(world, period_ids)

    monkeypatch.setattr(figures, "_recompute_periods", spy)
    return seen


def full_recompute_queued() -> bool:
    return FigureChange.objects.filter(everything=True).exists()


def recompute_queued() -> bool:
    """Anything queued but a change of the pages' cached strategy structure (its names)."""
    return FigureChange.objects.exclude(scope=ChangeScope.FRAME).exists()


def rename_unit():
    ie = unit("IE")
    ie.name_en = "Faculty of engineering, renamed"
    ie.note = "A new name"
    ie.save()


def edit_deadline():
    year = period("2025")
    year.deadline = year.deadline + datetime.timedelta(days=14)
    year.save()


def close_period():
    year = period("2025")
    year.open()
    year.close(by=UserFactory())


def rename_indicator(made):
    indicator = made["indicators"][0]
    indicator.name = "Another name"
    indicator.definition = "Another description"
    indicator.save()


def reorder_pillar():
    pillar = Pillar.objects.first()
    pillar.order += 1
    pillar.name_en = "Another pillar name"
    pillar.save()


@pytest.mark.parametrize(
    "edit",
    [rename_unit, edit_deadline, close_period, reorder_pillar],
    ids=["unit renamed", "deadline edited", "period closed", "pillar renamed and reordered"],
)
def test_an_edit_that_changes_no_figure_input_queues_nothing(stored, no_full_recompute, edit):
    edit()
    assert not recompute_queued()
    figures.settle()
    assert figures.differences() == []


def test_renaming_an_indicator_queues_nothing(stored, no_full_recompute):
    rename_indicator(stored)
    assert not FigureChange.objects.exists()
    assert figures.differences() == []


def change_frequency(indicator):
    indicator.frequency = "tertial"


def change_owner(indicator):
    indicator.owner_unit = unit("IE")


def deactivate(indicator):
    indicator.active = False


def change_aggregation(indicator):
    indicator.aggregation = "none"


@pytest.mark.parametrize(
    "change",
    [change_frequency, change_owner, deactivate, change_aggregation],
    ids=["frequency", "owner", "active", "aggregation"],
)
def test_an_indicator_edit_recomputes_its_figures_and_the_completeness_it_owes(
    stored, no_full_recompute, change
):
    indicator = stored["indicators"][0]
    completeness_before = set(UnitCompleteness.objects.values_list("unit", "period", "expected"))
    change(indicator)
    indicator.save()
    assert not full_recompute_queued()

    figures.settle()

    assert figures.differences() == []
    after = set(UnitCompleteness.objects.values_list("unit", "period", "expected"))
    assert after != completeness_before  # the units owe another number of values


def test_a_new_indicator_is_owed_by_its_reporting_units(stored, no_full_recompute):
    IndicatorFactory(goal=goal("RES-3"), owner_unit=unit("NV"), aggregation="sum")
    assert not full_recompute_queued()
    figures.settle()
    assert figures.differences() == []


def pillar_figure_goals(pillar: Pillar) -> int:
    row = GroupFigure.objects.get(
        unit=unit("NTNU"), period=period("2024"), kind=GroupKind.PILLAR, object_id=pillar.id
    )
    return row.on_track + row.at_risk + row.off_track + row.no_data


def test_linking_a_goal_to_a_pillar_counts_it_in_the_pillar(stored, no_full_recompute):
    res3 = goal("RES-3")
    pillar = Pillar.objects.filter(area=res3.area).exclude(goals=res3).first()
    counted = pillar_figure_goals(pillar)

    res3.pillars.add(pillar)
    assert not full_recompute_queued()
    figures.settle()

    assert pillar_figure_goals(pillar) == counted + 1
    assert figures.differences() == []


def test_unlinking_a_goal_from_a_pillar_through_the_link_row(stored, no_full_recompute):
    link = GoalPillar.objects.filter(goal__area=goal("RES-3").area).first()
    link.delete()
    assert not full_recompute_queued()
    figures.settle()
    assert figures.differences() == []


def test_a_move_recomputes_only_the_periods_from_the_move_on(
    stored, no_full_recompute, recomputed_periods
):
    before = stored_before(MOVED_ON)

    unit("IDI").move(to=unit("NV"), on=MOVED_ON, by=UserFactory())
    figures.settle()

    assert recomputed_periods == ["2025", "2025-T1", "2025-T2", "2025-T3"]
    assert stored_before(MOVED_ON) == before
    assert figures.differences() == []


def test_a_move_in_the_middle_of_a_year_recomputes_that_year_and_the_tertials_after(
    stored, no_full_recompute, recomputed_periods
):
    unit("IDI").move(to=unit("NV"), on=datetime.date(2024, 6, 1))
    figures.settle()

    assert recomputed_periods == ["2024", "2024-T2", "2024-T3", "2025", *TERTIALS_2025]
    assert figures.differences() == []


TERTIALS_2025 = ["2025-T1", "2025-T2", "2025-T3"]


def test_a_merge_into_an_existing_unit_recomputes_only_the_periods_from_the_merge_on(
    stored, no_full_recompute, recomputed_periods
):
    before = stored_before(MOVED_ON)

    unit("IDI").merge_into(unit("IEL"), on=MOVED_ON, by=UserFactory())
    figures.settle()

    assert recomputed_periods == ["2025", *TERTIALS_2025]
    assert stored_before(MOVED_ON) == before
    assert figures.differences() == []


def test_a_merge_into_a_new_unit_gives_it_its_predecessors_earlier_figures(
    stored, no_full_recompute, recomputed_periods
):
    idx = Unit.objects.create(
        code="IDX", name_en="Computer science", name_nb="Datateknologi", kind="department",
        parent=unit("IE"), valid_from=MOVED_ON,
    )  # fmt: skip
    figures.settle()
    recomputed_periods.clear()

    unit("IDI").merge_into(idx, on=MOVED_ON, by=UserFactory())
    figures.settle()

    assert recomputed_periods == ["2025", *TERTIALS_2025]
    assert GroupFigure.objects.filter(unit=idx, period=period("2024")).exists()
    assert figures.differences() == []


def test_a_new_unit_without_data_recomputes_next_to_nothing(
    stored, no_full_recompute, recomputed_periods
):
    Unit.objects.create(
        code="IDY", name_en="New department", name_nb="Nytt institutt", kind="department",
        parent=unit("IDI"),
    )  # fmt: skip
    figures.settle()

    assert recomputed_periods == []
    assert figures.differences() == []


def test_a_new_unit_valid_from_a_day_recomputes_the_periods_from_that_day_only(
    stored, no_full_recompute, recomputed_periods
):
    Unit.objects.create(
        code="IDY", name_en="New department", name_nb="Nytt institutt", kind="department",
        parent=unit("IDI"), valid_from=datetime.date(2025, 5, 1),
    )  # fmt: skip
    figures.settle()

    assert recomputed_periods == ["2025", "2025-T2", "2025-T3"]
    assert figures.differences() == []


def test_closing_a_unit_today_changes_no_period_of_a_strategy_that_has_ended(
    stored, no_full_recompute
):
    idi = unit("IDI")
    idi.active = False
    idi.save()
    assert not recompute_queued()
    assert figures.differences() == []


def test_a_unit_made_valid_from_a_later_day_recomputes_the_periods_before_that_day_only(
    stored, no_full_recompute, recomputed_periods
):
    idi = unit("IDI")
    idi.valid_from = MOVED_ON
    idi.save()
    figures.settle()

    ends = ReportingPeriod.objects.filter(code__in=recomputed_periods).values_list("end", flat=True)
    assert "2024" in recomputed_periods and max(ends) < MOVED_ON
    assert figures.differences() == []


def test_a_new_period_is_computed_with_the_periods_ending_after_it(
    stored, no_full_recompute, recomputed_periods
):
    ReportingPeriod.objects.create(
        strategy=period("2025").strategy, code="2025-H2", kind="tertial",
        start=datetime.date(2025, 7, 1), end=datetime.date(2025, 12, 30),
        deadline=datetime.date(2026, 2, 1),
    )  # fmt: skip
    figures.settle()

    assert recomputed_periods == ["2025", "2025-H2", "2025-T3"]
    assert figures.differences() == []


def test_a_measurement_of_a_moved_unit_settles_like_any_other(stored, no_full_recompute):
    unit("IDI").move(to=unit("NV"), on=MOVED_ON)
    figures.settle()
    MeasurementFactory(
        indicator=stored["indicators"][0], unit=unit("IDI"), period=period("2025"), value=5
    )
    figures.settle()
    assert figures.differences() == []


def test_a_validity_edit_in_the_baseline_period_recomputes_a_units_own_target_figures(
    stored, no_full_recompute
):
    indicator = IndicatorFactory(
        goal=goal("RES-3"),
        owner_unit=unit("IE"),
        baseline_value=Decimal(300),
        target_value=Decimal(600),
    )
    for year, value in (("2018", 40), ("2024", 70)):
        MeasurementFactory(indicator=indicator, unit=unit("IDI"), period=period(year), value=value)
    indicator.set_unit_target(unit=unit("IDI"), period=period("2025"), value=Decimal(80))
    figures.settle()
    idi = unit("IDI")
    idi.valid_from = datetime.date(2019, 1, 1)  # not in the baseline's tree any more

    idi.save()
    figures.settle()

    assert figures.differences() == []


def test_a_renamed_area_shows_its_new_name_on_the_next_page(client, personas, stored):
    client.force_login(personas.rector)
    assert client.get("/dashboard/", {"period": "2024"}).status_code == 200  # frame cached
    area = goal("RES-3").area
    area.name_en = "Research, renamed"
    area.save()
    assert not recompute_queued()

    figures.settle()

    assert "Research, renamed" in client.get("/dashboard/", {"period": "2024"}).text


def test_closing_a_period_recomputes_nothing_and_renews_the_cached_structure_for_its_snapshot(
    stored,
):
    """Opening or closing is not in the pages' frame; the snapshot a close takes is (which
    periods have one), so it moves the frame on, once."""
    year = period("2025")
    year.open()
    assert not FigureChange.objects.exists()
    year.close(by=UserFactory())
    assert list(FigureChange.objects.values_list("scope", "everything")) == [
        (ChangeScope.FRAME, False)
    ]


def test_a_renamed_faculty_shows_its_new_name_on_the_next_page(client, personas, stored):
    client.force_login(personas.rector)
    assert client.get("/dashboard/", {"period": "2024"}).status_code == 200  # frame cached
    faculty = unit("IE")
    faculty.name_en = "Engineering, renamed"
    faculty.save()
    assert not recompute_queued()

    figures.settle()

    assert "Engineering, renamed" in client.get("/dashboard/", {"period": "2024"}).text


def test_after_a_move_the_pages_list_the_unit_under_its_new_parent(client, personas, stored):
    client.force_login(personas.rector)
    before = completeness_rows(client, unit="NV", period="2025")  # the frame is cached now
    assert label("IDI") not in before

    unit("IDI").move(to=unit("NV"), on=MOVED_ON)
    figures.settle()

    assert label("IDI") in completeness_rows(client, unit="NV", period="2025")


def test_a_value_of_the_year_before_a_move_settled_with_the_move_counts_once(
    stored, no_full_recompute
):
    """A move on 1 January 2025 recomputes the periods of 2025, whose tertials read a yearly
    indicator at 2024; a 2024 value settled in the same pass counts there once (IEL's value is
    missing, so the figure has no progress to tell the two apart: one more unit reported)."""
    indicator = IndicatorFactory(
        goal=goal("RES-3"),
        owner_unit=unit("IE"),
        aggregation="sum",
        baseline_value=Decimal(0),
        target_value=Decimal(100),
    )
    figures.settle()
    MeasurementFactory(indicator=indicator, unit=unit("IDI"), period=period("2024"), value=5)
    unit("IFY").move(to=unit("IE"), on=MOVED_ON)
    figures.settle()

    assert figures.differences() == []
