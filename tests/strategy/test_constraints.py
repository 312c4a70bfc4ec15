from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from goals.models import ReportingPeriod
from strategy.models import Membership, Strategy, Unit
from tests.factories import IndicatorFactory, MeasurementFactory, ProgressReportFactory


def test_a_period_that_ends_before_it_starts_is_refused_with_a_clear_message(strategy):
    period = ReportingPeriod(
        strategy=strategy,
        code="2026",
        kind="year",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2025, 12, 31),
        deadline=datetime.date(2026, 2, 1),
    )
    with pytest.raises(ValidationError, match="A period must end after it starts"):
        period.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        period.save()


def test_a_deadline_before_the_period_ends_is_refused(strategy):
    period = ReportingPeriod(
        strategy=strategy,
        code="2026",
        kind="year",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2026, 6, 1),
    )
    with pytest.raises(ValidationError, match="deadline cannot be before the period ends"):
        period.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        period.save()


def test_a_second_period_with_the_same_code_is_refused(strategy):
    duplicate = ReportingPeriod(
        strategy=strategy,
        code="2025",
        kind="year",
        start=datetime.date(2030, 1, 1),
        end=datetime.date(2030, 12, 31),
        deadline=datetime.date(2031, 1, 1),
    )
    with pytest.raises(ValidationError, match="already has a period with this code"):
        duplicate.full_clean()


def test_a_second_value_for_the_same_indicator_unit_and_period_is_refused(strategy):
    first = MeasurementFactory()
    second = MeasurementFactory.build(
        indicator=first.indicator, unit=first.unit, period=first.period
    )
    with pytest.raises(ValidationError, match="already has a value for this indicator"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_second_report_for_the_same_goal_unit_and_period_is_refused(strategy):
    first = ProgressReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(goal=first.goal, unit=first.unit, period=first.period)


def test_only_one_strategy_can_be_current(strategy):
    other = Strategy(
        code="ntnu-2035",
        name_en="NTNU 2035",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2035, 12, 31),
        is_current=True,
    )
    with pytest.raises(ValidationError, match="Only one strategy can be the current one"):
        other.full_clean()


def test_too_many_decimals_on_an_indicator_are_refused(strategy):
    indicator = IndicatorFactory.build(decimals=9)
    with pytest.raises(ValidationError):
        indicator.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


def test_a_target_period_before_the_baseline_period_is_refused(strategy):
    indicator = IndicatorFactory.build()
    indicator.baseline_period, indicator.target_period = (
        indicator.target_period,
        indicator.baseline_period,
    )
    with pytest.raises(ValidationError, match="target period must come after the baseline"):
        indicator.full_clean()


def test_a_percentage_above_100_is_refused(strategy):
    indicator = IndicatorFactory(measure="percent", baseline_value=50, target_value=60)
    measurement = MeasurementFactory.build(indicator=indicator, value=101)
    with pytest.raises(ValidationError, match="between 0 and 100"):
        measurement.full_clean()


def test_deleting_a_unit_that_has_measurements_is_refused(units):
    MeasurementFactory(unit=units["IDI"])
    with pytest.raises(ProtectedError):
        units["IDI"].delete()
    assert Unit.objects.filter(code="IDI").exists()


def test_a_unit_cannot_be_placed_below_itself(units):
    ie = units["IE"]
    ie.parent = units["IDI"]
    with pytest.raises(ValidationError, match="below itself"):
        ie.full_clean()


def test_moving_a_unit_moves_its_subtree(units):
    idi = units["IDI"]
    idi.parent = units["NV"]
    idi.save()
    assert Unit.objects.get(code="IDI").path == "NTNU/NV/IDI/"
    assert Unit.objects.subtree(units["NV"]).filter(code="IDI").exists()


def test_a_duplicate_membership_is_refused(personas, units):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=personas.rector, unit=units["NTNU"], role="viewer")
