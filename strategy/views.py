from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from goals.models import DevelopmentGoal
from strategy.models import Pillar, Strategy


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    strategy = Strategy.objects.filter(is_current=True).first() or Strategy.objects.first()
    if strategy is None:
        return TemplateResponse(request, "strategy/empty.html")
    return redirect(strategy)


@require_safe
def strategy_detail(request: HttpRequest, code: str) -> HttpResponse:
    strategy = get_object_or_404(Strategy, code=code)
    goals = DevelopmentGoal.objects.order_by("order", "code")
    areas = strategy.areas.prefetch_related(
        Prefetch("pillars", queryset=Pillar.objects.prefetch_related(Prefetch("goals", goals))),
        Prefetch("goals", queryset=goals.prefetch_related("pillars"), to_attr="goal_list"),
    )
    return TemplateResponse(
        request,
        "strategy/strategy_detail.html",
        {"strategy": strategy, "areas": areas, "strategies": Strategy.objects.all()},
    )
