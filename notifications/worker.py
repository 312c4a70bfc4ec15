"""A worker that starts (or that was the first back after an outage) sends the outbox's waiting
e-mails at once rather than at beat's next tick."""

from __future__ import annotations

import logging

from celery.signals import worker_ready

from notifications.tasks import send_waiting_emails

logger = logging.getLogger(__name__)


@worker_ready.connect
def send_waiting_emails_on_start(sender=None, **kwargs) -> None:
    try:
        send_waiting_emails.delay()
    except Exception:
        logger.warning("Could not queue the outbox sweep as the worker started", exc_info=True)
