"""The health endpoint: open without login, 200 when the database and broker answer, 503 and
no details otherwise."""

from __future__ import annotations

import pytest
from django.db import OperationalError


def test_health_is_ok_without_logging_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "not used"}}
    assert "no-store" in response["Cache-Control"]


def test_health_reports_an_unreachable_broker_without_naming_it(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"
    assert "s3cret" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_health_reports_an_unreachable_database(client, db, monkeypatch):
    from ops import views

    class Unreachable:
        def cursor(self):
            raise OperationalError("could not connect to server: password=s3cret")

    monkeypatch.setattr(views, "connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert "s3cret" not in response.content.decode()


@pytest.mark.skipif("not __import__('shutil').which('redis-server')")
def test_health_reaches_a_real_redis_broker(client, db, settings):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert client.get("/healthz").json()["checks"]["broker"] == "ok"
