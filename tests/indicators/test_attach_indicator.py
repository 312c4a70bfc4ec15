"""Attaching an indicator to a goal for a unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from tests.factories import goal, period


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


def form_data(**overrides) -> dict[str, str]:
    return {
        "goal": str(goal("RES-3").pk),
        "name": "Doctoral degrees",
        "definition": "Degrees awarded in the calendar year.",
        "measure": "count",
        "decimals": "0",
        "direction": "increase",
        "baseline_value": "12",
        "baseline_period": str(period("2018").pk),
        "target_value": "20",
        "target_period": str(period("2025").pk),
        "frequency": "year",
        "accumulation": "per_period",
        "source": "DBH",
        "token": "a1b2c3d4e5f6",
    } | {
        # Periods are named "period:CODE" in parameters, which are built before the database.
        name: str(period(value[7:]).pk) if value.startswith("period:") else value
        for name, value in overrides.items()
    }


def test_reporter_attaches_an_indicator_to_a_goal(reporter_client):
    response = reporter_client.post(reverse("indicators:attach", args=["IDI"]), form_data())
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="IDI-A1B2C3D4")
    assert indicator.owner_unit.code == "IDI"
    assert indicator.target_value == Decimal(20)
    assert indicator.name == "Doctoral degrees"


def test_sending_the_attach_form_twice_creates_one_indicator(reporter_client):
    url = reverse("indicators:attach", args=["IDI"])
    reporter_client.post(url, form_data())
    reporter_client.post(url, form_data())
    assert Indicator.objects.filter(owner_unit__code="IDI").count() == 1


def test_the_form_preselects_the_goal_from_the_link(reporter_client):
    page = reporter_client.get(
        reverse("indicators:attach", args=["IDI"]), {"goal": goal("RES-3").pk}
    ).content.decode()
    assert f'<option value="{goal("RES-3").pk}" selected>' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_period": "", "baseline_period": ""}, "A baseline value needs a baseline period."),
        (
            {"baseline_period": "period:2024", "target_period": "period:2020"},
            "The target period must come after the baseline period.",
        ),
        ({"target_value": "abc"}, "is not a number"),
        ({"target_value": "1" * 40}, "too large"),
        ({"baseline_value": "NaN"}, "finite number"),
        ({"target_value": "1.5"}, "Use at most 0 decimals"),
        ({"measure": "percent", "target_value": "120"}, "between 0 and 100"),
        ({"decimals": "9"}, "less than or equal to 6"),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 1_000_000}, "at most 300 characters"),
        ({"definition": "x" * 1_000_000}, "at most 5000 characters"),
        ({"name": "a\x00b"}, "Null characters are not allowed."),
        ({"token": "<script>"}, "The form is damaged"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(reporter_client, overrides, message):
    response = reporter_client.post(
        reverse("indicators:attach", args=["IDI"]), form_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Indicator.objects.filter(owner_unit__code="IDI").exists()


def test_html_in_the_name_is_shown_as_text(reporter_client):
    reporter_client.post(
        reverse("indicators:attach", args=["IDI"]), form_data(name="<script>alert(1)</script>")
    )
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_a_viewer_may_not_attach_indicators(client, personas):
    client.force_login(personas.rector)
    response = client.post(reverse("indicators:attach", args=["IDI"]), form_data())
    assert response.status_code == 403
    assert not Indicator.objects.exists()
