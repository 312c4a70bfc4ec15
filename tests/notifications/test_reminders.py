from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.conf import settings

from accounts.models import Profile
from goals.models import ReportState
from notifications.models import SentReminder
from notifications.notify import my_unit_url
from notifications.reminders import deadline_reminders_send
from notifications.tasks import send_deadline_reminders
from strategy.models import Role
from tests.conftest import member
from tests.factories import IndicatorFactory, ProgressReportFactory, goal, period


@pytest.fixture
def tertial():
    """2025-T3 is open with its deadline on 20 January 2026; IDI reports on RES-3 in it."""
    t3 = period("2025-T3")
    assert t3.is_open and t3.deadline == datetime.date(2026, 1, 20)
    return t3


@pytest.fixture
def idi_reports_on_res3(units, tertial):
    return IndicatorFactory(code="IDI-T", frequency="tertial", goal=goal("RES-3"))


def days_before(period, days: int) -> datetime.date:
    return period.deadline - datetime.timedelta(days=days)


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def test_the_units_reporters_get_one_email_14_days_before_the_deadline(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    sent = deadline_reminders_send(today=days_before(tertial, 14))
    assert sent == 1
    assert recipients(mailoutbox) == ["idi-reporter@example.org"]
    assert mailoutbox[0].subject == "Veikart: the reports for 2025-T3 are due in 14 days"


def test_a_reporter_at_the_faculty_is_reminded_of_its_departments(
    personas, units, tertial, idi_reports_on_res3, mailoutbox
):
    member("ie-reporter", units["IE"], Role.REPORTER)
    deadline_reminders_send(today=days_before(tertial, 14))
    assert recipients(mailoutbox) == ["idi-reporter@example.org", "ie-reporter@example.org"]


def test_reminders_go_out_exactly_14_and_3_days_before_and_the_day_after(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    sent_on = []
    for offset in range(-20, 10):
        today = tertial.deadline + datetime.timedelta(days=offset)
        if deadline_reminders_send(today=today):
            sent_on.append(offset)
    assert sent_on == [-14, -3, 1]
    assert [m.subject for m in mailoutbox] == [
        "Veikart: the reports for 2025-T3 are due in 14 days",
        "Veikart: the reports for 2025-T3 are due in 3 days",
        "Veikart: the reports for 2025-T3 are overdue",
    ]


def test_running_the_reminders_again_sends_nothing_twice(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    today = days_before(tertial, 3)
    deadline_reminders_send(today=today)
    assert deadline_reminders_send(today=today) == 0
    assert len(mailoutbox) == 1
    assert SentReminder.objects.get().kind == "before-3"


def test_a_reminder_missed_while_beat_was_down_is_sent_a_day_late(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    deadline_reminders_send(today=days_before(tertial, 13))
    assert mailoutbox[0].subject == "Veikart: the reports for 2025-T3 are due in 13 days"


def test_no_reminder_between_the_reminder_days(personas, tertial, idi_reports_on_res3, mailoutbox):
    assert deadline_reminders_send(today=days_before(tertial, 10)) == 0


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.APPROVED])
def test_no_reminder_for_submitted_or_approved_reports(
    personas, tertial, idi_reports_on_res3, mailoutbox, state
):
    ProgressReportFactory(period=tertial, state=state)
    assert deadline_reminders_send(today=days_before(tertial, 3)) == 0
    assert mailoutbox == []


@pytest.mark.parametrize("state", [ReportState.DRAFT, ReportState.RETURNED])
def test_draft_and_returned_reports_are_reminded_of(
    personas, tertial, idi_reports_on_res3, mailoutbox, state
):
    ProgressReportFactory(period=tertial, state=state)
    deadline_reminders_send(today=days_before(tertial, 3))
    assert "1 report not submitted" in mailoutbox[0].body


def test_reporters_without_outstanding_reports_and_other_roles_get_nothing(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    deadline_reminders_send(today=days_before(tertial, 14))
    assert "nv-reporter@example.org" not in recipients(mailoutbox)
    assert "ie-leader@example.org" not in recipients(mailoutbox)
    assert "rector@example.org" not in recipients(mailoutbox)


def test_the_reminder_is_written_in_the_recipients_language(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    Profile.objects.create(user=personas.idi_reporter, language="nb")
    deadline_reminders_send(today=days_before(tertial, 14))
    message = mailoutbox[0]
    assert message.subject == "Veikart: rapportene for 2025-T3 skal leveres om 14 dager"
    assert "Hei idi-reporter" in message.body
    assert message.extra_headers["Content-Language"] == "nb"


def test_the_reminder_links_to_the_my_unit_page(personas, tertial, idi_reports_on_res3, mailoutbox):
    deadline_reminders_send(today=days_before(tertial, 14))
    assert my_unit_url().startswith(f"{settings.SITE_URL}/")
    assert my_unit_url() in mailoutbox[0].body
    assert "IDI" in mailoutbox[0].body


def test_a_reminder_that_could_not_be_sent_is_tried_again_next_run(
    personas, tertial, idi_reports_on_res3, mailoutbox
):
    today = days_before(tertial, 14)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
        assert deadline_reminders_send(today=today) == 0
    assert SentReminder.objects.count() == 0
    assert deadline_reminders_send(today=today) == 1


def test_the_beat_task_sends_todays_reminders(personas, tertial, idi_reports_on_res3, mailoutbox):
    with mock.patch("notifications.tasks.timezone.localdate", return_value=days_before(tertial, 3)):
        send_deadline_reminders.apply()
    assert len(mailoutbox) == 1


def test_a_faculty_indicator_is_owed_by_the_departments_below_it(
    personas, units, tertial, mailoutbox
):
    IndicatorFactory(code="IE-T", frequency="tertial", goal=goal("RES-3"), owner_unit=units["IE"])
    deadline_reminders_send(today=days_before(tertial, 14))
    assert "idi-reporter@example.org" in recipients(mailoutbox)
    assert "- IDI " in mailoutbox[0].body
    assert "- IE " not in mailoutbox[0].body
