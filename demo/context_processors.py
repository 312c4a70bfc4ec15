from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from indicators.models import Indicator

#: Whether generated data is present changes only when demo data is seeded or removed: asked
#: once a minute, not by every page (one query of the few a dashboard page may run).
GENERATED_DATA_KEY = "veikart:has-generated-data"
GENERATED_DATA_SECONDS = 60


def has_generated_data() -> bool:
    return cache.get_or_set(
        GENERATED_DATA_KEY,
        lambda: Indicator.objects.filter(is_generated=True).exists(),
        GENERATED_DATA_SECONDS,
    )


def forget_generated_data() -> None:
    """After seeding: the next page asks the database again."""
    cache.delete(GENERATED_DATA_KEY)


def demo_data(request: HttpRequest) -> dict[str, bool]:
    """Tell every page whether generated demo data is present, so it is never taken as real."""
    user = getattr(request, "user", None)  # absent on a 400 for a foreign Host header
    if user is None or not user.is_authenticated:
        return {}
    return {"has_generated_data": has_generated_data()}
