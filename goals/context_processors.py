from __future__ import annotations

from django.http import HttpRequest

from goals.models import ProgressReport
from strategy.policy import Policy


def reporting(request: HttpRequest) -> dict[str, object]:
    """Whether to show "My unit" in the navigation, and how much is owed there; asked only
    when a page shows the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def has_unit_role() -> bool:
        return Policy.of(request).has_any_role

    def owed_count() -> int:
        """Reports to write, answer or approve, for the count beside "My unit" (one query, only
        on pages that show the navigation; administrators are not counted as owing everything)."""
        count = getattr(request, "_owed_count", None)
        if count is None:
            # Readers (the rectorate) owe nothing: no query for them.
            policy = Policy.of(request)
            count = (
                0
                if user.is_superuser or not policy.can_edit_anything
                else ProgressReport.objects.owed_by(policy).count()
            )
            request._owed_count = count  # type: ignore[attr-defined]
        return count

    return {"has_unit_role": has_unit_role, "owed_count": owed_count}
