"""Units measured against their own contribution targets in the stored figures, on the
dashboards, their downloads and the API (docs/scoring.md, "Unit targets"). Hand-computed:

IE owns an increasing indicator (baseline 2018, target 2025). IDI reported 40 in 2018 and 70
in 2024; IE gave IDI a target of 80 for 2025. IDI's own path runs from its 40 in 2018 to 80 in
2025: expected 2024 = 40 + 40 · 72/84 = 74.29; progress 30/40 = 0.75, expected progress
72/84 = 0.8571, ratio 0.875: at risk. IEL has no target: its share is not scored.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from dashboards import figures
from dashboards.models import FigureChange, GroupFigure, GroupKind, IndicatorFigure
from strategy.models import Unit
from tests.dashboards.conftest import code_of
from tests.factories import IndicatorFactory, MeasurementFactory, goal, period, unit


@pytest.fixture
def reads(strategy):
    indicator = IndicatorFactory(
        code="IE-READS",
        name_en="Reads of encyclopedia articles",
        goal=goal("RES-3"),
        owner_unit=unit("IE"),
        decimals=0,
        baseline_value=Decimal(300),
        target_value=Decimal(600),
    )
    for year, value in (("2018", 40), ("2024", 70)):
        MeasurementFactory(indicator=indicator, unit=unit("IDI"), period=period(year), value=value)
    MeasurementFactory(indicator=indicator, unit=unit("IEL"), period=period("2024"), value=55)
    indicator.set_unit_target(unit=unit("IDI"), period=period("2025"), value=Decimal(80))
    figures.settle()
    return indicator


def idi_figure(indicator, year="2024") -> IndicatorFigure:
    return IndicatorFigure.objects.get(indicator=indicator, unit=unit("IDI"), period=period(year))


def test_a_department_is_stored_against_its_own_target(reads):
    figure = idi_figure(reads)
    assert (figure.at_owner, figure.target, figure.value) == (False, Decimal(80), Decimal(70))
    assert round(figure.expected_value, 2) == Decimal("74.29")
    assert round(figure.ratio, 4) == Decimal("0.8750")
    assert figure.status == "at_risk"


def test_the_departments_goal_counts_the_indicator_it_has_a_target_for(reads):
    row = GroupFigure.objects.get(
        unit=unit("IDI"), period=period("2024"), kind=GroupKind.GOAL, object_id=goal("RES-3").pk
    )
    assert (row.status, row.at_risk) == ("at_risk", 1)
    # IEL has no target of its own: the indicator is IE's, not counted in IEL's goals.
    assert not IndicatorFigure.objects.filter(indicator=reads, unit=unit("IEL")).exists()


def test_the_faculty_gets_no_rolled_up_target_while_a_department_lacks_one(reads):
    # IE's other departments have none, so IE is measured against its own target only.
    assert not IndicatorFigure.objects.filter(indicator=reads, unit=unit("IE"), at_owner=False)


def test_a_faculty_whose_every_department_has_a_target_is_measured_against_their_sum(strategy):
    indicator = IndicatorFactory(owner_unit=unit("NTNU"), decimals=0)
    departments = list(Unit.objects.filter(parent__code="IE", active=True).order_by("code"))
    for n, department in enumerate(departments, 1):
        indicator.set_unit_target(unit=department, period=period("2025"), value=Decimal(10 * n))
    figures.settle()
    faculty = IndicatorFigure.objects.filter(indicator=indicator, unit=unit("IE"), at_owner=False)
    # 10 + 20 + … + 10·n for the n departments of IE.
    n = len(departments)
    assert {f.target for f in faculty} == {Decimal(10 * n * (n + 1) // 2)}


def test_editing_a_unit_target_marks_the_figures_changed_and_they_follow(reads):
    reads.set_unit_target(unit=unit("IDI"), period=period("2025"), value=Decimal(75))
    assert FigureChange.objects.filter(indicator_id=reads.pk).exists()
    figures.settle()
    # 40 → 75: expected 2024 = 70; progress 30/35 = 0.8571 = expected progress: on track.
    figure = idi_figure(reads)
    assert (figure.target, figure.status) == (Decimal(75), "on_track")
    assert figures.differences() == []


def test_removing_the_last_unit_target_removes_the_units_figure(reads):
    target = reads.targets.get(unit=unit("IDI"))
    reads.remove_unit_target(target.pk)
    figures.settle()
    assert not IndicatorFigure.objects.filter(indicator=reads, unit=unit("IDI")).exists()
    assert figures.differences() == []


def csv_rows(client, url, table):
    response = client.get(url, {"period": "2024", "format": "csv", "table": table})
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_unit_page_scores_a_share_against_the_units_own_target(client, personas, reads):
    other = IndicatorFactory(owner_unit=unit("IE"), decimals=0, target_value=Decimal(600))
    client.force_login(personas.rector)
    shares = {
        code_of(r["Indicator"]): r
        for r in csv_rows(client, "/dashboard/unit/IDI/", "contributions")
    }
    assert shares["IE-READS"]["Target"] == "80"
    assert shares["IE-READS"]["Whose target"] == "IDI's own target"
    assert shares["IE-READS"]["Status"] == "At risk"
    assert shares[other.code]["Whose target"] == "for IE as a whole, not IDI's"
    assert shares[other.code]["Status"] == "Not scored here"


def test_the_owners_target_is_shown_de_emphasised_on_the_unit_page(client, personas, reads):
    IndicatorFactory(owner_unit=unit("IE"), decimals=0, target_value=Decimal(600))
    client.force_login(personas.rector)
    html = client.get("/dashboard/unit/IEL/", {"period": "2024"}).content.decode()
    assert '<span class="whole-target">for IE as a whole, not IEL&#x27;s</span>' in html


def test_the_goal_page_of_a_department_lists_the_indicator_it_has_a_target_for(
    client, personas, reads
):
    client.force_login(personas.idi_reporter)
    rows = {
        r["Code"]: r
        for r in csv_rows(client, "/dashboard/area/RES/goal/RES-3/?unit=IDI", "indicators")
    }
    assert rows["IE-READS"]["Target"] == "80"
    assert rows["IE-READS"]["Whose target"] == "IDI's own target"
    assert rows["IE-READS"]["Status"] == "At risk"


def test_the_api_gives_the_departments_figure_and_whose_target_it_is(client, personas, reads):
    client.force_login(personas.idi_reporter)
    body = client.get("/api/v1/figures/", {"period": "2024", "unit": "IDI"}).json()
    row = next(r for r in body["results"] if r["code"] == "IE-READS")
    assert (row["status"], row["target"], row["target_of"]) == ("at_risk", "80.000000", "IDI")


def test_the_api_lists_unit_targets_apart_from_the_owners_milestones(client, personas, reads):
    client.force_login(personas.ie_leader)
    body = client.get("/api/v1/indicators/IE-READS/").json()
    assert body["milestones"] == []
    assert body["unit_targets"] == [{"unit": "IDI", "period": "2025", "value": "80.000000"}]
