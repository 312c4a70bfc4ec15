"""Lists for a past period use the unit tree valid then: after IDI moves from IE to NV on
2025-01-01, IE's 2024 pages list IDI's rows and NV's do not, and 2025 the other way round. A
merged (closed) unit's rows still appear for the periods it existed in, marked as merged."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from api.figures import dashboard_figures
from dashboards import figures, pages
from dashboards.board import board_report
from dashboards.exceptions import exceptions, open_actions
from dashboards.models import UnitCompleteness
from goals.models import ProgressReport
from indicators.models import Measurement
from strategy.models import Unit
from strategy.policy import Policy
from tests.dashboards.test_exceptions import build_exceptions_dataset
from tests.dashboards.test_pages import get
from tests.factories import IndicatorFactory, ProgressReportFactory, goal, period, unit

MOVED_ON = datetime.date(2025, 1, 1)
COMPLETENESS = "/dashboard/completeness/"
GOAL = "/dashboard/area/RES/goal/RES-3/"


def csv_table(client, url, table, **params) -> list[list[str]]:
    response = get(client, url, format="csv", table=table, **params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def completeness_rows(client, **params) -> dict[str, list[str]]:
    """Unit label → its row (values entered, due, reports, state)."""
    rows = csv_table(client, COMPLETENESS, "completeness", **params)
    return {row[0]: row[1:] for row in rows[1:]}


def label(code: str, mark: str = "") -> str:
    return f"{unit(code).name} ({mark or code})"


def submitted_by_idi() -> int:
    return ProgressReport.objects.filter(
        unit=unit("IDI"), period=period("2024"), state="submitted"
    ).count()


def move_idi_to_nv() -> None:
    unit("IDI").move(to=unit("NV"), on=MOVED_ON)
    figures.settle()


@pytest.fixture
def moved(dashboard_data):
    """The dashboard data (IDI's 2024 values and reports), then IDI moved from IE to NV."""
    dashboard_data(1)
    figures.rebuild()
    move_idi_to_nv()


@pytest.fixture
def merged(dashboard_data):
    """The dashboard data, then IDI merged into IDX, a department of IE begun on 2025-01-01."""
    dashboard_data(1)
    idx = Unit.objects.create(
        code="IDX", name_en="Computer science", name_nb="Datateknologi", kind="department",
        parent=unit("IE"), valid_from=MOVED_ON,
    )  # fmt: skip
    figures.rebuild()
    unit("IDI").merge_into(idx, on=MOVED_ON)
    figures.settle()


# --- Completeness ---------------------------------------------------------------------------


def test_the_old_parents_completeness_for_the_year_before_a_move_lists_the_moved_unit(
    client, personas, moved
):
    client.force_login(personas.rector)
    rows = completeness_rows(client, unit="IE", period="2024")
    stored = UnitCompleteness.objects.get(unit=unit("IDI"), period=period("2024"))
    assert rows[label("IDI")][:2] == [str(stored.entered), str(stored.expected)]
    assert rows[label("IDI")][2] == str(submitted_by_idi())


def test_the_new_parents_completeness_for_the_year_before_a_move_leaves_the_unit_out(
    client, personas, moved
):
    client.force_login(personas.rector)
    assert label("IDI") not in completeness_rows(client, unit="NV", period="2024")
    assert label("IBI") in completeness_rows(client, unit="NV", period="2024")


def test_after_the_move_the_unit_is_listed_under_its_new_parent(client, personas, moved):
    client.force_login(personas.rector)
    assert label("IDI") in completeness_rows(client, unit="NV", period="2025")
    assert label("IDI") not in completeness_rows(client, unit="IE", period="2025")


def test_a_merged_units_completeness_stays_under_its_old_parent_marked_as_merged(
    client, personas, merged
):
    client.force_login(personas.rector)
    rows = completeness_rows(client, unit="IE", period="2024")
    merged_label = label("IDI", "IDI (merged into IDX)")
    assert rows[merged_label][2] == str(submitted_by_idi())
    page = get(client, COMPLETENESS, unit="IE", period="2024").content.decode()
    assert "IDI (merged into IDX)" in page


def test_the_successors_completeness_before_it_existed_lists_its_predecessor(
    client, personas, merged
):
    client.force_login(personas.rector)
    assert label("IDI", "IDI (merged into IDX)") in completeness_rows(
        client, unit="IDX", period="2024"
    )


def test_completeness_lists_the_same_rows_whether_it_names_the_units_or_reads_the_period(
    client, personas, moved, monkeypatch
):
    """A small subtree's rows are read by naming its units, a large one's by reading the
    period's and keeping the listed (`pages._of_units`): the same rows either way."""
    client.force_login(personas.rector)
    scopes = [("IE", "2024"), ("NV", "2024"), ("NV", "2025"), ("NTNU", "2024")]

    def tables() -> list[dict[str, list[str]]]:
        return [completeness_rows(client, unit=u, period=p) for u, p in scopes]

    named = tables()
    monkeypatch.setattr(pages, "NAMED_UNITS_AT_MOST", 0)
    assert tables() == named
    assert label("IDI") in named[0] and label("IDI") not in named[1]
    assert named[0][label("IDI")][2] == str(submitted_by_idi())


# --- Goal page ------------------------------------------------------------------------------


def reporting_units(client, **params) -> list[str]:
    return [row[0] for row in csv_table(client, GOAL, "reports", **params)[1:]]


def test_the_goal_page_before_a_move_lists_the_moved_units_report_under_the_old_parent(
    client, personas, moved
):
    client.force_login(personas.rector)
    assert unit("IDI").name in reporting_units(client, unit="IE", period="2024")
    assert unit("IDI").name not in reporting_units(client, unit="NV", period="2024")


def test_the_goal_page_lists_a_merged_units_report_marked_as_merged(client, personas, merged):
    client.force_login(personas.rector)
    assert label("IDI", "IDI (merged into IDX)") in reporting_units(
        client, unit="IE", period="2024"
    )
    page = get(client, GOAL, unit="IE", period="2024").content.decode()
    assert "IDI (merged into IDX)" in page


# --- Exceptions -----------------------------------------------------------------------------


@pytest.fixture
def exceptions_moved(strategy):
    made = build_exceptions_dataset()
    move_idi_to_nv()
    return made


def listed(unit_code: str, year: str) -> tuple[set[str], set[str]]:
    """The codes of the exceptions listed for the unit, and the units of their reports."""
    rows = exceptions(period=period(year), unit=unit(unit_code), policy=Policy(True, ()))
    return {r.code for r in rows}, {rep.unit_code for r in rows for rep in r.reports}


def test_exceptions_before_a_move_list_the_moved_units_indicators_and_reports_under_the_old_parent(
    exceptions_moved,
):
    codes, reporters = listed("IE", "2024")
    assert "X-A" in codes and "IDI" in reporters


def test_exceptions_before_a_move_leave_the_moved_unit_out_of_the_new_parent(exceptions_moved):
    codes, reporters = listed("NV", "2024")
    assert not codes & {"X-A", "X-B", "X-C"} and "IDI" not in reporters


def test_open_actions_follow_the_tree_of_the_period(exceptions_moved):
    action = exceptions_moved["open_action"].action

    def actions(unit_code: str) -> list[str]:
        found = open_actions(period=period("2024"), unit=unit(unit_code), policy=Policy(True, ()))
        return [a.action for a in found]

    assert action in actions("IE") and action not in actions("NV")


def test_the_exceptions_page_before_a_move_lists_the_moved_units_indicators_under_the_old_parent(
    client, personas, exceptions_moved
):
    client.force_login(personas.rector)
    url = reverse("dashboards:exceptions")
    under_ie = get(client, url, unit="IE").content.decode()
    under_nv = get(client, url, unit="NV").content.decode()
    assert "Indicator A" in under_ie and "Indicator A" not in under_nv


# --- Board report ---------------------------------------------------------------------------


def test_the_board_report_before_a_move_lists_the_moved_units_indicators_under_the_old_parent(
    personas, exceptions_moved
):
    def listed_in_report(unit_code: str) -> tuple[set[str], set[str]]:
        report = board_report(personas.rector, period=period("2024"), unit=unit(unit_code))
        appendix = {line.indicator.spec.code for line in report.appendix}
        off_track = {r.code for area in report.areas for r in area.indicator_exceptions}
        return appendix, off_track

    (ie_appendix, ie_off), (nv_appendix, nv_off) = listed_in_report("IE"), listed_in_report("NV")
    assert "X-A" in ie_appendix and "X-A" in ie_off
    assert "X-A" not in nv_appendix and "X-A" not in nv_off


def test_the_api_figures_before_a_move_count_the_moved_units_indicators_under_the_old_parent(
    personas, exceptions_moved
):
    def indicators(unit_code: str) -> set[str]:
        found = dashboard_figures(personas.rector, period="2024", unit=unit_code)
        return {row["code"] for row in found.rows if row["kind"] == "indicator"}

    assert "X-A" in indicators("IE") and "X-A" not in indicators("NV")
    assert "X-A" in {
        row["code"]
        for row in dashboard_figures(personas.rector, period="2025", unit="NV").rows
        if row["kind"] == "indicator"
    }


# --- Indicator page -------------------------------------------------------------------------


@pytest.fixture
def ntnu_sum(strategy):
    """An NTNU-owned sum with 2024 values at IDI (7) and IBI (5), then IDI moved to NV."""
    indicator = IndicatorFactory(
        goal=goal("RES-3"), owner_unit=unit("NTNU"), aggregation="sum", decimals=0
    )
    for code, value in (("IDI", 7), ("IBI", 5)):
        Measurement.objects.create(
            indicator=indicator, unit=unit(code), period=period("2024"), value=Decimal(value)
        )
    figures.rebuild()
    move_idi_to_nv()
    return indicator


def unit_values(client, indicator, **params) -> dict[str, str]:
    url = reverse("dashboards:indicator", args=[indicator.pk])
    rows = csv_table(client, url, "units", **params)
    return {row[0].strip("\u2003 "): row[1] for row in rows[1:]}


def test_the_indicator_page_before_a_move_rolls_the_moved_unit_up_under_the_old_parent(
    client, personas, ntnu_sum
):
    client.force_login(personas.rector)
    under_ie = unit_values(client, ntnu_sum, unit="IE", period="2024")
    under_nv = unit_values(client, ntnu_sum, unit="NV", period="2024")
    assert (under_ie[label("IE")], under_ie[label("IDI")]) == ("7", "7")
    assert under_nv[label("NV")] == "5" and label("IDI") not in under_nv


def test_the_indicator_page_after_a_move_lists_the_unit_under_its_new_parent(
    client, personas, ntnu_sum
):
    Measurement.objects.create(
        indicator=ntnu_sum, unit=unit("IDI"), period=period("2025"), value=Decimal(3)
    )
    figures.settle()
    client.force_login(personas.rector)
    under_nv = unit_values(client, ntnu_sum, unit="NV", period="2025")
    assert (under_nv[label("NV")], under_nv[label("IDI")]) == ("3", "3")
    assert label("IDI") not in unit_values(client, ntnu_sum, unit="IE", period="2025")


def test_the_indicator_page_lists_a_merged_unit_for_the_year_it_existed_marked_as_merged(
    client, personas, strategy
):
    indicator = IndicatorFactory(
        goal=goal("RES-3"), owner_unit=unit("NTNU"), aggregation="sum", decimals=0
    )
    Measurement.objects.create(
        indicator=indicator, unit=unit("IDI"), period=period("2024"), value=Decimal(7)
    )
    idx = Unit.objects.create(code="IDX", name="IDX", kind="department", parent=unit("IE"))
    figures.rebuild()
    unit("IDI").merge_into(idx, on=MOVED_ON)
    figures.settle()
    client.force_login(personas.rector)
    values = unit_values(client, indicator, unit="IE", period="2024")
    assert values[label("IDI", "IDI (merged into IDX)")] == "7"
    assert values[label("IE")] == "7"


# --- No page fails ------------------------------------------------------------------------


def test_no_list_page_fails_for_a_merged_unit_in_any_year(client, personas, merged):
    ProgressReportFactory(goal=goal("RES-3"), unit=unit("IDX"), period=period("2025"))
    client.force_login(personas.rector)
    for url in (COMPLETENESS, GOAL, reverse("dashboards:exceptions")):
        for code in ("IE", "IDX", "NTNU"):
            for year in ("2024", "2025"):
                assert get(client, url, unit=code, period=year).status_code == 200


def test_the_indicator_page_names_a_merged_unit_that_has_not_reported_without_a_link(
    client, personas, strategy
):
    indicator = IndicatorFactory(
        goal=goal("RES-3"), owner_unit=unit("IE"), aggregation="sum", decimals=0
    )
    Measurement.objects.create(
        indicator=indicator, unit=unit("IEL"), period=period("2024"), value=Decimal(1)
    )
    idx = Unit.objects.create(code="IDX", name="IDX", kind="department", parent=unit("IE"))
    unit("IDI").merge_into(idx, on=MOVED_ON)
    figures.settle()
    client.force_login(personas.rector)
    url = reverse("dashboards:indicator", args=[indicator.pk])
    response = get(client, url, unit="IE")
    page = response.content.decode()
    assert response.status_code == 200 and unit("IDI").name in page
    assert "/dashboard/unit/IDI/?period=2024" not in page


def test_a_moved_units_indicator_page_for_the_year_before_shows_its_share_of_the_old_parents(
    client, personas, strategy
):
    indicator = IndicatorFactory(
        goal=goal("RES-3"), owner_unit=unit("IE"), aggregation="sum", decimals=0
    )
    Measurement.objects.create(
        indicator=indicator, unit=unit("IDI"), period=period("2024"), value=Decimal(7)
    )
    figures.rebuild()
    move_idi_to_nv()
    client.force_login(personas.rector)
    assert unit_values(client, indicator, unit="IDI", period="2024") == {label("IDI"): "7"}


def test_the_exceptions_page_marks_a_merged_units_reports_and_links_to_them(
    client, personas, strategy
):
    build_exceptions_dataset()
    idx = Unit.objects.create(code="IDX", name="IDX", kind="department", parent=unit("IE"))
    unit("IDI").merge_into(idx, on=MOVED_ON)
    figures.settle()
    client.force_login(personas.rector)
    page = get(client, reverse("dashboards:exceptions"), unit="IE").content.decode()
    assert "IDI (merged into IDX)" in page
    report = reverse("goals:report", args=["IDI", "2024", goal("RES-3").pk])
    assert report in page and client.get(report).status_code == 200
