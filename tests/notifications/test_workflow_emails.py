"""E-mails when a progress report is submitted, returned or approved."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction

from accounts.models import Profile
from goals.models import ReportState, TransitionRefused
from strategy.models import Role
from tests.conftest import member
from tests.factories import ProgressReportFactory, goal
from tests.goals.test_report_flow import content, report_url, review_url


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


@pytest.fixture
def draft(personas):
    return ProgressReportFactory(state=ReportState.DRAFT, created_by=personas.idi_reporter)


@pytest.fixture
def submitted(personas):
    return ProgressReportFactory(
        state=ReportState.SUBMITTED, submitted_by=personas.idi_reporter, version=2
    )


def test_a_submitted_report_goes_to_the_approvers_of_the_unit_and_above(
    personas, units, draft, mailoutbox, django_capture_on_commit_callbacks
):
    member("ntnu-approver", units["NTNU"], Role.APPROVER)
    member("idi-approver", units["IDI"], Role.APPROVER)
    member("nv-approver", units["NV"], Role.APPROVER)
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    assert recipients(mailoutbox) == [
        "idi-approver@example.org",
        "ie-leader@example.org",
        "ntnu-approver@example.org",
    ]
    assert mailoutbox[0].subject == (
        "Veikart: the report of IDI on RES-3 for 2025 awaits your approval"
    )


def test_an_approver_who_submits_a_report_is_not_told_about_it(
    personas, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.ie_leader)
    assert mailoutbox == []


def test_the_submitted_email_links_to_the_report_page(
    personas, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    assert f"{settings.SITE_URL}{report_url()}" in mailoutbox[0].body
    assert "idi-reporter has submitted the progress report" in mailoutbox[0].body


def test_a_returned_report_goes_to_its_reporter_with_the_comment(
    personas, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted.return_to_reporter(by=personas.ie_leader, comment="Say more about risks & costs.")
    assert recipients(mailoutbox) == ["idi-reporter@example.org"]
    assert "Say more about risks & costs." in mailoutbox[0].body
    assert f"{settings.SITE_URL}{report_url()}" in mailoutbox[0].body
    assert mailoutbox[0].subject == "Veikart: your report on RES-3 for IDI, 2025 was returned"


def test_an_approved_report_goes_to_its_reporter_with_the_comment(
    personas, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted.approve(by=personas.ie_leader, comment="Well argued.")
    assert recipients(mailoutbox) == ["idi-reporter@example.org"]
    assert "Well argued." in mailoutbox[0].body
    assert mailoutbox[0].subject == "Veikart: your report on RES-3 for IDI, 2025 was approved"


def test_the_email_is_written_in_the_recipients_language(
    personas, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=personas.idi_reporter, language="nb")
    with django_capture_on_commit_callbacks(execute=True):
        submitted.return_to_reporter(by=personas.ie_leader, comment="Mer om risiko.")
    message = mailoutbox[0]
    assert message.subject == "Veikart: rapporten din om RES-3 for IDI, 2025 ble sendt tilbake"
    assert "Hei idi-reporter," in message.body
    assert message.extra_headers["Content-Language"] == "nb"


def test_nothing_is_sent_before_the_transaction_commits(
    personas, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        draft.submit(by=personas.idi_reporter)
    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert recipients(mailoutbox) == ["ie-leader@example.org"]


def test_nothing_is_sent_when_the_transaction_rolls_back(
    personas, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        draft.submit(by=personas.idi_reporter)
        raise RuntimeError("something later in the request failed")
    assert mailoutbox == []


def test_nothing_is_sent_when_the_step_is_refused(
    personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    approved = ProgressReportFactory(state=ReportState.APPROVED, submitted_by=personas.idi_reporter)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionRefused):
        approved.return_to_reporter(by=personas.ie_leader, comment="Too late")
    assert mailoutbox == []


def test_a_second_click_on_approve_sends_nothing_more(
    personas, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    stale_version = submitted.version
    with django_capture_on_commit_callbacks(execute=True):
        submitted.approve(by=personas.ie_leader, based_on=stale_version)
        submitted.approve(by=personas.ie_leader, based_on=stale_version)
    assert len(mailoutbox) == 1


def test_a_broker_that_cannot_be_reached_does_not_undo_the_step(
    personas, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        mock.patch("notifications.tasks.send_outbox_email.delay", side_effect=ConnectionError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        draft.submit(by=personas.idi_reporter)
    draft.refresh_from_db()
    assert draft.state == ReportState.SUBMITTED
    assert mailoutbox == []


def test_submitting_in_the_browser_emails_the_approver(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(personas.idi_reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(), {**content(), "action": "submit"})
    assert response.status_code == 302
    assert recipients(mailoutbox) == ["ie-leader@example.org"]


def test_approving_with_htmx_emails_the_reporter_the_comment(
    client, personas, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(personas.ie_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(),
            {"decision": "approve", "comment": "Thanks!", "version": submitted.version},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert recipients(mailoutbox) == ["idi-reporter@example.org"]
    assert "Thanks!" in mailoutbox[0].body


def test_a_report_on_another_goal_names_that_goal(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    report = ProgressReportFactory(goal=goal("EDU-1"), state=ReportState.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        report.submit(by=personas.idi_reporter)
    assert "EDU-1" in mailoutbox[0].subject
