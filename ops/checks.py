"""System checks for the single sign-on and password-login switches."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.checks import Error, Tags, register

ENDPOINTS = [
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_LOGOUT_ENDPOINT",
]


@register(Tags.security)
def switches(app_configs, **kwargs) -> list[Error]:
    errors = []
    if settings.PASSWORD_LOGIN not in {"on", "staff", "off"}:
        errors.append(
            Error(
                f"PASSWORD_LOGIN is {settings.PASSWORD_LOGIN!r}.",
                hint='Use "on", "staff" or "off".',
                id="veikart.E010",
            )
        )
    if not settings.OIDC_ENABLED:
        return errors
    choices = {
        "OIDC_USERNAME_SOURCE": {"any", "id_token", "userinfo"},
        "OIDC_MATCH_USERS_BY": {"username", "email", "external_id"},
    }
    for name, allowed in choices.items():
        if getattr(settings, name) not in allowed:
            errors.append(
                Error(
                    f"{name} is {getattr(settings, name)!r}.",
                    hint=f"Use one of {', '.join(sorted(allowed))}.",
                    id="veikart.E011",
                )
            )
    try:
        re.compile(settings.OIDC_USERNAME_PATTERN)
    except re.error as exc:
        errors.append(
            Error(
                f"OIDC_USERNAME_PATTERN is not a regular expression: {exc}",
                hint="For Feide's dataporten-userid_sec use feide:(.+)",
                id="veikart.E013",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def https_endpoints(app_configs, **kwargs) -> list[Error]:
    """In production every provider URL must be https://: the client secret and the tokens
    travel over them."""
    if settings.DEBUG or not settings.OIDC_ENABLED:
        return []
    return [
        Error(
            f"{name} is not an https:// URL: {getattr(settings, name)}",
            hint="Single sign-on needs HTTPS endpoints in production (docs/deploy.md).",
            id="veikart.E012",
        )
        for name in ENDPOINTS
        if getattr(settings, name, "") and not getattr(settings, name).startswith("https://")
    ]
