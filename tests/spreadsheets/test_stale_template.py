"""A stale spreadsheet does not silently overwrite newer values (issue 10, item 5): the template
carries each row's base version; a value changed since is refused with who and when, unless the
user chooses to overwrite."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Measurement
from jobs.models import Job, JobState
from tests.factories import IndicatorFactory, MeasurementFactory, period, unit


@pytest.fixture
def reporter(client, personas):
    client.force_login(personas.idi_reporter)
    return personas.idi_reporter


@pytest.fixture
def four_values(reporter):
    return [
        MeasurementFactory(
            indicator=IndicatorFactory(code=f"IDI-{n}"),
            unit=unit("IDI"),
            period=period("2025"),
            value=10 + n,
        )
        for n in range(4)
    ]


def download_template(client) -> openpyxl.Workbook:
    response = client.get(
        reverse("spreadsheets:template"), {"unit": "IDI", "period": "2025", "format": "xlsx"}
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(client, workbook, capture, **extra) -> Job:
    buffer = io.BytesIO()
    workbook.save(buffer)
    with capture(execute=True):
        client.post(
            reverse("spreadsheets:import"),
            {"file": SimpleUploadedFile("values.xlsx", buffer.getvalue()), **extra},
        )
    return Job.objects.order_by("-pk").first()


def change_in_the_grid(values, personas):
    for stored in values:
        Measurement.record(
            indicator=stored.indicator,
            unit=stored.unit,
            period=stored.period,
            value=Decimal(99),
            comment="from the grid",
            by=personas.ie_leader,
            based_on=stored.version,
        )


def fill_in(workbook, value) -> None:
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        row[4].value = value


def test_the_template_carries_each_rows_base_version(client, four_values):
    rows = list(download_template(client).active.values)
    assert rows[0][-1] == "based_on_version"
    assert {row[-1] for row in rows[1:]} == {1}


def test_an_old_file_does_not_revert_values_changed_since_and_says_who_changed_them(
    client, personas, four_values, django_capture_on_commit_callbacks
):
    workbook = download_template(client)
    change_in_the_grid(four_values, personas)
    fill_in(workbook, 5)
    job = upload(client, workbook, django_capture_on_commit_callbacks)
    assert job.state == JobState.FAILED
    assert len(job.errors) == 4
    assert "Changed by ie-leader" in job.errors[0]["message"]
    assert "now 99" in job.errors[0]["message"]
    assert set(Measurement.objects.values_list("value", flat=True)) == {Decimal(99)}
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Changed by ie-leader" in page


def test_the_user_may_choose_to_overwrite_newer_values(
    client, personas, four_values, django_capture_on_commit_callbacks
):
    workbook = download_template(client)
    change_in_the_grid(four_values, personas)
    fill_in(workbook, 5)
    job = upload(client, workbook, django_capture_on_commit_callbacks, overwrite="on")
    assert job.state == JobState.DONE
    assert job.result["updated"] == 4
    assert set(Measurement.objects.values_list("value", flat=True)) == {Decimal(5)}


def test_a_fresh_template_imports_without_a_conflict(
    client, four_values, django_capture_on_commit_callbacks
):
    workbook = download_template(client)
    fill_in(workbook, 7)
    job = upload(client, workbook, django_capture_on_commit_callbacks)
    assert job.state == JobState.DONE
    assert set(Measurement.objects.values_list("version", flat=True)) == {2}


def test_an_unchanged_row_of_an_old_file_is_not_a_conflict(
    client, personas, four_values, django_capture_on_commit_callbacks
):
    workbook = download_template(client)
    change_in_the_grid(four_values[:1], personas)
    sheet = workbook.active
    sheet.cell(row=2, column=5).value = 99  # what the grid now holds
    sheet.cell(row=2, column=6).value = "from the grid"
    job = upload(client, workbook, django_capture_on_commit_callbacks)
    assert job.state == JobState.DONE


@pytest.mark.parametrize("version", ["abc", "-1", "1.5", "9" * 12])
def test_a_damaged_version_cell_is_reported(
    client, four_values, django_capture_on_commit_callbacks, version
):
    workbook = download_template(client)
    workbook.active.cell(row=2, column=7).value = version
    job = upload(client, workbook, django_capture_on_commit_callbacks)
    assert job.state == JobState.FAILED
    assert job.errors[0]["column"] == "based_on_version"
