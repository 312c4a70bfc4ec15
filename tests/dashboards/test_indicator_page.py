"""The indicator page: each unit's value, target and whether it has reported, the trend and the
forecast, for a dataset built here whose figures are worked out by hand.

IE owns "Study points" (a sum over its six departments), baseline 100 in 2019, target 130 by
2025. IDI gives 50, 54, 57, 62, 65 for 2019–2023 and 70 in 2024; IEL, ITK, IIK and IES give 10
every year; IMF gives 10 until 2023 and nothing for 2024. IE's totals 2019–2023 are 100, 104,
107, 112, 115: worked example 1 of docs/scoring.md section 7 ("reached in 2027, 2 years late;
less than one chance in twenty"). 2024 is incomplete (IMF missing), so it is not scored and
is left out of the forecast. IDI has its own contribution target of 80 by 2025.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import figures
from indicators.models import Indicator, Measurement
from tests.factories import (
    IndicatorFactory,
    ProgressReportFactory,
    TargetFactory,
    goal,
    period,
    unit,
)

YEARS = ["2019", "2020", "2021", "2022", "2023", "2024"]
IDI_VALUES = [50, 54, 57, 62, 65, 70]
OTHERS = ["IEL", "ITK", "IIK", "IES", "IMF"]


@pytest.fixture
def study_points(strategy) -> Indicator:
    return make_study_points()


def make_study_points() -> Indicator:
    """The dataset of this module's docstring."""
    indicator = IndicatorFactory(
        goal=goal("EDU-1"),
        owner_unit=unit("IE"),
        name_en="Study points",
        name_nb="Studiepoeng",
        code="E-SP",
        aggregation="sum",
        decimals=0,
        baseline_value=Decimal(100),
        baseline_period=period("2019"),
        target_value=Decimal(130),
        target_period=period("2025"),
    )
    rows = []
    for year, idi in zip(YEARS, IDI_VALUES, strict=True):
        rows.append(
            Measurement(indicator=indicator, unit=unit("IDI"), period=period(year), value=idi)
        )
        for code in OTHERS:
            if code == "IMF" and year == "2024":
                continue
            rows.append(
                Measurement(indicator=indicator, unit=unit(code), period=period(year), value=10)
            )
    Measurement.objects.bulk_create(rows)
    Measurement.announce_changed({m.key for m in rows})
    TargetFactory(indicator=indicator, unit=unit("IDI"), period=period("2025"), value=Decimal(80))
    return indicator


def url(indicator: Indicator) -> str:
    return reverse("dashboards:indicator", args=[indicator.pk])


def page(client, indicator, **params) -> str:
    response = client.get(url(indicator), {"period": "2024", **params})
    assert response.status_code == 200
    return response.content.decode()


def test_rector_sees_each_units_value_and_who_has_not_reported(client, personas, study_points):
    client.force_login(personas.rector)
    html = page(client, study_points)
    assert "5 of 6 units have reported." in html
    assert "Not yet reported" in html and "Department of Mathematical Sciences</a>" in html
    rows = units_csv(client, study_points)
    assert rows["IE"][:2] == ["110", ""]  # 70 + 4 × 10, IMF missing
    assert rows["IDI"][:2] == ["70", ""]
    assert rows["IMF"][-1] == "Not yet"
    assert rows["IE"][-1] == "5 of 6"


def units_csv(client, indicator) -> dict[str, list[str]]:
    response = client.get(url(indicator), {"period": "2024", "format": "csv", "table": "units"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Unit"
    return {row[0].strip("\u2003 ").rsplit("(", 1)[1].rstrip(")"): row[1:] for row in rows[1:]}


def test_a_department_with_its_own_target_sees_it_others_see_the_facultys_as_a_whole(
    client, personas, study_points
):
    client.force_login(personas.rector)
    rows = units_csv(client, study_points)
    # Columns after the unit: value, its note, target, whose target, progress, status, reported.
    assert rows["IDI"][2:4] == ["80", "its own"]
    assert rows["IEL"][2:4] == ["130", "IE's, as a whole"]
    assert rows["IE"][2:4] == ["130", "its own"]


def test_a_part_of_a_sum_is_not_scored_and_an_incomplete_sum_has_no_status(
    client, personas, study_points
):
    client.force_login(personas.rector)
    rows = units_csv(client, study_points)
    assert rows["IDI"][5] == "not scored"
    assert rows["IE"][5] == "No data"  # IMF is missing: a part of the whole is not scored


def test_forecast_is_shown_apart_from_the_status_in_words(client, personas, study_points):
    client.force_login(personas.rector)
    html = page(client, study_points)
    assert "A forecast, not a status" in html
    assert (
        "At this pace the target is reached in 2027, 2 years late. There is less than one "
        "chance in twenty of reaching the target by 2025." in html
    )
    assert "Forecast for 2025: 123, 8 in 10 chances between 122 and 125." in html
    assert "From 5 values." in html  # 2024 is an incomplete sum, left out


def test_too_little_data_to_forecast_is_said(client, personas, study_points):
    client.force_login(personas.rector)
    html = page(client, study_points, period="2020")
    assert "Too little data to forecast: 2 values, at least 3 are needed." in html


def test_the_trend_is_drawn_on_the_server_without_plotly(client, personas, study_points):
    client.force_login(personas.rector)
    html = page(client, study_points)
    assert '<svg class="trend-chart"' in html
    assert 'class="trend-band"' in html and 'class="trend-trajectory"' in html
    assert "plotly" not in html


def test_a_department_reporter_sees_only_their_own_unit_and_not_the_faculty_as_a_whole(
    client, personas, study_points
):
    client.force_login(personas.idi_reporter)
    rows = units_csv(client, study_points)
    assert list(rows) == ["IDI"]
    html = page(client, study_points)
    assert "which you cannot read" in html
    assert "At this pace" not in html


@pytest.mark.parametrize("persona", ["nv_reporter", "outsider"])
def test_someone_outside_the_owners_subtree_gets_404(client, personas, study_points, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(url(study_points), {"period": "2024"}).status_code == 404


def test_a_unit_outside_the_owners_subtree_says_the_indicator_is_not_measured_there(
    client, personas, study_points
):
    client.force_login(personas.rector)
    html = page(client, study_points, unit="NV")
    assert "This indicator is not measured in Faculty of Natural Sciences" in html


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/dashboard/indicator/999999/", {}),
        ("/dashboard/indicator/-1/", {}),
        ("/dashboard/indicator/abc/", {}),
        (None, {"period": "2099"}),
        (None, {"period": "<script>"}),
        (None, {"unit": "NOPE"}),
        (None, {"unit": "'; drop table x"}),
    ],
)
def test_bad_ids_and_filters_are_404(client, personas, study_points, path, params):
    client.force_login(personas.rector)
    assert client.get(path or url(study_points), params).status_code == 404


def test_an_inactive_indicator_is_404(client, personas, study_points):
    Indicator.objects.filter(pk=study_points.pk).update(active=False)
    client.force_login(personas.rector)
    assert client.get(url(study_points)).status_code == 404


def test_the_units_table_downloads_as_xlsx(client, personas, study_points):
    from openpyxl import load_workbook

    client.force_login(personas.rector)
    response = client.get(url(study_points), {"period": "2024", "format": "xlsx", "table": "units"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Unit"
    assert sheet["B2"].value == 110


def test_the_page_reads_the_same_few_queries_at_two_data_sizes(
    client, personas, study_points, dashboard_data
):
    from tests.dashboards.test_pages import QUERIES

    client.force_login(personas.rector)

    def count() -> int:
        page(client, study_points)
        with CaptureQueriesContext(connection) as queries:
            page(client, study_points)
        return len(queries)

    figures.settle()
    small = count()
    dashboard_data(2, reports=False)
    for code in OTHERS[:-1]:
        for year in YEARS[:3]:
            Measurement.objects.create(
                indicator=study_points, unit=unit(code), period=period(year + "-T1"), value=3
            )
    figures.settle()
    large = count()
    assert small <= QUERIES
    assert large == small


def test_the_page_is_in_norwegian_for_a_norwegian_reader(client, personas, study_points):
    client.force_login(personas.rector)
    response = client.get(url(study_points), {"period": "2024"}, HTTP_ACCEPT_LANGUAGE="nb")
    html = response.content.decode()
    assert "Studiepoeng" in html
    assert "En prognose, ikke en status" in html
    assert "5 av 6 enheter har rapportert." in html


# --- Where the indicator page is reached from ------------------------------------------------

GOAL_PAGE = "/dashboard/area/EDU/goal/EDU-1/"


def test_the_goal_page_puts_the_units_narratives_before_the_indicator_rows(
    client, personas, study_points
):
    ProgressReportFactory(
        goal=goal("EDU-1"),
        unit=unit("IDI"),
        period=period("2024"),
        status="at_risk",
        narrative="Fewer exams than planned.",
        state="submitted",
    )
    client.force_login(personas.rector)
    html = page_at(client, GOAL_PAGE)
    narrative = html.index("Fewer exams than planned.")
    rows = html.index('<table class="data indicator-rows">')
    assert narrative < rows
    assert html.index("What the units say") < html.index('id="indicators-title"')


def test_a_goal_page_row_names_the_indicator_first_and_opens_its_page(
    client, personas, study_points
):
    client.force_login(personas.rector)
    html = page_at(client, GOAL_PAGE)
    link = (
        f'<a href="{url(study_points)}?period=2024">Study points</a> <span class="code">E-SP</span>'
    )
    assert link in html
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if "E-SP" in r)
    assert '<svg class="sparkline"' in row
    assert "2019: 100, 2020: 104, 2021: 107, 2022: 112, 2023: 115, 2024: –" in row
    assert "less than one chance in twenty by 2025" in row
    assert "plotly" not in html


def test_the_unit_page_links_its_indicators_with_a_sparkline_and_forecast(
    client, personas, study_points
):
    client.force_login(personas.rector)
    html = page_at(client, "/dashboard/unit/IE/")
    assert f'<a href="{url(study_points)}?period=2024&amp;unit=IE">' in html
    rows = csv_of(client, "/dashboard/unit/IE/", "indicators")
    row = next(r for r in rows if "E-SP" in r["Indicator"])
    assert row["Forecast"] == "less than one chance in twenty by 2025"
    assert row["Trend"].startswith("2019: 100, 2020: 104")


def test_the_units_share_links_to_the_indicator_page_for_that_unit(client, personas, study_points):
    client.force_login(personas.rector)
    html = page_at(client, "/dashboard/unit/IDI/")
    assert f'<a href="{url(study_points)}?period=2024&amp;unit=IDI">' in html


def test_the_area_page_draws_each_goals_progress_on_the_server(client, personas, study_points):
    client.force_login(personas.rector)
    html = page_at(client, "/dashboard/area/EDU/")
    assert '<svg class="sparkline"' in html
    assert "Progress of" in html


def test_the_grid_and_the_report_page_link_the_indicator_to_its_page(
    client, personas, study_points
):
    report = ProgressReportFactory(
        goal=goal("EDU-1"), unit=unit("IDI"), period=period("2024"), state="submitted"
    )
    client.force_login(personas.idi_reporter)
    grid = client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert f'<a href="{url(study_points)}?unit=IDI">Study points</a>' in grid
    detail = client.get(report.get_absolute_url()).content.decode()
    assert f'<a href="{url(study_points)}?period=2024&amp;unit=IDI">Study points</a>' in detail


def page_at(client, path: str) -> str:
    response = client.get(path, {"period": "2024"})
    assert response.status_code == 200
    return response.content.decode()


def csv_of(client, path: str, table: str) -> list[dict[str, str]]:
    response = client.get(path, {"period": "2024", "format": "csv", "table": table})
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
