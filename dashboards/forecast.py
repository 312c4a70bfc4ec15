"""A forecast of an indicator to its target period: pure functions over plain data.

A forecast is shown beside the status and never changes it. The method and its worked examples
are in docs/scoring.md, section 7 ("Forecast"); tests/dashboards/test_forecast.py checks them.

In short: a Theil–Sen trend (the median of the slopes between every pair of points, the median
intercept), which one stray value cannot drag, projected to the end of the target period with an
80 % prediction interval from the residuals and Student's t with n − 2 degrees of freedom. The
chance of reaching the target is read from the same t distribution. Time is counted in whole
months between period ends, as for the trajectory (`scoring.months_between`).
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dashboards.scoring import CUMULATIVE, INCREASE, MAINTAIN, months_between

# Fewer points leave no degree of freedom for the spread around the trend.
MIN_POINTS = 3
# More points than this reach back past the strategy's own horizon; only the latest are used.
MAX_POINTS = 8
# How far ahead a trend is projected, as a multiple of the time the points span.
MAX_HORIZON_FACTOR = 2
# The share of outcomes the band holds: 80 %, i.e. one in ten above and one in ten below.
BAND = 0.80
# A "maintain" indicator is on track within 5 % of its level (docs/scoring.md, section 3).
MAINTAIN_TOLERANCE = 0.05


class Outcome(StrEnum):
    FORECAST = "forecast"
    TOO_LITTLE_DATA = "too_little_data"
    NO_TARGET = "no_target"
    TARGET_PASSED = "target_passed"


# Why there is too little data (Forecast.reason).
TOO_FEW = "too_few"
TOO_FAR = "too_far"


@dataclass(frozen=True)
class Point:
    """A value at the end of a period."""

    end: datetime.date
    value: float


@dataclass(frozen=True)
class Forecast:
    outcome: Outcome
    reason: str = ""  # TOO_FEW or TOO_FAR when there is too little data
    points: int = 0
    target_end: datetime.date | None = None
    slope_per_year: float | None = None
    projected: float | None = None  # the trend's value at the end of the target period
    low: float | None = None  # the 80 % band around it
    high: float | None = None
    probability: float | None = None  # of meeting the target (or holding the level) by then
    reached_year: int | None = None  # when the trend meets the target, if it ever does
    already_reached: bool = False

    @property
    def is_forecast(self) -> bool:
        return self.outcome == Outcome.FORECAST


# --- The method -----------------------------------------------------------------------------


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """(intercept, slope): the median of the pairwise slopes, then the median of y − slope·x.

    Points with the same x give no slope and are skipped; at least two distinct x are needed.
    """
    slopes = [(y1 - y0) / (x1 - x0) for (x0, y0), (x1, y1) in _pairs(xs, ys) if x1 != x0]
    slope = statistics.median(slopes)
    intercept = statistics.median(y - slope * x for x, y in zip(xs, ys, strict=True))
    return intercept, slope


def _pairs(xs, ys):
    return itertools.combinations(list(zip(xs, ys, strict=True)), 2)


def t_cdf(t: float, df: int) -> float:
    """Student's t distribution function for a whole number of degrees of freedom.

    Closed form (Abramowitz & Stegun 26.7.3 and 26.7.4) with θ = atan(t/√df):
    P(|T| ≤ t) is 2θ/π + (2/π)·sinθ·(cosθ + 2/3·cos³θ + …) for odd df and
    sinθ·(1 + 1/2·cos²θ + 1·3/(2·4)·cos⁴θ + …) for even df.
    """
    if df < 1:
        raise ValueError("df must be at least 1")
    theta = math.atan(abs(t) / math.sqrt(df))
    sin, cos = math.sin(theta), math.cos(theta)
    if df % 2:
        term, total = cos, cos if df > 1 else 0.0
        for k in range(3, df - 1, 2):
            term *= (k - 1) / k * cos * cos
            total += term
        inside = (2 / math.pi) * (theta + sin * total)
    else:
        term, total = 1.0, 1.0
        for k in range(2, df - 1, 2):
            term *= (k - 1) / k * cos * cos
            total += term
        inside = sin * total
    return 0.5 + math.copysign(inside / 2, t)


@functools.lru_cache(maxsize=64)
def t_quantile(p: float, df: int) -> float:
    """The t value below which a share `p` of the distribution lies (by bisection; a page asks
    for the same few quantiles again and again, so they are kept)."""
    if not 0 < p < 1:
        raise ValueError("p must lie strictly between 0 and 1")
    low, high = -1e6, 1e6
    for _step in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def add_months(date: datetime.date, months: int) -> tuple[int, int]:
    """(year, month) `months` whole months after `date`'s month."""
    index = date.year * 12 + date.month - 1 + months
    return index // 12, index % 12 + 1


# --- The forecast ---------------------------------------------------------------------------


def forecast(
    points: Sequence[tuple[datetime.date, Decimal | float]],
    *,
    direction: str,
    target: Decimal | float | None,
    target_end: datetime.date | None,
    accumulation: str = "per_period",
) -> Forecast:
    """Project the indicator's values (period end, value) to `target_end`; docs/scoring.md §7.

    `points` are the indicator's values at its owner unit as scored (section 2): periods whose
    sum is incomplete are left out by the caller, since a part of the whole says nothing about
    the trend of the whole.
    """
    if target is None or target_end is None:
        return Forecast(Outcome.NO_TARGET)
    by_end = {end: float(value) for end, value in points}
    series = [Point(end, by_end[end]) for end in sorted(by_end)][-MAX_POINTS:]
    n = len(series)
    if n < MIN_POINTS:
        return Forecast(Outcome.TOO_LITTLE_DATA, reason=TOO_FEW, points=n, target_end=target_end)
    if series[-1].end >= target_end:
        return Forecast(Outcome.TARGET_PASSED, points=n, target_end=target_end)
    first = series[0].end
    xs = [float(months_between(first, p.end)) for p in series]
    ys = [p.value for p in series]
    x0 = float(months_between(first, target_end))
    span = xs[-1] - xs[0]
    if x0 - xs[-1] > MAX_HORIZON_FACTOR * span:
        return Forecast(Outcome.TOO_LITTLE_DATA, reason=TOO_FAR, points=n, target_end=target_end)
    target = float(target)
    intercept, slope = theil_sen(xs, ys)
    if accumulation == CUMULATIVE:
        # A running total cannot fall: a falling trend is a correction, not a pace.
        slope = max(slope, 0.0)
        intercept = statistics.median(y - slope * x for x, y in zip(xs, ys, strict=True))
    projected = intercept + slope * x0
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    s = math.sqrt(sum(e * e for e in residuals) / (n - 2))
    mean_x = statistics.fmean(xs)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    spread = s * math.sqrt(1 + 1 / n + (x0 - mean_x) ** 2 / sxx)
    half = t_quantile(0.5 + BAND / 2, n - 2) * spread
    low, high = projected - half, projected + half
    latest = ys[-1]
    if accumulation == CUMULATIVE:
        low = max(low, latest)
    probability = _probability(direction, target, projected, spread, n - 2, latest, accumulation)
    reached_year, already = _reached(direction, target, intercept, slope, xs[-1], first)
    return Forecast(
        Outcome.FORECAST,
        points=n,
        target_end=target_end,
        slope_per_year=slope * 12,
        projected=projected,
        low=low,
        high=high,
        probability=probability,
        reached_year=reached_year,
        already_reached=already,
    )


def _probability(direction, target, projected, spread, df, latest, accumulation) -> float:
    """The chance that the value at the target period meets the target (or holds the level)."""
    if accumulation == CUMULATIVE and direction == INCREASE and latest >= target:
        return 1.0
    if spread == 0:
        # Values exactly on a line: the trend's own value decides.
        if direction == MAINTAIN:
            return float(abs(projected - target) <= MAINTAIN_TOLERANCE * abs(target))
        return float(projected >= target if direction == INCREASE else projected <= target)
    if direction == MAINTAIN:
        tolerance = MAINTAIN_TOLERANCE * abs(target)
        upper = t_cdf((target + tolerance - projected) / spread, df)
        lower = t_cdf((target - tolerance - projected) / spread, df)
        return upper - lower
    below = t_cdf((target - projected) / spread, df)
    return 1 - below if direction == INCREASE else below


def _reached(direction, target, intercept, slope, last_x, first) -> tuple[int | None, bool]:
    """(year in which the trend meets the target, whether it already has at the last value)."""
    if direction == MAINTAIN:
        return None, False
    sign = 1 if direction == INCREASE else -1
    if sign * (intercept + slope * last_x - target) >= 0:
        return None, True
    if sign * slope <= 0:
        return None, False
    months = math.ceil((target - intercept) / slope - 1e-9)
    return add_months(first, months)[0], False
