from __future__ import annotations

import logging
import sys
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("veikart.health")

DATABASE_DOWN = (OperationalError, InterfaceError)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health: database unreachable", extra={"event": "health_database"})
        return "unavailable"
    return "ok"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used"  # no broker configured: tasks run in the web process
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        logger.exception("health: broker unreachable", extra={"event": "health_broker"})
        return "unavailable"
    return "ok"


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness, for the load balancer: whether this web process can serve, i.e. reach its
    database. 200 or 503. Redis is not asked: pages and saves work without it (jobs and e-mails
    wait), so a Redis restart must not take every web server out of rotation."""
    checks = {"database": database_status()}
    healthy = checks["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a generic page, or a 503 'try again shortly' page if the database is
    unreachable. Rendered without the request, so neither needs the database nor shows details.
    Under /api/ the same as an RFC 9457 problem document, which an API client can read.
    Django has already logged the exception (django.request)."""
    database_down = isinstance(sys.exc_info()[1], DATABASE_DOWN)
    status = 503 if database_down else 500
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "type": "about:blank",
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": _("The service is unavailable; try again shortly.")
                if database_down
                else _("Something went wrong on our side. It has been logged; nothing was saved."),
            },
            status=status,
            content_type="application/problem+json",
        )
    else:
        page = "503.html" if database_down else "500.html"
        response = HttpResponse(loader.render_to_string(page), status=status)
    if database_down:
        response["Retry-After"] = "30"
    return response
