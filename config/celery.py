"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly (see settings)."""

from __future__ import annotations

import logging
import os

from celery import Celery, bootsteps
from celery.signals import worker_process_init

from ops.memory import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("veikart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class SweepOnConnect(bootsteps.StartStopStep):
    """Queue the sweeps (`CELERY_SWEEP_ON_CONNECT`) each time a worker's consumer connects to
    the broker: when the worker starts, and when it reconnects after the broker was away. Jobs
    and e-mails that waited during an outage are then sent within seconds of its end, not at
    beat's next tick (which, after a failed tick, is a minute later)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer) -> None:
        for task in consumer.app.conf.get("sweep_on_connect", ()):
            try:
                consumer.app.send_task(task)
            except Exception:
                logger.warning("Could not queue %s on connecting", task, exc_info=True)


app.steps["consumer"].add(SweepOnConnect)


@worker_process_init.connect
def _freeze_loaded(**kwargs) -> None:
    """A worker process starts with the project loaded: keep that out of the collector's walks
    (ops.memory), as the web server does."""
    freeze_loaded()
