"""The hand-computed cases of docs/scoring.md, one rule or edge case each. No database."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards import scoring
from dashboards.scoring import (
    GoalResult,
    IndicatorSpec,
    Period,
    Score,
    Status,
    Tree,
    UnitNode,
)


def year(y: int, pid: int | None = None) -> Period:
    return Period(pid or y, str(y), "year", datetime.date(y, 1, 1), datetime.date(y, 12, 31))


def tertial(y: int, n: int) -> Period:
    start_month = {1: 1, 2: 5, 3: 9}[n]
    end = {1: datetime.date(y, 4, 30), 2: datetime.date(y, 8, 31), 3: datetime.date(y, 12, 31)}[n]
    return Period(y * 10 + n, f"{y}-T{n}", "tertial", datetime.date(y, start_month, 1), end)


def spec(direction="increase", baseline="100", target="150", **extra) -> IndicatorSpec:
    return IndicatorSpec(
        id=1,
        code="X",
        direction=direction,
        baseline_value=D(baseline),
        baseline_period=year(2018),
        target_value=D(target),
        target_period=year(2025),
        **extra,
    )


def approx(value: D | None, expected: str, places: int = 3) -> bool:
    return value is not None and round(value, places) == D(expected)


# --- Trajectory and reference period --------------------------------------------------------


def test_expected_value_lies_on_the_line_from_baseline_to_target_counted_in_months():
    assert scoring.months_between(year(2018).end, year(2024).end) == 72
    assert approx(scoring.expected_value(spec(), year(2024)), "142.857")


def test_expected_value_runs_through_milestones():
    with_milestone = spec(milestones=((year(2020), D("130")),))
    assert scoring.expected_value(with_milestone, year(2022)) == D("138")
    assert scoring.expected_value(with_milestone, year(2020)) == D("130")


def test_expected_value_is_the_baseline_before_and_the_target_after_the_trajectory():
    assert scoring.expected_value(spec(), year(2017)) == D("100")
    assert scoring.expected_value(spec(), year(2026)) == D("150")


def test_a_yearly_indicator_is_read_at_the_last_year_ended_by_the_chosen_tertial():
    periods = [year(2023), year(2024), tertial(2024, 1), tertial(2024, 2), tertial(2024, 3)]
    assert scoring.reference_period(periods, tertial(2024, 2), "year") == year(2023)
    assert scoring.reference_period(periods, year(2024), "tertial") == tertial(2024, 3)
    assert scoring.reference_period(periods, year(2024), "year") == year(2024)


# --- Indicator status -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "progress", "ratio", "status"),
    [
        ("142", "0.840", "0.980", Status.ON_TRACK),
        ("135", "0.700", "0.817", Status.AT_RISK),
        ("120", "0.400", "0.467", Status.OFF_TRACK),
    ],
)
def test_increasing_indicator_is_scored_by_its_progress_ratio(actual, progress, ratio, status):
    result = scoring.score(spec(), D(actual), year(2024))
    assert approx(result.progress, progress)
    assert approx(result.expected_progress, "0.857")
    assert approx(result.ratio, ratio)
    assert result.status == status


def test_decreasing_indicator_counts_progress_downwards():
    result = scoring.score(spec("decrease", "20", "10"), D("15"), year(2022))
    assert approx(result.expected, "14.286")
    assert result.progress == D("0.5")
    assert approx(result.ratio, "0.875")
    assert result.status == Status.AT_RISK


def test_decreasing_indicator_that_rises_is_off_track():
    result = scoring.score(spec("decrease", "20", "10"), D("21"), year(2022))
    assert result.progress == D("-0.1")
    assert result.status == Status.OFF_TRACK


def test_reached_target_is_on_track_even_far_ahead_of_the_trajectory():
    result = scoring.score(spec(), D("155"), year(2022))
    assert result.reached
    assert result.progress == D("1.1")
    assert approx(result.ratio, "1.925")
    assert result.status == Status.ON_TRACK


def test_milestone_sets_the_expectation():
    with_milestone = spec(milestones=((year(2020), D("130")),))
    result = scoring.score(with_milestone, D("138"), year(2022))
    assert result.progress == D("0.76")
    assert result.ratio == D(1)
    assert result.status == Status.ON_TRACK


@pytest.mark.parametrize(
    ("actual", "deviation", "status"),
    [
        ("4.0", "0.048", Status.ON_TRACK),
        ("3.9", "0.071", Status.AT_RISK),
        ("3.7", "0.119", Status.OFF_TRACK),
    ],
)
def test_maintain_indicator_is_scored_by_its_deviation_from_the_level(actual, deviation, status):
    result = scoring.score(spec("maintain", "4.2", "4.2"), D(actual), year(2024))
    assert approx(result.deviation, deviation)
    assert result.status == status
    assert result.progress is None


@pytest.mark.parametrize(
    ("actual", "status", "reached"),
    [
        ("101", Status.ON_TRACK, True),
        ("97", Status.ON_TRACK, False),
        ("92", Status.AT_RISK, False),
        ("80", Status.OFF_TRACK, False),
    ],
)
def test_baseline_equal_to_target_means_holding_the_line(actual, status, reached):
    result = scoring.score(spec("increase", "100", "100"), D(actual), year(2024))
    assert result.status == status
    assert result.reached is reached


def test_maintain_a_level_of_zero_is_off_track_on_any_deviation():
    assert scoring.score(spec("maintain", "0", "0"), D("0"), year(2024)).status == Status.ON_TRACK
    assert scoring.score(spec("maintain", "0", "0"), D("1"), year(2024)).status == Status.OFF_TRACK


def test_missing_value_is_no_data_never_zero():
    result = scoring.score(spec(), None, year(2024))
    assert result.status == Status.NO_DATA
    assert result.progress is None


def test_indicator_without_target_has_no_status():
    no_target = IndicatorSpec(id=1, code="X", direction="increase")
    assert scoring.score(no_target, D("5"), year(2024)).status == Status.NO_DATA


def test_nothing_is_expected_at_the_baseline_period():
    assert scoring.score(spec(), D("100"), year(2018)).status == Status.ON_TRACK
    assert scoring.score(spec(), D("90"), year(2018)).status == Status.AT_RISK


# --- Roll-up --------------------------------------------------------------------------------

CODES = {
    "NTNU": None,
    "IE": "NTNU",
    "IDI": "IE",
    "IEL": "IE",
    "NV": "NTNU",
    "IBI": "NV",
    "IFY": "NV",
    "IKJ": "NV",
    "VM": "NTNU",
}
IDS = {code: n for n, code in enumerate(CODES, start=1)}
TREE = Tree(UnitNode(IDS[c], c, IDS.get(p) if p else None) for c, p in CODES.items())


def observe(values: dict[str, str], period: Period, accumulation="per_period", reference=None):
    rows = [(IDS[code], D(v), period) for code, v in values.items()]
    return scoring.observations_for(rows, accumulation=accumulation, reference=reference or period)


def roll(code, obs, aggregation, reference=None):
    return scoring.rollup(
        TREE, IDS[code], obs, aggregation=aggregation, reference=reference or year(2024)
    )


def test_sum_rolls_up_a_three_level_tree_and_counts_missing_units():
    obs = observe({"IDI": "10", "IEL": "20", "IBI": "5", "IKJ": "7"}, year(2024))
    assert roll("IE", obs, "sum") == scoring.Rollup(D(30), 2, 2)
    assert roll("NV", obs, "sum") == scoring.Rollup(D(12), 2, 3)
    assert roll("VM", obs, "sum") == scoring.Rollup(None, 0, 1)
    ntnu = roll("NTNU", obs, "sum")
    assert (ntnu.value, ntnu.reported, ntnu.expected, ntnu.missing) == (D(42), 4, 6, 2)


def test_the_roll_up_gives_every_unit_below_with_units_below_it_the_same_as_rolling_up_there():
    obs = observe({"IDI": "10", "IEL": "20", "IBI": "5", "IKJ": "7", "NV": "40"}, year(2024))
    for aggregation in ("sum", "mean"):
        top, below = scoring.rollup_below(
            TREE, IDS["NTNU"], obs, aggregation=aggregation, reference=year(2024)
        )
        assert top == roll("NTNU", obs, aggregation)
        assert below == {IDS[c]: roll(c, obs, aggregation) for c in ("IE", "NV")}
    assert below[IDS["NV"]] == scoring.Rollup(D(40), 3, 3)  # NV's own value covers it


def test_a_not_combined_indicator_has_no_share_below_its_owner():
    obs = observe({"IE": "12", "IDI": "10"}, year(2024))
    top, below = scoring.rollup_below(
        TREE, IDS["NTNU"], obs, aggregation="none", reference=year(2024)
    )
    assert (top, below) == (scoring.Rollup(None, 0, 1), {})


def test_mean_is_the_mean_of_the_childrens_values():
    obs = observe({"IDI": "10", "IEL": "20", "IBI": "5", "IKJ": "7"}, year(2024))
    assert roll("IE", obs, "mean").value == D(15)
    assert roll("NV", obs, "mean").value == D(6)
    assert roll("NTNU", obs, "mean").value == D("10.5")


def test_none_takes_only_the_units_own_value():
    obs = observe({"IDI": "10", "IEL": "20"}, year(2024))
    assert roll("IE", obs, "none") == scoring.Rollup(None, 0, 1)
    obs = observe({"IE": "12", "IDI": "10"}, year(2024))
    assert roll("IE", obs, "none") == scoring.Rollup(D(12), 1, 1)


def test_a_units_own_value_overrides_and_covers_its_children():
    obs = observe({"IE": "100", "IDI": "10"}, year(2024))
    assert roll("IE", obs, "sum") == scoring.Rollup(D(100), 2, 2)


def test_unit_with_no_children_is_its_own_reporting_unit():
    assert roll("VM", observe({"VM": "3"}, year(2024)), "sum") == scoring.Rollup(D(3), 1, 1)
    assert roll("VM", observe({}, year(2024)), "mean") == scoring.Rollup(None, 0, 1)


def test_nothing_reported_is_missing_not_zero():
    assert roll("NTNU", observe({}, year(2024)), "sum").value is None


def test_per_period_values_of_other_periods_are_ignored():
    obs = scoring.observations_for(
        [(IDS["IDI"], D(10), year(2023))], accumulation="per_period", reference=year(2024)
    )
    assert roll("IDI", obs, "sum").value is None


def test_cumulative_takes_the_latest_running_total_and_never_adds_periods():
    rows = [
        (IDS["IDI"], D(10), year(2022)),
        (IDS["IDI"], D(25), year(2023)),
        (IDS["IEL"], D(5), year(2022)),
        (IDS["IEL"], D(12), year(2023)),
        (IDS["IEL"], D(20), year(2024)),
    ]
    obs = scoring.observations_for(rows, accumulation="cumulative", reference=year(2024))
    ie = roll("IE", obs, "sum")
    assert ie.value == D(45)
    assert (ie.reported, ie.carried, ie.expected, ie.missing) == (1, 1, 2, 0)


def test_cumulative_total_does_not_fall_when_a_unit_skips_a_period():
    rows = [
        (IDS["IDI"], D(25), year(2023)),
        (IDS["IEL"], D(12), year(2023)),
        (IDS["IEL"], D(20), year(2024)),
    ]
    total_2023 = roll(
        "IE",
        scoring.observations_for(rows, accumulation="cumulative", reference=year(2023)),
        "sum",
        year(2023),
    )
    total_2024 = roll(
        "IE", scoring.observations_for(rows, accumulation="cumulative", reference=year(2024)), "sum"
    )
    assert (total_2023.value, total_2024.value) == (D(37), D(45))


def test_cumulative_ignores_later_running_totals():
    rows = [(IDS["IDI"], D(25), year(2023)), (IDS["IDI"], D(40), year(2025))]
    obs = scoring.observations_for(rows, accumulation="cumulative", reference=year(2024))
    assert roll("IDI", obs, "sum") == scoring.Rollup(D(25), 0, 1, 1)


# --- Goals, pillars, areas ------------------------------------------------------------------

ON, RISK, OFF, NONE = Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([ON, OFF], OFF),
        ([ON, ON, OFF], ON),
        ([OFF, RISK, ON, ON], RISK),
        ([ON, NONE, NONE], ON),
        ([NONE], NONE),
        ([], NONE),
    ],
)
def test_goal_status_is_the_middle_of_its_indicators(statuses, expected):
    assert scoring.middle_status(statuses) == expected


@given(st.lists(st.sampled_from(list(Status)), max_size=40))
def test_the_middle_of_status_counts_is_the_middle_of_the_statuses_lined_up(statuses):
    """A settle moves a goal's status from its stored counts (dashboards.figures)."""
    lined_up = sorted((s for s in statuses if s is not NONE), key=[OFF, RISK, ON].index)
    middle = lined_up[(len(lined_up) - 1) // 2] if lined_up else NONE
    assert scoring.middle_of_counts(Counter(statuses)) == middle


def goal_result(goal_id, status, progresses=()):
    scores = {
        n: Score(status, progress=D(p)) for n, p in enumerate(progresses, start=goal_id * 100)
    }
    return GoalResult(goal_id, status, scores, Status.NO_DATA)


def test_a_goal_in_two_pillars_counts_once_in_its_area():
    shared = goal_result(1, OFF, ["0.2"])
    pillar_a = scoring.group([shared, goal_result(2, ON, ["0.9"])])
    pillar_b = scoring.group([shared, goal_result(3, ON, ["1.0"])])
    area = scoring.group([shared, goal_result(2, ON, ["0.9"]), shared, goal_result(3, ON, ["1.0"])])
    assert pillar_a.counts[OFF] == pillar_b.counts[OFF] == 1
    assert area.counts == {ON: 2, RISK: 0, OFF: 1, NONE: 0}
    assert area.progress == D("0.9")
    assert area.status == ON


def test_reported_status_maps_achieved_to_on_track_and_ignores_not_started():
    assert scoring.reported_status(["achieved", "off_track", "not_started", "on_track"]) == ON
    assert scoring.reported_status(["not_started"]) == NONE


def test_disagreement_needs_both_statuses():
    assert scoring.disagrees(ON, OFF)
    assert not scoring.disagrees(ON, NONE)
    assert not scoring.disagrees(RISK, RISK)


def test_median_progress_of_an_even_number_is_the_mean_of_the_middle_two():
    assert scoring.median([D("0.2"), D("0.4"), D("0.6"), D("1")]) == D("0.5")
    assert scoring.median([]) is None


# --- Scoring a roll-up: a partial sum is not judged against the whole's target ---------------


def test_a_sum_with_units_missing_is_not_scored_against_the_whole_target():
    # NV's target is for all three departments; only IBI and IKJ reported (5 + 7 = 12).
    obs = observe({"IBI": "5", "IKJ": "7"}, year(2024))
    result = scoring.score_rollup(
        spec(baseline="10", target="30", aggregation="sum"), roll("NV", obs, "sum"), year(2024)
    )
    assert result.status == Status.NO_DATA
    assert result.actual == D(12)  # still shown, with "2 of 3 reported" beside it


def test_a_complete_sum_is_scored():
    obs = observe({"IBI": "5", "IFY": "9", "IKJ": "7"}, year(2024))  # 21, all three in
    rolled = roll("NV", obs, "sum")
    result = scoring.score_rollup(
        spec(baseline="10", target="30", aggregation="sum"), rolled, year(2024)
    )
    assert result == scoring.score(spec(baseline="10", target="30"), D(21), year(2024))
    assert result.status != Status.NO_DATA


def test_a_mean_of_the_units_that_reported_is_scored():
    obs = observe({"IBI": "5", "IKJ": "7"}, year(2024))
    result = scoring.score_rollup(
        spec(baseline="4", target="8", aggregation="mean"), roll("NV", obs, "mean"), year(2024)
    )
    assert result.actual == D(6)
    assert result.status != Status.NO_DATA


def test_a_cumulative_sum_with_carried_totals_counts_as_complete():
    rows = [(IDS["IDI"], D(25), year(2023)), (IDS["IEL"], D(20), year(2024))]
    obs = scoring.observations_for(rows, accumulation="cumulative", reference=year(2024))
    cumulative = spec(baseline="10", target="60", aggregation="sum", accumulation="cumulative")
    result = scoring.score_rollup(cumulative, roll("IE", obs, "sum"), year(2024))
    assert result.actual == D(45)
    assert result.status != Status.NO_DATA
