from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for every authentication that comes with a request.

    Every login a browser can reach (the login page, the admin login, OIDC) passes the request.
    Calls without one (the test client's `login()`, a management command) have no address to
    count failures against; django-axes would raise for them, this lets them through to the
    next backend unchanged.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def password_login_allowed(user) -> bool:
    """Whether PASSWORD_LOGIN lets this user log in with a password: "on" everyone, "staff"
    staff users, "off" superusers only (the break-glass administrator)."""
    policy = settings.PASSWORD_LOGIN
    if policy == "on":
        return True
    if policy == "staff":
        return user.is_staff or user.is_superuser
    return user.is_superuser


class PasswordBackend(ModelBackend):
    """Django's password login, for the users PASSWORD_LOGIN allows. A session started with a
    password ends when the switch no longer allows it (get_user asks again)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and password_login_allowed(user)
