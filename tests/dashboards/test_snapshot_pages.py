"""The "as reported" figures beside the current ones on the dashboards, and in the export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from indicators.models import Measurement
from spreadsheets.exports import dashboard_sheet
from tests.factories import period, unit
from tests.spreadsheets.test_export import download, export, rows_of

GOAL_PAGE = "/dashboard/area/RES/goal/RES-3/"


def table_csv(client, url: str, table: str) -> list[dict]:
    response = client.get(url, {"period": "2024", "format": "csv", "table": table})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def cumulative(made):
    return next(i for i in made["indicators"] if i.accumulation == "cumulative")


@pytest.fixture
def corrected_after_closing(dashboard_data, personas):
    """2024 closed with IDI's cumulative value at 30 (total 45), then corrected to 45 (total 60)."""
    made = dashboard_data(1)
    year = period("2024")
    year.open()
    year.close(by=personas.administrator)
    corrected = Measurement.objects.filter(
        indicator=cumulative(made), unit=unit("IDI"), period=year
    )
    corrected.update(value=Decimal("45"))  # a bulk correction, announced as every write path does
    Measurement.announce_changed({m.key for m in corrected})
    return made


def test_a_closed_periods_goal_page_marks_a_corrected_figure_as_changed(
    client, personas, corrected_after_closing
):
    client.force_login(personas.rector)
    rows = table_csv(client, GOAL_PAGE, "as-reported")
    indicator = cumulative(corrected_after_closing)
    row = next(r for r in rows if r["Figure"].endswith(f"({indicator.code})"))
    assert (row["Value as reported"], row["Value now"]) == ("45", "60")
    assert row["Changed since closing"] == "≠ Changed"
    assert "As reported and now" in client.get(GOAL_PAGE, {"period": "2024"}).content.decode()


def test_figures_that_did_not_change_are_not_marked(client, personas, corrected_after_closing):
    client.force_login(personas.rector)
    rows = table_csv(client, "/dashboard/", "as-reported")
    edu = next(r for r in rows if r["Figure"].endswith(" (EDU)"))
    assert edu["Changed since closing"] == ""
    assert edu["Status as reported"] == edu["Status now"]


def test_an_open_period_shows_no_as_reported_figures(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = client.get("/dashboard/", {"period": "2024"}).content.decode()
    assert "As reported and now" not in page


def test_a_faculty_leader_sees_no_as_reported_figures_of_the_whole_university(
    client, personas, corrected_after_closing
):
    client.force_login(personas.ie_leader)
    page = client.get(GOAL_PAGE, {"period": "2024"}).content.decode()
    assert "As reported and now" not in page


def test_the_exported_dashboard_figures_are_numbers_not_formulas_and_equal_the_dashboards(
    client, personas, dashboard_data, django_capture_on_commit_callbacks
):
    dashboard_data(1)
    client.force_login(personas.rector)
    workbook, _ = download(client, export(client, django_capture_on_commit_callbacks, "2024"))
    sheet = workbook["Dashboard figures"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    exported = {(r["Level"], r["Code"]): r for r in rows_of(sheet)}
    shown = table_csv(client, "/dashboard/", "goals")
    assert shown
    for goal in shown:
        code = goal["Goal"].rsplit("(", 1)[1].rstrip(")")
        row = exported[("Goal", code)]
        assert row["Status"] == goal["Status"]
        progress = "" if row["Progress (%)"] is None else f"{row['Progress (%)']:.0f} %"
        assert progress == goal["Progress (%)"]
    for indicator in table_csv(client, GOAL_PAGE, "indicators"):
        row = exported[("Indicator", indicator["Code"])]
        assert (row["Status"], str(row["Value"] if row["Value"] is not None else "")) == (
            indicator["Status"],
            indicator["Actual"],
        )


def test_the_export_of_a_closed_period_has_the_figures_as_reported(
    personas, corrected_after_closing
):
    sheet = dashboard_sheet(period("2024"), personas.rector)
    rows = [dict(zip(sheet.header, row, strict=True)) for row in sheet.rows]
    indicator = cumulative(corrected_after_closing)
    row = next(r for r in rows if r["Code"] == indicator.code)
    assert (row["Value as reported"], row["Value"]) == (45, 60)
    assert row["Changed since closing"] == "Changed"


def test_closing_a_period_already_shown_brings_its_as_reported_figures_on_the_next_request(
    client, personas, dashboard_data
):
    """The pages' cached frame says which periods have a snapshot; taking one renews it."""
    dashboard_data(1)
    client.force_login(personas.rector)
    assert (
        "As reported and now" not in client.get("/dashboard/", {"period": "2024"}).content.decode()
    )
    year = period("2024")
    year.open()
    year.close(by=personas.administrator)
    assert "As reported and now" in client.get("/dashboard/", {"period": "2024"}).content.decode()


def test_a_snapshot_whose_frame_change_is_left_to_the_worker_is_shown_at_once(
    client, personas, dashboard_data, settings
):
    """With a broker, a page leaves a fresh change to the worker and shows the older frame:
    the snapshot is read all the same while the frame waits to be renewed."""
    dashboard_data(1)
    client.force_login(personas.rector)
    client.get("/dashboard/", {"period": "2024"})  # the frame, cached without a snapshot
    settings.CELERY_TASK_ALWAYS_EAGER = False
    year = period("2024")
    year.open()
    year.close(by=personas.administrator)
    page = client.get("/dashboard/", {"period": "2024"}).content.decode()
    assert "As reported and now" in page
