"""Unit (contribution) targets: which target applies to a unit and what a roll-up is measured
against. Every expected figure is computed by hand (docs/scoring.md, "Unit targets")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dashboards.scoring import ApplicableTarget, rolled_up_target, target_for
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
