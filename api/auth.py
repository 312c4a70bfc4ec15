"""Who may call the API: a token or the browser session, the token's scope, and a rate limit.

Kept apart from api.rest: REST framework imports these classes from its settings while its own
views module loads, so this module must not import rest_framework.views.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from api.models import AccessToken


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer vk_...`. A missing header leaves the request to the session; a
    wrong, expired or revoked token is refused with 401, whatever else the request carries."""

    keyword = "Bearer"

    def authenticate(self, request) -> tuple[Any, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _space, plaintext = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not plaintext.strip():
            raise exceptions.AuthenticationFailed(_("Send the token as “Bearer <token>”."))
        token = AccessToken.find(plaintext.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it may be mistyped, expired or revoked.")
            )
        token.touch()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """A logged-in browser may call the API too; its writes need the CSRF token."""


class TokenScope(permissions.BasePermission):
    """A read token reads only; the session and write tokens may also write (roles permitting)."""

    message = _("This token may only read; create a token with the “read and write” scope.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, AccessToken) or token.may_write


class PerTokenRateThrottle(throttling.SimpleRateThrottle):
    """API_RATE_LIMIT requests per token (per user for a browser session), counted in Django's
    cache: shared by all processes when CACHE_URL points at Redis."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, AccessToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
