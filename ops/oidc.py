"""Single sign-on with OpenID Connect (Feide or any other provider), switched on by settings.

mozilla-django-oidc does the authorization-code flow (with PKCE, state and nonce). This backend
adds what the library leaves out: the ID token must be for this client (`aud`) and from the
configured issuer (`iss`), and users are matched on one configurable claim (Feide: the
eduPersonPrincipalName), never on an e-mail address the user could change. New users get no
role: an administrator gives them memberships, as for local accounts.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)


class OIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("OIDC: the ID token is for another client")
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("OIDC: the ID token is from another issuer")
        if "exp" not in payload:
            raise SuspiciousOperation("OIDC: the ID token does not expire")
        return payload

    def _username(self, claims: dict) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()[:150]

    def verify_claims(self, claims: dict) -> bool:
        return bool(self._username(claims))

    def describe_user_by_claims(self, claims: dict) -> str:
        return f"{settings.OIDC_USERNAME_CLAIM} {self._username(claims)}"

    def filter_users_by_claims(self, claims: dict):
        username = self._username(claims)
        if not username:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username=username)

    def create_user(self, claims: dict):
        user = self.UserModel(username=self._username(claims))
        self._copy_names(user, claims)
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        return user

    def update_user(self, user, claims: dict):
        if self._copy_names(user, claims):
            user.save(update_fields=["email", "first_name", "last_name"])
        return user

    @staticmethod
    def _copy_names(user, claims: dict) -> bool:
        values = {
            "email": claims.get("email") or user.email,
            "first_name": (claims.get("given_name") or user.first_name)[:150],
            "last_name": (claims.get("family_name") or user.last_name)[:150],
        }
        changed = any(getattr(user, field) != value for field, value in values.items())
        for field, value in values.items():
            setattr(user, field, value)
        return changed


# The login views must be reachable before login (LoginRequiredMiddleware). Logging out is the
# site's own logout, which ends the Veikart session.
urlpatterns = [
    path(
        "callback/",
        login_not_required(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path(
        "authenticate/",
        login_not_required(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
]
