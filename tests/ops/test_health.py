"""Liveness (`/healthz`, for the load balancer: can this process serve?) and the status report
(`/healthz/status`, for monitoring: every dependency). Both open without login, no details."""

from __future__ import annotations

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone

from jobs.models import Heartbeat, Job, JobKind

# Shares a Redis server with other files: one pytest-xdist process runs them all.
pytestmark = pytest.mark.xdist_group("redis")


@pytest.fixture
def with_broker(settings):
    """Settings as with CELERY_BROKER_URL set, the broker at a port where nothing listens."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:1/0"
    return settings


def test_liveness_is_ok_without_logging_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_liveness_stays_ok_when_only_the_broker_is_down(client, db, with_broker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "broker" not in response.json()["checks"]


def test_liveness_reports_an_unreachable_database(client, db, monkeypatch):
    from ops import views

    class Unreachable:
        def cursor(self):
            raise OperationalError("could not connect to server: password=s3cret")

    monkeypatch.setattr(views, "connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert "s3cret" not in response.content.decode()


def test_status_without_a_broker_says_it_is_not_used(client, db):
    response = client.get("/healthz/status")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "not used"}}


def test_status_reports_an_unreachable_broker_without_naming_it(client, db, with_broker):
    response = client.get("/healthz/status")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["checks"]["broker"]) == ("degraded", "unavailable")
    assert "s3cret" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_status_lists_workers_beat_and_the_oldest_queued_job(
    client, personas, private_redis, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = private_redis.url(0)
    now = timezone.now()
    Heartbeat.objects.create(kind="worker", name="celery@a", seen_at=now)
    Heartbeat.objects.create(kind="worker", name="celery@gone", seen_at=now - minutes(5))
    Heartbeat.objects.create(kind="sweep", name="requeue_stale_jobs", seen_at=now - minutes(1))
    Job.objects.create(
        kind=JobKind.EXPORT_PERIOD, created_by=personas.rector, enqueued_at=now - minutes(2)
    )
    ok = client.get("/healthz/status").json()
    Heartbeat.objects.filter(kind="sweep").update(seen_at=now - minutes(10))
    late = client.get("/healthz/status")
    assert ok["status"] == "ok"
    assert ok["checks"]["broker"] == "ok"
    assert ok["checks"]["workers"] == {"status": "ok", "alive": 1}
    assert ok["checks"]["beat"]["status"] == "ok"
    assert ok["checks"]["oldest_queued_job"]["status"] == "ok"
    assert ok["checks"]["oldest_queued_job"]["waiting_seconds"] >= 120
    assert ok["checks"]["outbox"] == {"status": "ok", "waiting": 0, "oldest_seconds": None}
    assert (late.status_code, late.json()["checks"]["beat"]["status"]) == (503, "late")


def test_status_with_no_worker_alive_is_degraded(client, db, private_redis, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = private_redis.url(0)
    response = client.get("/healthz/status")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == {"status": "none", "alive": 0}
    assert response.json()["checks"]["beat"]["status"] == "never"


def test_liveness_and_status_while_a_real_redis_broker_stops_and_starts(
    client, db, private_redis, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = private_redis.url(0)
    assert client.get("/healthz/status").json()["checks"]["broker"] == "ok"
    private_redis.stop()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz/status").json()["checks"]["broker"] == "unavailable"
    private_redis.start()
    assert client.get("/healthz/status").json()["checks"]["broker"] == "ok"


def minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)
