from __future__ import annotations

import smtplib

from celery import shared_task
from django.utils import timezone

from jobs.tasks import TRANSIENT_ERRORS
from notifications.comments import comment_email_send
from notifications.digest import weekly_digests_send
from notifications.models import OutboxEmail
from notifications.reminders import deadline_reminders_send
from notifications.workflow import report_step_send


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=5,
)
def send_deadline_reminders() -> int:
    """Beat, daily: safe to run any number of times a day."""
    return deadline_reminders_send(today=timezone.localdate())


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS)
def send_outbox_email(*, email_id: int) -> bool:
    """One e-mail of the outbox, unless another sender has it or it was sent."""
    email = OutboxEmail.objects.filter(pk=email_id).first()
    return bool(email and email.deliver(report_step_send))


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS)
def send_waiting_emails() -> int:
    """Beat, every minute: the outbox's e-mails that their own task did not send."""
    return OutboxEmail.objects.send_due(send=report_step_send)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(*TRANSIENT_ERRORS, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def send_report_step_email(
    *, step: str, report_id: int, user_id: int, by_id: int, comment: str = ""
) -> bool:
    """One workflow e-mail, from a message queued before the outbox existed."""
    return report_step_send(
        step=step, report_id=report_id, user_id=user_id, by_id=by_id, comment=comment
    )


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(*TRANSIENT_ERRORS, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def send_comment_email(*, comment_id: int, user_id: int) -> bool:
    """One e-mail about a comment to one person."""
    return comment_email_send(comment_id=comment_id, user_id=user_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=5,
)
def send_weekly_digests() -> int:
    """Beat, weekly: safe to run again the same week (each person gets one digest a week)."""
    return weekly_digests_send(now=timezone.now())
