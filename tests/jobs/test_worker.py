"""A real Celery worker, a real Redis and the test database: the queue end to end.

The worker runs as a subprocess (`celery -A config worker`) against the test database, so these
tests need PostgreSQL (which CI runs) and commit their data (`transactional_db`). They use Redis
database 5 (VEIKART_TEST_REDIS_URL), which they empty first.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from dashboards import figures
from indicators.models import Measurement
from jobs.models import Job, JobState
from tests.factories import IndicatorFactory
from tests.jobs.workers import point_celery_at, start_worker, stop_worker, wait_for
from tests.redis_server import shared_redis_url
from tests.spreadsheets.conftest import csv_bytes, row

REDIS_URL = shared_redis_url()
CLOSED_PORT_URL = "redis://127.0.0.1:1/5"  # nothing listens on port 1: the broker is "down"


def redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    # Shares a Redis server with other files: one pytest-xdist process runs them all.
    pytest.mark.xdist_group("redis"),
    pytest.mark.worker,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker subprocess shares the test database: PostgreSQL only (CI runs it)",
    ),
    pytest.mark.skipif(
        not os.environ.get("CI") and not redis_is_up(), reason=f"needs Redis at {REDIS_URL}"
    ),
]


@pytest.fixture
def broker():
    """Yields a switch: broker("up") or broker("down"). Restores eager tasks afterwards."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    yield lambda state: point_celery_at(REDIS_URL if state == "up" else CLOSED_PORT_URL)
    point_celery_at(saved[0])
    app.conf.task_always_eager = saved[1]


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """`celery -A config worker` against the test database and Redis, stopped after the module."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_worker(REDIS_URL, log)
    yield log
    stop_worker(process)


@pytest.fixture(autouse=True)
def _figures_settled_before_the_flush(transactional_db, worker):
    """The worker settles the figures after a job's commit, while the test may already be at
    its end: the database is emptied only once that settle is in (a TRUNCATE beside it
    deadlocked, and the next test found the last one's rows)."""
    yield
    wait_for(lambda: not figures.pending(), timeout=30, what="the figures' settle", log=worker)


def upload_values(client, indicator) -> Job:
    content = csv_bytes([row(indicator, "12,5", comment="from the worker")])
    response = client.post(
        reverse("spreadsheets:import"), {"file": SimpleUploadedFile("values.csv", content)}
    )
    assert response.status_code == 302
    return Job.objects.get()


def job_state(job: Job) -> str:
    return Job.objects.without_files().get(pk=job.pk).state


def test_a_real_worker_imports_an_uploaded_file(transactional_db, client, personas, worker, broker):
    broker("up")
    indicator = IndicatorFactory(code="IDI-W")
    client.force_login(personas.idi_reporter)
    job = upload_values(client, indicator)
    wait_for(lambda: job_state(job) == JobState.DONE, timeout=30, what="the import", log=worker)
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.comment) == (12.5, "from the worker")
    assert measurement.entered_by == personas.idi_reporter


def test_with_the_broker_down_the_upload_is_kept_and_the_sweep_runs_it_later(
    transactional_db, client, personas, worker, broker
):
    broker("down")
    indicator = IndicatorFactory(code="IDI-W")
    client.force_login(personas.idi_reporter)
    job = upload_values(client, indicator)
    assert job.state == JobState.QUEUED
    assert Measurement.objects.count() == 0

    broker("up")
    later = timezone.now() + datetime.timedelta(minutes=settings.JOBS_REQUEUE_AFTER_MINUTES + 1)
    assert Job.objects.requeue_stale(now=later) == 1
    wait_for(lambda: job_state(job) == JobState.DONE, timeout=30, what="the import", log=worker)
    assert Measurement.objects.count() == 1


def test_a_real_worker_makes_the_board_report_pdf(
    transactional_db, client, personas, worker, broker
):
    broker("up")
    client.force_login(personas.rector)
    response = client.post(
        reverse("dashboards:board_report"), {"period": "2024", "unit": "IDI", "language": "nb"}
    )
    job = Job.objects.without_files().get()
    assert response.url == job.get_absolute_url()
    wait_for(lambda: job_state(job) == JobState.DONE, timeout=90, what="the PDF", log=worker)
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
