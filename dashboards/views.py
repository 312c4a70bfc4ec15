"""The rectorate's dashboards. Thin views: load (dashboards.data), score (dashboards.summary),
present (dashboards.pages); an htmx request gets the `panel` partial of the same template.

A page's context is cached under the data version (dashboards.models.DataVersion), the user's
visible subtrees, the language, the date and the URL, so it is computed again after any write.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from dashboards import pages
from dashboards.data import TREND_COUNT, DashboardData, load
from dashboards.models import DataVersion
from dashboards.scoring import Tree
from dashboards.tables import export
from strategy.policy import Policy

CACHE_SECONDS = 3600
NOT_IN_KEY = {"format", "table"}  # the same context serves the page and its downloads


def _cache_key(request: HttpRequest) -> str:
    visible = Policy.of(request).cache_key
    params = sorted((k, v) for k, v in request.GET.items() if k not in NOT_IN_KEY)
    raw = repr(
        (
            DataVersion.current(),
            visible,
            translation.get_language(),
            timezone.localdate().isoformat(),
            request.path,
            params,
        )
    )
    return "dashboards:" + hashlib.sha256(raw.encode()).hexdigest()


def _page(
    request: HttpRequest,
    template: str,
    build: Callable[[DashboardData], dict],
    **load_kwargs,
) -> HttpResponse:
    key = _cache_key(request)
    context = cache.get(key)
    if context is None:
        data = load(request.user, request.GET, today=timezone.localdate(), **load_kwargs)
        context = build(data)
        # Keep the page's figures, not the raw rows they came from.
        context["data"] = dataclasses.replace(
            data, measurements={}, reports=[], indicators=[], tree=Tree([]), snapshot=None
        )
        context.pop("summary", None)
        for chart in context["charts"]:
            chart["data_id"] = f"{chart['id']}-data"
        cache.set(key, context, CACHE_SECONDS)
    downloaded = export(context["tables"], request.GET)
    if downloaded is not None:
        return downloaded
    partial = request.htmx and not request.htmx.history_restore_request
    return TemplateResponse(request, f"{template}#panel" if partial else template, context)


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    return _page(request, "dashboards/overview.html", pages.overview, trend=TREND_COUNT)


@require_safe
def area(request: HttpRequest, area: str) -> HttpResponse:
    # The area's goals only (a goal serves pillars of its own area only).
    return _page(
        request,
        "dashboards/group.html",
        lambda data: pages.area(data, area),
        trend=TREND_COUNT,
        goal_filter=Q(area__code=area),
    )


@require_safe
def pillar(request: HttpRequest, area: str, pillar: str) -> HttpResponse:
    return _page(
        request,
        "dashboards/group.html",
        lambda data: pages.pillar(data, area, pillar),
        trend=TREND_COUNT,
        goal_filter=Q(area__code=area, pillars__code=pillar, pillars__area__code=area),
    )


@require_safe
def goal(request: HttpRequest, area: str, goal: str) -> HttpResponse:
    # The goal's indicators only, with all their periods (the charts show their history).
    return _page(
        request,
        "dashboards/goal.html",
        lambda data: pages.goal(data, area, goal),
        goal_filter=Q(area__code=area, code=goal),
    )


@require_safe
def unit(request: HttpRequest, code: str) -> HttpResponse:
    return _page(
        request,
        "dashboards/unit.html",
        pages.unit,
        unit_code=code,
        with_ancestor_indicators=True,
        trend=1,  # the chosen period only
    )


@require_safe
def completeness(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "dashboards/completeness.html",
        lambda data: pages.completeness(data, timezone.localdate()),
        trend=1,
    )
