"""Attaching an indicator asks how values combine, with a default that fits the measure, and
takes milestones (issue 10, item 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator, Target
from tests.factories import period
from tests.indicators.test_attach_indicator import form_data


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


def milestones(*rows: tuple[str, str], extra: int = 3) -> dict[str, str]:
    data = {
        "milestones-TOTAL_FORMS": str(max(extra, len(rows))),
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "10",
    }
    for n, (code, value) in enumerate(rows):
        data[f"milestones-{n}-period"] = str(period(code).pk) if code else ""
        data[f"milestones-{n}-value"] = value
    return data


def attach(client, **data):
    return client.post(reverse("indicators:attach", args=["IDI"]), data)


@pytest.mark.parametrize(
    ("measure", "extra", "combined"),
    [
        ("count", {}, "sum"),
        ("nok", {}, "sum"),
        ("percent", {"baseline_value": "40", "target_value": "60"}, "mean"),
        ("ratio", {}, "mean"),
        ("score", {"baseline_value": "3", "target_value": "4"}, "mean"),
    ],
)
def test_without_a_choice_values_combine_as_fits_the_measure(
    reporter_client, measure, extra, combined
):
    response = attach(reporter_client, **form_data(measure=measure, **extra), **milestones())
    assert response.status_code == 302
    assert Indicator.objects.get(owner_unit__code="IDI").aggregation == combined


def test_the_form_asks_how_values_combine_and_whether_they_are_cumulative(reporter_client):
    page = reporter_client.get(reverse("indicators:attach", args=["IDI"])).content.decode()
    assert 'name="aggregation"' in page
    assert "As fits the unit of measure" in page
    assert 'name="accumulation"' in page
    assert 'name="milestones-0-value"' in page


def test_an_explicit_choice_is_kept(reporter_client):
    attach(
        reporter_client,
        **form_data(measure="percent", baseline_value="40", target_value="60", aggregation="none"),
        **milestones(),
    )
    assert Indicator.objects.get(owner_unit__code="IDI").aggregation == "none"


def test_milestones_are_saved_with_the_indicator(reporter_client):
    response = attach(
        reporter_client, **form_data(), **milestones(("2021", "15"), ("2023", "17"), ("", ""))
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(owner_unit__code="IDI")
    assert list(indicator.targets.values_list("period__code", "value")) == [
        ("2021", Decimal(15)),
        ("2023", Decimal(17)),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("2021", "1e3"),), "is not a number"),
        ((("2021", ""),), "Give the value to reach by this period."),
        ((("", "15"),), "Choose the period this value should be reached by."),
        ((("2021", "15"), ("2021", "16")), "duplicate"),
        ((("2021", "-5"),), "values must lie between"),
        ((("2021", "bad\x00"),), "NUL"),
    ],
)
def test_a_bad_milestone_is_refused_and_nothing_is_attached(reporter_client, rows, message):
    response = attach(reporter_client, **form_data(), **milestones(*rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Indicator.objects.filter(owner_unit__code="IDI").exists()
    assert not Target.objects.exists()


def test_a_bad_aggregation_is_refused(reporter_client):
    response = attach(reporter_client, **form_data(aggregation="median"), **milestones())
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
