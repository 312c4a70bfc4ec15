"""Absurd values (issue 10, item 7): a value far beyond an indicator's baseline and target needs
a confirmation in the grid, is flagged in an import's report, and is flagged where it is shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Measurement
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    goal,
    period,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


@pytest.fixture
def headcount(strategy):
    """A count with a baseline near 5,000, as in the issue."""
    return IndicatorFactory(
        code="IDI-HEADS",
        measure="count",
        decimals=0,
        baseline_value=Decimal(4980),
        target_value=Decimal(5200),
    )


def save(client, indicator, value: str, **extra):
    prefix = f"m{indicator.pk}-{period('2025').pk}"
    data = {f"{prefix}-value": value, f"{prefix}-comment": "", f"{prefix}-version": "0"}
    data |= {f"{prefix}-{name}": v for name, v in extra.items()}
    url = reverse("indicators:measurement_save", args=["IDI", indicator.pk, "2025"])
    return client.post(url, data, **HTMX)


def test_the_grid_asks_for_a_confirmation_of_an_absurd_value(reporter_client, headcount):
    response = save(reporter_client, headcount, "1000000000")
    page = response.content.decode()
    assert "Far beyond this indicator&#x27;s baseline and target" in page
    assert "The value is right" in page
    assert not Measurement.objects.exists()


def test_a_confirmed_absurd_value_is_saved_and_flagged_in_the_grid(reporter_client, headcount):
    save(reporter_client, headcount, "1000000000", confirm="on")
    assert Measurement.objects.get().value == Decimal(1_000_000_000)
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "unusual" in page


def test_a_plausible_value_needs_no_confirmation(reporter_client, headcount):
    save(reporter_client, headcount, "5100")
    assert Measurement.objects.get().value == Decimal(5100)


def test_an_indicator_without_baseline_or_target_asks_for_no_confirmation(reporter_client):
    free = IndicatorFactory(
        measure="count",
        decimals=0,
        baseline_value=None,
        baseline_period=None,
        target_value=None,
        target_period=None,
    )
    save(reporter_client, free, "1000000000")
    assert Measurement.objects.get().value == Decimal(1_000_000_000)


def test_the_report_page_flags_an_absurd_value(reporter_client, headcount):
    headcount.goal = goal("RES-3")
    headcount.save()
    MeasurementFactory(indicator=headcount, period=period("2025"), value=Decimal(10**9))
    ProgressReportFactory()
    page = reporter_client.get(
        reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])
    ).content.decode()
    values = page[page.index('id="values-title"') :]
    assert "unusual" in values
