"""The rectorate's dashboards. Thin views: load (dashboards.data), score (dashboards.summary),
present (dashboards.pages); an htmx request gets the `panel` partial of the same template."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboards import pages
from dashboards.data import DashboardData, load
from dashboards.tables import export


def _load(request: HttpRequest, **kwargs) -> DashboardData:
    return load(request.user, request.GET, today=timezone.localdate(), **kwargs)


def _respond(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    downloaded = export(context["tables"], request.GET)
    if downloaded is not None:
        return downloaded
    for chart in context["charts"]:
        chart["data_id"] = f"{chart['id']}-data"
    partial = request.htmx and not request.htmx.history_restore_request
    return TemplateResponse(request, f"{template}#panel" if partial else template, context)


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    return _respond(request, "dashboards/overview.html", pages.overview(_load(request)))


@require_safe
def area(request: HttpRequest, area: str) -> HttpResponse:
    return _respond(request, "dashboards/group.html", pages.area(_load(request), area))


@require_safe
def pillar(request: HttpRequest, area: str, pillar: str) -> HttpResponse:
    return _respond(request, "dashboards/group.html", pages.pillar(_load(request), area, pillar))


@require_safe
def goal(request: HttpRequest, area: str, goal: str) -> HttpResponse:
    return _respond(request, "dashboards/goal.html", pages.goal(_load(request), area, goal))


@require_safe
def unit(request: HttpRequest, code: str) -> HttpResponse:
    data = _load(request, unit_code=code, with_ancestor_indicators=True)
    return _respond(request, "dashboards/unit.html", pages.unit(data))


@require_safe
def completeness(request: HttpRequest) -> HttpResponse:
    data = _load(request)
    return _respond(
        request, "dashboards/completeness.html", pages.completeness(data, timezone.localdate())
    )
