"""The completeness page counts each unit's progress reports from stored counts
(`UnitReports`), kept by every step of the report workflow: a draft, a submission, a return,
an approval and a deletion each show on the next request."""

from __future__ import annotations

import pytest

from dashboards import figures
from dashboards.models import UnitReports
from goals.models import ProgressReport
from tests.dashboards.test_history_lists import completeness_rows, label
from tests.factories import UserFactory, goal, period, unit


@pytest.fixture
def reporting(dashboard_data, client, personas):
    """The dashboard data with its figures, the rector logged in, and a reporter."""
    dashboard_data(1)
    figures.rebuild()
    client.force_login(personas.rector)
    return UserFactory()


def step(django_capture_on_commit_callbacks, action) -> None:
    """Run a workflow step as a request does: committed, then settled."""
    with django_capture_on_commit_callbacks(execute=True):
        action()
    figures.settle()


def reports_of(client, code: str) -> tuple[str, str] | None:
    """A unit's (submitted or approved, in draft or returned) on the 2024 completeness page."""
    row = completeness_rows(client, period="2024").get(label(code))
    return None if row is None else (row[2], row[3])


def test_a_faculty_that_owes_no_values_is_listed_once_it_has_a_report_and_counted_at_each_step(
    client, reporting, django_capture_on_commit_callbacks
):
    assert reports_of(client, "IE") is None  # IE owes no values: its departments do
    report = ProgressReport(goal=goal("EDU-1"), unit=unit("IE"), period=period("2024"))
    content = {f: "" for f in ProgressReport.CONTENT_FIELDS} | {"status": "on_track"}

    step(
        django_capture_on_commit_callbacks, lambda: report.edit(by=reporting, based_on=0, **content)
    )
    assert reports_of(client, "IE") == ("0", "1")
    row = completeness_rows(client, period="2024")[label("IE")]
    assert row[:2] == ["0", "0"] and row[4] == "Incomplete"

    step(django_capture_on_commit_callbacks, lambda: report.submit(by=reporting))
    assert reports_of(client, "IE") == ("1", "0")
    step(
        django_capture_on_commit_callbacks,
        lambda: report.return_to_reporter(by=reporting, comment="Say more."),
    )
    assert reports_of(client, "IE") == ("0", "1")
    step(django_capture_on_commit_callbacks, lambda: report.submit(by=reporting))
    step(django_capture_on_commit_callbacks, lambda: report.approve(by=reporting))
    assert reports_of(client, "IE") == ("1", "0")
    assert completeness_rows(client, period="2024")[label("IE")][4] == "Complete"

    step(django_capture_on_commit_callbacks, report.delete)
    assert reports_of(client, "IE") is None
    assert not UnitReports.objects.filter(unit=unit("IE")).exists()
    assert figures.differences() == []


@pytest.mark.parametrize("code", ["IDI", "IFY"])  # reports submitted; reports in draft
def test_a_departments_reports_are_counted_as_the_reports_table_holds_them(client, reporting, code):
    stored = ProgressReport.objects.filter(unit=unit(code), period=period("2024"))
    counted = stored.filter(state__in=figures.COUNTED_STATES).count()
    assert stored.exists()
    assert reports_of(client, code) == (str(counted), str(stored.count() - counted))
