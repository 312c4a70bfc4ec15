"""The rectorate's dashboards. Thin views: load the frame (dashboards.data), read the stored
figures and present them (dashboards.pages); an htmx request gets the `panel` partial of the
same template.

Nothing is cached: the figures are stored in the database (dashboards.figures), so every
process reads the same ones, and a page reads only what it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods, require_safe

from dashboards import drilldown, pages
from dashboards.data import DashboardData, current_strategy, default_period, load
from dashboards.forms import BoardReportForm
from dashboards.tables import export
from goals.models import ReportingPeriod
from jobs.models import Job, JobKind
from strategy.policy import Policy


def _page(
    request: HttpRequest,
    template: str,
    build: Callable[[DashboardData], dict],
    **load_kwargs,
) -> HttpResponse:
    data = load(
        request.user,
        request.GET,
        today=timezone.localdate(),
        policy=Policy.of(request),  # the navigation asks for it too: worked out once
        **load_kwargs,
    )
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
    policy = Policy.of(request)  # the navigation asks for it too: no extra query

    def build(data: DashboardData) -> dict:
        context = pages.overview(data)
        context["may_report_to_board"] = policy.can_report_to_board(data.scope)
        return context

    return _page(request, "dashboards/overview.html", build, with_snapshot=True)


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
def indicator(request: HttpRequest, indicator_id: int) -> HttpResponse:
    return _page(
        request,
        "dashboards/indicator.html",
        lambda data: drilldown.indicator(data, indicator_id),
    )


@require_safe
def completeness(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "dashboards/completeness.html",
        lambda data: pages.completeness(data, timezone.localdate()),
    )


@require_safe
def exceptions(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "dashboards/exceptions.html",
        lambda data: pages.exceptions_page(data, Policy.of(request), timezone.localdate()),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def board_report(request: HttpRequest) -> HttpResponse:
    """The board report's form (period, unit, language); its POST starts the background job
    and leads to the job's page. `?unit=` and `?period=` choose what the form starts with."""
    policy = Policy.of(request)
    if not policy.can_report_to_board():
        raise PermissionDenied
    if request.method == "POST":
        form = BoardReportForm(request.POST, policy=policy)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            if not policy.can_report_to_board(unit):
                raise Http404
            with transaction.atomic():
                job = Job.objects.create(
                    kind=JobKind.BOARD_REPORT,
                    created_by=request.user,
                    payload={
                        "period": form.cleaned_data["period"].pk,
                        "unit": unit.pk,
                        "language": form.cleaned_data["language"],
                    },
                )
                job.enqueue()
            return redirect(job)
        return TemplateResponse(
            request, "dashboards/board_report_form.html", {"form": form}, status=400
        )
    form = BoardReportForm(initial=_board_initial(request, policy), policy=policy)
    return TemplateResponse(request, "dashboards/board_report_form.html", {"form": form})


def _board_initial(request: HttpRequest, policy: Policy) -> dict:
    units = policy.board_report_units().active()
    code = request.GET.get("unit")
    unit = units.filter(code=code).first() if code else units.order_by("depth", "path").first()
    if unit is None:
        raise Http404
    periods = ReportingPeriod.objects.filter(strategy=current_strategy())
    period = (
        periods.filter(code=request.GET["period"]).first() if request.GET.get("period") else None
    )
    if period is None and periods.exists():
        period = default_period(list(periods), timezone.localdate())
    return {
        "unit": unit.code,
        "period": period.code if period else None,
        "language": translation.get_language(),
    }
