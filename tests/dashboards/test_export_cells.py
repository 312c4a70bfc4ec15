"""Downloads that stored text cannot break, and numbers that stay numbers (issue 10, items 3-4)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.tables import Cell, Table, to_csv, to_xlsx
from indicators.models import Indicator
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    goal,
    period,
    unit,
)

HOSTILE_PAGES = [
    "/dashboard/area/RES/goal/RES-3/",
    "/dashboard/area/RES/",
    "/dashboard/unit/IE/",
    "/dashboard/unit/IDI/",
]


@pytest.fixture
def hostile_text(strategy):
    """An indicator name with \\x01 and a narrative with \\x0b, stored past the forms (as before
    the forms refused them, or through a bulk path)."""
    indicator = IndicatorFactory(goal=goal("RES-3"), owner_unit=unit("IE"))
    Indicator.objects.filter(pk=indicator.pk).update(
        name="Pub\x01points", name_en="Pub\x01points", name_nb="Pub\x01points"
    )
    MeasurementFactory(indicator=indicator, unit=unit("IDI"), period=period("2024"), value=5)
    ProgressReportFactory(
        goal=goal("RES-3"),
        unit=unit("IDI"),
        period=period("2024"),
        narrative="Line\x0bbreak =HYPERLINK(1)",
        state="submitted",
    )
    return indicator


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_stored_control_characters_break_no_download_for_the_rector(
    client, personas, hostile_text, url
):
    client.force_login(personas.rector)
    page = client.get(url, {"period": "2024"})
    assert page.status_code == 200
    for table in page.context["tables"]:
        for fmt in ("xlsx", "csv"):
            response = client.get(url, {"period": "2024", "format": fmt, "table": table.name})
            assert response.status_code == 200, (table.name, fmt)
            if fmt == "xlsx":
                sheet = load_workbook(io.BytesIO(response.content)).active
                texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
            else:
                texts = [response.content.decode("utf-8-sig")]
            assert not any("\x01" in t or "\x0b" in t for t in texts)


def test_the_name_with_a_control_character_downloads_without_it(client, personas, hostile_text):
    client.force_login(personas.rector)
    url = "/dashboard/area/RES/goal/RES-3/"
    response = client.get(url, {"period": "2024", "format": "xlsx", "table": "indicators"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any("Pubpoints" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_csv_writes_negative_figures_as_numbers_and_escapes_only_text():
    table = Table(
        "t",
        "T",
        ["Name", "Progress", "Ratio", "Value"],
        [[Cell("-x"), Cell("-50 %", -50.0, percent=True), Cell("-0.53", -0.53), Cell("7", 7.0)]],
    )
    rows = list(csv.reader(io.StringIO(to_csv(table).content.decode("utf-8-sig"))))
    assert rows[1] == ["'-x", "-50%", "-0.53", "7"]


def test_xlsx_stores_percentages_as_fractions_with_a_percent_format():
    table = Table("t", "T", ["Progress", "Value"], [[Cell("87 %", 87.0, percent=True)]])
    table.rows[0].append(Cell("-3", -3.0))
    sheet = load_workbook(io.BytesIO(to_xlsx(table).content)).active
    assert sheet["A2"].value == pytest.approx(0.87)
    assert sheet["A2"].number_format == "0%"
    assert sheet["B2"].value == -3


def test_the_attach_form_refuses_a_control_character_in_the_name(client, personas, strategy):
    client.force_login(personas.idi_reporter)
    url = reverse("indicators:attach", args=["IDI"])
    form = client.get(url).context["form"]
    data = {
        "goal": goal("RES-3").pk,
        "name": "Bad\x01name",
        "measure": "count",
        "decimals": 0,
        "direction": "increase",
        "frequency": "year",
        "accumulation": "per_period",
        "token": form.initial["token"],
    }
    response = client.post(url, data)
    assert "Remove the invisible control character" in response.content.decode()
    assert not Indicator.objects.filter(name__startswith="Bad").exists()


def test_the_report_form_refuses_a_vertical_tab_but_keeps_tabs_and_line_breaks(
    client, personas, strategy
):
    client.force_login(personas.idi_reporter)
    url = reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])
    refused = client.post(url, {"status": "on_track", "narrative": "a\x0bb", "version": 0})
    assert "Remove the invisible control character" in refused.content.decode()
    kept = client.post(url, {"status": "on_track", "narrative": "a\tb\r\nc", "version": 0})
    assert kept.status_code == 302
