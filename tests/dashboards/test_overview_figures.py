"""Every figure of the overview's CSV export, recomputed here from the raw rows.

Written apart from dashboards.scoring on purpose (floats, a different structure), following only
docs/scoring.md, so that a slip in the scoring module cannot hide in its own test.
"""

from __future__ import annotations

import csv
import io
import itertools
import statistics

from goals.models import DevelopmentGoal, ProgressReport, ReportingPeriod
from indicators.models import Indicator, Measurement, Target
from strategy.models import Area, Unit

RANK = {"off_track": 0, "at_risk": 1, "on_track": 2}
LABEL = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "no_data": "No data",
}


def months(a, b):
    return (b.year - a.year) * 12 + b.month - a.month


def middle(statuses):
    ranked = sorted((s for s in statuses if s in RANK), key=RANK.get)
    return ranked[(len(ranked) - 1) // 2] if ranked else "no_data"


def by_hand(period_code: str) -> dict[str, list[str]]:
    chosen = ReportingPeriod.objects.get(code=period_code)
    units = {u.id: u for u in Unit.objects.filter(active=True)}
    kids = {uid: [c for c in units.values() if c.parent_id == uid] for uid in units}

    def value_of(uid, own, fresh, rule):
        """(value, reported leaves, expected leaves, leaves with a value: fresh or carried)"""
        if rule == "none" or not kids[uid]:
            if uid in own:
                return own[uid], int(uid in fresh), 1, 1
            return None, 0, 1, 0
        parts = [value_of(c.id, own, fresh, rule) for c in kids[uid]]
        expected = sum(p[2] for p in parts)
        if uid in fresh:
            return own[uid], expected, expected, expected
        values = [p[0] for p in parts if p[0] is not None]
        if values:
            total = sum(values) if rule == "sum" else sum(values) / len(values)
            return total, sum(p[1] for p in parts), expected, sum(p[3] for p in parts)
        if uid in own:
            return own[uid], 0, expected, expected
        return None, 0, expected, 0

    indicator_rows = []
    for ind in Indicator.objects.filter(active=True).select_related(
        "baseline_period", "target_period"
    ):
        ref = (
            ReportingPeriod.objects.filter(kind=ind.frequency, end__lte=chosen.end)
            .order_by("-end")
            .first()
        )
        own, fresh = {}, set()
        latest = {}
        for m in Measurement.objects.filter(
            indicator=ind, period__kind=ind.frequency
        ).select_related("period"):
            if m.period_id == ref.id:
                own[m.unit_id] = float(m.value)
                fresh.add(m.unit_id)
                latest[m.unit_id] = m.period.end
            elif (
                ind.accumulation == "cumulative"
                and m.period.end < ref.end
                and m.unit_id not in fresh
            ) and (m.unit_id not in latest or latest[m.unit_id] < m.period.end):
                own[m.unit_id] = float(m.value)
                latest[m.unit_id] = m.period.end
        actual, reported, expected, covered = value_of(
            ind.owner_unit_id, own, fresh, ind.aggregation
        )

        base, target = float(ind.baseline_value), float(ind.target_value)
        knots = [(ind.baseline_period.end, base)]
        for t in Target.objects.filter(indicator=ind).select_related("period"):
            knots.append((t.period.end, float(t.value)))
        knots.append((ind.target_period.end, target))
        knots.sort()
        exp = knots[-1][1]
        for (d0, v0), (d1, v1) in itertools.pairwise(knots):
            if d0 <= ref.end <= d1:
                exp = v0 + (v1 - v0) * months(d0, ref.end) / months(d0, d1)
                break
        progress = None
        if actual is None or (ind.aggregation == "sum" and covered < expected):
            status = "no_data"  # a sum of some units is not judged against the whole's target
        elif ind.direction == "maintain" or base == target:
            dev = abs(actual - target) / abs(target)
            status = "on_track" if dev <= 0.05 else "at_risk" if dev <= 0.10 else "off_track"
        else:
            progress = (actual - base) / (target - base)
            ratio = progress / ((exp - base) / (target - base))
            if progress >= 1 or ratio >= 0.95:
                status = "on_track"
            elif ratio >= 0.75:
                status = "at_risk"
            else:
                status = "off_track"
        indicator_rows.append((ind.goal_id, status, progress, reported, expected))

    reported_map = {
        "on_track": "on_track",
        "achieved": "on_track",
        "at_risk": "at_risk",
        "off_track": "off_track",
    }
    reports = list(
        ProgressReport.objects.filter(period=chosen, state__in=["submitted", "approved"])
    )
    out = {}
    for area in Area.objects.all():
        goal_ids = list(DevelopmentGoal.objects.filter(area=area).values_list("id", flat=True))
        goal_status, goal_reported = {}, {}
        for gid in goal_ids:
            goal_status[gid] = middle([r[1] for r in indicator_rows if r[0] == gid])
            goal_reported[gid] = [
                reported_map[r.status]
                for r in reports
                if r.goal_id == gid and r.status in reported_map
            ]
        mine = [r for r in indicator_rows if r[0] in goal_ids]
        progresses = [r[2] for r in mine if r[2] is not None]
        rep = sum(r[3] for r in mine)
        exp = sum(r[4] for r in mine)
        all_reported = [s for gid in goal_ids for s in goal_reported[gid]]
        disagreements = sum(
            1
            for gid in goal_ids
            if goal_status[gid] != "no_data"
            and middle(goal_reported[gid]) != "no_data"
            and goal_status[gid] != middle(goal_reported[gid])
        )
        statuses = list(goal_status.values())
        out[area.code] = [
            f"{area.name} ({area.code})",  # the name leads, the code after it
            LABEL[middle(statuses)],
            *(str(statuses.count(s)) for s in ("on_track", "at_risk", "off_track", "no_data")),
            # The CSV writes a percentage as a number a spreadsheet reads ("82%").
            f"{round(statistics.median(progresses) * 100)}%" if progresses else "",
            *(str(all_reported.count(s)) for s in ("on_track", "at_risk", "off_track")),
            str(rep),
            str(exp),
            f"{round(rep / exp * 100)}%" if exp else "",
            str(disagreements),
        ]
    return out


def test_every_figure_of_the_overview_csv_matches_a_computation_by_hand(
    client, personas, dashboard_data
):
    dashboard_data(2)
    client.force_login(personas.rector)
    response = client.get("/dashboard/", {"period": "2024", "format": "csv", "table": "areas"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    expected = by_hand("2024")
    assert len(rows) == 5
    for row in rows:
        assert row == expected[row[0].rsplit("(", 1)[1].rstrip(")")]
