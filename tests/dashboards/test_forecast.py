"""The forecast of docs/scoring.md section 7, checked against the examples computed by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from dashboards.forecast import (
    TOO_FAR,
    TOO_FEW,
    Outcome,
    forecast,
    t_cdf,
    t_quantile,
    theil_sen,
)
from dashboards.forecast_words import chance_in_words, verdict


def ends(first_year: int, count: int) -> list[datetime.date]:
    return [datetime.date(y, 12, 31) for y in range(first_year, first_year + count)]


def yearly(first_year: int, values, **kwargs):
    points = list(zip(ends(first_year, len(values)), values, strict=True))
    kwargs.setdefault("target_end", datetime.date(2025, 12, 31))
    kwargs.setdefault("direction", "increase")
    return forecast(points, **kwargs)


@pytest.mark.parametrize(
    ("df", "quantile"),
    [(1, 3.0777), (2, 1.8856), (3, 1.6377), (4, 1.5332), (5, 1.4759), (6, 1.4398)],
)
def test_t_quantiles_match_the_printed_tables(df, quantile):
    assert t_quantile(0.9, df) == pytest.approx(quantile, abs=1e-4)


def test_t_distribution_with_two_degrees_of_freedom_has_its_closed_form():
    # P(T ≤ t) = 1/2 + t / (2·√(2 + t²)) for two degrees of freedom.
    assert t_cdf(1.10193, 2) == pytest.approx(0.80732, abs=1e-5)
    assert t_cdf(-1.10193, 2) == pytest.approx(0.19268, abs=1e-5)


def test_theil_sen_takes_the_median_slope_and_intercept():
    intercept, slope = theil_sen([0, 1, 2, 3], [50, 58, 52, 60])
    assert slope == pytest.approx(13 / 6)
    assert intercept == pytest.approx(51.75)


def test_steady_increase_is_reached_two_years_late():
    result = yearly(2019, [100, 104, 107, 112, 115], target=D("130"))
    assert result.slope_per_year == pytest.approx(3.875)
    assert result.projected == pytest.approx(123.25)
    assert (result.low, result.high) == (
        pytest.approx(121.69, abs=0.01),
        pytest.approx(124.81, abs=0.01),
    )
    assert result.reached_year == 2027
    assert verdict(result, direction="increase") == (
        "At this pace the target is reached in 2027, 2 years late. "
        "There is less than one chance in twenty of reaching the target by 2025."
    )


def test_noisy_series_gives_a_wide_band_and_one_chance_in_five():
    result = yearly(2020, [50, 58, 52, 60], target=72)
    assert result.projected == pytest.approx(62.5833, abs=1e-4)
    assert (result.low, result.high) == (
        pytest.approx(46.47, abs=0.01),
        pytest.approx(78.70, abs=0.01),
    )
    assert result.probability == pytest.approx(0.1927, abs=1e-4)
    assert verdict(result, direction="increase") == (
        "At this pace the target is reached in 2030, 5 years late. "
        "There is about one chance in five of reaching the target by 2025."
    )


def test_a_stray_value_does_not_move_the_trend_but_widens_the_band():
    steady = yearly(2019, [40, 44, 47, 50, 53], target=62)
    stray = yearly(2019, [40, 44, 47, 80, 53], target=62)
    assert steady.slope_per_year == pytest.approx(3)
    assert stray.slope_per_year == pytest.approx(3.375)
    assert stray.high - stray.low > 10 * (steady.high - steady.low)


def test_decreasing_indicator_reaches_its_target_when_it_falls_to_it():
    result = yearly(2020, [20, 19, 17, 16], target=10, direction="decrease")
    assert result.slope_per_year == pytest.approx(-17 / 12)
    assert result.projected == pytest.approx(13.0417, abs=1e-4)
    assert result.reached_year == 2028
    assert result.probability == pytest.approx(0.0190, abs=1e-4)


def test_cumulative_running_total_gives_one_chance_in_ten():
    result = yearly(2021, [3, 7, 12], target=25, accumulation="cumulative")
    assert result.projected == pytest.approx(21)
    assert result.probability == pytest.approx(0.0933, abs=1e-4)
    assert verdict(result, direction="increase").endswith(
        "about one chance in ten of reaching the target by 2025."
    )


def test_cumulative_running_total_is_never_forecast_to_fall():
    result = yearly(2021, [10, 9, 8], target=25, accumulation="cumulative")
    assert result.slope_per_year == 0
    assert result.low >= 8
    assert "does not move towards it" in verdict(result, direction="increase")


def test_cumulative_target_already_passed_by_the_running_total_is_certain():
    result = yearly(2021, [20, 24, 27], target=25, accumulation="cumulative")
    assert result.probability == 1
    assert result.already_reached


def test_maintain_indicator_speaks_of_holding_the_level():
    result = yearly(2020, [4.2, 4.1, 4.3, 4.0], target=4.2, direction="maintain")
    assert result.probability == pytest.approx(0.2745, abs=1e-4)
    assert verdict(result, direction="maintain") == (
        "At this pace, there is about one chance in three of holding the level in 2025."
    )


def test_values_exactly_on_a_line_give_a_certain_answer():
    result = yearly(2021, [10, 20, 30], target=40)
    assert (result.low, result.high) == (pytest.approx(50), pytest.approx(50))
    assert result.probability == 1
    assert result.reached_year == 2024


def test_two_values_are_too_little_data():
    result = yearly(2022, [10, 20], target=40)
    assert (result.outcome, result.reason) == (Outcome.TOO_LITTLE_DATA, TOO_FEW)
    assert verdict(result, direction="increase") == (
        "Too little data to forecast: 2 values, at least 3 are needed."
    )


def test_one_value_is_too_little_data_in_the_singular():
    result = yearly(2023, [10], target=40)
    assert verdict(result, direction="increase") == (
        "Too little data to forecast: 1 value, at least 3 are needed."
    )


def test_target_far_beyond_the_data_is_too_little_data():
    result = yearly(2021, [10, 20, 30], target=90, target_end=datetime.date(2030, 12, 31))
    assert (result.outcome, result.reason) == (Outcome.TOO_LITTLE_DATA, TOO_FAR)


def test_only_the_latest_eight_values_are_used():
    result = yearly(
        2010,
        [0, 0, 0, 0, 10, 20, 30, 40, 50, 60, 70],
        target=100,
        target_end=datetime.date(2024, 12, 31),
    )
    assert result.points == 8


def test_a_measured_target_period_is_not_forecast():
    result = yearly(2023, [10, 20, 30], target=40)
    assert result.outcome == Outcome.TARGET_PASSED


def test_no_target_no_forecast():
    result = yearly(2021, [10, 20, 30], target=None)
    assert result.outcome == Outcome.NO_TARGET
    assert verdict(result, direction="increase") == "No forecast: the indicator has no target."


@pytest.mark.parametrize(
    ("probability", "words"),
    [
        (0.01, "less than one chance in twenty"),
        (0.12, "about one chance in ten"),
        (0.19, "about one chance in five"),
        (0.5, "about one chance in two"),
        (0.7, "about two chances in three"),
        (0.82, "about four chances in five"),
        (0.99, "more than nineteen chances in twenty"),
    ],
)
def test_chances_are_said_as_plain_odds(probability, words):
    assert chance_in_words(probability) == words


def test_verdict_in_norwegian_uses_plural_forms():
    result = yearly(2020, [50, 58, 52, 60], target=72)
    with translation.override("nb"):
        text = verdict(result, direction="increase")
    assert text == (
        "Med dette tempoet nås målet i 2030, 5 år for sent. "
        "Det er omtrent én sjanse av fem for å nå målet innen 2025."
    )
    with translation.override("nb"):
        assert chance_in_words(0.7) == "omtrent to sjanser av tre"
