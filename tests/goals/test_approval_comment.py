"""The approver's comment is stored on the report: shown on its page and in its history
(issue 10, item 10), as well as e-mailed."""

from __future__ import annotations

from django.urls import reverse

from goals.models import ProgressReport
from tests.factories import ProgressReportFactory, goal


def review_url() -> str:
    return reverse("goals:report_review", args=["IDI", "2025", goal("RES-3").pk])


def report_url() -> str:
    return reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])


def approve(client, personas, comment: str):
    report = ProgressReportFactory(state="submitted")
    client.force_login(personas.ie_leader)
    data = {"decision": "approve", "comment": comment, "version": report.version}
    client.post(review_url(), data)
    return ProgressReport.objects.get(pk=report.pk)


def test_the_approvers_comment_is_stored_with_the_approved_report(client, personas):
    report = approve(client, personas, "Clear and complete, thank you.")
    assert report.state == "approved"
    assert report.approval_comment == "Clear and complete, thank you."


def test_the_reporter_reads_the_approvers_comment_on_the_report_page(client, personas):
    approve(client, personas, "Clear and complete, thank you.")
    client.force_login(personas.idi_reporter)
    page = client.get(report_url()).content.decode()
    section = page[page.index('id="approved-title"') :]
    assert "Approved by" in section
    assert "Clear and complete, thank you." in section


def test_the_approvers_comment_appears_in_the_reports_history(client, personas):
    approve(client, personas, "Clear and complete, thank you.")
    page = client.get(report_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Comment on approval" in history
    assert "Clear and complete, thank you." in history


def test_an_approval_without_a_comment_shows_no_empty_comment_box(client, personas):
    approve(client, personas, "")
    page = client.get(report_url()).content.decode()
    assert 'id="approved-title"' not in page


def test_a_control_character_in_the_approvers_comment_is_refused(client, personas):
    report = approve(client, personas, "Fi\x01ne")
    assert report.state == "submitted"
    assert report.approval_comment == ""
