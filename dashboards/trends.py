"""An indicator's history from the stored figures, drawn and forecast.

The sparklines of the goal and unit pages, and the trend chart and forecast of the indicator
page, all start from `histories`: one query over `IndicatorFigure` for every indicator a page
lists. The forecast (dashboards.forecast, docs/scoring.md section 7) is computed from the same
values as of the chosen period; it is shown beside the status and never changes it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboards import forecast as forecasting
from dashboards.data import DashboardData, IndicatorRow
from dashboards.models import IndicatorFigure
from dashboards.scoring import SUM, Period
from dashboards.sparkline import sparkline_svg
from dashboards.summary import FIGURE_FIELDS, IndicatorResult, result_of
from strategy import formatting


def history_periods(data: DashboardData, row: IndicatorRow) -> list[Period]:
    """The periods an indicator's trend shows: of its frequency, from its baseline to the
    chosen period, the latest `forecast.MAX_POINTS` (those a forecast may use)."""
    spec = row.spec
    periods = [p for p in data.periods if p.kind == spec.frequency and p.end <= data.period.end]
    if spec.baseline_period:
        periods = [p for p in periods if p.end >= spec.baseline_period.end]
    return periods[-forecasting.MAX_POINTS :]


def histories(data: DashboardData, rows: list[IndicatorRow]) -> dict[int, list[IndicatorResult]]:
    """Indicator id → its stored figures over `history_periods`, oldest first (one query)."""
    wanted = {row.spec.id: history_periods(data, row) for row in rows}
    period_ids = {p.id for periods in wanted.values() for p in periods}
    stored = {}
    if rows and period_ids:
        # Plain rows, not model instances: a goal can have hundreds of indicators.
        stored = {
            (f.indicator_id, f.period_id): f
            for f in IndicatorFigure.objects.filter(
                indicator_id__any=list(wanted), period_id__in=period_ids, at_owner=True
            ).values_list(*FIGURE_FIELDS, named=True)
        }
    return {
        row.spec.id: [result_of(row, p, stored.get((row.spec.id, p.id))) for p in periods]
        for row in rows
        for periods in [wanted[row.spec.id]]
    }


def is_whole(result: IndicatorResult) -> bool:
    """Whether a value stands for the whole: a sum with units missing is only a part of it."""
    return not (result.row.spec.aggregation == SUM and result.rollup.missing > 0)


# A value per period, None where there is none that stands for the whole.
Points = list[tuple[Period, Decimal | None]]


def points_of(history: list[IndicatorResult]) -> Points:
    return [
        (h.reference, h.rollup.value if is_whole(h) else None)
        for h in history
        if h.reference is not None
    ]


def values(data: DashboardData, rows: list[IndicatorRow]) -> dict[int, Points]:
    """Indicator id → its values over `history_periods` (one query): `histories` without the
    scores, for pages that list hundreds of indicators and draw only their values."""
    wanted = {row.spec.id: history_periods(data, row) for row in rows}
    period_ids = {p.id for periods in wanted.values() for p in periods}
    stored: dict[tuple[int, int], tuple] = {}
    if rows and period_ids:
        stored = {
            (indicator_id, period_id): (value, expected - reported - carried)
            for indicator_id, period_id, value, reported, carried, expected in (
                IndicatorFigure.objects.filter(
                    indicator_id__any=list(wanted), period_id__in=period_ids, at_owner=True
                ).values_list(
                    "indicator_id", "period_id", "value", "reported", "carried", "expected_units"
                )
            )
        }
    out = {}
    for row in rows:
        summed = row.spec.aggregation == SUM
        points = []
        for p in wanted[row.spec.id]:
            value, missing = stored.get((row.spec.id, p.id), (None, 0))
            points.append((p, None if summed and missing > 0 else value))
        out[row.spec.id] = points
    return out


def forecast_of(row: IndicatorRow, points: Points) -> forecasting.Forecast:
    """The forecast to the target period from the values that stand for the whole."""
    spec = row.spec
    return forecasting.forecast(
        [(p.end, v) for p, v in points if v is not None],
        direction=spec.direction,
        target=spec.target_value,
        target_end=spec.target_period.end if spec.target_period else None,
        accumulation=spec.accumulation,
    )


def _number(value, decimals: int) -> str:
    return "–" if value is None else formatting.number(round(value, decimals), decimals)


def spark(row: IndicatorRow, points: Points) -> tuple[SafeString, str]:
    """(the sparkline of an indicator's values, what it shows in words)."""
    words = ", ".join(f"{p.code}: {_number(v, row.decimals)}" for p, v in points)
    title = _("%(name)s by period: %(values)s") % {"name": row.name, "values": words or "–"}
    svg = sparkline_svg(
        [v for _p, v in points], title=title, target=row.spec.target_value, height=24
    )
    return svg, words
