from __future__ import annotations

from django.http import HttpRequest

from strategy.models import Membership


def reporting(request: HttpRequest) -> dict[str, object]:
    """Whether to show "My unit" in the navigation; asked only when a page shows the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def has_unit_role() -> bool:
        if hasattr(request, "_access"):  # the reporting pages have read the roles already
            return request._access.has_any_role
        if not hasattr(request, "_has_unit_role"):
            request._has_unit_role = (
                user.is_superuser or Membership.objects.filter(user=user).exists()
            )
        return request._has_unit_role

    return {"has_unit_role": has_unit_role}
