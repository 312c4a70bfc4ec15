"""The report form asks for a cause and an action when the goal's *computed* status for the
unit and period is at risk or off track, not only when the unit reports it so, and says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboards import figures
from goals.models import Action, ProgressReport
from tests.factories import AN_ACTION, IndicatorFactory, MeasurementFactory, goal, period, unit

HTMX = {"HTTP_HX_REQUEST": "true"}
NOTE = "The figures computed from the values put this goal off track for"


def report_url() -> str:
    return reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])


def on_track(**extra) -> dict:
    return {"status": "on_track", "narrative": "All is well.", "version": 0, **extra}


def idi_value_2025(value: str) -> None:
    """RES-3 at IDI: one indicator, 100 (2018) → 150 (2025): 120 is off track (ratio 0.4),
    149 on track."""
    ind = IndicatorFactory(goal=goal("RES-3"), owner_unit=unit("IDI"), decimals=0)
    MeasurementFactory(indicator=ind, unit=unit("IDI"), period=period("2025"), value=value)
    figures.rebuild()


@pytest.fixture
def reporter(client, personas):
    client.force_login(personas.idi_reporter)
    return client


def test_form_says_the_figures_put_the_goal_off_track(reporter):
    idi_value_2025("120")
    page = reporter.get(report_url()).content.decode()
    assert NOTE in page and "in 2025" in page


def test_submitting_on_track_against_off_track_figures_needs_an_action(reporter):
    idi_value_2025("120")
    page = reporter.post(report_url(), on_track(action="submit"), **HTMX).content.decode()
    assert "Not saved: please correct the fields marked below." in page
    assert page.count("Required: the figures put the goal off track for this unit and period.") == 4
    assert not ProgressReport.objects.exists()


def test_a_draft_against_off_track_figures_is_saved_and_still_asks(reporter):
    idi_value_2025("120")
    page = reporter.post(report_url(), on_track(), **HTMX).content.decode()
    assert ProgressReport.objects.get().state == "draft"
    assert NOTE in page


def test_with_an_action_the_report_is_saved_and_the_action_raised(reporter):
    idi_value_2025("120")
    reporter.post(report_url(), on_track(**AN_ACTION), **HTMX)
    report = ProgressReport.objects.get()
    assert report.status == "on_track"
    assert Action.objects.get().owner == "Head of department"


def test_figures_on_track_ask_for_nothing(reporter):
    idi_value_2025("149")
    assert NOTE not in reporter.get(report_url()).content.decode()
    reporter.post(report_url(), on_track(), **HTMX)
    assert ProgressReport.objects.get().status == "on_track"


def test_without_figures_only_the_reported_status_asks(reporter):
    assert NOTE not in reporter.get(report_url()).content.decode()
    reporter.post(report_url(), on_track(), **HTMX)
    assert ProgressReport.objects.exists()


def test_the_reason_is_given_in_norwegian(reporter):
    idi_value_2025("120")
    page = reporter.get(report_url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Tallene som er beregnet fra verdiene, setter dette målet som ikke i rute" in page
