"""Old jobs and their files are removed by beat after JOBS_RETENTION_DAYS (issue 10, item 10)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jobs.models import Job, JobKind, JobState
from jobs.tasks import remove_expired_jobs


@pytest.fixture
def make_job(personas):
    def make(state: str, *, finished_days_ago: float | None) -> Job:
        finished = (
            None
            if finished_days_ago is None
            else timezone.now() - datetime.timedelta(days=finished_days_ago)
        )
        return Job.objects.create(
            kind=JobKind.IMPORT_MEASUREMENTS,
            created_by=personas.idi_reporter,
            payload={"format": "csv"},
            upload=b"indicator_code,unit_code,period,value\n",
            upload_name="values.csv",
            output=b"result",
            state=state,
            finished_at=finished,
        )

    return make


def test_beat_removes_finished_jobs_and_their_files_after_the_retention_period(make_job, settings):
    settings.JOBS_RETENTION_DAYS = 30
    old_done = make_job(JobState.DONE, finished_days_ago=31)
    old_failed = make_job(JobState.FAILED, finished_days_ago=45)
    recent = make_job(JobState.DONE, finished_days_ago=29)
    assert remove_expired_jobs.delay().get() == 2
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Job.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()


def test_jobs_still_queued_or_running_are_never_removed(make_job, settings):
    settings.JOBS_RETENTION_DAYS = 1
    make_job(JobState.QUEUED, finished_days_ago=None)
    make_job(JobState.RUNNING, finished_days_ago=None)
    assert Job.objects.remove_expired() == 0
    assert Job.objects.count() == 2


def test_the_retention_period_is_a_setting(make_job, settings):
    job = make_job(JobState.DONE, finished_days_ago=8)
    settings.JOBS_RETENTION_DAYS = 10
    assert Job.objects.remove_expired() == 0
    settings.JOBS_RETENTION_DAYS = 7
    assert Job.objects.remove_expired() == 1
    assert not Job.objects.filter(pk=job.pk).exists()


def test_a_removed_jobs_page_answers_404_to_its_owner(client, make_job, personas):
    job = make_job(JobState.DONE, finished_days_ago=400)
    Job.objects.remove_expired()
    client.force_login(personas.idi_reporter)
    assert client.get(job.get_absolute_url()).status_code == 404


def test_beat_runs_the_removal_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["remove-expired-jobs"]
    assert entry["task"] == "jobs.tasks.remove_expired_jobs"
    assert entry["schedule"].hour == {3}
