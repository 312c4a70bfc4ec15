"""How a job behaves when it is delivered twice, when its worker dies, when the broker is down."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from indicators.models import Measurement
from jobs.models import Job, JobKind, JobState
from jobs.tasks import run_job
from tests.spreadsheets.conftest import csv_bytes, row


@pytest.fixture
def import_job(personas, indicators) -> Job:
    content = csv_bytes([row(indicators[0], 10), row(indicators[1], 20)])
    return Job.objects.create(
        kind=JobKind.IMPORT_MEASUREMENTS,
        created_by=personas.idi_reporter,
        payload={"format": "csv"},
        upload=content,
        upload_name="values.csv",
    )


@pytest.fixture
def indicators(units):
    from tests.factories import IndicatorFactory

    return [IndicatorFactory(code="IDI-PUB"), IndicatorFactory(code="IDI-CIT")]


def test_a_job_is_claimed_by_one_delivery_only(import_job):
    assert import_job.claim("task-a") is True
    assert Job.objects.get().claim("task-b") is False


def test_a_job_delivered_twice_is_applied_once(import_job):
    import_job.run("task-a")
    Job.objects.get().run("task-b")
    job = Job.objects.get()
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert Measurement.objects.count() == 2
    assert set(Measurement.objects.values_list("version", flat=True)) == {1}


def test_a_finished_job_is_not_applied_again_by_its_own_redelivered_message(import_job):
    import_job.run("task-a")
    Job.objects.get().run("task-a")
    assert Job.objects.get().attempts == 1
    assert Measurement.objects.count() == 2


def test_a_job_whose_worker_died_is_run_again_by_the_redelivered_message(import_job):
    """The worker claimed the job and died before applying it: nothing was stored."""
    import_job.claim("task-a")
    assert Measurement.objects.count() == 0
    Job.objects.get().run("task-a")
    job = Job.objects.get()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert Measurement.objects.count() == 2


def test_a_delivery_that_lost_its_claim_does_not_apply(import_job):
    import_job.claim("task-a")
    Job.objects.filter(pk=import_job.pk).update(task_id="task-b")  # the sweep handed it on
    assert import_job.complete(lambda: {"applied": True}) is False
    assert Job.objects.get().state == JobState.RUNNING


def test_an_error_while_applying_keeps_nothing_and_fails_the_job(import_job, caplog):
    with mock.patch(
        "spreadsheets.imports.Measurement.objects.bulk_create", side_effect=RuntimeError("boom")
    ):
        import_job.run("task-a")
    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert job.errors == [
        {"message": "The job stopped on an unexpected error. Nothing was changed."}
    ]
    assert Measurement.objects.count() == 0


def test_a_transient_database_error_gives_the_job_back_for_a_retry(import_job):
    with (
        mock.patch("spreadsheets.imports.read_spreadsheet", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        import_job.run("task-a", retry_on=(OperationalError,))
    assert Job.objects.get().state == JobState.QUEUED
    Job.objects.get().run("task-a")
    assert Measurement.objects.count() == 2


def test_the_celery_task_skips_a_job_that_does_not_exist(db, caplog):
    with caplog.at_level(logging.WARNING):
        run_job.apply(args=[999_999])
    assert "Job 999999 does not exist" in caplog.text


def test_with_the_broker_down_the_upload_is_saved_and_the_job_stays_queued(
    client, personas, indicators, django_capture_on_commit_callbacks, caplog
):
    client.force_login(personas.idi_reporter)
    content = csv_bytes([row(indicators[0], 10)])
    with (
        mock.patch.object(run_job, "apply_async", side_effect=BrokerDown("refused")),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING),
    ):
        response = client.post(
            reverse("spreadsheets:import"), {"file": SimpleUploadedFile("v.csv", content)}
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert job.state == JobState.QUEUED
    assert f"Could not queue job {job.pk}" in caplog.text


def minutes_ago(minutes: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)


def test_the_sweep_requeues_a_job_left_queued_and_it_then_runs(import_job):
    Job.objects.filter(pk=import_job.pk).update(enqueued_at=minutes_ago(11))
    assert Job.objects.requeue_stale() == 1  # eager: the task runs at once
    assert Job.objects.get().state == JobState.DONE
    assert Measurement.objects.count() == 2


def test_the_sweep_leaves_recently_queued_jobs_alone(import_job):
    with mock.patch.object(run_job, "apply_async") as apply_async:
        assert Job.objects.requeue_stale() == 0
    apply_async.assert_not_called()


def test_the_sweep_requeues_a_running_job_only_after_the_time_limit(import_job, settings):
    import_job.claim("task-a")
    with mock.patch.object(run_job, "apply_async") as apply_async:
        Job.objects.filter(pk=import_job.pk).update(started_at=minutes_ago(5))
        assert Job.objects.requeue_stale() == 0
        Job.objects.filter(pk=import_job.pk).update(started_at=minutes_ago(20))
        assert Job.objects.requeue_stale() == 1
    apply_async.assert_called_once_with(args=[import_job.pk])
    assert Job.objects.get().state == JobState.QUEUED


def test_the_sweep_gives_up_on_a_job_after_too_many_attempts(import_job, settings):
    Job.objects.filter(pk=import_job.pk).update(
        enqueued_at=minutes_ago(30), attempts=settings.JOBS_MAX_ATTEMPTS
    )
    Job.objects.requeue_stale()
    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert "tried too many times" in job.errors[0]["message"]


def test_every_beat_entry_names_a_registered_task_acknowledged_late():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        assert task.acks_late and task.reject_on_worker_lost
