"""An import flags absurd values in its report (issue 10, item 7); see
tests/indicators/test_implausible_values.py for the grid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jobs.models import JobState
from tests.factories import IndicatorFactory
from tests.spreadsheets.conftest import csv_bytes, row


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


@pytest.fixture
def headcount(strategy):
    return IndicatorFactory(
        code="IDI-HEADS",
        measure="count",
        decimals=0,
        baseline_value=Decimal(4980),
        target_value=Decimal(5200),
    )


def test_an_import_flags_an_absurd_value_in_its_report(reporter_client, headcount, upload):
    _response, job = upload(
        csv_bytes(
            [row(headcount, 1_000_000_000)],
            header=["indicator_code", "indicator_name", "unit_code", "period", "value", "comment"],
        ),
        "values.csv",
    )
    assert job.state == JobState.DONE
    assert job.result["flagged"][0]["row"] == 2
    page = reporter_client.get(job.get_absolute_url()).content.decode()
    assert "Imported, but unusual" in page
    assert "more than 52000 is not" in page
