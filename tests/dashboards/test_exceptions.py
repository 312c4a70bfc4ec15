"""The exceptions list (dashboards.exceptions) for a dataset built by hand.

Indicators run from 100 (2018) to 150 (2025), 84 months: 2023 expects 135.714 (progress
71.4 %), 2024 expects 142.857 (85.7 %). Values, progress ratios and statuses, worked out by hand:

| indicator | goal | owner | 2023 | ratio | status | 2024 | ratio | status |
|---|---|---|---|---|---|---|---|---|
| A | RES-3 | IDI | 130 | 0.84 | at risk | 120 | 0.467 | off track |
| B | RES-3 | IDI | 134 | 0.952 | on track | 135 | 0.817 | at risk |
| C | EDU-1 | IDI | 110 | 0.28 | off track | 142 | 0.98 | on track |
| D | EDU-1 | IEL | 100 | 0 | off track | 110 | 0.233 | off track |

Goals at IE (the middle indicator, the worse of two): RES-3 at risk in 2023 (A at risk, B on
track), off track in 2024 (A off, B at risk); EDU-1 off track in 2023 (C, D off), off track in
2024 (C on, D off). RES-1 has no indicator; IDI reports it off track in 2024.

Expected order at IE in 2024 (off track first, then the lowest ratio, goals before indicators):
EDU-1 (0.233, the middle of 0.233 and 0.98), D (0.233), RES-3 (0.467), A (0.467), RES-1 (reported
off track, no ratio), then B (at risk).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from dashboards import figures
from dashboards.exceptions import Change, Kind, exceptions
from dashboards.scoring import Status
from goals.models import Action
from strategy.models import Role
from strategy.policy import Policy
from tests.conftest import member
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    goal,
    period,
    unit,
)

VALUES = {
    "A": ("RES-3", "IDI", "130", "120"),
    "B": ("RES-3", "IDI", "134", "135"),
    "C": ("EDU-1", "IDI", "110", "142"),
    "D": ("EDU-1", "IEL", "100", "110"),
}


def build_exceptions_dataset(extra: int = 0) -> dict:
    made = {}
    for name, (goal_code, owner, v2023, v2024) in VALUES.items():
        ind = IndicatorFactory(
            code=f"X-{name}",
            name_en=f"Indicator {name}",
            name_nb=f"Indikator {name}",
            goal=goal(goal_code),
            owner_unit=unit(owner),
            decimals=0,
        )
        MeasurementFactory(indicator=ind, unit=unit(owner), period=period("2023"), value=v2023)
        MeasurementFactory(indicator=ind, unit=unit(owner), period=period("2024"), value=v2024)
        made[name] = ind
    # More data of the same shapes (on track, so not listed) for the query pin.
    for n in range(extra):
        ind = IndicatorFactory(goal=goal("RES-2"), owner_unit=unit("IDI"), decimals=0)
        MeasurementFactory(indicator=ind, unit=unit("IDI"), period=period("2024"), value="149")
        if n < 5:
            ProgressReportFactory(
                goal=goal("RES-2"), unit=unit("IDI"), period=period(str(2019 + n)), state="approved"
            )
    res3_2023 = ProgressReportFactory(
        goal=goal("RES-3"),
        unit=unit("IDI"),
        period=period("2023"),
        status="at_risk",
        state="approved",
    )
    made["open_action"] = Action.objects.create(
        report=res3_2023,
        cause="Two researchers left.",
        action="Recruit two researchers.",
        owner="Head of department",
        due=datetime.date(2024, 6, 30),
    )
    made["closed_action"] = Action.objects.create(
        report=res3_2023,
        cause="A grant ended.",
        action="Apply for a new grant.",
        owner="Research adviser",
        due=datetime.date(2023, 12, 31),
        closed_at=datetime.datetime(2024, 1, 10, tzinfo=datetime.UTC),
        closed_in=period("2023"),
    )
    ProgressReportFactory(
        goal=goal("RES-3"),
        unit=unit("IDI"),
        period=period("2024"),
        status="at_risk",
        narrative="Recruitment is slower than planned.",
        state="submitted",
    )
    ProgressReportFactory(
        goal=goal("RES-1"),
        unit=unit("IDI"),
        period=period("2024"),
        status="off_track",
        narrative="The lab burnt down.",
        state="approved",
    )
    # A draft does not count: RES-2 is not listed for it.
    ProgressReportFactory(
        goal=goal("RES-2"), unit=unit("IEL"), period=period("2024"), status="off_track"
    )
    figures.rebuild()
    return made


@pytest.fixture
def exceptions_dataset(strategy):
    return build_exceptions_dataset


def listed(rows) -> list[str]:
    return [r.code for r in rows]


def test_faculty_exceptions_list_goals_and_indicators_worst_first(personas, exceptions_dataset):
    exceptions_dataset()
    rows = exceptions(
        period=period("2024"), unit=unit("IE"), policy=Policy.for_user(personas.ie_leader)
    )
    assert listed(rows) == ["EDU-1", "X-D", "RES-3", "X-A", "RES-1", "X-B"]
    assert [r.kind for r in rows[:2]] == [Kind.GOAL, Kind.INDICATOR]
    assert [r.severity for r in rows] == [Status.OFF_TRACK] * 5 + [Status.AT_RISK]


def test_exceptions_say_what_changed_since_the_previous_year(personas, exceptions_dataset):
    exceptions_dataset()
    rows = {
        r.code: r
        for r in exceptions(
            period=period("2024"), unit=unit("IE"), policy=Policy.for_user(personas.ie_leader)
        )
    }
    assert (rows["RES-3"].previous_status, rows["RES-3"].change) == (
        Status.AT_RISK,
        Change.WORSE,
    )
    assert (rows["X-A"].previous_status, rows["X-A"].change) == (Status.AT_RISK, Change.WORSE)
    assert (rows["X-B"].previous_status, rows["X-B"].change) == (Status.ON_TRACK, Change.NEW)
    assert (rows["X-D"].change, rows["EDU-1"].change) == (Change.SAME, Change.SAME)
    assert rows["RES-1"].change == Change.NEW and rows["RES-1"].previous_period == "2023"
    # Ranked by what the unit reported: nothing then, off track now.
    assert (rows["RES-1"].previous_severity, rows["RES-1"].severity) == (
        Status.NO_DATA,
        Status.OFF_TRACK,
    )


def test_an_improved_exception_is_marked_improved(personas, exceptions_dataset):
    exceptions_dataset()
    # A off track in 2023 (value 100: ratio 0), at risk in 2024 (135).
    a = IndicatorFactory(code="X-E", goal=goal("RES-4"), owner_unit=unit("IDI"), decimals=0)
    MeasurementFactory(indicator=a, unit=unit("IDI"), period=period("2023"), value="100")
    MeasurementFactory(indicator=a, unit=unit("IDI"), period=period("2024"), value="135")
    figures.rebuild()
    rows = {
        r.code: r
        for r in exceptions(period=period("2024"), unit=unit("IDI"), policy=Policy(True, ()))
    }
    assert (rows["X-E"].previous_status, rows["X-E"].status) == (Status.OFF_TRACK, Status.AT_RISK)
    assert rows["X-E"].change == Change.IMPROVED


def test_exception_carries_the_units_reports_and_open_actions(personas, exceptions_dataset):
    made = exceptions_dataset()
    rows = exceptions(
        period=period("2024"), unit=unit("IE"), policy=Policy.for_user(personas.rector)
    )
    res3 = next(r for r in rows if r.code == "RES-3")
    assert [(r.unit_code, r.status) for r in res3.reports] == [("IDI", "at_risk")]
    assert res3.reports[0].narrative == "Recruitment is slower than planned."
    assert [(a.id, a.owner, a.due, a.raised_in) for a in res3.actions] == [
        (made["open_action"].pk, "Head of department", datetime.date(2024, 6, 30), "2023")
    ]
    assert res3.actions[0].overdue  # due mid-2024, still open today


def test_goal_reported_off_track_without_indicators_is_listed_with_its_reason(
    personas, exceptions_dataset
):
    exceptions_dataset()
    rows = exceptions(
        period=period("2024"), unit=unit("IE"), policy=Policy.for_user(personas.rector)
    )
    res1 = next(r for r in rows if r.code == "RES-1")
    assert (res1.status, res1.reported, res1.severity) == (
        Status.NO_DATA,
        Status.OFF_TRACK,
        Status.OFF_TRACK,
    )
    assert res1.reports[0].narrative == "The lab burnt down."
    assert "RES-2" not in listed(rows)  # reported off track only in a draft


def test_one_unit_of_three_reporting_at_risk_does_not_list_a_goal(personas, exceptions_dataset):
    exceptions_dataset()
    for code, status in [("IDI", "at_risk"), ("IEL", "on_track"), ("IES", "on_track")]:
        ProgressReportFactory(
            goal=goal("RES-4"),
            unit=unit(code),
            period=period("2024"),
            status=status,
            state="approved",
        )
    figures.rebuild()
    policy = Policy(True, ())
    assert "RES-4" not in listed(exceptions(period=period("2024"), unit=unit("IE"), policy=policy))
    assert "RES-4" in listed(exceptions(period=period("2024"), unit=unit("IDI"), policy=policy))


def test_department_scope_lists_only_its_own_subtree(personas, exceptions_dataset):
    exceptions_dataset()
    leader = member("idi-leader", unit("IDI"), Role.APPROVER)
    rows = exceptions(period=period("2024"), unit=unit("IDI"), policy=Policy.for_user(leader))
    # D is owned by IEL; EDU-1 at IDI has only C, on track.
    assert listed(rows) == ["RES-3", "X-A", "RES-1", "X-B"]


def test_department_leader_cannot_ask_for_the_faculty(personas, exceptions_dataset):
    exceptions_dataset()
    leader = member("idi-leader", unit("IDI"), Role.APPROVER)
    with pytest.raises(Http404):
        exceptions(period=period("2024"), unit=unit("IE"), policy=Policy.for_user(leader))


def test_outsider_is_refused(personas, exceptions_dataset):
    exceptions_dataset()
    with pytest.raises(Http404):
        exceptions(
            period=period("2024"), unit=unit("NTNU"), policy=Policy.for_user(personas.outsider)
        )


def test_first_period_has_no_previous_and_every_row_is_new(personas, exceptions_dataset):
    exceptions_dataset()
    rows = exceptions(period=period("2018"), unit=unit("IE"), policy=Policy(True, ()))
    assert all(r.change == Change.NEW and r.previous_status is None for r in rows)


def test_indicator_row_has_value_expected_value_and_coverage(personas, exceptions_dataset):
    exceptions_dataset()
    rows = exceptions(period=period("2024"), unit=unit("IE"), policy=Policy(True, ()))
    a = next(r for r in rows if r.code == "X-A")
    assert (a.value, round(a.expected_value, 3)) == (Decimal(120), Decimal("142.857"))
    assert (a.units_reported, a.units_expected, a.reference_period) == (1, 1, "2024")
    assert (a.indicator_name, a.owner_code, a.goal_code) == ("Indicator A", "IDI", "RES-3")


@pytest.mark.parametrize("extra", [0, 12])
def test_exceptions_take_a_fixed_number_of_queries(
    personas, exceptions_dataset, django_assert_max_num_queries, extra
):
    exceptions_dataset(extra)
    p, u = period("2024"), unit("NTNU")
    world = figures.load_world()  # a page's frame holds the request's
    with django_assert_max_num_queries(7):
        rows = exceptions(period=p, unit=u, policy=Policy(True, ()), world=world)
    assert len(rows) == 6
