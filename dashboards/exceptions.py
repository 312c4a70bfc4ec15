"""Exceptions: every goal and indicator off track or at risk in a period and a unit's subtree,
worst first, with the units' own story behind each and what changed since the previous period.

Read from the stored figures (dashboards.figures) and the progress reports and actions, in at
most seven queries whatever the size of the data (with the request's `figures.World`). The
exceptions page and the board report both read it, so they list the same rows in the same
order.

Which units: those in the unit's subtree as it was in the period (`figures.World.listed`, the
tree the stored figures of that period roll up over), closed ones included; the previous
period's rows over the tree of that period.

Which rows:
- a **goal** whose computed status (`GroupFigure` of the unit's subtree) is off track or at
  risk, or whose units' reported status (the middle of the subtree's submitted and approved
  reports, docs/scoring.md section 4) is: the computed figures may not see what the units see.
  One unit of twenty reporting at risk does not list a goal, as one indicator of twenty does not
  make its computed status;
- an **indicator** owned in the subtree whose stored status (`IndicatorFigure`, read at its
  reference period, docs/scoring.md section 1) is off track or at risk.

Order: off track before at risk (a goal counts with the worse of its computed and its
reported status), then the lowest progress ratio first (a goal's is the middle of
its indicators' ratios in the subtree; rows without a ratio last), then goals before
indicators, then by code.

What changed: the same row in the previous period of the same kind (the previous year for a
year, the previous tertial for a tertial): `NEW` when it was not an exception then (or there is
no previous period), `WORSE` (at risk → off track), `IMPROVED` (off track → at risk) or `SAME`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from statistics import median_low

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dashboards import figures
from dashboards.models import GroupFigure, GroupKind, IndicatorFigure
from dashboards.scoring import REPORTED_AS_STATUS, Period, Status, UnitNode, reference_period
from dashboards.tables import closed_label
from goals.models import (
    Action,
    DevelopmentGoal,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    ReportStatus,
)
from indicators.models import Indicator
from strategy.models import Unit
from strategy.policy import READ, Policy

EXCEPTION_STATUSES = (Status.OFF_TRACK, Status.AT_RISK)
_RANK = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.NO_DATA: 3}
_COUNTED = (ReportState.SUBMITTED, ReportState.APPROVED)


class Kind(StrEnum):
    GOAL = "goal"
    INDICATOR = "indicator"


class Change(StrEnum):
    NEW = "new"  # not off track or at risk in the previous period, or no previous period
    WORSE = "worse"  # at risk then, off track now
    SAME = "same"
    IMPROVED = "improved"  # off track then, at risk now


@dataclass(frozen=True)
class UnitReport:
    """A unit's submitted or approved report on the goal for the period: its own status and why."""

    unit_id: int
    unit_code: str
    unit_name: str
    status: str  # a ReportStatus value
    status_label: str
    state: str  # a ReportState value
    narrative: str
    next_steps: str
    risks: str
    url: str
    unit_successor: str | None = None  # a closed unit's (`tables.closed_label`); None: open

    @property
    def unit_label(self) -> str:
        """The unit's code, marked "(merged into …)" or "(closed)" for a closed unit."""
        return closed_label(self.unit_code, self.unit_successor)

    @property
    def as_status(self) -> Status | None:
        """The reported status on the computed scale (None for "not started")."""
        return REPORTED_AS_STATUS.get(self.status)


@dataclass(frozen=True)
class ActionNote:
    """An action raised in a unit's report on the goal and still open at the period's end."""

    id: int
    unit_code: str
    unit_name: str
    raised_in: str  # the code of the period whose report raised it
    cause: str
    action: str
    owner: str
    due: datetime.date
    is_open: bool  # still open today (False: closed in a later period)
    overdue: bool  # open today and past its due date
    url: str  # the report that raised it
    goal_id: int
    goal_code: str
    goal_title: str
    area_code: str
    unit_successor: str | None = None  # a closed unit's (`tables.closed_label`); None: open

    @property
    def unit_label(self) -> str:
        """The unit's code, marked "(merged into …)" or "(closed)" for a closed unit."""
        return closed_label(self.unit_code, self.unit_successor)

    @property
    def goal_path(self) -> str:
        return reverse("dashboards:goal", args=[self.area_code, self.goal_code])


@dataclass(frozen=True)
class ExceptionRow:
    kind: Kind
    goal_id: int
    goal_code: str
    goal_title: str
    area_code: str
    status: Status  # computed, from the stored figures
    reported: Status  # the middle of the subtree's reported statuses of the goal
    severity: Status  # what the row is ranked by (see the module's docstring)
    change: Change
    previous_status: Status | None  # computed, in the previous period (None: no such period)
    previous_period: str  # its code, "" when there is none
    progress: Decimal | None
    ratio: Decimal | None  # progress / expected progress (a goal: the middle of its indicators')
    reports: tuple[UnitReport, ...]  # the goal's reports in the subtree, worst reported first
    actions: tuple[ActionNote, ...]  # open actions on the goal in the subtree, by due date
    # Indicators only:
    indicator_id: int | None = None
    indicator_code: str = ""
    indicator_name: str = ""
    owner_code: str = ""
    reference_period: str = ""  # the period the indicator is read at
    value: Decimal | None = None
    expected_value: Decimal | None = None
    decimals: int = 0
    units_reported: int = 0
    units_expected: int = 0
    # Goals only: how many of the goal's indicators in the subtree are off track / at risk.
    indicators_off_track: int = 0
    indicators_at_risk: int = 0
    reported_off_track: int = 0  # units' reports
    reported_at_risk: int = 0
    # What the row was ranked by in the previous period (None: no such period).
    previous_severity: Status | None = None

    @property
    def name(self) -> str:
        return self.indicator_name if self.kind == Kind.INDICATOR else self.goal_title

    @property
    def code(self) -> str:
        return self.indicator_code if self.kind == Kind.INDICATOR else self.goal_code

    @property
    def goal_path(self) -> str:
        """The goal's dashboard page (without the period and unit query)."""
        return reverse("dashboards:goal", args=[self.area_code, self.goal_code])

    @property
    def disagreement(self) -> bool:
        return Status.NO_DATA not in (self.status, self.reported) and self.status != self.reported


def _worse(*statuses: Status | None) -> Status:
    return min(
        (s for s in statuses if s is not None), key=_RANK.__getitem__, default=Status.NO_DATA
    )


def _change(before: Status | None, now: Status) -> Change:
    if before not in EXCEPTION_STATUSES:
        return Change.NEW
    if before == now:
        return Change.SAME
    return Change.WORSE if _RANK[now] < _RANK[before] else Change.IMPROVED


def _previous(periods: list[ReportingPeriod], period: ReportingPeriod | Period):
    earlier = [p for p in periods if p.kind == period.kind and p.end < period.start]
    return max(earlier, key=lambda p: p.end) if earlier else None


def _actions(
    chosen: Period, units: frozenset[int], today: datetime.date, goal_ids: set[int] | None = None
) -> list[ActionNote]:
    """Actions raised in `units`' reports (the subtree as it was in the chosen period) up to
    the chosen period and not closed by its end (closed in a later period, or still open), by
    due date: "until closed"."""
    found = Action.objects.filter(
        Q(closed_in=None) | Q(closed_in__end__gt=chosen.end),
        report__unit_id__in=units,
        report__period__start__lt=chosen.end,
    )
    if goal_ids is not None:
        found = found.filter(report__goal_id__in=goal_ids)
    return [
        ActionNote(
            a.pk,
            a.report.unit.code,
            a.report.unit.name,
            a.report.period.code,
            a.cause,
            a.action,
            a.owner,
            a.due,
            a.is_open,
            a.is_open and a.due < today,
            reverse(
                "goals:report", args=[a.report.unit.code, a.report.period.code, a.report.goal_id]
            ),
            a.report.goal_id,
            a.report.goal.code,
            a.report.goal.title,
            a.report.goal.area.code,
            _successor(a.report.unit),
        )
        for a in found.select_related(
            "report__unit__successor", "report__period", "report__goal__area"
        ).order_by("due", "pk")
    ]


def open_actions(
    *,
    period: ReportingPeriod | Period,
    unit: Unit | UnitNode,
    policy: Policy,
    today: datetime.date | None = None,
    world: figures.World | None = None,
) -> list[ActionNote]:
    """Every action on any goal raised in `unit`'s subtree (as it was in `period`) and not
    closed by the end of `period`, by due date (one query, with the request's `world`).
    Http404 when `policy` may not read `unit`."""
    if not policy.can(READ, unit):
        raise Http404
    world = world or figures.load_world()
    chosen = world.by_id.get(period.id) or _as_period(period)
    units = world.listed(unit.id, chosen, policy)
    return _actions(chosen, units, today or timezone.localdate())


def _successor(unit: Unit) -> str | None:
    """For `tables.closed_label`: None for an open unit, else its successor's code or ""."""
    if unit.active:
        return None
    return unit.successor.code if unit.successor else ""


def _as_period(p: ReportingPeriod | Period) -> Period:
    return Period(p.id, p.code, p.kind, p.start, p.end, p.deadline)


def exceptions(
    *,
    period: ReportingPeriod | Period,
    unit: Unit | UnitNode,
    policy: Policy,
    today: datetime.date | None = None,
    world: figures.World | None = None,
) -> list[ExceptionRow]:
    """The goals and indicators off track or at risk in `period` in `unit`'s subtree, worst
    first (see the module's docstring). Http404 when `policy` may not read `unit`.

    `world`: the request's (a dashboard page's frame holds one); loaded here without it."""
    if not policy.can(READ, unit):
        raise Http404
    today = today or timezone.localdate()
    world = world or figures.load_world()
    if period.id in world.by_id:
        as_periods = world.periods
    else:  # a period of a strategy other than the current one
        as_periods = [
            _as_period(p)
            for p in ReportingPeriod.objects.filter(strategy__periods=period.id).only(
                "id", "code", "kind", "start", "end", "deadline", "strategy_id"
            )
        ]
    chosen = next(p for p in as_periods if p.id == period.id)
    before = _previous(as_periods, chosen)
    wanted = [chosen] + ([before] if before else [])
    in_scope = {p.id: world.listed(unit.id, p, policy) for p in wanted}

    # Goals: the stored figures of the subtree, now and in the previous period.
    goal_figures = {
        (f.period_id, f.object_id): f
        for f in GroupFigure.objects.filter(
            kind=GroupKind.GOAL, unit_id=unit.id, period_id__in=[p.id for p in wanted]
        )
    }

    # Indicators owned in the subtree, read at their reference periods (now and before).
    refs = {
        (p.id, kind): reference_period(as_periods, p, kind)
        for p in wanted
        for kind in {q.kind for q in as_periods}
    }
    now_refs = {r.id for (pid, _kind), r in refs.items() if pid == chosen.id and r is not None}
    # Owned in the subtree as it was in the period read for (the tree its figures roll up over).
    owned = Q(pk__in=[])
    for p in wanted:
        read_at = {r.id for (pid, _kind), r in refs.items() if pid == p.id and r is not None}
        owned |= Q(period_id__in=read_at, unit_id__in=in_scope[p.id])
    indicator_figures = list(
        IndicatorFigure.objects.filter(
            owned,
            at_owner=True,  # the owners' figures; units' own targets are their own pages'
            indicator__active=True,
        ).values_list(
            "indicator_id",
            "indicator__goal_id",
            "indicator__frequency",
            "period_id",
            "status",
            "ratio",
            "progress",
            "value",
            "expected_value",
            "reported",
            "expected_units",
            "unit_id",
        )
    )
    by_code = {p.id: p for p in as_periods}
    previous_of: dict[int, Status] = {}
    now_rows = []
    for row in indicator_figures:
        indicator_id, goal_id, frequency, period_id = row[:4]
        owner = row[11]
        if (
            period_id in now_refs
            and by_code[period_id].kind == frequency
            and owner in in_scope[chosen.id]
        ):
            now_rows.append(row)
        # Not elif: on a tertial's page a yearly indicator may be read at the same year both
        # now and in the previous tertial.
        if (
            before is not None
            and refs.get((before.id, frequency)) == by_code[period_id]
            and owner in in_scope[before.id]
        ):
            previous_of[indicator_id] = Status(row[4])
    goal_ratios: dict[int, list[Decimal]] = {}
    for row in now_rows:
        if row[5] is not None:
            goal_ratios.setdefault(row[1], []).append(row[5])
    bad_indicators = [row for row in now_rows if row[4] in EXCEPTION_STATUSES]

    goal_ids = {
        goal_id
        for (period_id, goal_id), f in goal_figures.items()
        if period_id == chosen.id
        and (f.status in EXCEPTION_STATUSES or f.reported_status in EXCEPTION_STATUSES)
    }
    wanted_goals = goal_ids | {row[1] for row in bad_indicators}
    if not wanted_goals:
        return []

    goals = {
        g.id: g
        for g in DevelopmentGoal.objects.filter(id__in=wanted_goals)
        .select_related("area")
        .only("id", "code", "title", "area__code")
    }
    indicators = {
        i.id: i
        for i in Indicator.objects.filter(id__in=[row[0] for row in bad_indicators])
        .select_related("owner_unit")
        .only("id", "code", "name", "decimals", "owner_unit__code")
    }
    status_labels = {k: str(v) for k, v in ReportStatus.choices}
    reports: dict[int, list[UnitReport]] = {}
    for r in (
        ProgressReport.objects.filter(
            period_id=chosen.id,
            goal_id__in=wanted_goals,
            unit_id__in=in_scope[chosen.id],
            state__in=_COUNTED,
        )
        .select_related("unit__successor")
        .order_by("unit__path")
    ):
        reports.setdefault(r.goal_id, []).append(
            UnitReport(
                r.unit_id,
                r.unit.code,
                r.unit.name,
                r.status,
                status_labels.get(r.status, r.status),
                r.state,
                r.narrative,
                r.next_steps,
                r.risks,
                reverse("goals:report", args=[r.unit.code, chosen.code, r.goal_id]),
                _successor(r.unit),
            )
        )
    for found in reports.values():
        found.sort(key=lambda r: _RANK[r.as_status or Status.NO_DATA])
    actions: dict[int, list[ActionNote]] = {}
    for note in _actions(chosen, in_scope[chosen.id], today, goal_ids=wanted_goals):
        actions.setdefault(note.goal_id, []).append(note)

    def goal_common(goal_id: int) -> dict:
        g = goals[goal_id]
        now = goal_figures.get((chosen.id, goal_id))
        return {
            "goal_id": goal_id,
            "goal_code": g.code,
            "goal_title": g.title,
            "area_code": g.area.code,
            "reported": Status(now.reported_status) if now else Status.NO_DATA,
            "previous_period": before.code if before else "",
            "reports": tuple(reports.get(goal_id, ())),
            "actions": tuple(actions.get(goal_id, ())),
        }

    def goal_severity(f: GroupFigure | None) -> Status:
        if f is None:
            return Status.NO_DATA
        return _worse(Status(f.status), Status(f.reported_status))

    out: list[ExceptionRow] = []
    for goal_id in goal_ids:
        now = goal_figures[(chosen.id, goal_id)]
        then = goal_figures.get((before.id, goal_id)) if before else None
        severity = goal_severity(now)
        severity_then = goal_severity(then) if before else None
        ratios = goal_ratios.get(goal_id)
        out.append(
            ExceptionRow(
                kind=Kind.GOAL,
                status=Status(now.status),
                severity=severity,
                change=_change(severity_then, severity),
                previous_severity=severity_then,
                previous_status=(Status(then.status) if then else Status.NO_DATA)
                if before
                else None,
                progress=now.progress,
                ratio=median_low(ratios) if ratios else None,
                indicators_off_track=now.off_track,
                indicators_at_risk=now.at_risk,
                reported_off_track=now.reports_off_track,
                reported_at_risk=now.reports_at_risk,
                **goal_common(goal_id),
            )
        )
    for row in bad_indicators:
        indicator_id, goal_id, _frequency, period_id, status = row[:5]
        indicator = indicators[indicator_id]
        status = Status(status)
        then_status = previous_of.get(indicator_id, Status.NO_DATA) if before else None
        out.append(
            ExceptionRow(
                kind=Kind.INDICATOR,
                status=status,
                severity=status,
                change=_change(then_status, status),
                previous_status=then_status,
                previous_severity=then_status,
                progress=row[6],
                ratio=row[5],
                indicator_id=indicator_id,
                indicator_code=indicator.code,
                indicator_name=indicator.name,
                owner_code=indicator.owner_unit.code,
                reference_period=by_code[period_id].code,
                value=row[7],
                expected_value=row[8],
                decimals=indicator.decimals,
                units_reported=row[9],
                units_expected=row[10],
                **goal_common(goal_id),
            )
        )
    out.sort(
        key=lambda r: (
            _RANK[r.severity],
            r.ratio is None,
            r.ratio if r.ratio is not None else Decimal(0),
            r.kind != Kind.GOAL,
            r.code,
        )
    )
    return out
