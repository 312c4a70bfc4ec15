"""Request logging, session lifetime and cache headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.functional import empty

from ops.audit import LAST_SEEN_KEY, SESSION_STARTED_KEY, client_ip
from ops.text import has_control_characters

request_logger = logging.getLogger("veikart.request")
security_logger = logging.getLogger("veikart.security")

REFUSED = {401, 403, 405, 429}


def known_user(request: HttpRequest) -> str | None:
    """The username if authentication already ran for this request, without a query of its own
    (logging must not touch a database that may be down)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.get_username() if user.is_authenticated else None


class RequestLogMiddleware:
    """One line per request: method, path, status, duration and user; refusals as warnings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        fields = {
            "event": "request",
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "user": known_user(request),
            "ip": client_ip(request),
        }
        if response.status_code in REFUSED:
            security_logger.warning("access refused", extra={**fields, "event": "access_refused"})
        elif response.status_code >= 500:
            request_logger.error("request failed", extra=fields)
        else:
            request_logger.info("request", extra=fields)
        return response


class SessionLifetimeMiddleware:
    """End a session after 30 minutes without a request or 12 hours after login (ASVS V7.3).

    The time of the last request is written at most once a minute, so a page view rarely costs
    a session write; the idle limit counts from that time and so never exceeds 30 minutes.
    Each write also renews the cookie and the server-side row for another 30 minutes
    (SESSION_COOKIE_AGE), so the server drops an idle session on its own as well.
    """

    WRITE_EVERY = 60  # seconds

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request: HttpRequest) -> None:
        session, now = request.session, time.time()
        started = session.get(SESSION_STARTED_KEY)
        last_seen = session.get(LAST_SEEN_KEY, started)
        if started is None or now - started >= settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
            reason = "absolute lifetime"
        elif now - last_seen >= settings.SESSION_IDLE_TIMEOUT.total_seconds():
            reason = "idle"
        else:
            if now - last_seen >= self.WRITE_EVERY:
                session[LAST_SEEN_KEY] = now
            return
        security_logger.info(
            f"session ended: {reason}",
            extra={
                "event": "session_expired",
                "reason": reason,
                "user": request.user.get_username(),
                "path": request.path,
                "ip": client_ip(request),
            },
        )
        logout(request)


class NoStoreForUsersMiddleware:
    """`Cache-Control: no-store` on every response to a logged-in user (ASVS V14.3), so no
    shared or browser cache keeps a copy of what they saw."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        was_authenticated = request.user.is_authenticated
        response = self.get_response(request)
        if was_authenticated or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RefuseControlCharactersInQueryMiddleware:
    """Answer 400 to a query string holding a control character (`?period=%00`), before any
    view runs a query with it: PostgreSQL cannot hold a NUL, and no parameter needs one.

    The API (`/api/`) checks its own parameters and answers with a problem document naming
    each bad one, which a client can act on; it is left to do so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        for key, values in request.GET.lists():
            if any(has_control_characters(text) for text in (key, *values)):
                return HttpResponse(loader.render_to_string("400.html"), status=400)
        return self.get_response(request)
