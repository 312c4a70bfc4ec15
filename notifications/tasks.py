from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from jobs.tasks import TRANSIENT_ERRORS
from notifications.reminders import deadline_reminders_send


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
