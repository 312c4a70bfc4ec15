from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from ops.backends import password_login_allowed


def single_sign_on(request: HttpRequest) -> dict[str, object]:
    """The single sign-on provider's name for the login page (when OIDC is switched on), the
    password-login switch, and whether the user may change a password (the "Password" link)."""
    context: dict[str, object] = {"password_login": settings.PASSWORD_LOGIN}
    if settings.OIDC_ENABLED:
        context["sso_provider"] = settings.OIDC_PROVIDER_NAME
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["can_change_password"] = user.has_usable_password() and password_login_allowed(user)
    return context
