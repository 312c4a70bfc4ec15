"""Redis stopped and started for real (a private redis-server), with real workers and the test
database: work queued during the outage is done promptly once Redis is back, a worker killed in
the middle of an import is replaced and the import applied once, and e-mails from the outage
arrive once."""

from __future__ import annotations

import time

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from indicators.models import Measurement
from jobs.models import Job, JobState
from notifications.models import OutboxEmail, OutboxState
from notifications.tasks import send_outbox_email, send_waiting_emails
from tests.factories import IndicatorFactory, MeasurementFactory, period
from tests.goals.test_report_flow import content, report_url
from tests.jobs.test_worker import upload_values
from tests.jobs.workers import kill_worker, point_celery_at, start_worker, stop_worker, wait_for

pytestmark = [
    # Shares a Redis server with other files: one pytest-xdist process runs them all.
    pytest.mark.xdist_group("redis"),
    pytest.mark.worker,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker subprocess shares the test database: PostgreSQL only (CI runs it)",
    ),
]

#: Workers beat every second here, so that a dead one is noticed within the test.
FAST = {"JOBS_WORKER_HEARTBEAT_SECONDS": "1", "OUTBOX_SEND_GRACE_SECONDS": "0"}


@pytest.fixture
def redis(private_redis):
    """The private Redis as this process's broker; eager tasks again afterwards."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    point_celery_at(private_redis.url(0))
    yield private_redis
    point_celery_at(saved[0])
    app.conf.task_always_eager = saved[1]


@pytest.fixture
def workers(redis, tmp_path):
    """start(name) starts a worker on the private Redis; all are stopped after the test."""
    started = []

    def start(name: str = "a", **env: str):
        log = tmp_path / f"worker-{name}.log"
        process = start_worker(redis.url(0), log, name=name, **FAST, **env)
        started.append(process)
        return process, log

    yield start
    for process in started:
        stop_worker(process)


def job_row(job: Job) -> Job:
    return Job.objects.without_files().get(pk=job.pk)


def test_a_job_uploaded_while_redis_is_down_runs_as_soon_as_a_worker_starts(
    transactional_db, client, personas, redis, workers
):
    redis.stop()
    client.force_login(personas.idi_reporter)
    job = upload_values(client, IndicatorFactory(code="IDI-W"))
    assert (job.state, job.sent_at) == (JobState.QUEUED, None)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "cannot be reached at the moment. Your file is saved" in page

    redis.start()
    time.sleep(settings.JOBS_SEND_GRACE_SECONDS)
    _worker, log = workers("a")  # it queues the sweep as it connects: no beat needed
    wait_for(lambda: job_row(job).state == JobState.DONE, timeout=60, what="the import", log=log)
    assert Measurement.objects.get().value == 12.5


def test_a_job_uploaded_while_redis_is_down_runs_when_the_waiting_worker_reconnects(
    transactional_db, client, personas, redis, workers
):
    _worker, log = workers("a")
    redis.stop()
    client.force_login(personas.idi_reporter)
    job = upload_values(client, IndicatorFactory(code="IDI-W"))
    assert job.sent_at is None
    time.sleep(settings.JOBS_SEND_GRACE_SECONDS)

    redis.start()  # the worker reconnects and queues the sweep: no beat needed
    wait_for(lambda: job_row(job).state == JobState.DONE, timeout=60, what="the import", log=log)
    assert Measurement.objects.count() == 1


def test_a_job_whose_message_redis_lost_in_a_restart_runs_when_a_worker_starts(
    transactional_db, client, personas, redis, workers, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # this process reads the queue, as a worker does
    client.force_login(personas.idi_reporter)
    job = upload_values(client, IndicatorFactory(code="IDI-W"))  # sent; no worker yet
    assert job_row(job).sent_at is not None
    time.sleep(settings.JOBS_SEND_GRACE_SECONDS)
    assert Job.objects.requeue_stale() == 0  # its message waits in the queue: not sent again
    redis.stop()
    redis.start()  # back empty: the message is gone, the job is still queued
    time.sleep(settings.JOBS_SEND_GRACE_SECONDS)

    _worker, log = workers("a")
    wait_for(lambda: job_row(job).state == JobState.DONE, timeout=60, what="the import", log=log)
    assert job_row(job).interruption == "message_lost"
    assert Measurement.objects.count() == 1


def test_a_worker_killed_mid_import_is_replaced_promptly_and_the_import_applied_once(
    transactional_db, client, personas, redis, workers, settings
):
    settings.JOBS_WORKER_LOST_AFTER_SECONDS = 3
    indicator = IndicatorFactory(code="IDI-W")
    stored = MeasurementFactory(indicator=indicator, period=period("2025"), value=1)
    worker_a, log_a = workers("a")

    # Hold the stored value's row lock from another connection: worker A's import reaches its
    # apply transaction and waits there, so that it is killed in the middle of it.
    database = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
    )
    cursor = blocker.cursor()
    cursor.execute("SELECT 1 FROM indicators_measurement WHERE id = %s FOR UPDATE", [stored.pk])
    client.force_login(personas.idi_reporter)
    job = upload_values(client, indicator)
    wait_for(lambda: waiting_on_a_lock() and job_row(job).progress == 80, timeout=60,
             what="worker A to be applying", log=log_a)  # fmt: skip
    kill_worker(worker_a)
    blocker.rollback()
    blocker.close()
    assert job_row(job).state == JobState.RUNNING
    assert Measurement.objects.get().version == 1  # A's transaction left nothing

    time.sleep(settings.JOBS_WORKER_LOST_AFTER_SECONDS + 1)  # A has stopped beating
    _worker_b, log_b = workers("b")
    assert Job.objects.requeue_stale() == 1  # the sweep, as beat runs it every minute
    wait_for(lambda: job_row(job).state == JobState.DONE, timeout=60, what="worker B", log=log_b)

    done = job_row(job)
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.version) == (12.5, 2)  # one update, once
    assert (done.attempts, done.interruption, done.worker) == (
        2,
        "worker_stopped",
        "b@veikart-test",
    )
    page = client.get(done.get_absolute_url()).content.decode()
    assert "The job was started again from the beginning; nothing was saved twice." in page


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_emails_from_a_redis_outage_arrive_once_after_it_returns(
    transactional_db, client, personas, redis, workers, tmp_path
):
    mail = tmp_path / "mail"
    mail.mkdir()
    _worker, log = workers(
        "a",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
    )
    redis.stop()
    client.force_login(personas.idi_reporter)
    response = client.post(report_url(), {**content(), "action": "submit"})
    assert response.status_code == 302
    email = OutboxEmail.objects.get()
    assert (email.state, email.recipient) == (OutboxState.PENDING, personas.ie_leader)

    redis.start()  # the worker reconnects and queues the outbox's sweep
    wait_for(lambda: sent(mail) == 1, timeout=60, what="the e-mail", log=log)
    send_waiting_emails.delay()  # beat's sweeps and a late duplicate find it sent
    send_outbox_email.delay(email_id=email.pk)
    time.sleep(3)
    assert sent(mail) == 1
    assert "To: ie-leader@example.org" in "".join(f.read_text() for f in mail.iterdir())
    assert OutboxEmail.objects.get().state == OutboxState.SENT


def sent(mail) -> int:
    return sum(f.read_text().count("\nSubject: ") for f in mail.iterdir())
