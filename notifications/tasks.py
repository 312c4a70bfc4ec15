from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task
from django.utils import timezone

from jobs.tasks import TRANSIENT_ERRORS
from notifications.digest import weekly_digests_write
from notifications.models import OutboxEmail
from notifications.outbox import outbox_email_send
from notifications.reminders import deadline_reminders_send

logger = logging.getLogger(__name__)


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
    return bool(email and email.deliver(outbox_email_send))


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS)
def send_waiting_emails() -> int:
    """Beat, every minute: the outbox's e-mails that their own task did not send."""
    return OutboxEmail.objects.send_due(send=outbox_email_send)


def queue_emails(emails: Iterable[OutboxEmail]) -> None:
    """Queue one task per outbox e-mail just committed; one that cannot be queued (the broker
    is away) waits for the sweep. Never raises."""
    for email in emails:
        try:
            send_outbox_email.delay(email_id=email.pk)
        except Exception:
            logger.warning(
                "Could not queue outbox e-mail %s (%s); the sweep will send it",
                email.pk,
                email.step,
                exc_info=True,
            )


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=5,
)
def send_weekly_digests() -> int:
    """Beat, weekly: safe to run again the same week (each person gets one digest a week).
    Returns the number of digests put in the outbox."""
    emails = weekly_digests_write(now=timezone.now())
    queue_emails(emails)
    return len(emails)
