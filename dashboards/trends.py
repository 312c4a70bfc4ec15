"""An indicator's history from the stored figures, drawn and forecast.

The sparklines of the goal and unit pages, and the trend chart and forecast of the indicator
page, all start from `histories`: one query over `IndicatorFigure` for every indicator a page
lists. The forecast (dashboards.forecast, docs/scoring.md section 7) is computed from the same
values as of the chosen period; it is shown beside the status and never changes it.
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboards import forecast as forecasting
from dashboards.data import DashboardData, IndicatorRow
from dashboards.models import IndicatorFigure
from dashboards.scoring import SUM, Period
from dashboards.sparkline import sparkline_svg
from dashboards.summary import IndicatorResult, result_of
from strategy import formatting

FIELDS = (
    "indicator_id",
    "period_id",
    "value",
    "reported",
    "carried",
    "expected_units",
    "expected_value",
    "progress",
    "ratio",
    "status",
)


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
                indicator_id__in=list(wanted), period_id__in=period_ids
            ).values_list(*FIELDS, named=True)
        }
    return {
        row.spec.id: [result_of(row, p, stored.get((row.spec.id, p.id))) for p in periods]
        for row in rows
        for periods in [wanted[row.spec.id]]
    }


def is_whole(result: IndicatorResult) -> bool:
    """Whether a value stands for the whole: a sum with units missing is only a part of it."""
    return not (result.row.spec.aggregation == SUM and result.rollup.missing > 0)


def forecast_of(row: IndicatorRow, history: list[IndicatorResult]) -> forecasting.Forecast:
    """The forecast to the target period from the values of `history` that stand for the whole."""
    spec = row.spec
    points = [
        (h.reference.end, h.rollup.value)
        for h in history
        if h.reference is not None and h.rollup.value is not None and is_whole(h)
    ]
    return forecasting.forecast(
        points,
        direction=spec.direction,
        target=spec.target_value,
        target_end=spec.target_period.end if spec.target_period else None,
        accumulation=spec.accumulation,
    )


def _number(value, decimals: int) -> str:
    return "–" if value is None else formatting.number(round(value, decimals), decimals)


def spark(row: IndicatorRow, history: list[IndicatorResult]) -> tuple[SafeString, str]:
    """(the sparkline of an indicator's values, what it shows in words)."""
    values = [h.rollup.value if is_whole(h) else None for h in history]
    labels = [h.reference.code for h in history if h.reference]
    words = ", ".join(
        f"{label}: {_number(value, row.decimals)}"
        for label, value in zip(labels, values, strict=True)
    )
    title = _("%(name)s by period: %(values)s") % {"name": row.name, "values": words or "–"}
    return sparkline_svg(values, title=title, target=row.spec.target_value), words
