"""The sweep sends what waits without a message and gives a dead worker's job to another one; the
job page says in words what happened."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Measurement
from jobs.models import Heartbeat, Job, JobInterruption, JobKind, JobState
from jobs.tasks import requeue_stale_jobs, run_job
from tests.spreadsheets.conftest import csv_bytes, row


@pytest.fixture
def import_job(personas, units) -> Job:
    from tests.factories import IndicatorFactory

    content = csv_bytes([row(IndicatorFactory(code="IDI-PUB"), 10)])
    return Job.objects.create(
        kind=JobKind.IMPORT_MEASUREMENTS,
        created_by=personas.idi_reporter,
        payload={"format": "csv"},
        upload=content,
        upload_name="values.csv",
    )


def seconds_ago(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def page(client, job: Job) -> str:
    client.force_login(job.created_by)
    return client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_a_job_the_broker_never_got_is_sent_by_the_next_sweep(import_job, settings):
    Job.objects.filter(pk=import_job.pk).update(enqueued_at=seconds_ago(10))
    with mock.patch.object(run_job, "apply_async") as apply_async:
        assert Job.objects.requeue_stale() == 1
    apply_async.assert_called_once_with(args=[import_job.pk])
    assert Job.objects.get().sent_at is not None


def test_a_sent_job_is_not_sent_again_within_the_requeue_time(import_job):
    Job.objects.filter(pk=import_job.pk).update(
        enqueued_at=seconds_ago(120), sent_at=seconds_ago(120)
    )
    with mock.patch.object(run_job, "apply_async") as apply_async:
        assert Job.objects.requeue_stale() == 0
    apply_async.assert_not_called()


def test_while_the_broker_is_away_the_job_page_says_the_file_is_saved(client, import_job):
    text = page(client, import_job)
    assert "cannot be reached at the moment. Your file is saved" in text


def test_a_running_job_whose_worker_stopped_beating_is_run_again(client, import_job, settings):
    import_job.claim("task-a", worker="celery@dead")
    Heartbeat.objects.create(
        kind=Heartbeat.Kind.WORKER, name="celery@dead", seen_at=seconds_ago(90)
    )
    import_job.report_progress(80)
    Job.objects.filter(pk=import_job.pk).update(started_at=seconds_ago(90))

    assert Job.objects.requeue_stale() == 1  # eager: it runs again at once
    job = Job.objects.get()
    assert (job.state, job.attempts, job.interruption) == ("done", 2, "worker_stopped")
    assert Measurement.objects.get().version == 1
    assert (
        "The worker running this job stopped at "
        f"{timezone.localtime(job.interrupted_at):%H:%M}. The job was started again from the "
        "beginning; nothing was saved twice." in page(client, job)
    )


def test_a_running_job_on_a_live_worker_is_left_alone(import_job):
    import_job.claim("task-a", worker="celery@alive")
    Heartbeat.beat(Heartbeat.Kind.WORKER, "celery@alive")
    Job.objects.filter(pk=import_job.pk).update(started_at=seconds_ago(300))
    with mock.patch.object(run_job, "apply_async") as apply_async:
        assert Job.objects.requeue_stale() == 0
    apply_async.assert_not_called()


def test_a_requeued_job_says_it_starts_again_and_shows_no_stale_progress(client, import_job):
    import_job.claim("task-a", worker="celery@dead")
    import_job.report_progress(80)
    Job.objects.filter(pk=import_job.pk).update(started_at=seconds_ago(300))
    with mock.patch.object(run_job, "apply_async"):
        assert Job.objects.requeue_stale() == 1
    job = Job.objects.get()
    assert (job.state, job.progress, job.task_id) == (JobState.QUEUED, 0, "")
    assert "The job is starting again from the beginning; nothing was saved twice." in page(
        client, job
    )


def test_a_message_redelivered_after_its_worker_died_says_so_on_the_page(client, import_job):
    import_job.claim("task-a", worker="celery@a")
    import_job.report_progress(80)
    assert import_job.claim("task-a", worker="celery@b")  # the same message, delivered again
    job = Job.objects.get()
    assert (job.interruption, job.progress, job.worker) == (
        JobInterruption.WORKER_STOPPED,
        0,
        "celery@b",
    )


def test_the_sweep_task_records_that_it_ran_and_forgets_workers_gone_for_a_day(db):
    Heartbeat.objects.create(kind="worker", name="celery@old", seen_at=seconds_ago(25 * 3600))
    Heartbeat.objects.create(kind="worker", name="celery@recent", seen_at=seconds_ago(3600))
    requeue_stale_jobs.apply()
    assert Heartbeat.objects.filter(kind=Heartbeat.Kind.SWEEP).exists()
    assert list(Heartbeat.objects.workers().values_list("name", flat=True)) == ["celery@recent"]


def test_every_sweep_queued_on_connecting_is_a_registered_task():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_SWEEP_ON_CONNECT
    for name in settings.CELERY_SWEEP_ON_CONNECT:
        assert app.tasks[name].acks_late
