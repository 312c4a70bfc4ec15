"""Workflow e-mails go through an outbox: kept while the broker or the mail server is away, sent
later by the sweep, and never twice."""

from __future__ import annotations

import datetime
import smtplib
from unittest import mock

import pytest
from django.utils import timezone

from goals.models import ReportState
from notifications.models import OutboxEmail, OutboxState
from notifications.outbox import outbox_email_send
from notifications.tasks import send_outbox_email, send_waiting_emails
from tests.factories import ProgressReportFactory


@pytest.fixture
def draft(personas):
    return ProgressReportFactory(state=ReportState.DRAFT, created_by=personas.idi_reporter)


def later(seconds: int = 60) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


@pytest.fixture
def broker_down():
    with mock.patch.object(send_outbox_email, "delay", side_effect=ConnectionError("refused")):
        yield


def test_with_the_broker_down_the_email_waits_in_the_outbox(
    personas, draft, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    email = OutboxEmail.objects.get()
    assert (email.state, email.recipient, email.step) == (
        "pending",
        personas.ie_leader,
        "submitted",
    )
    assert mailoutbox == []


def test_the_sweep_sends_the_waiting_email_once(
    personas, draft, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later()) == 1
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later()) == 0
    assert [m.to for m in mailoutbox] == [["ie-leader@example.org"]]
    assert "awaits your approval" in mailoutbox[0].subject
    assert OutboxEmail.objects.get().state == OutboxState.SENT


def test_an_email_just_written_is_left_to_its_own_task(
    personas, draft, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    assert OutboxEmail.objects.send_due(send=outbox_email_send) == 0


def test_with_the_broker_up_the_email_is_sent_at_once_and_marked(
    personas, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    assert len(mailoutbox) == 1
    assert OutboxEmail.objects.get().sent_at is not None
    assert send_waiting_emails.apply(kwargs={}).get() == 0


def test_a_second_delivery_of_the_same_email_sends_nothing(
    personas, draft, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    email = OutboxEmail.objects.get()
    assert send_outbox_email.apply(kwargs={"email_id": email.pk}).get() is True
    assert send_outbox_email.apply(kwargs={"email_id": email.pk}).get() is False
    assert len(mailoutbox) == 1


def test_a_mail_server_error_keeps_the_email_for_a_later_attempt(
    personas, draft, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPServerDisconnected("gone"),
    ):
        assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later()) == 0
    email = OutboxEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == (
        "pending",
        1,
        "SMTPServerDisconnected",
    )
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later(10)) == 0  # backing off
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later(60)) == 1
    assert len(mailoutbox) == 1


def test_an_email_is_given_up_after_too_many_attempts(
    personas, draft, broker_down, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    failing = mock.Mock(side_effect=smtplib.SMTPException("no"))
    OutboxEmail.objects.send_due(send=failing, now=later())
    assert OutboxEmail.objects.get().state == OutboxState.FAILED


def test_an_email_whose_sender_vanished_mid_send_is_sent_again_later(
    personas, draft, mailoutbox, broker_down, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft.submit(by=personas.idi_reporter)
    assert OutboxEmail.objects.get().claim()  # a worker claimed it, then was killed
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=later()) == 0
    abandoned = later(settings.OUTBOX_SENDING_TIMEOUT_SECONDS + 1)
    assert OutboxEmail.objects.send_due(send=outbox_email_send, now=abandoned) == 1
    assert len(mailoutbox) == 1
