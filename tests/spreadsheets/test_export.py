from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jobs.models import Job, JobState
from spreadsheets.cells import escape_formula
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    period,
    unit,
)

DANGEROUS = ['=HYPERLINK("http://evil","x")', "+41 99", "-5 % on last year", "@SUM(A1)", "\tx"]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        ("", ""),
        ("bell\x07", "bell"),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text, escaped):
    assert escape_formula(text) == escaped


@pytest.mark.parametrize("value", [None, 5, Decimal("-1.5"), -3.0])
def test_numbers_and_empty_cells_are_left_alone(value):
    assert escape_formula(value) == value


@pytest.fixture
def period_data(personas):
    """Values and reports of 2025 at IDI and at NV, with text that looks like formulas."""
    p2025 = period("2025")
    idi = IndicatorFactory(code="IDI-PUB", name_en=DANGEROUS[0])
    nv = IndicatorFactory(code="NV-PUB", owner_unit=unit("NV"))
    for number, text in enumerate(DANGEROUS):
        MeasurementFactory(
            indicator=IndicatorFactory(code=f"IDI-X{number}"),
            period=p2025,
            value=Decimal(number) + Decimal("0.5"),
            comment=text,
        )
    MeasurementFactory(indicator=idi, period=p2025, value=Decimal("120.5"))
    MeasurementFactory(indicator=nv, unit=unit("NV"), period=p2025, value=Decimal("7"))
    ProgressReportFactory(period=p2025, narrative="=cmd|' /C calc'!A0", risks="-")
    return p2025


def export(client, django_capture_on_commit_callbacks, period_code: str = "2025") -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spreadsheets:export"), {"period": period_code})
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    return job


def download(client, job) -> tuple[openpyxl.Workbook, str]:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content)), response["Content-Disposition"]


def rows_of(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_export_round_trip_has_no_formulas_and_the_databases_values(
    client, personas, period_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    job = export(client, django_capture_on_commit_callbacks)
    assert job.state == JobState.DONE
    workbook, _disposition = download(client, job)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {
        (r["Indicator code"], r["Unit code"]): Decimal(str(r["Value"]))
        for r in rows_of(workbook["Indicators"])
        if r["Value"] is not None
    }
    from indicators.models import Measurement

    assert values == {
        (m.indicator.code, m.unit.code): m.value
        for m in Measurement.objects.select_related("indicator", "unit")
    }


def test_text_from_users_is_escaped_in_the_export(
    client, personas, period_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    workbook, _ = download(client, export(client, django_capture_on_commit_callbacks))
    comments = {r["Comment"] for r in rows_of(workbook["Indicators"])} - {None}
    assert comments == {"'" + text for text in DANGEROUS}
    [report] = rows_of(workbook["Progress reports"])
    assert report["Narrative"] == "'=cmd|' /C calc'!A0"


def test_the_file_name_is_chosen_by_the_server(
    client, personas, period_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    _workbook, disposition = download(client, export(client, django_capture_on_commit_callbacks))
    assert re.fullmatch(r'attachment; filename="veikart-2025-\d{8}-\d{6}\.xlsx"', disposition)


def test_the_export_holds_only_the_units_the_person_may_see(
    client, personas, period_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.idi_reporter)
    workbook, _ = download(client, export(client, django_capture_on_commit_callbacks))
    units = {r["Unit code"] for r in rows_of(workbook["Indicators"])}
    assert units == {"IDI"}


def test_the_export_has_sheets_for_goals_indicators_and_reports(
    client, personas, period_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    workbook, _ = download(client, export(client, django_capture_on_commit_callbacks))
    assert workbook.sheetnames == [
        "About",
        "Areas and goals",
        "Indicators",
        "Progress reports",
        "Dashboard figures",
    ]
    goals = rows_of(workbook["Areas and goals"])
    assert {"Area code": "RES", "Goal code": "RES-3"}.items() <= next(
        g for g in goals if g["Goal code"] == "RES-3"
    ).items()


def test_someone_else_cannot_download_the_export(
    client, personas, period_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    job = export(client, django_capture_on_commit_callbacks)
    client.force_login(personas.ie_leader)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
