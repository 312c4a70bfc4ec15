"""Security events as log lines: logins, failed logins, logouts (never a password)."""

from __future__ import annotations

import logging
import time

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger("veikart.security")

SESSION_STARTED_KEY = "_auth_started"
LAST_SEEN_KEY = "_auth_last_seen"


def client_ip(request: HttpRequest | None) -> str | None:
    """The address django-axes counts failures against (behind the proxy: the client's)."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


@receiver(user_logged_in)
def _logged_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        # Start of the session's lifetimes (ops.middleware.SessionLifetimeMiddleware).
        request.session[SESSION_STARTED_KEY] = request.session[LAST_SEEN_KEY] = time.time()
    logger.info(
        "login",
        extra={
            "event": "login",
            "user": user.get_username(),
            "path": request.path if request else None,
            "ip": client_ip(request),
        },
    )


@receiver(user_login_failed)
def _login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    # `credentials` has the password already masked by Django; only the username is logged.
    logger.warning(
        "login failed",
        extra={
            "event": "login_failed",
            "user": str(credentials.get("username", ""))[:150],
            "path": request.path if request else None,
            "ip": client_ip(request),
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


@receiver(user_logged_out)
def _logged_out(sender, request: HttpRequest | None, user, **kwargs) -> None:
    logger.info(
        "logout",
        extra={
            "event": "logout",
            "user": user.get_username() if user else None,
            "path": request.path if request else None,
            "ip": client_ip(request),
        },
    )
