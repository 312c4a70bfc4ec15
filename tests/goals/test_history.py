"""Every change to a report or a value is recorded, with who, when, old and new value.

The records come from django-pghistory's PostgreSQL triggers, so these tests run on PostgreSQL
(as CI does); on SQLite the report page says that history is recorded on PostgreSQL only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from goals.history import report_history
from goals.models import ProgressReport
from indicators.models import Measurement
from tests.factories import (
    AN_ACTION,
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    goal,
)

needs_triggers = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="history is recorded by PostgreSQL triggers"
)


def report_url() -> str:
    return reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])


@needs_triggers
def test_a_web_edit_is_recorded_with_the_user_and_url(client, personas):
    report = ProgressReportFactory(narrative="Before")
    client.force_login(personas.idi_reporter)
    client.post(
        report_url(), {"status": "at_risk", "narrative": "After", "version": 1, **AN_ACTION}
    )
    event = (
        apps.get_model("goals", "ProgressReportEvent")
        .objects.filter(pgh_obj_id=report.pk, pgh_label="update")
        .select_related("pgh_context")
        .get()
    )
    assert event.narrative == "After"
    assert event.pgh_context.metadata["user"] == personas.idi_reporter.pk
    assert event.pgh_context.metadata["url"] == report_url()


@needs_triggers
def test_the_report_page_shows_who_changed_what_from_what_to_what(client, personas):
    ProgressReportFactory(narrative="Old narrative")
    client.force_login(personas.idi_reporter)
    client.post(
        report_url(), {"status": "at_risk", "narrative": "New narrative", "version": 1, **AN_ACTION}
    )
    page = client.get(report_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "idi-reporter" in history
    assert "Old narrative" in history
    assert "New narrative" in history
    assert "At risk" in history


@needs_triggers
def test_bulk_updates_outside_the_web_are_recorded_too(personas):
    report = ProgressReportFactory(narrative="Before")
    ProgressReport.objects.filter(pk=report.pk).update(narrative="Bulk")
    entries = report_history(report)
    assert entries[0].changes[0].new == "Bulk"
    assert entries[0].who == "someone outside the web application"


@needs_triggers
def test_admin_edits_are_recorded(client, personas):
    report = ProgressReportFactory(narrative="Before")
    client.force_login(personas.administrator)
    response = client.post(
        reverse("admin:goals_progressreport_change", args=[report.pk]),
        {
            "goal": report.goal_id,
            "unit": report.unit_id,
            "period": report.period_id,
            "status": "achieved",
            "narrative": "Fixed in the admin",
            "next_steps": "",
            "risks": "",
            "state": "draft",
            "return_comment": "",
        },
    )
    assert response.status_code == 302
    entry = report_history(report)[0]
    assert entry.who == "admin"
    assert {change.new for change in entry.changes} >= {"Fixed in the admin", "Achieved"}


@needs_triggers
def test_value_changes_of_the_goal_show_on_the_report_page(client, personas):
    indicator = IndicatorFactory(name_en="Publication points")
    ProgressReportFactory()
    measurement = MeasurementFactory(
        indicator=indicator, period=goal_period("2025"), value=Decimal("10")
    )
    client.force_login(personas.idi_reporter)
    prefix = f"m{indicator.pk}-{measurement.period_id}"
    client.post(
        reverse("indicators:measurement_save", args=["IDI", indicator.pk, "2025"]),
        {f"{prefix}-value": "12.5", f"{prefix}-comment": "", f"{prefix}-version": "1"},
    )
    assert Measurement.objects.get(pk=measurement.pk).value == Decimal("12.5")
    page = client.get(report_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Publication points (2025)" in history
    assert "12.5" in history


@needs_triggers
def test_deleting_a_value_is_recorded(personas):
    report = ProgressReportFactory()
    measurement = MeasurementFactory(indicator=IndicatorFactory(), period=report.period)
    measurement.delete()
    actions = [entry.action for entry in report_history(report) if "(2025)" in entry.subject]
    assert actions == ["deleted", "created"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on SQLite only")
def test_on_sqlite_the_report_page_says_history_needs_postgresql(client, personas):
    ProgressReportFactory()
    client.force_login(personas.idi_reporter)
    page = client.get(report_url()).content.decode()
    assert "History is recorded on PostgreSQL only." in page


def goal_period(code):
    from tests.factories import period

    return period(code)
