"""The status of background work for monitoring: `/healthz/status`.

Here, not in ops: it reads the jobs' and the outbox's rows, and ops imports no feature. Liveness
for the load balancer (`/healthz`) stays in ops.views.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from jobs.models import Heartbeat, Job, JobState
from notifications.models import OutboxEmail
from ops.views import broker_status, database_status

logger = logging.getLogger("veikart.health")


def background_status(now: datetime.datetime) -> dict[str, dict[str, Any]]:
    """Workers seen recently, the sweep's last run (beat), the oldest waiting job and e-mail."""
    workers = Heartbeat.objects.workers().alive(now=now).count()
    sweep = Heartbeat.objects.filter(kind=Heartbeat.Kind.SWEEP).order_by("-seen_at").first()
    sweep_age = None if sweep is None else round((now - sweep.seen_at).total_seconds())
    oldest = (
        Job.objects.filter(state=JobState.QUEUED).order_by("enqueued_at").values("enqueued_at")
    ).first()
    queued_age = None if oldest is None else round((now - oldest["enqueued_at"]).total_seconds())
    emails = OutboxEmail.objects.waiting().aggregate(count=Count("pk"), oldest=Min("created_at"))
    email_age = (
        None if emails["oldest"] is None else round((now - emails["oldest"]).total_seconds())
    )
    return {
        "workers": {"status": "ok" if workers else "none", "alive": workers},
        "beat": {
            "status": "never"
            if sweep_age is None
            else ("ok" if sweep_age <= settings.STATUS_SWEEP_LATE_SECONDS else "late"),
            "last_sweep_seconds_ago": sweep_age,
        },
        "oldest_queued_job": {
            "status": "ok"
            if queued_age is None or queued_age <= settings.STATUS_QUEUED_LATE_SECONDS
            else "late",
            "waiting_seconds": queued_age,
        },
        "outbox": {
            "status": "ok"
            if email_age is None or email_age <= settings.STATUS_QUEUED_LATE_SECONDS
            else "late",
            "waiting": emails["count"],
            "oldest_seconds": email_age,
        },
    }


@login_not_required
@require_safe
@never_cache
def status(request: HttpRequest) -> JsonResponse:
    """Readiness of every dependency, for monitoring and alerts (not for the load balancer):
    database, broker, workers seen recently, beat's last sweep, the oldest queued job and
    e-mail. 200 when
    all are well, 503 otherwise. Counts and ages only: no hosts, versions or errors."""
    checks: dict[str, Any] = {"database": database_status(), "broker": broker_status()}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pass  # no broker: tasks run in the web process, there are no workers to watch
    elif checks["database"] == "ok":
        try:
            checks.update(background_status(timezone.now()))
        except DatabaseError:
            logger.exception("status: could not read the background state")
            checks["database"] = "unavailable"
    healthy = all(
        (check if isinstance(check, str) else check["status"]) in ("ok", "not used")
        for check in checks.values()
    )
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
