"""The owner unit's editors give units below it contribution targets (docs/scoring.md, "Unit
targets"): set, changed, removed; bad input changes nothing and says why; another unit's
people get 404, a reader who may not change the owner 403."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.models import FigureChange
from indicators.models import Target
from tests.factories import IndicatorFactory, period, unit


@pytest.fixture
def indicator(strategy):
    # Owned by IE (whose approver is `ie_leader`); baseline 2018, target 2025, one decimal.
    return IndicatorFactory(owner_unit=unit("IE"), name_en="Reads of encyclopedia articles")


def url(indicator) -> str:
    return reverse("indicators:unit_targets", args=[indicator.pk])


def post(client, indicator, **data):
    fields = {"unit": unit("IDI").pk, "period": period("2025").pk, "value": "1 234,5"}
    return client.post(url(indicator), fields | data)


def test_a_faculty_leader_gives_a_department_a_target_typed_the_norwegian_way(
    client, personas, indicator
):
    client.force_login(personas.ie_leader)
    response = post(client, indicator)
    assert response.status_code == 302
    target = Target.objects.get(indicator=indicator, unit=unit("IDI"))
    assert (target.period.code, target.value) == ("2025", Decimal("1234.5"))
    page = client.get(url(indicator)).content.decode()
    assert "Saved the target of IDI for 2025." in page
    assert "1,234.5" in page


def test_saving_a_unit_target_marks_the_figures_changed(client, personas, indicator):
    client.force_login(personas.ie_leader)
    FigureChange.objects.all().delete()
    post(client, indicator, value="80")
    assert FigureChange.objects.filter(indicator_id=indicator.pk).exists()


def test_milestones_are_one_target_per_period_and_an_edit_can_move_one(client, personas, indicator):
    client.force_login(personas.ie_leader)
    post(client, indicator, period=period("2021").pk, value="60")
    post(client, indicator, value="80")
    moved = Target.objects.get(indicator=indicator, unit=unit("IDI"), period=period("2021"))
    form = client.get(url(indicator), {"edit": moved.pk}).content.decode()
    assert 'value="60"' in form and "Change a unit" in form
    post(client, indicator, period=period("2022").pk, value="65", replaces=moved.pk)
    assert sorted(
        Target.objects.filter(indicator=indicator, unit=unit("IDI")).values_list(
            "period__code", "value"
        )
    ) == [("2022", Decimal(65)), ("2025", Decimal(80))]


def test_a_target_is_removed_and_removing_it_again_says_so(client, personas, indicator):
    target = indicator.set_unit_target(unit=unit("IES"), period=period("2025"), value=Decimal(9))
    client.force_login(personas.ie_leader)
    remove = reverse("indicators:unit_target_remove", args=[indicator.pk, target.pk])
    assert client.post(remove).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    page = client.post(remove, follow=True).content.decode()
    assert "That target had already been removed." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "lots"}, "“lots” is not a number."),
        ({"value": ""}, "This field is required."),
        ({"value": "12.34"}, "Use at most 1 decimals"),
        ({"period": "2018"}, "after its baseline period and no later than its target period"),
        ({"period": "2025-T1"}, "after its baseline period and no later than its target period"),
        ({"unit": "NV"}, "for a unit below the indicator&#x27;s owner"),
        ({"unit": "IE"}, "for a unit below the indicator&#x27;s owner"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    client, personas, indicator, data, message
):
    client.force_login(personas.ie_leader)
    if "period" in data:
        data["period"] = period(data["period"]).pk
    if "unit" in data:
        data["unit"] = unit(data["unit"]).pk
    response = post(client, indicator, **data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "Nothing was saved." in page
    assert not Target.objects.filter(indicator=indicator, unit__isnull=False).exists()


def test_values_that_are_not_combined_take_no_unit_targets(client, personas, strategy):
    indicator = IndicatorFactory(owner_unit=unit("IE"), aggregation="none")
    client.force_login(personas.ie_leader)
    page = post(client, indicator).content.decode()
    assert "only IE reports" in page
    assert not Target.objects.filter(indicator=indicator).exists()


@pytest.mark.parametrize("persona", ["nv_reporter", "idi_reporter", "outsider"])
def test_people_who_cannot_read_the_owner_get_404_and_change_nothing(
    client, personas, indicator, persona
):
    client.force_login(getattr(personas, persona))
    assert client.get(url(indicator)).status_code == 404
    assert post(client, indicator).status_code == 404
    assert not Target.objects.filter(indicator=indicator).exists()


def test_a_reader_of_the_owner_sees_the_targets_but_may_not_change_them(
    client, personas, indicator
):
    indicator.set_unit_target(unit=unit("IDI"), period=period("2025"), value=Decimal(80))
    client.force_login(personas.rector)
    page = client.get(url(indicator)).content.decode()
    assert "IDI" in page and "Save target" not in page
    assert post(client, indicator, value="1").status_code == 403
    assert Target.objects.get(indicator=indicator, unit__isnull=False).value == Decimal(80)


def test_the_grid_links_the_owner_to_the_targets_of_units_below(client, personas, indicator):
    client.force_login(personas.ie_leader)
    page = client.get(reverse("indicators:grid", args=["IE"])).content.decode()
    assert url(indicator) in page
