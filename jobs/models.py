"""Background jobs: work a user asked for that runs in a Celery worker.

A job row is written in the same transaction as the user's request and its task is queued only
after that transaction commits (`Job.enqueue`). If the broker is down the row still exists, stays
`queued` with no `sent_at`, and `Job.objects.requeue_stale()` (run by beat every minute, and by
every worker as it starts) sends it as soon as the broker is back.

Each worker writes a heartbeat (`Heartbeat`, see jobs.worker) every few seconds. A running job
whose worker has stopped beating is given back to the queue by the sweep within a minute or two,
with `interruption` set so that the job page can say what happened.

A worker may receive the same job twice: the sweep re-queues a job whose message is merely slow,
and a message whose worker died is delivered again (acks_late, reject_on_worker_lost). `claim()`
lets exactly one delivery run it, and `complete()` writes the job's effects and its `done` state in
one transaction, so an interrupted job has changed nothing and a finished one is never re-applied.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ops.history import history_context

logger = logging.getLogger(__name__)


class JobKind(models.TextChoices):
    IMPORT_MEASUREMENTS = "import_measurements", _("Import of values")
    EXPORT_PERIOD = "export_period", _("Export of a period")
    BOARD_REPORT = "board_report", _("Board report")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobInterruption(models.TextChoices):
    WORKER_STOPPED = "worker_stopped", _("The worker stopped")
    MESSAGE_LOST = "message_lost", _("The queued message was lost")


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

        - queued and never handed to the broker (it was down) for `JOBS_SEND_GRACE_SECONDS`;
        - queued for `JOBS_REQUEUE_AFTER_MINUTES` (the message lost, e.g. Redis restarted empty);
        - running on a worker whose heartbeat stopped `JOBS_WORKER_LOST_AFTER_SECONDS` ago;
        - running for the hard time limit plus `JOBS_REQUEUE_AFTER_MINUTES`, when no worker can
          still be running it (jobs claimed before workers recorded their name).
        """
        now = now or timezone.now()
        grace = now - datetime.timedelta(seconds=settings.JOBS_SEND_GRACE_SECONDS)
        queued_before = now - datetime.timedelta(minutes=settings.JOBS_REQUEUE_AFTER_MINUTES)
        started_before = now - datetime.timedelta(
            seconds=settings.CELERY_TASK_TIME_LIMIT, minutes=settings.JOBS_REQUEUE_AFTER_MINUTES
        )
        lost_before = now - datetime.timedelta(seconds=settings.JOBS_WORKER_LOST_AFTER_SECONDS)
        live_workers = Heartbeat.objects.workers().alive(now=now).values("name")
        return self.filter(
            Q(state=JobState.QUEUED, sent_at__isnull=True, enqueued_at__lt=grace)
            | Q(state=JobState.QUEUED, enqueued_at__lt=queued_before)
            | (
                Q(state=JobState.RUNNING, started_at__lt=lost_before)
                & ~Q(worker="")
                & ~Q(worker__in=live_workers)
            )
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

    def without_message(self, *, now: datetime.datetime | None = None) -> JobQuerySet:
        """Queued jobs sent a while ago that have no message waiting in the broker's queue: it
        was lost (Redis came back empty), so there is no point waiting
        `JOBS_REQUEUE_AFTER_MINUTES`. None when the queue cannot be read."""
        now = now or timezone.now()
        sent_before = now - datetime.timedelta(seconds=settings.JOBS_SEND_GRACE_SECONDS)
        queued = self.filter(state=JobState.QUEUED, sent_at__lt=sent_before)
        if not queued.exists():
            return self.none()
        waiting = job_ids_in_queue()
        if waiting is None:
            return self.none()
        return queued.exclude(pk__in=waiting)

    def requeue_stale(self, *, now: datetime.datetime | None = None) -> int:
        """Queue stale jobs again; give up on jobs that used all their attempts."""
        count = 0
        lost = set(self.without_message(now=now).values_list("pk", flat=True))
        for job in (self.stale(now=now) | self.filter(pk__in=lost)).without_files().order_by("pk"):
            if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
                job.give_up()
                continue
            changes: dict[str, Any] = {"state": JobState.QUEUED, "task_id": "", "worker": ""}
            if job.state == JobState.RUNNING:
                changes.update(interruption=JobInterruption.WORKER_STOPPED, progress=0)
            elif job.pk in lost:
                changes.update(interruption=JobInterruption.MESSAGE_LOST)
            if "interruption" in changes:
                changes["interrupted_at"] = timezone.now()
            reset = Job.objects.filter(pk=job.pk, state=job.state, task_id=job.task_id).update(
                enqueued_at=timezone.now(), **changes
            )
            if reset:
                logger.info("Requeueing job %s (%s, was %s)", job.pk, job.kind, job.state)
                job._dispatch()
                count += 1
        return count


def job_ids_in_queue(limit: int = 10_000) -> set[int] | None:
    """Ids of the jobs whose `run_job` message waits in the broker's default queue (Redis), or
    None if that cannot be known (no broker, another transport, Redis unreachable). A message a
    worker has taken is no longer in the queue; its job is claimed within milliseconds."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from config.celery import app

    try:
        with app.connection_for_read() as connection:
            raw = connection.default_channel.client.lrange(
                app.conf.task_default_queue, 0, limit - 1
            )
    except Exception:
        logger.warning("Could not read the broker's queue", exc_info=True)
        return None
    ids = set()
    for item in raw:
        try:
            message = json.loads(item)
            if message["headers"].get("task") != "jobs.tasks.run_job":
                continue
            args = json.loads(base64.b64decode(message["body"]))[0]
            ids.add(int(args[0]))
        except (ValueError, KeyError, IndexError, TypeError):
            continue  # not a message of ours
    return ids


class HeartbeatQuerySet(models.QuerySet):
    def workers(self) -> HeartbeatQuerySet:
        return self.filter(kind=Heartbeat.Kind.WORKER)

    def alive(self, *, now: datetime.datetime | None = None) -> HeartbeatQuerySet:
        now = now or timezone.now()
        lost_after = datetime.timedelta(seconds=settings.JOBS_WORKER_LOST_AFTER_SECONDS)
        return self.filter(seen_at__gte=now - lost_after)

    def forgotten(self, *, now: datetime.datetime | None = None) -> HeartbeatQuerySet:
        """Workers silent for a day: gone for good (killed, or their host replaced)."""
        now = now or timezone.now()
        return self.filter(seen_at__lt=now - datetime.timedelta(days=1))


class Heartbeat(models.Model):
    """The last sign of life of a worker (by its node name), or of the sweep that beat runs."""

    class Kind(models.TextChoices):
        WORKER = "worker", _("worker")
        SWEEP = "sweep", _("sweep of stale jobs")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=255)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    objects = HeartbeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="heartbeat_once_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, kind: str, name: str) -> None:
        cls.objects.update_or_create(kind=kind, name=name, defaults={"seen_at": timezone.now()})


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
    worker = models.CharField(_("worker"), max_length=255, blank=True, editable=False)
    interruption = models.CharField(
        _("interruption"), max_length=20, choices=JobInterruption, blank=True, editable=False
    )
    interrupted_at = models.DateTimeField(
        _("interrupted at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    enqueued_at = models.DateTimeField(_("queued at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(
        _("handed to the broker at"), null=True, blank=True, editable=False
    )
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
            return
        Job.objects.filter(pk=self.pk, sent_at=None).update(sent_at=timezone.now())

    def claim(self, task_id: str, *, worker: str = "") -> bool:
        """Mark the job running for this delivery; False if another delivery owns it or it ended.

        A running job may be claimed again by the same task id: a message is only delivered
        again when the worker that ran it died, so nothing else is running it any more.
        """
        claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, task_id=task_id)
        restarted = Q(state=JobState.RUNNING)
        claimed = Job.objects.filter(claimable, pk=self.pk).update(
            state=JobState.RUNNING,
            task_id=task_id,
            worker=worker[:255],
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            progress=0,
            interruption=Case(
                When(restarted, then=Value(JobInterruption.WORKER_STOPPED)),
                default=F("interruption"),
            ),
            interrupted_at=Case(
                When(restarted, then=Value(timezone.now())), default=F("interrupted_at")
            ),
        )
        if claimed:
            self.refresh_from_db(
                fields=["state", "task_id", "worker", "started_at", "attempts", "interruption"]
            )
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

    def run(
        self, task_id: str, *, worker: str = "", retry_on: tuple[type[Exception], ...] = ()
    ) -> None:
        """Claim the job and run its handler; the Celery task's body.

        Exceptions in `retry_on` (transient ones) give the job back to the queue and propagate so
        that Celery retries; any other error ends the job as failed, having changed nothing.
        """
        if not self.claim(task_id, worker=worker):
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
