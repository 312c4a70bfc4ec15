"""The pages load only the values they read (dashboards.data.load's `trend` and `goal`): the
figures must be those computed from everything."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.http import QueryDict

from dashboards.data import TREND_COUNT, load
from dashboards.summary import summarise, trend_periods
from goals.models import ReportingPeriod
from indicators.models import Measurement
from strategy.models import Unit
from tests.factories import IndicatorFactory, unit


def _figures(summary):
    return (
        {i: (r.reference, r.rollup, r.score) for i, r in summary.indicators.items()},
        {g: (r.status, r.reported, r.progress) for g, r in summary.goals.items()},
        summary.areas,
        summary.pillars,
        summary.area_coverage,
    )


def _with_tertial_values():
    """A per-period and a cumulative tertial indicator with values in every tertial."""
    tertials = list(ReportingPeriod.objects.filter(kind="tertial"))
    assert tertials
    ie = unit("IE")
    departments = list(Unit.objects.filter(path__startswith=ie.path, kind="department"))
    assert departments
    for accumulation in ("per_period", "cumulative"):
        ind = IndicatorFactory(
            owner_unit=unit("IE"),
            frequency="tertial",
            accumulation=accumulation,
            baseline_value=Decimal(10),
            target_value=Decimal(90),
        )
        Measurement.objects.bulk_create(
            Measurement(indicator=ind, unit=d, period=p, value=n + k)
            for n, p in enumerate(tertials)
            for k, d in enumerate(departments)
        )


def test_trend_and_goal_loads_give_the_same_figures(personas, dashboard_data):
    dashboard_data(1)
    _with_tertial_values()
    for code in ("2024", "2022"):
        params = QueryDict(f"period={code}")
        full = load(personas.rector, params, today=None)
        part = load(personas.rector, params, today=None, trend=TREND_COUNT)
        rows = sum(len(v) for v in part.measurements.values())
        assert rows < sum(len(v) for v in full.measurements.values())
        for p in trend_periods(full):
            assert _figures(summarise(part, p)) == _figures(summarise(full, p))
        one = load(personas.rector, params, today=None, trend=1)
        assert _figures(summarise(one)) == _figures(summarise(full))

    full = load(personas.rector, QueryDict("period=2024"), today=None)
    whole = summarise(full)
    res3 = next(g.id for g in full.goals if g.code == "RES-3")
    goal = load(
        personas.rector,
        QueryDict("period=2024"),
        today=None,
        goal_filter=Q(area__code="RES", code="RES-3"),
    )
    assert {r.spec.goal_id for r in goal.indicators} == {res3}
    assert _goal(summarise(goal), res3) == _goal(whole, res3)

    res = next(a.id for a in full.areas if a.code == "RES")
    area = load(
        personas.rector, QueryDict("period=2024"), today=None, goal_filter=Q(area__code="RES")
    )
    assert {r.spec.goal_id for r in area.indicators} < {r.spec.goal_id for r in full.indicators}
    assert summarise(area).areas[res] == whole.areas[res]
    assert summarise(area).area_coverage[res] == whole.area_coverage[res]
    for p in full.pillars:
        if p.area_id == res:
            assert summarise(area).pillars[p.id] == whole.pillars[p.id]
            one = load(
                personas.rector,
                QueryDict("period=2024"),
                today=None,
                goal_filter=Q(area__code="RES", pillars__code=p.code, pillars__area__code="RES"),
            )
            assert summarise(one).pillars[p.id] == whole.pillars[p.id]


def _goal(summary, goal_id):
    r = summary.goals[goal_id]
    return r.status, r.reported, r.progress, r.indicator_scores, r.report_counts
