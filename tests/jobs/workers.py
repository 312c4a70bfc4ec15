"""Real Celery workers for tests: subprocesses against the test database and a given Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app


def point_celery_at(url: str) -> None:
    """Make this process publish to `url` instead of running tasks eagerly."""
    from kombu import pools

    pools.reset()  # kombu keeps connection pools per broker URL; start from none
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.task_always_eager = False


def database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def start_worker(broker_url: str, log: Path, *, name: str = "test", **env: str) -> subprocess.Popen:
    """`celery -A config worker` in a process group of its own (so that a test can kill -9 the
    main process and its pool child at once), logging to `log`; returns once it is ready."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 — this interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=info",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                f"{name}@veikart-test",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "ready." in log.read_text(), timeout=60, what="the worker", log=log)
    except BaseException:
        kill_worker(process)
        raise
    return process


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_worker(process)


def kill_worker(process: subprocess.Popen) -> None:
    """kill -9 the worker's whole group: no warm shutdown, no message rejected or acknowledged."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")
