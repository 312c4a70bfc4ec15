"""Background jobs: work a user asked for that runs in a Celery worker.

A job row is written in the same transaction as the user's request and its task is queued only
after that transaction commits (`Job.enqueue`). If the broker is down the row still exists, stays
`queued`, and `Job.objects.requeue_stale()` (run by beat) queues it again later.

A worker may receive the same job twice: the sweep re-queues a job whose message is merely slow,
and a message whose worker died is delivered again (acks_late, reject_on_worker_lost). `claim()`
lets exactly one delivery run it, and `complete()` writes the job's effects and its `done` state in
one transaction, so an interrupted job has changed nothing and a finished one is never re-applied.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ops.history import history_context

logger = logging.getLogger(__name__)


class JobKind(models.TextChoices):
    IMPORT_MEASUREMENTS = "import_measurements", _("Import of values")
    EXPORT_PERIOD = "export_period", _("Export of a period")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobFailed(Exception):
    """Raised by a job handler to end the job as failed with messages for the user.

    `errors` are dicts the job page shows as a table: `row`, `column` (both optional) and `message`.
    """

    def __init__(self, errors: list[dict[str, Any]], result: dict[str, Any] | None = None):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors
        self.result = result or {}


#: kind → handler(job). Apps register theirs with `@handler(JobKind.X)` (imported in ready()).
HANDLERS: dict[str, Callable[[Job], None]] = {}


def handler(kind: str) -> Callable:
    def register(function: Callable[[Job], None]) -> Callable[[Job], None]:
        HANDLERS[kind] = function
        return function

    return register


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> JobQuerySet:
        """Jobs the user started; administrators see every job."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(created_by=user)

    def without_files(self) -> JobQuerySet:
        return self.defer("upload", "output")

    def stale(self, *, now: datetime.datetime | None = None) -> JobQuerySet:
        """Queued jobs whose message seems lost, and running jobs whose worker seems gone.

        A running job is stale only once the hard time limit (plus a margin) has passed, when
        no worker can still be running it.
        """
        now = now or timezone.now()
        queued_before = now - datetime.timedelta(minutes=settings.JOBS_REQUEUE_AFTER_MINUTES)
        started_before = now - datetime.timedelta(
            seconds=settings.CELERY_TASK_TIME_LIMIT, minutes=settings.JOBS_REQUEUE_AFTER_MINUTES
        )
        return self.filter(
            Q(state=JobState.QUEUED, enqueued_at__lt=queued_before)
            | Q(state=JobState.RUNNING, started_at__lt=started_before)
        )

    def expired(self, *, now: datetime.datetime | None = None) -> JobQuerySet:
        """Finished jobs older than the retention period (JOBS_RETENTION_DAYS)."""
        now = now or timezone.now()
        finished_before = now - datetime.timedelta(days=settings.JOBS_RETENTION_DAYS)
        return self.filter(
            state__in=[JobState.DONE, JobState.FAILED], finished_at__lt=finished_before
        )

    def remove_expired(self, *, now: datetime.datetime | None = None) -> int:
        """Delete expired jobs; the uploaded and result files live in the row and go with it.
        What an import applied stays: measurements do not refer to the job."""
        removed, _by_model = self.expired(now=now).delete()
        if removed:
            logger.info("Removed %s finished jobs past their retention period", removed)
        return removed

    def requeue_stale(self, *, now: datetime.datetime | None = None) -> int:
        """Queue stale jobs again; give up on jobs that used all their attempts."""
        count = 0
        for job in self.stale(now=now).without_files().order_by("pk"):
            if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
                job.give_up()
                continue
            reset = Job.objects.filter(pk=job.pk, state=job.state, task_id=job.task_id).update(
                state=JobState.QUEUED, task_id="", enqueued_at=timezone.now()
            )
            if reset:
                logger.info("Requeueing job %s (%s, was %s)", job.pk, job.kind, job.state)
                job._dispatch()
                count += 1
        return count


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=JobKind)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState, default=JobState.QUEUED, db_index=True
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Files live in the row rather than on a shared disk: they commit (or roll back) with the job,
    # and a worker on another machine needs nothing but the database. Imports are ≤ 5 MB.
    upload = models.BinaryField(_("uploaded file"), null=True, blank=True, editable=False)
    upload_name = models.CharField(_("uploaded file name"), max_length=255, blank=True)
    output = models.BinaryField(_("result file"), null=True, blank=True, editable=False)
    output_name = models.CharField(_("result file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("created by"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    enqueued_at = models.DateTimeField(_("queued at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="job_progress_at_most_100",
                violation_error_message=_("Progress is a percentage."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def enqueue(self) -> None:
        """Queue the job's task once the current transaction commits.

        Never raises: with the broker down the job stays queued for the sweep to pick up.
        """
        transaction.on_commit(self._dispatch)

    def _dispatch(self) -> None:
        from jobs.tasks import run_job

        try:
            run_job.apply_async(args=[self.pk])
        except Exception:
            logger.warning(
                "Could not queue job %s; it stays queued and the sweep will retry",
                self.pk,
                exc_info=True,
            )

    def claim(self, task_id: str) -> bool:
        """Mark the job running for this delivery; False if another delivery owns it or it ended.

        A running job may be claimed again by the same task id: a message is only delivered
        again when the worker that ran it died, so nothing else is running it any more.
        """
        claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, task_id=task_id)
        claimed = Job.objects.filter(claimable, pk=self.pk).update(
            state=JobState.RUNNING,
            task_id=task_id,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if claimed:
            self.refresh_from_db(fields=["state", "task_id", "started_at", "attempts"])
        return bool(claimed)

    def release(self) -> None:
        """Give the job back to the queue, e.g. before a retry after a transient error."""
        Job.objects.filter(pk=self.pk, state=JobState.RUNNING, task_id=self.task_id).update(
            state=JobState.QUEUED, enqueued_at=timezone.now()
        )

    def report_progress(self, percent: int) -> None:
        Job.objects.filter(pk=self.pk, state=JobState.RUNNING, task_id=self.task_id).update(
            progress=max(0, min(100, int(percent)))
        )

    def complete(self, apply: Callable[[], dict[str, Any]] | None = None) -> bool:
        """Run `apply` and mark the job done in one transaction, if this delivery still owns it.

        `apply` returns the job's result. If it raises, nothing it did is kept.
        """
        with transaction.atomic():
            owned = (
                Job.objects.select_for_update()
                .filter(pk=self.pk, state=JobState.RUNNING, task_id=self.task_id)
                .exists()
            )
            if not owned:
                logger.info("Job %s is not ours (task %s); not applying", self.pk, self.task_id)
                return False
            result = apply() if apply else {}
            self._finish(JobState.DONE, result=result)
        return True

    def fail(self, errors: list[dict[str, Any]], result: dict[str, Any] | None = None) -> None:
        with transaction.atomic():
            if (
                Job.objects.select_for_update()
                .filter(pk=self.pk, state=JobState.RUNNING, task_id=self.task_id)
                .exists()
            ):
                self._finish(JobState.FAILED, result=result or {}, errors=errors)

    def give_up(self) -> None:
        Job.objects.filter(pk=self.pk, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
            state=JobState.FAILED,
            finished_at=timezone.now(),
            errors=[{"message": str(_("The job was tried too many times and was given up."))}],
        )

    def _finish(self, state: str, *, result: dict[str, Any], errors: list | None = None) -> None:
        self.state = state
        self.result = result
        self.errors = errors or []
        self.progress = 100
        self.finished_at = timezone.now()
        self.save(update_fields=["state", "result", "errors", "progress", "finished_at"])

    def run(self, task_id: str, *, retry_on: tuple[type[Exception], ...] = ()) -> None:
        """Claim the job and run its handler; the Celery task's body.

        Exceptions in `retry_on` (transient ones) give the job back to the queue and propagate so
        that Celery retries; any other error ends the job as failed, having changed nothing.
        """
        if not self.claim(task_id):
            logger.info("Job %s is %s; delivery %s skips it", self.pk, self.state, task_id)
            return
        try:
            # Messages for the user are written in the language they asked in; the history of
            # what the job changes names the user who asked for it, as a request would.
            with (
                translation.override(self.payload.get("language") or settings.LANGUAGE_CODE),
                history_context(user=self.created_by_id, job=self.pk, kind=self.kind),
            ):
                HANDLERS[self.kind](self)
        except JobFailed as failure:
            self.fail(failure.errors, failure.result)
        except retry_on:
            try:
                self.release()
            except Exception:  # the database may still be away; the sweep will find the job
                logger.warning("Could not release job %s", self.pk, exc_info=True)
            raise
        except Exception:
            logger.exception("Job %s (%s) failed", self.pk, self.kind)
            message = _("The job stopped on an unexpected error. Nothing was changed.")
            self.fail([{"message": str(message)}])
        else:
            # A handler that neither completed nor failed its job has a bug; end the job anyway.
            Job.objects.filter(pk=self.pk, state=JobState.RUNNING, task_id=task_id).update(
                state=JobState.FAILED,
                finished_at=timezone.now(),
                errors=[{"message": str(_("The job ended without a result."))}],
            )
