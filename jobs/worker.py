"""What a Celery worker does besides running tasks: it says it is alive, and it sends what waits.

On `worker_ready` (the worker connected to the broker and consumes) a thread of the worker's main
process starts writing the worker's `Heartbeat` every `JOBS_WORKER_HEARTBEAT_SECONDS`, and the
sweep runs once, so that jobs left queued while the broker or every worker was down are sent at
once instead of at beat's next tick. The thread dies with the process: a worker killed outright
stops beating, and the sweep gives its running job to another worker (jobs.models).
"""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection

from jobs.models import Heartbeat, Job

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
def start_heartbeat_and_sweep(sender=None, **kwargs) -> None:
    name = worker_name(sender)
    _stop.clear()
    threading.Thread(target=_beat_forever, args=(name,), name="heartbeat", daemon=True).start()
    try:
        requeued = Job.objects.requeue_stale()
    except Exception:
        logger.warning("Could not sweep the queued jobs as %s started", name, exc_info=True)
    else:
        logger.info("Worker %s is ready; %d waiting job(s) sent", name, requeued)
    finally:
        connection.close()


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
