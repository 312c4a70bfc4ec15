from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def single_sign_on(request: HttpRequest) -> dict[str, str]:
    """The single sign-on provider's name for the login page, when OIDC is switched on."""
    return {"sso_provider": settings.OIDC_PROVIDER_NAME} if settings.OIDC_ENABLED else {}
