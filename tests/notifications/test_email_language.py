"""Every e-mail is written in its recipient's language, whatever the language of the person
whose action sent it, with dates (and numbers) written by `strategy.formatting`."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone, translation

from accounts.models import Profile
from goals.models import Comment, ReportState
from notifications.reminders import deadline_reminders_send
from notifications.tasks import send_weekly_digests
from tests.factories import IndicatorFactory, ProgressReportFactory, goal, period

# 2025's deadline is 1 February 2026; 2025-T3's is 20 January 2026.
DEADLINE = {"nb": "1. feb. 2026", "en": "1 Feb 2026"}


def language(user, code: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"language": code, "weekly_digest": True})


@pytest.fixture(params=["nb", "en"])
def lang(request):
    return request.param


def acted_in_the_other_language(lang: str):
    """The person acting reads the site in the other language than the recipient."""
    return translation.override("en" if lang == "nb" else "nb")


def the_only_email(mailoutbox, lang: str):
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.extra_headers["Content-Language"] == lang
    return message


def test_a_submitted_report_email_is_in_the_approvers_language_with_the_deadline(
    personas, lang, mailoutbox, django_capture_on_commit_callbacks
):
    language(personas.ie_leader, lang)
    draft = ProgressReportFactory(state=ReportState.DRAFT, created_by=personas.idi_reporter)
    with acted_in_the_other_language(lang), django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    message = the_only_email(mailoutbox, lang)
    expected = {
        "nb": ("venter på din godkjenning", f"Fristen for 2025 er {DEADLINE['nb']}."),
        "en": ("awaits your approval", f"The deadline for 2025 is {DEADLINE['en']}."),
    }[lang]
    assert expected[0] in message.subject
    assert expected[1] in " ".join(message.body.split())


@pytest.mark.parametrize("step", ["returned", "approved"])
def test_a_returned_or_approved_report_email_is_in_the_reporters_language(
    personas, lang, step, mailoutbox, django_capture_on_commit_callbacks
):
    language(personas.idi_reporter, lang)
    report = ProgressReportFactory(
        state=ReportState.SUBMITTED, submitted_by=personas.idi_reporter, version=2
    )
    with acted_in_the_other_language(lang), django_capture_on_commit_callbacks(execute=True):
        if step == "returned":
            report.return_to_reporter(by=personas.ie_leader, comment="More on risks.")
        else:
            report.approve(by=personas.ie_leader, comment="Good.")
    message = the_only_email(mailoutbox, lang)
    subject = {
        ("nb", "returned"): "Veikart: rapporten din om RES-3 for IDI, 2025 ble sendt tilbake",
        ("en", "returned"): "Veikart: your report on RES-3 for IDI, 2025 was returned",
        ("nb", "approved"): "Veikart: rapporten din om RES-3 for IDI, 2025 er godkjent",
        ("en", "approved"): "Veikart: your report on RES-3 for IDI, 2025 was approved",
    }[lang, step]
    assert message.subject == subject
    assert ("Hei idi-reporter," if lang == "nb" else "Hello idi-reporter,") in message.body
    if step == "returned":
        deadline = {"nb": "Fristen for 2025 er ", "en": "The deadline for 2025 is "}[lang]
        assert f"{deadline}{DEADLINE[lang]}." in message.body


def test_a_comment_email_is_in_the_mentioned_leaders_language(
    personas, units, lang, mailoutbox, django_capture_on_commit_callbacks
):
    language(personas.ie_leader, lang)
    with acted_in_the_other_language(lang), django_capture_on_commit_callbacks(execute=True):
        Comment.post(
            by=personas.rector,
            goal=goal("RES-3"),
            body="What is the plan?",
            mention=[units["IE"]],
            unit=units["IDI"],
            period=period("2025"),
        )
    message = the_only_email(mailoutbox, lang)
    assert (
        message.subject
        == {
            "nb": "Veikart: rector kommenterte rapporten om RES-3 for IDI, 2025",
            "en": "Veikart: rector commented on the report on RES-3 for IDI, 2025",
        }[lang]
    )


def test_a_deadline_reminder_is_in_the_reporters_language_with_the_date_as_they_write_it(
    personas, units, lang, mailoutbox
):
    language(personas.idi_reporter, lang)
    IndicatorFactory(code="IDI-T", frequency="tertial", goal=goal("RES-3"))
    t3 = period("2025-T3")
    with acted_in_the_other_language(lang):
        deadline_reminders_send(today=t3.deadline - datetime.timedelta(days=14))
    message = the_only_email(mailoutbox, lang)
    expected = {
        "nb": ("skal leveres om 14 dager", "skal leveres innen 20. jan. 2026"),
        "en": ("are due in 14 days", "are due on 20 Jan 2026"),
    }[lang]
    assert expected[0] in message.subject
    assert expected[1] in message.body


def test_the_weekly_digest_is_in_the_readers_language_with_dates_as_they_write_them(
    personas, lang, mailoutbox
):
    language(personas.ie_leader, lang)
    now = timezone.make_aware(datetime.datetime(2025, 11, 24, 6, 30))
    ProgressReportFactory(period=period("2024"), status="on_track", state="approved")
    ProgressReportFactory(
        state="submitted", status="at_risk", submitted_at=now - datetime.timedelta(days=2)
    )
    with (
        acted_in_the_other_language(lang),
        mock.patch("notifications.tasks.timezone.now", return_value=now),
    ):
        send_weekly_digests()
    message = the_only_email(mailoutbox, lang)
    expected = {
        "nb": ("uke 48", "fra 17. nov. 2025 til 24. nov. 2025", "I rute → I fare"),
        "en": ("week 48", "from 17 Nov 2025 to 24 Nov 2025", "On track → At risk"),
    }[lang]
    assert expected[0] in message.subject
    assert expected[1] in message.body
    assert expected[2] in message.body
