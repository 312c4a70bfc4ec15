"""No lost updates: stale saves are refused with what changed and by whom; steps are atomic."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from goals.models import EditConflict, ProgressReport, ReportState, TransitionRefused
from tests.factories import AN_ACTION, ProgressReportFactory, UserFactory, goal, period


def report_url() -> str:
    return reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])


def test_the_second_of_two_editors_is_refused_with_what_changed_and_by_whom(personas):
    report = ProgressReportFactory(narrative="Start", version=3)
    first, second = Client(), Client()
    first.force_login(personas.idi_reporter)
    second.force_login(personas.ie_leader)
    first.get(report_url())
    second.get(report_url())

    first.post(
        report_url(), {"status": "at_risk", "narrative": "First's text", "version": 3, **AN_ACTION}
    )
    response = second.post(
        report_url(), {"status": "on_track", "narrative": "Second's text", "version": 3}
    )

    page = response.content.decode()
    assert "Not saved." in page
    assert "idi-reporter saved this report" in page
    assert "First&#x27;s text" in page  # what they wrote
    assert "Second&#x27;s text" in page  # the second editor's text is kept in the form
    report.refresh_from_db()
    assert report.narrative == "First's text"


def test_after_a_conflict_saving_again_knowingly_replaces_the_other_version(personas):
    report = ProgressReportFactory(narrative="Start")
    client = Client()
    client.force_login(personas.idi_reporter)
    ProgressReport.objects.filter(pk=report.pk).update(narrative="Theirs", version=2)
    page = client.post(report_url(), {"status": "on_track", "narrative": "Mine", "version": 1})
    assert 'name="version" value="2"' in page.content.decode()
    client.post(report_url(), {"status": "on_track", "narrative": "Mine", "version": 2})
    report.refresh_from_db()
    assert report.narrative == "Mine"


def test_two_people_starting_the_same_report_create_it_once(personas):
    first, second = Client(), Client()
    first.force_login(personas.idi_reporter)
    second.force_login(personas.ie_leader)
    first.post(report_url(), {"status": "on_track", "narrative": "A", "version": 0})
    response = second.post(report_url(), {"status": "on_track", "narrative": "B", "version": 0})
    assert "Not saved." in response.content.decode()
    assert ProgressReport.objects.get(goal=goal("RES-3"), unit__code="IDI").narrative == "A"


def test_an_edit_after_submission_is_refused_and_the_text_is_not_lost(personas):
    report = ProgressReportFactory(narrative="Start")
    report.submit(by=personas.ie_leader)
    client = Client()
    client.force_login(personas.idi_reporter)
    page = client.post(
        report_url(), {"status": "on_track", "narrative": "Late edit", "version": 1}
    ).content.decode()
    assert "can no longer be changed" in page
    assert "Late edit" in page
    report.refresh_from_db()
    assert report.narrative == "Start"


def test_approving_a_report_changed_since_it_was_opened_is_refused(personas):
    report = ProgressReportFactory(state="submitted")
    client = Client()
    client.force_login(personas.ie_leader)
    ProgressReport.objects.filter(pk=report.pk).update(state="draft", version=2)
    ProgressReport.objects.get(pk=report.pk).submit(by=personas.idi_reporter)
    page = client.post(
        reverse("goals:report_review", args=["IDI", "2025", goal("RES-3").pk]),
        {"decision": "approve", "version": 1},
    ).content.decode()
    assert "Not saved." in page
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_same_approver_clicking_twice_approves_once(personas):
    report = ProgressReportFactory(state="submitted")
    report.approve(by=personas.ie_leader, based_on=1)
    ProgressReport.objects.get(pk=report.pk).approve(by=personas.ie_leader, based_on=1)
    report.refresh_from_db()
    assert report.version == 2


def test_a_second_approver_is_told_someone_else_approved(personas):
    report = ProgressReportFactory(state="submitted")
    stale = ProgressReport.objects.get(pk=report.pk)
    report.approve(by=personas.ie_leader)
    with pytest.raises(TransitionRefused) as refusal:
        stale.approve(by=personas.administrator)
    assert refusal.value.current.approved_by == personas.ie_leader


def test_a_stale_model_edit_raises_a_conflict_with_the_current_report(personas):
    report = ProgressReportFactory()
    stale = ProgressReport.objects.get(pk=report.pk)
    report.edit(by=personas.idi_reporter, based_on=1, **{**report.content(), "risks": "New"})
    with pytest.raises(EditConflict) as conflict:
        stale.edit(by=personas.ie_leader, based_on=1, **{**stale.content(), "risks": "Other"})
    assert conflict.value.current.risks == "New"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks: SQLite serialises all writes"
)
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_the_same_time_one_wins(strategy):
    report = ProgressReportFactory(goal=goal("RES-3"), period=period("2025"), state="submitted")
    approvers = [UserFactory(username="approver-a"), UserFactory(username="approver-b")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user, *, hold: bool) -> None:
        from django.db import connection as thread_connection
        from django.db import transaction

        try:
            mine = ProgressReport.objects.get(pk=report.pk)
            if hold:  # approve inside a transaction that stays open while the other one tries
                with transaction.atomic():
                    mine.approve(by=user)
                    barrier.wait()
                    threading.Event().wait(0.5)
            else:
                barrier.wait()
                mine.approve(by=user)
            outcomes.append("approved")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=approve, args=(approvers[0],), kwargs={"hold": True}),
        threading.Thread(target=approve, args=(approvers[1],), kwargs={"hold": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["approved", "refused"]
    report.refresh_from_db()
    assert report.approved_by == approvers[0]
    assert report.version == 2
