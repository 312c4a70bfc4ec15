from __future__ import annotations

from django.http import HttpRequest

from goals.models import ProgressReport
from strategy.models import Membership


def reporting(request: HttpRequest) -> dict[str, object]:
    """Whether to show "My unit" in the navigation, and how much is owed there; asked only
    when a page shows the nav."""
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

    def owed_count() -> int:
        """Reports to write, answer or approve, for the count beside "My unit" (one query, only
        on pages that show the navigation; administrators are not counted as owing everything)."""
        if not hasattr(request, "_owed_count"):
            request._owed_count = (
                0 if user.is_superuser else ProgressReport.objects.owed_by(user).count()
            )
        return request._owed_count

    return {"has_unit_role": has_unit_role, "owed_count": owed_count}
