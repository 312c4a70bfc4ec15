from __future__ import annotations

from django.http import HttpRequest

from strategy.policy import Policy


def reporting(request: HttpRequest) -> dict[str, object]:
    """Whether to show "My unit" in the navigation; asked only when a page shows the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def has_unit_role() -> bool:
        return Policy.of(request).has_any_role

    return {"has_unit_role": has_unit_role}
