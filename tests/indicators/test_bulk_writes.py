"""Bulk writes of values (imports): what they lock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.models import Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, period
from tests.factories import unit as unit_named

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("strategy")]


def test_a_bulk_write_locks_exactly_the_values_it_was_given():
    first, second = IndicatorFactory(), IndicatorFactory()
    a = MeasurementFactory(indicator=first, period=period("2024"), value=Decimal("1"))
    MeasurementFactory(indicator=first, period=period("2025"))
    MeasurementFactory(indicator=second, period=period("2024"))
    idi = unit_named("IDI").pk
    locked = Measurement.objects.lock_keys(
        {(first.pk, idi, period("2024").pk), (second.pk, idi, period("2025").pk)}
    )
    assert locked == {(first.pk, idi, period("2024").pk): (a.pk, Decimal("1"), "", a.version)}
