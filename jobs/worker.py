"""What a Celery worker does besides running tasks: it says it is alive.

On `worker_ready` a thread of the worker's main process starts writing the worker's `Heartbeat`
every `JOBS_WORKER_HEARTBEAT_SECONDS`. The thread dies with the process: a worker killed outright
stops beating, and the sweep gives its running job to another worker (jobs.models). (The sweep
itself is queued by every worker as it connects to the broker: config.celery.SweepOnConnect.)
"""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection

from jobs.models import Heartbeat

logger = logging.getLogger(__name__)

_stop = threading.Event()


def worker_name(sender) -> str:
    return getattr(sender, "hostname", "") or "celery"


def _beat_forever(name: str) -> None:
    while True:
        try:
            Heartbeat.beat(Heartbeat.Kind.WORKER, name)
        except Exception:  # the database may be away for a while; keep trying
            logger.warning("Could not record the heartbeat of %s", name, exc_info=True)
        finally:
            connection.close()
        if _stop.wait(settings.JOBS_WORKER_HEARTBEAT_SECONDS):
            return


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs) -> None:
    _stop.clear()
    thread = threading.Thread(
        target=_beat_forever, args=(worker_name(sender),), name="heartbeat", daemon=True
    )
    thread.start()


@worker_shutdown.connect
def stop_heartbeat(sender=None, **kwargs) -> None:
    """A worker that stops on purpose (warm shutdown) has finished its tasks: forget it."""
    _stop.set()
    try:
        Heartbeat.objects.filter(kind=Heartbeat.Kind.WORKER, name=worker_name(sender)).delete()
    except Exception:
        logger.warning("Could not remove the heartbeat of %s", worker_name(sender), exc_info=True)
    finally:
        connection.close()
