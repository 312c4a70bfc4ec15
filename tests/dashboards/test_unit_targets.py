"""Unit (contribution) targets: which target applies to a unit and what a roll-up is measured
against. Every expected figure is computed by hand (docs/scoring.md, "Unit targets")."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dashboards.scoring import (
    ApplicableTarget,
    IndicatorSpec,
    Observation,
    Period,
    Status,
    Tree,
    UnitNode,
    rolled_up_target,
    rollup,
    score_rollup,
    target_for,
    unit_spec,
    unit_targets_in,
)
from indicators.models import Target
from tests.factories import IndicatorFactory, TargetFactory, period, unit

NTNU_TARGET = Decimal(550_704_528)
CONTRIBUTIONS = {"IDI": Decimal(24_000_000), "IES": Decimal(18_500_000)}


def test_a_department_with_its_own_target_is_judged_by_it():
    assert target_for("IDI", "NTNU", NTNU_TARGET, CONTRIBUTIONS) == ApplicableTarget(
        Decimal(24_000_000), "IDI", True
    )


def test_a_department_without_one_sees_the_owners_target_for_the_owner_as_a_whole():
    assert target_for("IMF", "NTNU", NTNU_TARGET, CONTRIBUTIONS) == ApplicableTarget(
        NTNU_TARGET, "NTNU", False
    )


def test_the_owner_is_judged_by_its_own_target():
    assert target_for("NTNU", "NTNU", NTNU_TARGET, CONTRIBUTIONS) == ApplicableTarget(
        NTNU_TARGET, "NTNU", True
    )


def test_a_sum_without_an_own_target_adds_up_the_childrens_contribution_targets():
    # IE has no target of its own; its departments IDI and IES have 24 and 18.5 million.
    assert rolled_up_target("sum", None, list(CONTRIBUTIONS.values())) == Decimal(42_500_000)


def test_a_mean_takes_the_mean_of_the_childrens_targets():
    assert rolled_up_target("mean", None, [Decimal(60), Decimal(70), Decimal(80)]) == Decimal(70)


def test_a_roll_up_with_a_child_lacking_a_target_has_no_target():
    # 24 + 18.5 million would understate IE's target if a third department has none.
    assert rolled_up_target("sum", None, [Decimal(24), Decimal("18.5"), None]) is None


def test_an_own_target_wins_over_the_childrens():
    assert rolled_up_target("sum", Decimal(50), [Decimal(24), Decimal(18)]) == Decimal(50)


def test_not_combined_indicators_have_only_their_own_target():
    assert rolled_up_target("none", None, [Decimal(1), Decimal(2)]) is None


def test_the_grid_shows_a_units_own_target_and_otherwise_says_whose_it_is(
    client, personas, strategy
):
    owned_by_ntnu = IndicatorFactory(
        owner_unit=unit("NTNU"), name_en="Reads", decimals=0, target_value=NTNU_TARGET
    )
    other = IndicatorFactory(
        owner_unit=unit("NTNU"), name_en="Other reads", decimals=0, target_value=NTNU_TARGET
    )
    TargetFactory(indicator=owned_by_ntnu, period=period("2025"), value=NTNU_TARGET)
    Target.objects.create(
        indicator=owned_by_ntnu, period=period("2025"), unit=unit("IDI"), value=24_000_000
    )
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    row = page[page.index(f'id="row-m{owned_by_ntnu.pk}-') :]
    row = row[: row.index("</tr>")]
    assert "24,000,000" in row and "your unit's target" in row
    assert "550,704,528" not in row
    other_row = page[page.index(f'id="row-m{other.pk}-') :]
    assert "for NTNU as a whole, not your unit" in other_row[: other_row.index("</tr>")]


def test_a_unit_target_must_be_for_a_unit_below_the_owner(strategy):
    indicator = IndicatorFactory(owner_unit=unit("IE"))
    target = Target(indicator=indicator, period=period("2025"), unit=unit("NV"), value=1)
    with pytest.raises(ValidationError, match="below the indicator's owner"):
        target.full_clean()


def test_a_unit_has_one_target_per_indicator_and_period(strategy):
    indicator = IndicatorFactory(owner_unit=unit("IE"))
    Target.objects.create(indicator=indicator, period=period("2025"), unit=unit("IDI"), value=1)
    Target.objects.create(indicator=indicator, period=period("2025"), value=5)
    with pytest.raises(ValidationError):
        Target(indicator=indicator, period=period("2025"), unit=unit("IDI"), value=2).full_clean()


# --- The roll-up and the scoring with unit targets (docs/scoring.md, "Unit targets", the
# second worked example). NTNU owns an increasing indicator; IE (no target of its own) has the
# departments IDI (milestone 130 in 2021, target 160 in 2025) and IES (target 140 in 2025).
# Baseline 2018: IDI 100, IES 100. 2024: IDI 150, IES 120. 2024 is 72 of 84 months in.

Y2018 = Period(1, "2018", "year", datetime.date(2018, 1, 1), datetime.date(2018, 12, 31))
Y2021 = Period(4, "2021", "year", datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
Y2024 = Period(7, "2024", "year", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
Y2025 = Period(8, "2025", "year", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
TREE = Tree(
    [
        UnitNode(1, "NTNU", None),
        UnitNode(2, "IE", 1),
        UnitNode(3, "IDI", 2),
        UnitNode(4, "IES", 2),
        UnitNode(5, "NV", 1),
    ]
)
OWN = {3: ((Y2021, Decimal(130)), (Y2025, Decimal(160))), 4: ((Y2025, Decimal(140)),)}
SPEC = IndicatorSpec(
    id=1,
    code="READS",
    direction="increase",
    owner_unit_id=1,
    baseline_value=Decimal(1000),
    baseline_period=Y2018,
    target_value=Decimal(1400),
    target_period=Y2025,
)


def _score_at(unit_id, aggregation, values_2024, baselines):
    targets = unit_targets_in(TREE, 1, aggregation, OWN)
    spec = unit_spec(replace(SPEC, aggregation=aggregation), targets[unit_id], baselines)
    obs = {u: Observation(Decimal(v), Y2024) for u, v in values_2024.items()}
    rolled = rollup(TREE, unit_id, obs, aggregation=aggregation, reference=Y2024)
    return score_rollup(spec, rolled, Y2024)


def test_each_department_keeps_its_own_targets_and_a_faculty_without_one_adds_them_up():
    targets = unit_targets_in(TREE, 1, "sum", OWN)
    # IE: only 2025 is set for both departments, 160 + 140; IDI's 2021 milestone is IDI's own.
    assert targets == {3: OWN[3], 4: OWN[4], 2: ((Y2025, Decimal(300)),)}


def test_a_mean_indicator_gives_the_faculty_the_mean_of_its_departments_targets():
    assert unit_targets_in(TREE, 1, "mean", OWN)[2] == ((Y2025, Decimal(150)),)


def test_a_faculty_with_a_department_lacking_a_target_gets_none():
    targets = unit_targets_in(TREE, 1, "sum", {3: OWN[3]})
    assert 2 not in targets and 1 not in targets


def test_values_not_combined_have_no_unit_targets():
    assert unit_targets_in(TREE, 1, "none", OWN) == {}


def test_a_department_on_its_milestone_path_is_on_track():
    # Expected 2024: 130 + (160 − 130) · 36/48 = 152.5; progress 50/60 = 0.8333, expected
    # progress 52.5/60 = 0.875, ratio 0.9524 ≥ 0.95.
    result = _score_at(3, "sum", {3: 150, 4: 120}, Decimal(100))
    assert result.expected == Decimal("152.5")
    assert round(result.ratio, 4) == Decimal("0.9524")
    assert result.status == Status.ON_TRACK


def test_a_department_behind_its_own_target_is_off_track():
    # Expected 2024: 100 + 40 · 72/84 = 134.29; progress 20/40 = 0.5, ratio 0.5/0.8571 = 0.5833.
    result = _score_at(4, "sum", {3: 150, 4: 120}, Decimal(100))
    assert round(result.expected, 2) == Decimal("134.29")
    assert round(result.ratio, 4) == Decimal("0.5833")
    assert result.status == Status.OFF_TRACK


def test_the_faculty_is_scored_against_the_sum_of_its_departments_targets():
    # IE: 150 + 120 = 270 from a baseline of 200 towards 300: progress 0.7, expected 0.8571,
    # ratio 0.8167: at risk.
    result = _score_at(2, "sum", {3: 150, 4: 120}, Decimal(200))
    assert result.actual == Decimal(270)
    assert round(result.ratio, 4) == Decimal("0.8167")
    assert result.status == Status.AT_RISK


def test_a_mean_faculty_is_scored_against_the_mean_of_its_departments_targets():
    # IE (mean): 135 from 100 towards 150: progress 0.7, the same ratio 0.8167: at risk.
    result = _score_at(2, "mean", {3: 150, 4: 120}, Decimal(100))
    assert result.actual == Decimal(135)
    assert result.status == Status.AT_RISK
