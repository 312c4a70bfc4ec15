from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def dashboards(request: HttpRequest) -> dict:
    """Whether to offer the dashboards: to anyone who can view a unit, i.e. who has a role on
    one (a role covers its subtree) or is a superuser. Asked only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_view_dashboards": SimpleLazyObject(
            lambda: user.is_superuser or user.memberships.exists()
        )
    }
