"""Two indicators with the same name are told apart by their owner unit wherever they are named:
one rule, `indicators.models.label_indicators`."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from indicators.models import Indicator, label_indicators
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    period,
    unit,
)

READS = "Reads of encyclopedia articles"


@pytest.fixture
def namesakes(units):
    """NTNU's and IE's indicators of the same name, both measured at IDI."""
    return (
        IndicatorFactory(code="NTNU-READS", owner_unit=units["NTNU"], name_en=READS),
        IndicatorFactory(code="IE-READS", owner_unit=units["IE"], name_en=READS),
    )


def labels(indicators) -> list[str]:
    return [indicator.label for indicator in label_indicators(indicators)]


def test_indicators_of_the_same_name_are_labelled_with_their_owner(namesakes, units):
    alone = IndicatorFactory(owner_unit=units["IDI"], name_en="Registered students")
    assert labels([*namesakes, alone]) == [
        f"{READS} — NTNU",
        f"{READS} — IE",
        "Registered students",
    ]


def test_an_indicator_shown_alone_is_labelled_as_in_its_list(namesakes):
    """A grid row saved and re-rendered on its own keeps the owner its list showed."""
    only_ie = Indicator.objects.select_related("owner_unit").filter(code="IE-READS")
    assert labels(only_ie) == [f"{READS} — IE"]


def test_two_of_the_same_name_and_owner_are_told_apart_by_their_code(units):
    first = IndicatorFactory(code="IE-A", owner_unit=units["IE"], name_en=READS)
    second = IndicatorFactory(code="IE-B", owner_unit=units["IE"], name_en=READS)
    assert labels([first, second]) == [f"{READS} — IE (IE-A)", f"{READS} — IE (IE-B)"]


def test_the_rule_follows_the_language_shown(units):
    IndicatorFactory(owner_unit=units["NTNU"], name_en="Reads", name_nb="Lesninger")
    other = IndicatorFactory(owner_unit=units["IE"], name_en="Article reads", name_nb="Lesninger")
    assert labels([other]) == ["Article reads"]
    with translation.override("nb"):
        assert labels([other]) == ["Lesninger — IE"]


def test_an_inactive_namesake_does_not_label_an_indicator(units):
    IndicatorFactory(owner_unit=units["NTNU"], name_en=READS, active=False)
    assert labels([IndicatorFactory(owner_unit=units["IE"], name_en=READS)]) == [READS]


def test_the_grid_names_both_owners(client, personas, namesakes):
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert f"{READS} — NTNU" in page
    assert f"{READS} — IE" in page


def test_a_row_saved_alone_keeps_its_owner_in_its_name(client, personas, namesakes):
    client.force_login(personas.idi_reporter)
    url = reverse("indicators:measurement_save", args=["IDI", namesakes[1].pk, "2025"])
    prefix = f"m{namesakes[1].pk}-{period('2025').pk}"
    response = client.post(
        url, {f"{prefix}-value": "12", f"{prefix}-version": "0"}, headers={"HX-Request": "true"}
    )
    assert f"{READS} — IE" in response.content.decode()


def test_my_unit_and_the_report_page_name_both_owners(client, personas, namesakes):
    for indicator in namesakes:
        MeasurementFactory(indicator=indicator, unit=unit("IDI"), period=period("2025"))
    report = ProgressReportFactory(created_by=personas.idi_reporter)
    client.force_login(personas.idi_reporter)
    report_page = client.get(report.get_absolute_url()).content.decode()
    assert f"{READS} — NTNU" in report_page and f"{READS} — IE" in report_page
    for indicator in namesakes:
        indicator.measurements.all().delete()
    my_unit = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    assert f"{READS} — NTNU" in my_unit and f"{READS} — IE" in my_unit


def test_the_import_template_names_both_owners(client, personas, namesakes):
    client.force_login(personas.idi_reporter)
    response = client.get(
        reverse("spreadsheets:template"), {"period": "2025", "unit": "IDI", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    names = {row[0]: row[1] for row in rows[1:]}
    assert (names["NTNU-READS"], names["IE-READS"]) == (f"{READS} — NTNU", f"{READS} — IE")


def test_the_goal_dashboard_names_both_owners(client, personas, namesakes):
    client.force_login(personas.rector)
    page = client.get("/dashboard/area/RES/goal/RES-3/").content.decode()
    assert f"{READS} — NTNU" in page
    assert f"{READS} — IE" in page
