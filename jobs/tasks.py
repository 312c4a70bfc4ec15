"""Celery tasks for background jobs: thin, the logic is in jobs.models."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from jobs.models import Heartbeat, Job

logger = logging.getLogger(__name__)

#: Errors that may pass on their own (the database restarting); the job is retried with backoff.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def run_job(self, job_id: int) -> None:
    job = Job.objects.without_files().filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s does not exist; nothing to run", job_id)
        return
    job.run(task_id=self.request.id, worker=self.request.hostname or "", retry_on=TRANSIENT_ERRORS)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS)
def remove_expired_jobs() -> int:
    """Beat: delete finished jobs, with their files, once the retention period has passed."""
    return Job.objects.remove_expired()


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS)
def requeue_stale_jobs() -> int:
    """Beat, every minute: send jobs that wait without a message or whose worker died."""
    Heartbeat.beat(Heartbeat.Kind.SWEEP, "requeue_stale_jobs")
    Heartbeat.objects.workers().forgotten().delete()
    return Job.objects.requeue_stale()
