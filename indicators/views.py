"""The measurement grid and attaching an indicator.

The grid is one form. With JavaScript each row saves on its own when the user leaves a cell or
presses Enter (`measurement_save`, answered with the row); without it "Save all" sends the whole
grid (`measurement_grid_save`), which saves every changed row and shows the refused ones with
their messages. Both write through `Measurement.record`, with the same optimistic locking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from goals.models import EditConflict, ReportingPeriod
from goals.views import current_strategy, get_unit_for_reader, open_periods_of
from indicators.forms import (
    AttachIndicatorForm,
    MeasurementForm,
    MilestoneFormSet,
    UnitTargetForm,
)
from indicators.models import Aggregation, Indicator, Measurement, Target, label_indicators
from strategy.http import ViewRequest
from strategy.models import Unit
from strategy.policy import Policy


@dataclass
class Row:
    """One indicator in one open period: the cell a user fills in."""

    indicator: Indicator
    period: ReportingPeriod
    previous_period: ReportingPeriod | None
    current: Measurement | None
    previous: Measurement | None
    milestone: Target | None
    form: MeasurementForm | None = None
    own_target: Target | None = None  # the unit's contribution target, if the owner gave one
    notice: str = ""
    conflict: Measurement | None = None
    prefill: bool = False  # "Copy from last period": an empty cell shows last period's value

    @property
    def prefix(self) -> str:
        return f"m{self.indicator.pk}-{self.period.pk}"

    @property
    def current_is_implausible(self) -> bool:
        return self.current is not None and self.indicator.is_implausible(self.current.value)

    def submitted(self, data) -> bool:
        """Whether a whole-grid submission changes this row (a blank new cell does not)."""
        value = data.get(f"{self.prefix}-value")
        if value is None:
            return False
        comment = data.get(f"{self.prefix}-comment", "").strip().replace("\r\n", "\n")
        if self.current is None:
            return bool(value.strip() or comment)
        return value != shown(self.current.value) or comment != self.current.comment

    @property
    def copied(self) -> bool:
        """Whether the cell shows last period's value, not saved yet."""
        return self.prefill and self.current is None and self.previous is not None

    def initial(self) -> dict[str, Any]:
        """What the row's inputs hold before anything is typed: the stored value, or the
        copied one."""
        initial: dict[str, Any] = {"version": self.current.version if self.current else 0}
        if self.current:
            initial |= {"value": shown(self.current.value), "comment": self.current.comment}
        elif self.copied:
            initial["value"] = shown(cast(Measurement, self.previous).value)
        return initial

    def make_form(self, data=None) -> MeasurementForm:
        """The row's form, for a save (a row shown as stored needs none: `Inputs.of`)."""
        return MeasurementForm(
            data, indicator=self.indicator, prefix=self.prefix, initial=self.initial()
        )


@dataclass
class Section:
    period: ReportingPeriod
    previous_period: ReportingPeriod | None
    rows: list[Row] = field(default_factory=list)


def shown(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


@require_safe
def measurement_grid(request: ViewRequest, code: str) -> HttpResponse:
    # Whether it has units below (to offer their targets), in the same query as the unit.
    units = Unit.objects.annotate(has_children=Exists(Unit.objects.filter(parent=OuterRef("pk"))))
    unit = get_unit_for_reader(request, code, units)
    prefill = request.GET.get("prefill") == "last"
    sections = _sections(unit)
    for section in sections:
        for row in section.rows:
            row.prefill = prefill
    return _render_grid(request, unit, sections, prefill=prefill)


@require_POST
def measurement_save(
    request: ViewRequest, code: str, indicator_id: int, period_code: str
) -> HttpResponse:
    unit = get_unit_for_reader(request, code)
    indicator = get_object_or_404(
        Indicator.objects.active().reported_by(unit).select_related("goal__area", "owner_unit"),
        pk=indicator_id,
    )
    period = get_object_or_404(
        ReportingPeriod,
        strategy=indicator.goal.area.strategy_id,
        code=period_code,
        kind=indicator.frequency,
    )
    if not (Policy.of(request).can_edit(unit) and period.is_writable_by(request.user)):
        raise PermissionDenied
    label_indicators([indicator])
    row = _row(indicator, unit, period)
    _save_row(request, unit, row)
    if row.notice and not request.htmx:
        messages.success(
            request,
            _("Saved %(indicator)s for %(period)s.")
            % {"indicator": indicator.label, "period": period.code},
        )
        return redirect(f"{reverse('indicators:grid', args=[unit.code])}#row-{row.prefix}")
    if request.htmx:
        return TemplateResponse(
            request,
            "indicators/measurement_grid.html#row",
            {"row": row, "unit": unit, "can_edit": True},
        )
    sections = _sections(unit)
    for section in sections:
        section.rows = [row if other.prefix == row.prefix else other for other in section.rows]
    return _render_grid(request, unit, sections)


@require_POST
def measurement_grid_save(request: ViewRequest, code: str) -> HttpResponse:
    """ "Save all": every changed row of the grid in one submission (the grid without JavaScript).

    Each row is saved on its own, so a refused row does not hold back the others; the grid comes
    back with the refused rows marked and the saved ones confirmed.
    """
    unit = get_unit_for_reader(request, code)
    if not Policy.of(request).can_edit(unit):
        raise PermissionDenied
    sections = _sections(unit)
    saved = refused = 0
    for section in sections:
        writable = section.period.is_writable_by(request.user)
        for row in section.rows:
            if not (writable and row.submitted(request.POST)):
                continue
            _save_row(request, unit, row)
            if row.notice:
                saved += 1
            else:
                refused += 1
    if not refused:
        if saved:
            message = ngettext("Saved %(count)d value.", "Saved %(count)d values.", saved) % {
                "count": saved
            }
        else:
            message = _("Nothing to save: no value was changed.")
        messages.success(request, message)
        return redirect("indicators:grid", unit.code)
    return _render_grid(
        request,
        unit,
        sections,
        summary=ngettext(
            "%(count)d value was not saved: see the message beside it.",
            "%(count)d values were not saved: see the message beside each.",
            refused,
        )
        % {"count": refused},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def indicator_attach(request: ViewRequest, code: str) -> HttpResponse:
    unit = get_unit_for_reader(request, code)
    if not Policy.of(request).can_edit(unit):
        raise PermissionDenied
    strategy = current_strategy()
    if request.method != "POST":
        initial = {}
        if (goal := request.GET.get("goal", "")).isdigit():
            initial["goal"] = goal
        form = AttachIndicatorForm(strategy=strategy, initial=initial)
        milestones = MilestoneFormSet(prefix="milestones", form_kwargs={"strategy": strategy})
        return TemplateResponse(
            request,
            "indicators/indicator_attach.html",
            {"unit": unit, "form": form, "milestones": milestones, "nav_section": "unit"},
        )
    form = AttachIndicatorForm(request.POST, strategy=strategy)
    valid = form.is_valid()
    # Validated against the indicator as typed (its measure and decimals), saved with it. A
    # post without the milestone rows (not sent by the page) simply adds no milestone.
    with_milestones = "milestones-TOTAL_FORMS" in request.POST
    milestones = MilestoneFormSet(
        request.POST if with_milestones else None,
        instance=form.instance,
        prefix="milestones",
        form_kwargs={"strategy": strategy},
    )
    valid = (milestones.is_valid() if with_milestones else True) and valid
    if valid:
        indicator = form.save(commit=False)
        indicator.owner_unit = unit
        indicator.code = f"{unit.code}-{form.cleaned_data['token']}"
        indicator.aggregation = form.cleaned_data["aggregation"]
        try:
            with transaction.atomic():
                indicator.save()
                if with_milestones:
                    milestones.instance = indicator
                    milestones.save()
        except IntegrityError:
            # The same form sent twice: the first one created it.
            if not Indicator.objects.filter(code=indicator.code, owner_unit=unit).exists():
                raise
        messages.success(
            request,
            _("Indicator “%(name)s” attached to %(goal)s. Enter its values below.")
            % {"name": indicator.name, "goal": indicator.goal.code},
        )
        return redirect("indicators:grid", unit.code)
    return TemplateResponse(
        request,
        "indicators/indicator_attach.html",
        {"unit": unit, "form": form, "milestones": milestones, "nav_section": "unit"},
    )


def _get_indicator_for_owner(request: ViewRequest, pk: int) -> tuple[Indicator, bool]:
    """An indicator whose owner unit the user may read (404 otherwise, like any other unit's
    things), and whether the user may give the units below the owner their targets: the owner
    unit's editors."""
    indicator = get_object_or_404(
        Indicator.objects.active().select_related(
            "owner_unit", "goal__area", "baseline_period", "target_period"
        ),
        pk=pk,
    )
    policy = Policy.of(request)
    if not policy.can_view(indicator.owner_unit):
        raise Http404
    return indicator, policy.can_edit(indicator.owner_unit)


@require_http_methods(["GET", "HEAD", "POST"])
def unit_targets(request: ViewRequest, pk: int) -> HttpResponse:
    """The contribution targets the owner gives the units below it (docs/scoring.md, "Unit
    targets"): listed for the owner's readers, set, changed and removed by its editors."""
    indicator, can_edit = _get_indicator_for_owner(request, pk)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = UnitTargetForm(request.POST, indicator=indicator)
        if form.is_valid() and (target := form.save()) is not None:
            messages.success(
                request,
                _("Saved the target of %(unit)s for %(period)s.")
                % {"unit": cast(Unit, target.unit).code, "period": target.period.code},
            )
            return redirect("indicators:unit_targets", indicator.pk)
    else:
        initial: dict[str, Any] = {}
        edit = request.GET.get("edit", "")
        editing = (
            Target.objects.filter(pk=edit, indicator=indicator, unit__isnull=False).first()
            if can_edit and edit.isdigit()
            else None
        )
        if editing is not None:
            initial = {
                "unit": editing.unit_id,
                "period": editing.period_id,
                "value": shown(editing.value),
                "replaces": editing.pk,
            }
        form = UnitTargetForm(indicator=indicator, initial=initial)
    targets = (
        Target.objects.filter(indicator=indicator)
        .select_related("unit", "period")
        .order_by("unit__path", "period__start")
    )
    return TemplateResponse(
        request,
        "indicators/unit_targets.html",
        {
            "indicator": indicator,
            "form": form,
            "can_edit": can_edit,
            "unit_targets": [t for t in targets if t.unit_id is not None],
            "owner_milestones": [t for t in targets if t.unit_id is None],
            "combined": indicator.aggregation != Aggregation.NONE,
            "nav_section": "unit",
        },
    )


@require_POST
def unit_target_remove(request: ViewRequest, pk: int, target_id: int) -> HttpResponse:
    indicator, can_edit = _get_indicator_for_owner(request, pk)
    if not can_edit:
        raise PermissionDenied
    target = (
        Target.objects.filter(pk=target_id, indicator=indicator, unit__isnull=False)
        .select_related("unit", "period")
        .first()
    )
    if target is not None and indicator.remove_unit_target(target.pk):
        messages.success(
            request,
            _("Removed the target of %(unit)s for %(period)s.")
            % {"unit": cast(Unit, target.unit).code, "period": target.period.code},
        )
    else:
        messages.info(request, _("That target had already been removed."))
    return redirect("indicators:unit_targets", indicator.pk)


def _save_row(request: ViewRequest, unit: Unit, row: Row) -> None:
    """Validate and record one row from the POST data; the row then carries its new form and
    either a notice (saved) or the errors / the conflicting value."""
    form = row.make_form(request.POST)
    if form.is_valid():
        try:
            row.current = Measurement.record(
                indicator=row.indicator,
                unit=unit,
                period=row.period,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                by=request.user,
                based_on=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            # Measurement.record raised it, about the measurement it was asked to change.
            row.current = row.conflict = cast(Measurement, conflict.current)
            # Keep what the user typed; the next save knowingly replaces the newer value.
            form = row.make_form(
                {**request.POST.dict(), f"{row.prefix}-version": row.current.version}
            )
            form.is_valid()
        else:
            row.notice = _("Saved.")
            form = row.make_form()
    row.form = form


def _sections(unit: Unit) -> list[Section]:
    """The indicators the unit gives values for (its own and its ancestors'), grouped by the
    open period their frequency belongs to, with this and last period's values and milestones:
    a fixed number of queries."""
    periods = open_periods_of(current_strategy())
    sections = [Section(period, period.previous()) for period in periods]
    indicators = label_indicators(
        Indicator.objects.active()
        .reported_by(unit)
        .filter(frequency__in={p.kind for p in periods})
        .select_related("goal", "owner_unit", "target_period", "baseline_period")
        .order_by("goal__area__order", "goal__order", "code")
    )
    period_ids = {p.pk for p in periods} | {
        s.previous_period.pk for s in sections if s.previous_period
    }
    values = {
        (m.indicator_id, m.period_id): m
        for m in Measurement.objects.filter(
            unit=unit, indicator__in=indicators, period__in=period_ids
        ).select_related("entered_by")
    }
    milestones: dict[tuple[int, int], Target] = {}
    own_targets: dict[tuple[int, int], Target] = {}
    for t in Target.objects.filter(indicator__in=indicators, period__in=period_ids).filter(
        Q(unit__isnull=True) | Q(unit=unit)
    ):
        (own_targets if t.unit_id else milestones)[(t.indicator_id, t.period_id)] = t
    for section in sections:
        previous_id = section.previous_period.pk if section.previous_period else None
        for indicator in indicators:
            if indicator.frequency != section.period.kind:
                continue
            section.rows.append(
                Row(
                    indicator=indicator,
                    period=section.period,
                    previous_period=section.previous_period,
                    current=values.get((indicator.pk, section.period.pk)),
                    previous=(
                        values.get((indicator.pk, previous_id)) if previous_id is not None else None
                    ),
                    milestone=milestones.get((indicator.pk, section.period.pk)),
                    own_target=own_targets.get((indicator.pk, section.period.pk)),
                )
            )
    return sections


def _row(indicator: Indicator, unit: Unit, period: ReportingPeriod) -> Row:
    previous_period = period.previous()
    values = {
        m.period_id: m
        for m in Measurement.objects.filter(
            indicator=indicator,
            unit=unit,
            period__in=[p for p in (period, previous_period) if p is not None],
        ).select_related("entered_by")
    }
    return Row(
        indicator=indicator,
        period=period,
        previous_period=previous_period,
        current=values.get(period.pk),
        previous=values.get(previous_period.pk) if previous_period else None,
        milestone=Target.objects.filter(indicator=indicator, period=period, unit=None).first(),
        own_target=Target.objects.filter(indicator=indicator, period=period, unit=unit).first(),
    )


def _render_grid(
    request: ViewRequest,
    unit: Unit,
    sections: list[Section],
    *,
    prefill: bool = False,
    summary: str = "",
) -> TemplateResponse:
    access = Policy.of(request)
    can_edit = access.can_edit(unit)
    template = "indicators/measurement_grid.html"
    if request.htmx and request.method == "GET":
        template += "#grid"
    # The indicators this unit owns whose units below may get targets of their own.
    owned = {
        row.indicator.pk: row.indicator
        for section in sections
        for row in section.rows
        if row.indicator.owner_unit_id == unit.pk and row.indicator.aggregation != Aggregation.NONE
    }
    has_children = getattr(unit, "has_children", None)  # annotated by the grid's GET
    if owned and can_edit and has_children is None:
        has_children = unit.children.exists()
    if not (can_edit and has_children):
        owned = {}
    return TemplateResponse(
        request,
        template,
        {
            "unit": unit,
            "sections": sections,
            "prefill": prefill,
            "summary": summary,
            "can_edit": can_edit,
            "targets_below": sorted(owned.values(), key=lambda i: i.code),
            "is_superuser": request.user.is_superuser,
            "nav_section": "unit",
        },
    )
