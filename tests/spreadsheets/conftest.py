"""Helpers to build spreadsheets in tests and to upload them through the page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from jobs.models import Job
from spreadsheets.imports import COLUMNS
from tests.factories import IndicatorFactory


def xlsx_bytes(rows: list[list], header: list[str] = COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], header: list[str] = COLUMNS, *, delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def row(indicator, value, *, unit: str = "IDI", period: str = "2025", comment: str = "") -> list:
    return [indicator.code, indicator.name, unit, period, value, comment]


@pytest.fixture
def indicators(units) -> list:
    """Two yearly indicators of IDI (points, one decimal) and one percentage."""
    return [
        IndicatorFactory(code="IDI-PUB"),
        IndicatorFactory(code="IDI-CIT"),
        IndicatorFactory(
            code="IDI-PCT",
            measure="percent",
            decimals=0,
            baseline_value=None,
            baseline_period=None,
            target_value=None,
            target_period=None,
        ),
    ]


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Upload a file as the logged-in user; the job runs eagerly on commit. Returns the job."""

    def send(content: bytes, name: str = "values.xlsx", *, follow: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("spreadsheets:import"),
                {"file": SimpleUploadedFile(name, content)},
                follow=follow,
            )
        job = Job.objects.order_by("-pk").first()
        if job is not None:
            job.refresh_from_db()
        return response, job

    return send


def values(unit_code: str = "IDI") -> dict[str, Decimal]:
    from indicators.models import Measurement

    return {
        m.indicator.code: m.value
        for m in Measurement.objects.filter(unit__code=unit_code).select_related("indicator")
    }
