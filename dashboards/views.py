"""The rectorate's dashboards. Thin views: load the frame (dashboards.data), read the stored
figures and present them (dashboards.pages); an htmx request gets the `panel` partial of the
same template.

Nothing is cached: the figures are stored in the database (dashboards.figures), so every
process reads the same ones, and a page reads only what it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboards import pages
from dashboards.data import DashboardData, load
from dashboards.tables import export


def _page(
    request: HttpRequest,
    template: str,
    build: Callable[[DashboardData], dict],
    **load_kwargs,
) -> HttpResponse:
    data = load(request.user, request.GET, today=timezone.localdate(), **load_kwargs)
    if request.GET.get("format") in ("csv", "xlsx"):
        data.download = request.GET.get("table") or ""
    context = build(data)
    for chart in context["charts"]:
        chart["data_id"] = f"{chart['id']}-data"
    downloaded = export(context["tables"], request.GET)
    if downloaded is not None:
        return downloaded
    partial = request.htmx and not request.htmx.history_restore_request
    return TemplateResponse(request, f"{template}#panel" if partial else template, context)


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    return _page(request, "dashboards/overview.html", pages.overview, with_snapshot=True)


@require_safe
def area(request: HttpRequest, area: str) -> HttpResponse:
    return _page(
        request,
        "dashboards/group.html",
        lambda data: pages.area(data, area),
    )


@require_safe
def pillar(request: HttpRequest, area: str, pillar: str) -> HttpResponse:
    return _page(
        request,
        "dashboards/group.html",
        lambda data: pages.pillar(data, area, pillar),
    )


@require_safe
def goal(request: HttpRequest, area: str, goal: str) -> HttpResponse:
    return _page(
        request,
        "dashboards/goal.html",
        lambda data: pages.goal(data, area, goal),
        with_snapshot=True,
    )


@require_safe
def unit(request: HttpRequest, code: str) -> HttpResponse:
    return _page(
        request,
        "dashboards/unit.html",
        pages.unit,
        unit_code=code,
    )


@require_safe
def completeness(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "dashboards/completeness.html",
        lambda data: pages.completeness(data, timezone.localdate()),
    )
