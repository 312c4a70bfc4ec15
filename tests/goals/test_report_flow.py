"""A progress report from first draft to approval, through the web pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.models import ProgressReport, ReportState
from tests.factories import ProgressReportFactory, goal, period

HTMX = {"HTTP_HX_REQUEST": "true"}


def report_url(unit="IDI", period_code="2025", goal_code="RES-3") -> str:
    return reverse("goals:report", args=[unit, period_code, goal(goal_code).pk])


def review_url(unit="IDI", period_code="2025", goal_code="RES-3") -> str:
    return reverse("goals:report_review", args=[unit, period_code, goal(goal_code).pk])


def content(**overrides) -> dict[str, str]:
    return {
        "status": "on_track",
        "narrative": "Publication points rose.",
        "next_steps": "Keep going.",
        "risks": "",
        "version": "0",
        **overrides,
    }


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


def test_reporter_sees_an_empty_form_for_a_report_not_yet_written(reporter_client):
    page = reporter_client.get(report_url())
    assert page.status_code == 200
    assert "Missing" in page.content.decode()
    assert 'name="narrative"' in page.content.decode()


def test_reporter_saves_a_draft_which_creates_the_report(reporter_client, personas):
    response = reporter_client.post(report_url(), content())
    assert response.status_code == 302
    report = ProgressReport.objects.get(unit__code="IDI", goal=goal(), period=period())
    assert report.state == ReportState.DRAFT
    assert report.narrative == "Publication points rose."
    assert report.created_by == personas.idi_reporter


def test_saving_a_draft_twice_with_the_same_form_creates_one_report(reporter_client):
    reporter_client.post(report_url(), content())
    second = reporter_client.post(report_url(), content(), follow=True)
    assert ProgressReport.objects.filter(unit__code="IDI", goal=goal()).count() == 1
    assert "Draft saved." in second.content.decode()


def test_reporter_submits_a_report_in_one_step(reporter_client, personas):
    reporter_client.post(report_url(), content(action="submit"))
    report = ProgressReport.objects.get(unit__code="IDI", goal=goal())
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == personas.idi_reporter


def test_submitting_twice_is_not_an_error(reporter_client):
    reporter_client.post(report_url(), content(action="submit"))
    again = reporter_client.post(report_url(), content(action="submit"))
    assert again.status_code in (200, 302)
    assert ProgressReport.objects.get(unit__code="IDI", goal=goal()).state == "submitted"


def test_htmx_save_answers_with_the_report_partial(reporter_client):
    response = reporter_client.post(report_url(), content(), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="report"' in page
    assert "Draft saved." in page


def test_approver_of_the_parent_unit_approves_a_submitted_report(client, personas):
    report = ProgressReportFactory(state="submitted")
    client.force_login(personas.ie_leader)
    response = client.post(review_url(), {"decision": "approve", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert report.approved_by == personas.ie_leader


def test_approver_returns_a_report_with_a_comment_the_reporter_sees(client, personas):
    report = ProgressReportFactory(state="submitted")
    client.force_login(personas.ie_leader)
    client.post(
        review_url(),
        {"decision": "return", "comment": "Add the 2024 figures.", "version": report.version},
    )
    client.force_login(personas.idi_reporter)
    page = client.get(report_url()).content.decode()
    assert "Add the 2024 figures." in page
    assert "Returned" in page
    assert 'name="narrative"' in page  # editable again


def test_returning_without_a_comment_is_refused_with_a_message(client, personas):
    report = ProgressReportFactory(state="submitted")
    client.force_login(personas.ie_leader)
    page = client.post(review_url(), {"decision": "return", "version": report.version})
    assert "Say what the reporter should change." in page.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_reporter_cannot_approve(client, personas):
    report = ProgressReportFactory(state="submitted")
    client.force_login(personas.idi_reporter)
    response = client.post(review_url(), {"decision": "approve", "version": report.version})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_an_approved_report_is_read_only(reporter_client):
    report = ProgressReportFactory(state="approved", narrative="**Done**")
    page = reporter_client.get(report_url()).content.decode()
    assert 'name="narrative"' not in page
    assert "<strong>Done</strong>" in page
    response = reporter_client.post(report_url(), content(version=str(report.version)))
    assert "can no longer be changed" in response.content.decode()
    report.refresh_from_db()
    assert report.narrative == "**Done**"


def test_a_closed_period_is_read_only_for_reporters(reporter_client):
    report = ProgressReportFactory(period=period("2024"), narrative="Old")
    url = report_url(period_code="2024")
    assert 'name="narrative"' not in reporter_client.get(url).content.decode()
    response = reporter_client.post(url, content(version=str(report.version)))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.narrative == "Old"


def test_an_administrator_may_edit_a_report_of_a_closed_period(client, personas):
    report = ProgressReportFactory(period=period("2024"), narrative="Old")
    client.force_login(personas.administrator)
    client.post(report_url(period_code="2024"), content(version=str(report.version)))
    report.refresh_from_db()
    assert report.narrative == "Publication points rose."


def test_rector_reads_an_approved_report_without_forms(client, personas):
    ProgressReportFactory(state="approved", narrative="Approved text")
    client.force_login(personas.rector)
    page = client.get(report_url()).content.decode()
    assert "Approved text" in page
    assert '<form class="card report-form"' not in page
    assert 'name="decision"' not in page


def test_the_narrative_is_rendered_as_sanitised_markdown(reporter_client):
    ProgressReportFactory(
        state="submitted",
        narrative='*fine* <script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x">b</b>',
    )
    page = reporter_client.get(report_url()).content.decode()
    assert "<em>fine</em>" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert ' onclick="' not in page
