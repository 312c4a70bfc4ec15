"""Single sign-on with OpenID Connect (Feide or any other provider), switched on by settings.

mozilla-django-oidc starts the authorization-code flow (state, nonce, PKCE S256). The callback
is Veikart's own: it checks the ID token itself (signature from the provider's JWKS, algorithm,
audience, issuer, nonce, times with OIDC_TOKEN_LEEWAY), maps the asserted identity to a user
(accounts.ExternalIdentity, then the configured match), and turns every failure into a
`SignOnRefused`: the login page with a message, a 4xx status and one `sso_refused` security
log line that names the reason and the claimed identifier, never a token. Refusals count for
django-axes only under the identifier the provider asserted, never under an empty name, so one
person's failures cannot lock out a campus behind one address. New users get no role: an
administrator gives them memberships, as for local accounts.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlencode

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.models import ExternalIdentity, normalize_identifier
from ops.audit import client_ip

logger = logging.getLogger("veikart.security")

BACKEND = "ops.oidc.OIDCBackend"
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 — a session key, not a secret
DISCOVERY_SECONDS = 3600
JWKS_SECONDS = 300

# What the user reads, and the status, for each reason a sign-on is refused. The reason itself
# is in the log line; several reasons share a message (the user cannot act on the difference).
_NOT_VERIFIED = _(
    "The answer from %(provider)s could not be verified, so you were not logged in. "
    "Please try again; if it happens again, tell your IT department."
)
_CLOCKS = _(
    "The log-in from %(provider)s is outside its valid time; the clocks of Veikart and "
    "%(provider)s probably differ. Please try again; if it happens again, tell your IT department."
)
MESSAGES = {
    "consent_declined": (
        _(
            "You did not allow %(provider)s to share your identity with Veikart, so you were not "
            "logged in."
        ),
        403,
    ),
    "provider_error": (
        _("%(provider)s could not log you in. Please try again."),
        400,
    ),
    "provider_unreachable": (
        _("%(provider)s cannot be reached right now. Please try again in a few minutes."),
        400,
    ),
    "bad_state": (
        _("This log-in has expired or was already used. Please log in again."),
        400,
    ),
    "token_expired": (_CLOCKS, 400),
    "token_not_yet_valid": (_CLOCKS, 400),
    "unsigned_token": (_NOT_VERIFIED, 400),
    "wrong_algorithm": (_NOT_VERIFIED, 400),
    "bad_signature": (_NOT_VERIFIED, 400),
    "unknown_signing_key": (_NOT_VERIFIED, 400),
    "malformed_token": (_NOT_VERIFIED, 400),
    "wrong_audience": (_NOT_VERIFIED, 400),
    "wrong_issuer": (_NOT_VERIFIED, 400),
    "wrong_nonce": (_NOT_VERIFIED, 400),
    "incomplete_token": (_NOT_VERIFIED, 400),
    "userinfo_mismatch": (_NOT_VERIFIED, 400),
    "no_identifier": (
        _(
            "%(provider)s did not tell Veikart who you are, so you were not logged in. Please tell "
            "your IT department."
        ),
        403,
    ),
    "unknown_user": (
        _("You have no Veikart account. Ask your unit's Veikart administrator for access."),
        403,
    ),
    "inactive": (
        _("Your Veikart account is deactivated. Ask your unit's Veikart administrator."),
        403,
    ),
    "ambiguous": (
        _(
            "More than one Veikart account matches you, so you were not logged in. Please tell "
            "your IT department."
        ),
        403,
    ),
    "conflict": (
        _(
            "Your Veikart account is linked to another %(provider)s identity, so you were not "
            "logged in. Please tell your IT department."
        ),
        403,
    ),
    "locked_out": (
        _("Too many failed log-in attempts. Please try again later."),
        429,
    ),
}
# Refusals that name someone the provider vouched for: these count towards that name's lockout.
COUNTED = {"unknown_user", "inactive", "ambiguous", "conflict"}


class SignOnRefused(Exception):
    def __init__(
        self, reason: str, identifier: str = "", detail: str = "", subject: str = ""
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.identifier = identifier
        self.subject = subject
        self.detail = detail[:300]


# The provider's configuration -------------------------------------------------------------------


def discovery_document() -> dict:
    """The provider's /.well-known/openid-configuration, cached for an hour."""
    issuer = settings.OIDC_OP_ISSUER.rstrip("/")
    key = f"oidc:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SignOnRefused("provider_unreachable", detail=f"discovery: {exc}") from exc
        if document.get("issuer", "").rstrip("/") != issuer:
            raise SignOnRefused("wrong_issuer", detail="the discovery document names another")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def endpoint(setting: str, discovered: str) -> str:
    """A configured endpoint, else (with OIDC_OP_DISCOVERY) the discovery document's entry."""
    value = getattr(settings, setting, "")
    if value or not settings.OIDC_OP_DISCOVERY:
        return value
    value = discovery_document().get(discovered, "")
    if not value and discovered != "userinfo_endpoint":
        raise SignOnRefused("provider_error", detail=f"the discovery document has no {discovered}")
    return value


def logout_endpoint() -> str:
    """Where to end the provider's session: OIDC_OP_LOGOUT_ENDPOINT, else the discovery
    document's end_session_endpoint; empty when the provider offers none or cannot be asked."""
    if settings.OIDC_OP_LOGOUT_ENDPOINT:
        return settings.OIDC_OP_LOGOUT_ENDPOINT
    try:
        return discovery_document().get("end_session_endpoint", "")
    except SignOnRefused:
        return ""


def provider_logout_url(request: HttpRequest) -> str | None:
    """RP-initiated logout at the provider for a user who signed on there, else None."""
    id_token = request.session.get(ID_TOKEN_KEY)
    if not settings.OIDC_ENABLED or not id_token:
        return None
    end_session = logout_endpoint()
    if not end_session:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


def signing_key(header: dict):
    """The provider's key for this token: from its JWKS (by `kid`, fetched again once when the
    provider has rotated its keys), or the client secret for HS256."""
    algorithm = settings.OIDC_RP_SIGN_ALGO
    if algorithm.startswith("HS"):
        return settings.OIDC_RP_CLIENT_SECRET
    url = endpoint("OIDC_OP_JWKS_ENDPOINT", "jwks_uri")
    for refresh in (False, True):
        cache_key = f"oidc:jwks:{url}"
        keys = None if refresh else cache.get(cache_key)
        if keys is None:
            try:
                response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
                response.raise_for_status()
                keys = response.json()["keys"]
            except (requests.RequestException, ValueError, KeyError) as exc:
                raise SignOnRefused("provider_unreachable", detail=f"jwks: {exc}") from exc
            cache.set(cache_key, keys, JWKS_SECONDS)
        candidates = [
            key
            for key in keys
            if key.get("use", "sig") == "sig"
            and key.get("alg", algorithm) == algorithm
            and (header.get("kid") is None or key.get("kid") == header.get("kid"))
        ]
        if len(candidates) == 1:
            try:
                return jwt.PyJWK(candidates[0], algorithm=algorithm)
            except jwt.PyJWTError as exc:
                raise SignOnRefused("unknown_signing_key", detail=str(exc)) from exc
    raise SignOnRefused("unknown_signing_key", detail=f"no single key for kid {header.get('kid')}")


def claimed_identifier(claims: dict) -> str:
    """The identifier in OIDC_USERNAME_CLAIM: a string or a list (Feide's
    dataporten-userid_sec), the first value matching OIDC_USERNAME_PATTERN, its first group."""
    value = claims.get(settings.OIDC_USERNAME_CLAIM)
    pattern = re.compile(settings.OIDC_USERNAME_PATTERN)
    for candidate in value if isinstance(value, list) else [value]:
        if not isinstance(candidate, str):
            continue
        match = pattern.fullmatch(candidate.strip())
        if match:
            found = match.group(1) if match.groups() else match.group(0)
            return normalize_identifier(found or "")[:150]
    return ""


def _unverified_claims(token: str) -> tuple[str, str]:
    """For the log line of a refused token only: the identifier and subject it claims."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return claimed_identifier(claims), str(claims.get("sub", ""))[:255]
    except (jwt.PyJWTError, ValueError, TypeError, AttributeError, re.error):
        return "", ""


# The backend --------------------------------------------------------------------------------


class OIDCBackend(ModelBackend):
    """Signs a person on from the provider's answer. Only the callback view calls `sign_on`;
    `authenticate` refuses everything else, so no password ever reaches this backend."""

    def authenticate(self, request, **credentials):
        return None

    def sign_on(self, request: HttpRequest, code: str, nonce: str, code_verifier: str | None):
        tokens = self.get_token(request, code, code_verifier)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignOnRefused("incomplete_token", detail="no id_token in the token response")
        payload = self.verify_token(id_token, nonce)
        claims = self.claims(payload, tokens.get("access_token"))
        identifier = self.identifier(payload, claims)
        if not identifier:
            raise SignOnRefused("no_identifier", detail=f"no {settings.OIDC_USERNAME_CLAIM}")
        if not AxesProxyHandler.is_allowed(request, {"username": identifier}):
            raise SignOnRefused("locked_out", identifier)
        user = self.user_for(identifier, payload.get("sub", ""), claims)
        request.session[ID_TOKEN_KEY] = id_token
        return user

    # -- talking to the provider

    def get_token(self, request: HttpRequest, code: str, code_verifier: str | None) -> dict:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.build_absolute_uri(reverse("oidc_authentication_callback")),
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "client_secret": settings.OIDC_RP_CLIENT_SECRET,
        }
        if code_verifier:
            data["code_verifier"] = code_verifier
        try:
            response = requests.post(
                endpoint("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint"),
                data=data,
                timeout=settings.OIDC_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise SignOnRefused("provider_unreachable", detail=f"token: {exc}") from exc
        if response.status_code != 200:
            detail = f"token endpoint {response.status_code}: {_error(response)}"
            raise SignOnRefused("provider_error", detail=detail)
        try:
            return response.json()
        except ValueError as exc:
            raise SignOnRefused("provider_error", detail="token response is not JSON") from exc

    def verify_token(self, token: str, nonce: str) -> dict:
        claimed, subject = _unverified_claims(token)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SignOnRefused("malformed_token", claimed, str(exc), subject) from exc
        algorithm = header.get("alg")
        if not algorithm or str(algorithm).lower() == "none":
            raise SignOnRefused("unsigned_token", claimed, "alg: none", subject)
        if algorithm != settings.OIDC_RP_SIGN_ALGO:
            raise SignOnRefused("wrong_algorithm", claimed, f"alg: {algorithm}", subject)
        try:
            key = signing_key(header)
        except SignOnRefused as refusal:
            refusal.identifier, refusal.subject = claimed, subject
            raise
        failures = [
            (jwt.ExpiredSignatureError, "token_expired"),
            (jwt.ImmatureSignatureError, "token_not_yet_valid"),
            (jwt.InvalidAudienceError, "wrong_audience"),
            (jwt.InvalidIssuerError, "wrong_issuer"),
            (jwt.MissingRequiredClaimError, "incomplete_token"),
            (jwt.InvalidSignatureError, "bad_signature"),
            (jwt.PyJWTError, "malformed_token"),
        ]
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[settings.OIDC_RP_SIGN_ALGO],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=settings.OIDC_TOKEN_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            reason = next(reason for kind, reason in failures if isinstance(exc, kind))
            raise SignOnRefused(reason, claimed, str(exc), subject) from exc
        if payload.get("nonce") != nonce:
            raise SignOnRefused("wrong_nonce", claimed, "the nonce is from another login", subject)
        return payload

    def claims(self, payload: dict, access_token: str | None) -> dict:
        """The userinfo claims (when the provider has a userinfo endpoint), for the same person."""
        url = endpoint("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint")
        if not url or not access_token:
            return {}
        try:
            response = requests.get(
                url,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            userinfo = response.json()
        except requests.RequestException as exc:
            raise SignOnRefused("provider_unreachable", detail=f"userinfo: {exc}") from exc
        except ValueError as exc:
            raise SignOnRefused("provider_error", detail="userinfo is not JSON") from exc
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SignOnRefused("userinfo_mismatch", detail="userinfo is for another subject")
        return userinfo

    @staticmethod
    def identifier(payload: dict, userinfo: dict) -> str:
        source = settings.OIDC_USERNAME_SOURCE
        places = {"id_token": [payload], "userinfo": [userinfo]}.get(source, [userinfo, payload])
        for claims in places:
            found = claimed_identifier(claims)
            if found:
                return found
        return ""

    # -- finding the user

    def user_for(self, identifier: str, subject: str, claims: dict):
        """The linked user; else the one matched by OIDC_MATCH_USERS_BY, linked now; else a new
        user (OIDC_CREATE_USER). Never a second account for one identity."""
        users = get_user_model().objects
        identity = ExternalIdentity.objects.linked_to(identifier).select_related("user").first()
        if identity is None:
            match_by = settings.OIDC_MATCH_USERS_BY
            if match_by == "username":
                candidates = list(users.filter(username__iexact=identifier)[:2])
            elif match_by == "email" and claims.get("email"):
                candidates = list(users.filter(email__iexact=claims["email"])[:2])
            else:
                candidates = []
            if len(candidates) > 1:
                raise SignOnRefused("ambiguous", identifier, f"by {match_by}")
            if candidates:
                user = candidates[0]
                if ExternalIdentity.objects.filter(user=user).exists():
                    raise SignOnRefused("conflict", identifier, f"{user.username} is linked")
            elif settings.OIDC_CREATE_USER:
                if users.filter(username__iexact=identifier).exists():
                    raise SignOnRefused("conflict", identifier, "the username is taken")
                user = users.model(username=identifier)
                user.set_unusable_password()  # signs in through the provider only
            else:
                raise SignOnRefused("unknown_user", identifier, "OIDC_CREATE_USER is off")
            if not user.is_active:
                raise SignOnRefused("inactive", identifier)
            try:
                with transaction.atomic():
                    self.copy_names(user, claims)
                    user.save()
                    identity = ExternalIdentity.objects.create(
                        user=user, identifier=identifier, subject=subject
                    )
            except IntegrityError as exc:  # the same person signing on twice at once
                raise SignOnRefused("conflict", identifier, "linked concurrently") from exc
        user = identity.user
        if not user.is_active:
            raise SignOnRefused("inactive", identifier)
        identity.subject = subject or identity.subject
        identity.last_sign_on = timezone.now()
        identity.save(update_fields=["subject", "last_sign_on"])
        if self.copy_names(user, claims):
            user.save(update_fields=["email", "first_name", "last_name"])
        return user

    @staticmethod
    def copy_names(user, claims: dict) -> bool:
        values = {
            "email": str(claims.get("email") or user.email)[:254],
            "first_name": str(claims.get("given_name") or user.first_name)[:150],
            "last_name": str(claims.get("family_name") or user.last_name)[:150],
        }
        changed = any(getattr(user, field) != value for field, value in values.items())
        for field, value in values.items():
            setattr(user, field, value)
        return changed


def _error(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


# The views ------------------------------------------------------------------------------------


def refused(request: HttpRequest, refusal: SignOnRefused) -> HttpResponse:
    """The login page with the reason in words, a 4xx status and one security log line."""
    message, status = MESSAGES[refusal.reason]
    if refusal.reason in COUNTED:
        # Counted by django-axes under the name the provider asserted (and logged by ops.audit).
        user_login_failed.send(
            sender=__name__, credentials={"username": refusal.identifier}, request=request
        )
    logger.warning(
        "single sign-on refused",
        extra={
            "event": "sso_refused",
            "reason": refusal.reason,
            "user": refusal.identifier,
            "subject": refusal.subject,
            "detail": refusal.detail,
            "path": request.path,
            "ip": client_ip(request),
        },
    )
    return TemplateResponse(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "sso_error": message % {"provider": settings.OIDC_PROVIDER_NAME},
        },
        status=status,
    )


class SignOnStartView(OIDCAuthenticationRequestView):
    """The login link: to the provider's authorization endpoint (found by discovery if asked)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint(
                "OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"
            )
        except SignOnRefused as refusal:
            return refused(request, refusal)
        return super().get(request)


class SignOnCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: sign on, or say clearly why not."""

    def get(self, request):
        try:
            self.user = self.sign_on(request)
        except SignOnRefused as refusal:
            return refused(request, refusal)
        self.user.backend = BACKEND
        return self.login_success()

    def login_success(self):
        id_token = self.request.session.get(ID_TOKEN_KEY)
        next_url = self.success_url
        auth.login(self.request, self.user, backend=BACKEND)  # a new session key
        self.request.session[ID_TOKEN_KEY] = id_token
        return HttpResponseRedirect(next_url)

    def sign_on(self, request: HttpRequest):
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        pending = states.pop(state, None) if state else None
        if pending is not None:
            request.session["oidc_states"] = states  # used once, also when refused
            request.session.save()
        if request.GET.get("error"):
            error = request.GET["error"][:100]
            reason = "consent_declined" if error == "access_denied" else "provider_error"
            raise SignOnRefused(reason, detail=f"error={error}")
        if pending is None or not request.GET.get("code"):
            raise SignOnRefused("bad_state", detail="no pending login for this state")
        started = pending.get("added_on", time.time())
        if time.time() - started > 15 * 60:
            raise SignOnRefused("bad_state", detail="the login was started too long ago")
        return OIDCBackend().sign_on(
            request, request.GET["code"], pending["nonce"], pending.get("code_verifier")
        )


class LogoutView(auth_views.LogoutView):
    """The site's logout; after a single sign-on it also ends the session at the provider
    (RP-initiated logout), which sends the browser back to the login page."""

    def post(self, request, *args, **kwargs):
        at_provider = provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(at_provider) if at_provider else response


# The login views must be reachable before login (LoginRequiredMiddleware).
urlpatterns = [
    path(
        "callback/",
        login_not_required(SignOnCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path(
        "authenticate/",
        login_not_required(SignOnStartView.as_view()),
        name="oidc_authentication_init",
    ),
]
