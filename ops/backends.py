from __future__ import annotations

from axes.backends import AxesStandaloneBackend


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
