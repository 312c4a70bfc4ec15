""" "Save all": the whole grid in one submission, as it goes without JavaScript."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, period

GRID_SAVE = reverse("indicators:grid_save", args=["IDI"])


def cell(indicator, period_code="2025", **values) -> dict[str, str]:
    prefix = f"m{indicator.pk}-{period(period_code).pk}"
    return {f"{prefix}-{name}": value for name, value in values.items()}


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


@pytest.fixture
def three(strategy):
    return [IndicatorFactory(name_en=f"Indicator {n}", decimals=1) for n in range(3)]


def test_save_all_saves_every_changed_row_and_says_how_many(reporter_client, three):
    data = {}
    for number, indicator in enumerate(three):
        data |= cell(indicator, value=f"{number + 1},5", comment="", version="0")
    response = reporter_client.post(GRID_SAVE, data, follow=True)
    assert "Saved 3 values." in response.content.decode()
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [
        Decimal("1.5"),
        Decimal("2.5"),
        Decimal("3.5"),
    ]


def test_save_all_skips_blank_new_cells_and_unchanged_values(reporter_client, three):
    MeasurementFactory(indicator=three[0], period=period("2025"), value=Decimal("4"), comment="")
    data = cell(three[0], value="4", comment="", version="1")
    data |= cell(three[1], value="", comment="", version="0")
    data |= cell(three[2], value="7", comment="new", version="0")
    response = reporter_client.post(GRID_SAVE, data, follow=True)
    assert "Saved 1 value." in response.content.decode()
    assert Measurement.objects.get(indicator=three[0]).version == 1
    assert not Measurement.objects.filter(indicator=three[1]).exists()


def test_save_all_with_a_bad_row_saves_the_others_and_marks_the_bad_one(reporter_client, three):
    data = cell(three[0], value="1", version="0")
    data |= cell(three[1], value="abc", comment="kept", version="0")
    data |= cell(three[2], value="1 234,5", version="0")
    response = reporter_client.post(GRID_SAVE, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 value was not saved: see the message beside it." in page
    assert "“abc” is not a number." in page
    assert 'value="abc"' in page and 'value="kept"' in page
    assert Measurement.objects.count() == 2


def test_save_all_refuses_a_value_someone_else_changed_meanwhile(client, personas, three):
    MeasurementFactory(
        indicator=three[0],
        period=period("2025"),
        value=Decimal("10"),
        entered_by=personas.ie_leader,
    )
    client.force_login(personas.idi_reporter)
    page = client.post(GRID_SAVE, cell(three[0], value="11", version="0")).content.decode()
    assert "Not saved: ie-leader changed this value to 10.0" in page
    assert Measurement.objects.get(indicator=three[0]).value == Decimal("10")


def test_a_viewer_cannot_save_all(client, personas, three):
    client.force_login(personas.rector)
    response = client.post(GRID_SAVE, cell(three[0], value="1", version="0"))
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_save_all_for_another_units_grid_is_not_found(reporter_client, three):
    response = reporter_client.post(
        reverse("indicators:grid_save", args=["IE"]), cell(three[0], value="1", version="0")
    )
    assert response.status_code == 404


def test_a_copied_value_is_marked_until_saved(reporter_client, three):
    MeasurementFactory(indicator=three[0], period=period("2024"), value=Decimal("120.5"))
    page = reporter_client.get(
        reverse("indicators:grid", args=["IDI"]), {"prefill": "last"}
    ).content.decode()
    assert "Copied from 2024, not saved" in page
    assert 'class="copied"' in page


def test_save_all_uses_a_fixed_number_of_queries_per_row(
    reporter_client, strategy, django_assert_max_num_queries
):
    indicators = IndicatorFactory.create_batch(6)
    data = {}
    for indicator in indicators:
        data |= cell(indicator, value="1", version="0")
    # Per row: lock, write, read back, history context, and the stored figures' change mark.
    with django_assert_max_num_queries(12 + 8 * 6):
        reporter_client.post(GRID_SAVE, data)
    assert Measurement.objects.count() == 6
