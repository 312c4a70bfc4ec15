from __future__ import annotations

from django.http import HttpRequest

from indicators.models import Indicator


def demo_data(request: HttpRequest) -> dict[str, bool]:
    """Tell every page whether generated demo data is present, so it is never taken as real."""
    user = getattr(request, "user", None)  # absent on a 400 for a foreign Host header
    if user is None or not user.is_authenticated:
        return {}
    return {"has_generated_data": Indicator.objects.filter(is_generated=True).exists()}
