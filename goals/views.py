"""My unit and the progress report pages: thin views over the models' verb methods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from goals.forms import CommentForm, ReportForm, ReviewForm
from goals.history import history_is_recorded, report_history
from goals.models import (
    Action,
    Comment,
    DevelopmentGoal,
    EditConflict,
    PeriodKind,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    TransitionRefused,
)
from indicators.models import Indicator, Measurement, goals_reported_on_by, label_indicators
from strategy.http import ViewRequest
from strategy.models import Strategy, Unit
from strategy.policy import Policy

# What My unit lists of its longer lists; a faculty or the whole university may have
# hundreds of each (the grid and the units lower down show the rest).
ACTIONS_SHOWN = 50
AWAITING_SHOWN = 50
LACKING_SHOWN = 50


@require_safe
def landing(request: ViewRequest) -> HttpResponse:
    """Where a user arrives at the site's root and after logging in (unless `next` says
    otherwise): reporters and approvers on My unit, the rectorate on the overview dashboard,
    everyone else on the strategy."""
    access = Policy.of(request)
    if access.can_edit_anything:
        return redirect("goals:my_unit")
    if access.is_rectorate:
        return redirect("dashboards:overview")
    return redirect("strategy:home")


@require_safe
def my_unit(request: ViewRequest) -> HttpResponse:
    """The user's own unit, or the one picked in the unit switcher (`?unit=CODE`)."""
    if code := request.GET.get("unit", "").strip():
        chosen = get_unit_for_reader(request, code)
        url = reverse("goals:unit", args=[chosen.code])
        period = request.GET.get("period", "").strip()
        return redirect(f"{url}?{urlencode({'period': period})}" if period else url)
    home = Policy.of(request).home_unit()
    if home is None:
        return TemplateResponse(request, "goals/no_unit.html")
    return redirect("goals:unit", home.code)


@require_safe
def unit_detail(request: ViewRequest, code: str) -> HttpResponse:
    unit = get_unit_for_reader(request, code)
    access = Policy.of(request)
    strategy = current_strategy()
    open_periods = open_periods_of(strategy)
    period = _chosen_period(request, strategy, open_periods)
    goals = (
        goals_reported_on_by(unit, period)
        .select_related("area")
        .order_by("area__order", "order", "code")
    )
    reports = {
        report.goal_id: report
        for report in ProgressReport.objects.filter(unit=unit, period=period).only(
            "goal_id", "state", "status", "return_comment", "version"
        )
    }
    lacking = (
        Indicator.objects.active()
        .reported_by(unit)
        .without_value_in(open_periods, unit=unit)
        .select_related("goal", "owner_unit")
        .order_by("goal__area__order", "goal__order", "code")
    )
    lacking_shown, lacking_count = _first(lacking, LACKING_SHOWN)
    actions_due = list(
        Action.objects.open()
        .in_subtree(unit)
        .select_related("report__goal", "report__unit", "report__period")
        .order_by("due", "pk")[: ACTIONS_SHOWN + 1]
    )
    owed = (
        ProgressReport.objects.filter(unit=unit, period__strategy=strategy)
        .owed()
        .select_related("goal", "period")
    )
    awaiting = ProgressReport.objects.none()
    if access.can_approve(unit):
        awaiting = (
            ProgressReport.objects.filter(
                unit__path__startswith=unit.path,
                state=ReportState.SUBMITTED,
                period__strategy=strategy,
                period__is_open=True,
            )
            .select_related("goal", "unit", "period", "submitted_by")
            .order_by("submitted_at", "pk")
        )
    awaiting_shown, awaiting_count = _first(awaiting, AWAITING_SHOWN)
    return TemplateResponse(
        request,
        "goals/unit_detail.html",
        {
            "unit": unit,
            "period": period,
            "open_periods": open_periods,
            "periods": ReportingPeriod.objects.filter(strategy=strategy).order_by("-start", "end"),
            "rows": [(goal, reports.get(goal.pk)) for goal in goals],
            "lacking": label_indicators(lacking_shown),
            "lacking_count": lacking_count,
            "owed": owed,
            "awaiting": awaiting_shown,
            "awaiting_count": awaiting_count,
            "actions_due": actions_due[:ACTIONS_SHOWN],
            "more_actions": len(actions_due) > ACTIONS_SHOWN,
            "today": timezone.localdate(),
            "units": access.units().active().only("code", "name_en", "name_nb", "depth"),
            "can_edit": access.can_edit(unit) and period.is_writable_by(request.user),
            "period_writable": period.is_writable_by(request.user),
            "nav_section": "unit",
        },
    )


def _first(queryset: QuerySet, limit: int) -> tuple[list, int | None]:
    """The first `limit` of a list and, where that cuts it, how many there are in all (one
    more query only then)."""
    first = list(queryset[: limit + 1])
    return first[:limit], (queryset.count() if len(first) > limit else None)


@require_http_methods(["GET", "HEAD", "POST"])
def report_detail(request: ViewRequest, code: str, period_code: str, goal_id: int) -> HttpResponse:
    report = get_report_for_reader(request, code, period_code, goal_id)
    if request.method != "POST":
        return _render_report(request, report, form=_fresh_form(report))
    if not (
        Policy.of(request).can_edit(report.unit) and report.period.is_writable_by(request.user)
    ):
        raise PermissionDenied
    form = _report_form(report, request.POST)
    if not form.is_valid():
        return _render_report(request, report, form=form)
    data = form.cleaned_data
    submitting = request.POST.get("action") == "submit"
    try:
        with transaction.atomic():
            report.edit(
                by=request.user,
                based_on=data["version"],
                **{field: data[field] for field in ProgressReport.CONTENT_FIELDS},
            )
            report.record_actions(by=request.user, new=data["new_action"], closing=data["close"])
        if submitting:
            report.submit(by=request.user)
    except (EditConflict, TransitionRefused) as refusal:
        current = cast(ProgressReport, refusal.current)  # the report's own verbs raised it
        kept = _report_form(current, {**request.POST.dict(), "version": current.version})
        kept.is_valid()
        return _render_report(
            request,
            current,
            form=kept,
            conflict=Conflict.of(current, data, refused=isinstance(refusal, TransitionRefused)),
        )
    notice = _("Report submitted for approval.") if submitting else _("Draft saved.")
    return _done(request, report, notice)


@require_POST
def report_review(request: ViewRequest, code: str, period_code: str, goal_id: int) -> HttpResponse:
    report = get_report_for_reader(request, code, period_code, goal_id)
    if report.pk is None:
        raise Http404
    if not (
        Policy.of(request).can_approve(report.unit) and report.period.is_writable_by(request.user)
    ):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, form=_fresh_form(report), review_form=form)
    data = form.cleaned_data
    try:
        if data["decision"] == ReviewForm.APPROVE:
            report.approve(by=request.user, comment=data["comment"], based_on=data["version"])
            notice = _("Report approved.")
        else:
            report.return_to_reporter(
                by=request.user, comment=data["comment"], based_on=data["version"]
            )
            notice = _("Report returned to the reporter with your comment.")
    except (EditConflict, TransitionRefused) as refusal:
        current = cast(ProgressReport, refusal.current)  # the report's own verbs raised it
        return _render_report(
            request,
            current,
            form=_fresh_form(current),
            conflict=Conflict.of(current, None, refused=isinstance(refusal, TransitionRefused)),
        )
    return _done(request, report, notice)


@require_POST
def report_comment(request: ViewRequest, code: str, period_code: str, goal_id: int) -> HttpResponse:
    """Post a comment (or a reply) on a unit's report for a period; viewers at the root may."""
    report = get_report_for_reader(request, code, period_code, goal_id)
    if not Policy.of(request).can_comment(report.unit):
        raise PermissionDenied
    return _post_comment(request, report.goal, report=report)


@require_http_methods(["GET", "HEAD", "POST"])
def goal_comments(request: ViewRequest, goal_id: int) -> HttpResponse:
    """The dialogue on a goal as a whole, between the rectorate and the approvers."""
    goal = get_goal_for_reader(request, goal_id)
    if request.method == "POST":
        if not Policy.of(request).can_comment(None):
            raise PermissionDenied
        return _post_comment(request, goal)
    return TemplateResponse(
        request,
        "goals/goal_comments.html",
        {"goal": goal, "nav_section": "unit", **_comments_context(request, goal)},
    )


def _post_comment(
    request: ViewRequest, goal: DevelopmentGoal, *, report: ProgressReport | None = None
) -> HttpResponse:
    context = _comments_context(request, goal, report=report, data=request.POST)
    form = context["comment_form"]
    if not form.is_valid():
        return _render_comments(request, goal, report, context)
    data = form.cleaned_data
    comment = Comment.post(
        by=request.user,
        goal=goal,
        unit=report.unit if report else None,
        period=report.period if report else None,
        parent=data["parent"],
        body=data["body"],
        for_board=data["for_board"],
        mention=data["mention"],
    )
    notice = _("Reply posted.") if data["parent"] else _("Comment posted.")
    if request.htmx:
        context = _comments_context(request, goal, report=report)
        return _render_comments(request, goal, report, {**context, "comment_notice": notice})
    messages.success(request, notice)
    return redirect(comment.get_absolute_url())


def _comments_context(
    request: ViewRequest,
    goal: DevelopmentGoal,
    *,
    report: ProgressReport | None = None,
    data=None,
) -> dict:
    """The threads of a goal or a report and the form to add to them (for those who may)."""
    comments = Comment.objects.on_report(report) if report else Comment.objects.on_goal(goal)
    threads = (
        comments.filter(parent=None)
        .select_related("author")
        .prefetch_related(
            "mentioned_units",
            Prefetch(
                "replies",
                queryset=Comment.objects.select_related("author").prefetch_related(
                    "mentioned_units"
                ),
            ),
        )
    )
    if report:
        ancestors = report.unit.path.strip("/").split("/")
        mentionable = Unit.objects.filter(code__in=ancestors).exclude(parent=None)
        post_url = reverse(
            "goals:report_comment", args=[report.unit.code, report.period.code, goal.pk]
        )
        may_comment = Policy.of(request).can_comment(report.unit)
    else:
        mentionable = Unit.objects.active().filter(depth=1)
        post_url = reverse("goals:goal_comments", args=[goal.pk])
        may_comment = Policy.of(request).can_comment(None)
    mentionable = mentionable.order_by("path")
    return {
        "threads": threads,
        "comment_form": CommentForm(data, mentionable=mentionable, comments=comments),
        "comment_post_url": post_url,
        "can_comment": may_comment,
    }


def _render_comments(request, goal, report, context) -> TemplateResponse:
    """The comments' partial for htmx, else their whole page (e.g. with the form's errors)."""
    if request.htmx:
        return TemplateResponse(request, "goals/_comments.html", {"goal": goal, **context})
    if report is not None:
        return _render_report(request, report, form=_fresh_form(report), **context)
    return TemplateResponse(
        request, "goals/goal_comments.html", {"goal": goal, "nav_section": "unit", **context}
    )


# Lookups: every one starts from the user and answers 404 for what they may not read.


def get_unit_for_reader(
    request: HttpRequest, code: str, units: QuerySet[Unit] | None = None
) -> Unit:
    unit = get_object_or_404(Unit if units is None else units, code=code)
    if not Policy.of(request).can_view(unit):
        raise Http404
    return unit


def get_goal_for_reader(request: HttpRequest, goal_id: int) -> DevelopmentGoal:
    """Goals are shared by the whole strategy: anyone with a role may read their dialogue."""
    if not Policy.of(request).has_any_role:
        raise Http404
    return get_object_or_404(DevelopmentGoal.objects.select_related("area"), pk=goal_id)


def get_report_for_reader(
    request: ViewRequest, code: str, period_code: str, goal_id: int
) -> ProgressReport:
    """The report (unsaved if not started yet) for a unit, period and goal the user may read."""
    unit = get_unit_for_reader(request, code)
    goal = get_object_or_404(DevelopmentGoal.objects.select_related("area"), pk=goal_id)
    period = get_object_or_404(ReportingPeriod, strategy=goal.area.strategy_id, code=period_code)
    report = (
        ProgressReport.objects.select_related(
            "submitted_by", "approved_by", "returned_by", "updated_by"
        )
        .filter(goal=goal, unit=unit, period=period)
        .first()
    )
    if report is None:
        report = ProgressReport(goal=goal, unit=unit, period=period)
    else:
        report.goal, report.unit, report.period = goal, unit, period
    return report


def current_strategy() -> Strategy:
    strategy = Strategy.objects.filter(is_current=True).first() or Strategy.objects.first()
    if strategy is None:
        raise Http404
    return strategy


def open_periods_of(strategy: Strategy) -> list[ReportingPeriod]:
    """Open periods, the year first: a unit may have e.g. "2025" and "2025-T3" open at once."""
    order = {kind: index for index, kind in enumerate(PeriodKind.values)}
    periods = ReportingPeriod.objects.open().filter(strategy=strategy)
    return sorted(periods, key=lambda period: (order.get(period.kind, 99), period.start))


def _chosen_period(
    request: ViewRequest, strategy: Strategy, open_periods: list[ReportingPeriod]
) -> ReportingPeriod:
    if code := request.GET.get("period", "").strip():
        return get_object_or_404(ReportingPeriod, strategy=strategy, code=code)
    if open_periods:
        return open_periods[0]
    period = ReportingPeriod.objects.filter(strategy=strategy).order_by("-end", "-start").first()
    if period is None:
        raise Http404
    return period


# Rendering


@dataclass
class Conflict:
    """What the user is told when their save or step was refused."""

    current: ProgressReport
    by: str
    refused_state: bool
    differing: list[tuple[str, str]]

    @classmethod
    def of(cls, current: ProgressReport, mine: dict | None, *, refused: bool) -> Conflict:
        who = current.updated_by
        differing = []
        if mine is not None:
            for field in ProgressReport.CONTENT_FIELDS:
                if mine.get(field) != getattr(current, field):
                    # The content fields are the report's own columns.
                    column = cast(Field, ProgressReport._meta.get_field(field))
                    label = str(column.verbose_name).capitalize()
                    shown = (
                        current.get_status_display()
                        if field == "status"
                        else getattr(current, field)
                    )
                    differing.append((label, shown))
        return cls(
            current=current,
            by=(who.get_full_name() or who.get_username()) if who else _("someone"),
            refused_state=refused,
            differing=differing,
        )


def _report_form(report: ProgressReport, data=None, initial=None) -> ReportForm:
    """The report's form, offering to close the open actions of its unit and goal."""
    return ReportForm(
        data,
        initial=initial,
        period=report.period,
        open_actions=Action.objects.shown_with(report).open().order_by("due", "pk"),
        computed_status=report.computed_status,
    )


def _fresh_form(report: ProgressReport) -> ReportForm:
    return _report_form(
        report, initial={**report.content(), "version": report.version if report.pk else 0}
    )


def _render_report(request: ViewRequest, report: ProgressReport, **context) -> TemplateResponse:
    access = Policy.of(request)
    writable = report.period.is_writable_by(request.user)
    values = (
        Measurement.objects.filter(
            indicator__goal=report.goal_id,
            unit__path__startswith=report.unit.path,
            period__start__gte=report.period.start,
            period__end__lte=report.period.end,
        )
        .select_related("indicator__owner_unit", "period", "unit")
        .order_by("indicator__code", "period__start")
    )
    label_indicators(value.indicator for value in values)
    context = {
        "report": report,
        "unit": report.unit,
        "period": report.period,
        "goal": report.goal,
        "can_edit": access.can_edit(report.unit) and writable and report.is_editable_state,
        "can_review": access.can_approve(report.unit)
        and writable
        and report.state == ReportState.SUBMITTED,
        "period_writable": writable,
        "history": report_history(report),
        "history_recorded": history_is_recorded(),
        "values": values,
        "review_form": ReviewForm(initial={"version": report.version}),
        "actions": Action.objects.shown_with(report)
        .select_related("report__period", "closed_in", "closed_by")
        .order_by("closed_at", "due", "pk"),
        "today": timezone.localdate(),
        "nav_section": "unit",
        **_comments_context(request, report.goal, report=report),
        **context,
    }
    template = "goals/report_detail.html"
    if request.htmx:
        template += "#report"
    return TemplateResponse(request, template, context)


def _done(request: ViewRequest, report: ProgressReport, notice: str) -> HttpResponse:
    """After a successful change: the page's partial for htmx, else a redirect (PRG)."""
    if request.htmx:
        return _render_report(request, report, form=_fresh_form(report), notice=notice)
    messages.success(request, notice)
    return redirect(report.get_absolute_url())
