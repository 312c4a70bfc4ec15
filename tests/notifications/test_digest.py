"""The weekly digest for readers who opt in: what changed in their units."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Profile
from goals.models import Action, Comment
from notifications.digest import digest_of
from notifications.models import OutboxEmail, OutboxState, SentDigest
from notifications.outbox import outbox_email_send
from notifications.tasks import send_weekly_digests
from tests.factories import ProgressReportFactory, goal, period, unit

NOW = timezone.make_aware(datetime.datetime(2025, 11, 24, 6, 30))  # a Monday
DAYS_AGO = {days: NOW - datetime.timedelta(days=days) for days in range(1, 30)}


def weekly_digests_send(*, now: datetime.datetime) -> int:
    """Beat's weekly task run at `now`: the digests go through the outbox (sent at once here,
    as tasks run eagerly in the tests)."""
    with mock.patch("notifications.tasks.timezone.now", return_value=now):
        return send_weekly_digests()


@pytest.fixture
def reader(personas):
    """The IE faculty leader, who asked for the digest."""
    Profile.objects.create(user=personas.ie_leader, weekly_digest=True)
    return personas.ie_leader


def submitted(unit_code="IDI", days=2, **extra):
    return ProgressReportFactory(
        unit=unit(unit_code), state="submitted", submitted_at=DAYS_AGO[days], **extra
    )


def test_a_reader_gets_the_reports_submitted_in_their_units_this_week(reader, mailoutbox):
    submitted("IDI")
    submitted("IBI")  # another faculty's
    assert weekly_digests_send(now=NOW) == 1
    message = mailoutbox[0]
    assert message.to == ["ie-leader@example.org"]
    assert message.subject == "Veikart: what changed in your units, week 48"
    assert "- IDI · RES-3 · 2025: On track — submitted" in message.body
    assert f"{settings.SITE_URL}/units/IDI/reports/2025/" in message.body
    assert "IBI" not in message.body


def test_changes_before_the_week_are_left_out(reader, mailoutbox):
    submitted("IDI", days=9)
    assert weekly_digests_send(now=NOW) == 0
    assert mailoutbox == []


def test_a_quiet_week_sends_nothing_and_records_nothing(reader, mailoutbox):
    assert weekly_digests_send(now=NOW) == 0
    assert not SentDigest.objects.exists()


def test_people_who_did_not_opt_in_get_nothing(personas, mailoutbox):
    Profile.objects.create(user=personas.rector, weekly_digest=False)
    submitted("IDI")
    assert weekly_digests_send(now=NOW) == 0


def test_running_twice_in_a_week_sends_one_digest(reader, mailoutbox):
    submitted("IDI")
    weekly_digests_send(now=NOW)
    assert weekly_digests_send(now=NOW + datetime.timedelta(hours=2)) == 0
    assert len(mailoutbox) == 1


def test_next_week_starts_where_the_last_digest_ended(reader, mailoutbox):
    submitted("IDI", days=3)
    weekly_digests_send(now=DAYS_AGO[1])
    later = submitted("IDI", days=1, goal=goal("RES-2"))
    weekly_digests_send(now=NOW + datetime.timedelta(days=6))
    assert len(mailoutbox) == 2
    assert "RES-3" not in mailoutbox[1].body
    assert later.goal.code in mailoutbox[1].body


def test_a_reported_status_that_changed_since_the_previous_period_is_listed(reader, mailoutbox):
    ProgressReportFactory(period=period("2024"), status="on_track", state="approved")
    submitted("IDI", status="at_risk")
    weekly_digests_send(now=NOW)
    assert "- IDI · RES-3 · 2025: On track → At risk" in mailoutbox[0].body


def test_approvals_actions_and_comments_are_listed(reader, personas, mailoutbox):
    report = ProgressReportFactory(
        state="approved", status="off_track", approved_at=DAYS_AGO[1], submitted_at=DAYS_AGO[20]
    )
    action = Action.objects.create(
        report=report, cause="c", action="Hire two lecturers", owner="Dean", due="2026-01-31"
    )
    Action.objects.filter(pk=action.pk).update(created_at=DAYS_AGO[2])
    comment = Comment.post(
        by=personas.rector, goal=goal("RES-3"), body="Board: please explain.", for_board=True
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=DAYS_AGO[3])
    own = Comment.post(by=reader, goal=goal("RES-3"), body="My own note")
    Comment.objects.filter(pk=own.pk).update(created_at=DAYS_AGO[3])
    weekly_digests_send(now=NOW)
    body = mailoutbox[0].body
    assert "Approved reports\n- IDI · RES-3 · 2025: Off track" in body
    assert "- IDI · RES-3: Hire two lecturers (Dean, due 31 Jan 2026)" in body
    assert "- RES-3, rector (for the board): Board: please explain." in body
    assert "My own note" not in body


def test_the_digest_is_written_in_the_readers_language(reader, mailoutbox):
    Profile.objects.filter(user=reader).update(language="nb")
    submitted("IDI")
    weekly_digests_send(now=NOW)
    assert mailoutbox[0].subject == "Veikart: hva som er endret i enhetene dine, uke 48"
    assert "Nye rapporter" in mailoutbox[0].body


def test_a_digest_the_mail_server_refused_waits_in_the_outbox_and_is_sent_once_later(
    reader, mailoutbox
):
    submitted("IDI")
    with mock.patch("notifications.digest.notify_weekly_digest", side_effect=OSError("down")):
        weekly_digests_send(now=NOW)
    assert (OutboxEmail.objects.get().state, mailoutbox) == (OutboxState.PENDING, [])
    assert weekly_digests_send(now=NOW + datetime.timedelta(hours=1)) == 0  # not written twice
    later = timezone.now() + datetime.timedelta(hours=1)
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later) == 1
    assert [m.to for m in mailoutbox] == [["ie-leader@example.org"]]


def test_the_digest_is_built_from_a_fixed_number_of_queries(reader, django_assert_max_num_queries):
    for code in ["RES-1", "RES-2", "RES-3", "RES-4", "EDU-1"]:
        ProgressReportFactory(goal=goal(code), period=period("2024"), status="at_risk")
        submitted("IDI", goal=goal(code))
    with django_assert_max_num_queries(7):
        digest = digest_of(reader, since=DAYS_AGO[7], until=NOW)
    assert len(digest.status_changes) == 5


def test_beat_sends_the_digest_weekly_on_monday_morning():
    schedule = settings.CELERY_BEAT_SCHEDULE["send-weekly-digests"]
    assert schedule["task"] == "notifications.tasks.send_weekly_digests"
    assert schedule["schedule"].day_of_week == {1}


def test_the_task_runs_the_digest(reader, mailoutbox):
    submitted("IDI", days=1)
    with mock.patch("notifications.tasks.timezone.now", return_value=NOW):
        assert send_weekly_digests.delay().get() == 1


def test_someone_without_a_role_gets_no_goal_wide_comments(personas, mailoutbox):
    Profile.objects.create(user=personas.outsider, weekly_digest=True)
    comment = Comment.post(by=personas.rector, goal=goal("RES-3"), body="For readers only")
    Comment.objects.filter(pk=comment.pk).update(created_at=DAYS_AGO[1])
    assert weekly_digests_send(now=NOW) == 0
    assert mailoutbox == []
