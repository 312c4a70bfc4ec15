"""Reproducible demo data: units, indicators, targets, measurements and progress reports.

Run through `manage.py seed_demo`. Everything made here is marked, so that a re-run replaces it
without touching what people entered:

- indicators carry `is_generated=True`; their targets and measurements go with them;
- generated units have codes starting with "G-" and the note "Generated demo unit";
- progress reports are created by a demo user (there is no flag on reports): reports that
  demo users wrote themselves are demo data too and are replaced as well.

The indicators are modelled on the KPIs in the project's indicators reference (names, definitions,
measures, magnitudes near NTNU's published figures, scaled to each unit's share of the
university). Each series starts from a 2018 baseline and moves towards the 2025 target along a
trajectory (on track, ahead, behind, flat, the wrong way), with noise and gaps. The same seed gives
the same data: one `random.Random` makes every choice, in a fixed order, and timestamps are derived
from the period dates, never from the clock.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.db.models.functions import Coalesce
from django.utils import timezone

from demo.kpis import EXTRA_DEPARTMENTS, KPIS, QUALIFIERS, Kpi
from demo.scales import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DEMO_USERS,
    GENERATED_PREFIX,
    GENERATED_UNIT_NOTE,
    ROOT_CODE,
    SCALES,
    DemoDataError,
    Scale,
)
from demo.texts import (
    MEASUREMENT_COMMENTS,
    NARRATIVES_WITH_FIGURE,
    NARRATIVES_WITHOUT_FIGURE,
    NEXT_STEPS,
    RETURN_COMMENTS,
    RISKS,
)
from goals.models import (
    DevelopmentGoal,
    PeriodKind,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    ReportStatus,
)
from indicators.models import (
    Accumulation,
    Aggregation,
    Direction,
    Indicator,
    Measure,
    Measurement,
    Target,
)
from ops.bulk import analyze, insert_rows
from strategy.loading import FixtureLoader
from strategy.models import Membership, Role, Strategy, Unit, UnitKind

# Chances per report in an open period: (state or None for not reported, weight).
OPEN_PERIOD_STATES: tuple[tuple[str | None, float], ...] = (
    (None, 0.25),
    (ReportState.DRAFT, 0.20),
    (ReportState.SUBMITTED, 0.20),
    (ReportState.RETURNED, 0.10),
    (ReportState.APPROVED, 0.25),
)
CLOSED_PERIOD_MISSING_REPORTS = 0.05
CLOSED_PERIOD_MISSING_VALUES = 0.07
OPEN_PERIOD_MISSING_VALUES = 0.55
COMMENT_SHARE = 0.03
MILESTONE_SHARE = 0.25

# Trajectories: (share of indicators, range of how much of the planned change is achieved).
TRAJECTORIES: tuple[tuple[float, tuple[float, float]], ...] = (
    (0.45, (0.85, 1.15)),  # on track
    (0.12, (1.15, 1.50)),  # ahead
    (0.23, (0.20, 0.60)),  # behind
    (0.14, (-0.10, 0.10)),  # flat
    (0.06, (-0.60, -0.20)),  # the wrong way
)


# Results


@dataclass
class SeedResult:
    scale: str
    seed: int
    units: int = 0
    generated_units: int = 0
    indicators: int = 0
    targets: int = 0
    measurements: int = 0
    reports: Counter = field(default_factory=Counter)
    missing_reports: int = 0
    users: tuple[str, ...] = DEMO_USERNAMES

    @property
    def report_total(self) -> int:
        return sum(self.reports.values())


# Internal records


@dataclass(frozen=True, slots=True)
class _Period:
    id: int
    code: str
    kind: str
    start: date
    end: date
    deadline: date
    is_open: bool
    x: float  # 0 in the strategy's first year, 1 in its last


@dataclass(slots=True)
class _Plan:
    """One generated indicator before it is saved, with its series."""

    indicator: Indicator
    kpi: Kpi
    periods: list[_Period]
    change: float
    achievement: float
    factor: float
    rows: list[tuple] = field(default_factory=list)


@dataclass(slots=True)
class _GoalSummary:
    """What a unit's series on one goal look like, for the status of its reports."""

    achievement: float = 0.0
    series: int = 0
    headline: tuple | None = None  # (name, measure, baseline, [(end, code, value), ...])


# Entry points


def ensure_strategy_loaded(fixtures_dir: Path | None = None) -> Strategy:
    """The current strategy with its units and periods, loaded from fixtures/ if missing."""
    strategy = Strategy.objects.filter(is_current=True).first()
    if (
        strategy is None
        or not ReportingPeriod.objects.filter(strategy=strategy).exists()
        or not DevelopmentGoal.objects.of_strategy(strategy).exists()
        or not Unit.objects.filter(code=ROOT_CODE).exists()
    ):
        FixtureLoader(fixtures_dir or Path(settings.BASE_DIR) / "fixtures").load_all()
        strategy = Strategy.objects.get(is_current=True)
    return strategy


def delete_generated_data() -> None:
    """Remove what seed_demo made. Data entered by people stays; see the module docstring."""
    User = get_user_model()
    demo_users = User.objects.filter(username__in=DEMO_USERNAMES)
    ProgressReport.objects.filter(created_by__in=demo_users).delete()
    Measurement.objects.filter(indicator__is_generated=True).delete()
    Indicator.objects.filter(is_generated=True).delete()
    generated = Unit.objects.filter(code__startswith=GENERATED_PREFIX, note=GENERATED_UNIT_NOTE)
    depths = sorted(set(generated.values_list("depth", flat=True)), reverse=True)
    for depth in depths:
        try:
            generated.filter(depth=depth).delete()
        except ProtectedError as error:
            blocking = sorted({str(obj) for obj in error.protected_objects})[:5]
            raise DemoDataError(
                "Generated units still carry data that seed_demo did not make; remove it "
                f"first: {'; '.join(blocking)}"
            ) from error


def _manual_report_keys(strategy: Strategy) -> set[tuple[int, int, int]]:
    """(goal, unit, period) of the reports that delete_generated_data() keeps."""
    demo_users = get_user_model().objects.filter(username__in=DEMO_USERNAMES)
    reports = ProgressReport.objects.filter(period__strategy=strategy).exclude(
        created_by__in=demo_users
    )
    return set(reports.values_list("goal_id", "unit_id", "period_id"))


def seed_demo(*, scale: str | Scale = "small", seed: int = 1) -> SeedResult:
    """Replace the generated demo data with a fresh set; see DemoGenerator."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    return DemoGenerator(scale=scale, seed=seed).run()


class DemoGenerator:
    """Builds one set of demo data. Call run() once per instance."""

    measurement_fields = (
        "indicator_id",
        "unit_id",
        "period_id",
        "value",
        "comment",
        "version",
        "entered_by_id",
        "entered_at",
    )
    report_fields = (
        "goal_id",
        "unit_id",
        "period_id",
        "status",
        "narrative",
        "next_steps",
        "risks",
        "state",
        "return_comment",
        "approval_comment",
        "version",
        "created_at",
        "created_by_id",
        "updated_at",
        "updated_by_id",
        "submitted_at",
        "submitted_by_id",
        "approved_at",
        "approved_by_id",
        "returned_at",
        "returned_by_id",
    )
    flush_rows = 50_000

    def __init__(self, *, scale: Scale, seed: int = 1) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
        self.result = SeedResult(scale=scale.name, seed=seed)
        self.tz = timezone.get_default_timezone()
        self.summaries: dict[tuple[int, int], _GoalSummary] = {}
        self.covered_goals: set[str] = set()

    def run(self) -> SeedResult:
        with transaction.atomic():
            self.strategy = ensure_strategy_loaded()
            # Read before deleting: scanning a table just emptied in the same transaction is
            # slow on PostgreSQL (every dead row is visited).
            self.manual_reports = _manual_report_keys(self.strategy)
            delete_generated_data()
            self._upsert_users()
            self._load_strategy()
            self._build_units()
            self._create_indicators_and_measurements()
            self._create_reports()
        analyze(Unit, Indicator, Target, Measurement, ProgressReport)
        return self.result

    # Users

    def _upsert_users(self) -> None:
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)  # one hash for all: hashing is slow on purpose
        units = {
            u.code: u for u in Unit.objects.filter(code__in=[u[4] for u in DEMO_USERS if u[4]])
        }
        self.users: dict[str, Any] = {}
        for username, first_name, last_name, role, unit_code in DEMO_USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.org",
                    "is_active": True,
                    "is_staff": role is None,
                    "is_superuser": role is None,
                    "password": password,
                },
            )
            if role is not None:
                if unit_code not in units:
                    raise DemoDataError(f"Demo user {username} needs unit {unit_code}.")
                Membership.objects.get_or_create(user=user, unit=units[unit_code], role=role)
            self.users[username] = user
        # Who enters and approves what: the demo user closest above a unit, else the admin.
        self.reporters = [
            (units[code].path, self.users[name].pk)
            for name, _, _, role, code in DEMO_USERS
            if role == Role.REPORTER
        ]
        self.approvers = [
            (units[code].path, self.users[name].pk)
            for name, _, _, role, code in DEMO_USERS
            if role == Role.APPROVER
        ]

    def _user_for(self, unit: Unit, candidates: list[tuple[str, int]]) -> int:
        best = ("", self.users["admin"].pk)
        for path, user_id in candidates:
            if unit.path.startswith(path) and len(path) > len(best[0]):
                best = (path, user_id)
        return best[1]

    # Strategy, periods and goals

    def _load_strategy(self) -> None:
        first, last = self.strategy.start.year, self.strategy.end.year
        span = max(1, last - first)
        periods = ReportingPeriod.objects.filter(
            strategy=self.strategy, kind__in=[PeriodKind.YEAR, PeriodKind.TERTIAL]
        ).order_by("start", "-end")
        self.periods = [
            _Period(
                id=p.pk,
                code=p.code,
                kind=p.kind,
                start=p.start,
                end=p.end,
                deadline=p.deadline,
                is_open=p.is_open,
                x=(p.start.year - first + (p.start.month - 1) / 12) / span,
            )
            for p in periods
        ]
        self.periods_of = {
            kind: [p for p in self.periods if p.kind == kind]
            for kind in (PeriodKind.YEAR, PeriodKind.TERTIAL)
        }
        if not all(self.periods_of.values()):
            raise DemoDataError("The current strategy needs both yearly and tertial periods.")
        goals = list(
            DevelopmentGoal.objects.of_strategy(self.strategy)
            .select_related("area")
            .order_by("area__order", "order", "code")
        )
        self.goal_order = {g.pk: i for i, g in enumerate(goals)}
        self.goals = {g.code: g for g in goals}
        self.goals_in_area: dict[str, list[DevelopmentGoal]] = {}
        for goal in goals:
            self.goals_in_area.setdefault(goal.area.code, []).append(goal)

    # Units

    def _build_units(self) -> None:
        root = Unit.objects.get(code=ROOT_CODE)
        existing, kept = [], set()
        # Sorted in Python: the database's collation may order paths differently.
        for unit in sorted(Unit.objects.active().subtree(root), key=lambda u: u.path):
            if unit.pk == root.pk or unit.parent_id in kept:  # skip below inactive units
                existing.append(unit)
                kept.add(unit.pk)
        taken = set(Unit.objects.values_list("code", flat=True))
        new: list[Unit] = []
        if self.scale.units:
            new += self._extra_departments(existing, taken)
        if self.scale.sections:
            new += self._sections(existing + new, taken)
        if new:
            for depth in sorted({u.depth for u in new}):
                batch = [u for u in new if u.depth == depth]
                for unit in batch:
                    unit.parent_id = unit.parent.pk
                Unit.objects.bulk_create(batch, batch_size=500)
        self.units = sorted(existing + new, key=lambda u: u.path)
        self.result.units = len(self.units)
        self.result.generated_units = len(new)
        self._index_units(root)

    def _generated_unit(
        self, parent: Unit, code: str, kind: str, name_en: str, name_nb: str
    ) -> Unit:
        path = f"{parent.path}{code}/"
        return Unit(
            parent=parent,
            code=code,
            name_en=name_en,
            name_nb=name_nb,
            kind=kind,
            nb_status="working",
            note=GENERATED_UNIT_NOTE,
            path=path,
            depth=path.count("/") - 1,
        )

    def _extra_departments(self, existing: list[Unit], taken: set[str]) -> list[Unit]:
        faculties = {u.code: u for u in existing if u.depth == 1 and u.kind == UnitKind.FACULTY}
        wanted = self.scale.units - len(existing)
        new, numbers = [], Counter()
        for faculty_code, name_en, name_nb in EXTRA_DEPARTMENTS:
            if len(new) >= wanted:
                break
            faculty = faculties.get(faculty_code)
            if faculty is None:
                continue
            numbers[faculty_code] += 1
            code = self._free_code(
                f"{GENERATED_PREFIX}{faculty_code}-{numbers[faculty_code]}", taken
            )
            new.append(
                self._generated_unit(
                    faculty,
                    code,
                    UnitKind.DEPARTMENT,
                    f"Department of {name_en}",
                    f"Institutt for {name_nb}",
                )
            )
        return new

    def _sections(self, units: list[Unit], taken: set[str]) -> list[Unit]:
        """Sections one level below every department, about `scale.units` units in all."""
        departments = [u for u in units if u.depth == 2 and u.kind == UnitKind.DEPARTMENT]
        wanted = max(0, self.scale.units - len(units))
        weights = [self.rng.uniform(0.5, 1.5) for _ in departments]
        total = sum(weights)
        new = []
        for department, weight in zip(departments, weights, strict=True):
            stem = department.code.removeprefix(GENERATED_PREFIX)
            for number in range(1, max(1, round(wanted * weight / total)) + 1):
                code = self._free_code(f"{GENERATED_PREFIX}{stem}-S{number}", taken)
                new.append(
                    self._generated_unit(
                        department,
                        code,
                        UnitKind.DEPARTMENT,
                        f"Section {number}, {department.name_en}",
                        f"Seksjon {number}, {department.name_nb}",
                    )
                )
        return new

    @staticmethod
    def _free_code(code: str, taken: set[str]) -> str:
        candidate, number = code, 1
        while candidate in taken:
            number += 1
            candidate = f"{code}x{number}"
        taken.add(candidate)
        return candidate

    def _index_units(self, root: Unit) -> None:
        """Children, reporting units, faculty and share of the university for every unit."""
        self.children: dict[int, list[Unit]] = {u.pk: [] for u in self.units}
        for unit in self.units:
            if unit.parent_id in self.children and unit.pk != root.pk:
                self.children[unit.parent_id].append(unit)
        self.faculty_of = {u.pk: u.path.split("/")[1] if u.depth >= 1 else "" for u in self.units}
        # Each unit's share of the university, for sized measures; the museum is small.
        self.weight = {root.pk: 1.0}
        for unit in self.units:
            children = self.children[unit.pk]
            raw = [
                self.rng.uniform(0.5, 1.5) * (0.15 if c.kind == UnitKind.MUSEUM else 1.0)
                for c in children
            ]
            for child, share in zip(children, raw, strict=True):
                self.weight[child.pk] = self.weight[unit.pk] * share / sum(raw)
        leaves = [u for u in self.units if not self.children[u.pk]]
        self.reporting: dict[int, list[Unit]] = {}
        for unit in self.units:
            if not self.children[unit.pk]:
                self.reporting[unit.pk] = [unit]
                continue
            below = [u for u in leaves if u.path.startswith(unit.path)]
            departments = [u for u in below if u.kind == UnitKind.DEPARTMENT]
            self.reporting[unit.pk] = departments or below
        self.faculty_weight = Counter()
        for unit in self.units:
            if unit.depth == 1:
                self.faculty_weight[unit.code] += self.weight[unit.pk]
        self.entered_by = {u.pk: self._user_for(u, self.reporters) for u in leaves}
        self.approved_by = {u.pk: self._user_for(u, self.approvers) for u in leaves}

    # Indicators, targets and measurements

    def _owners(self) -> Iterable[tuple[Unit, int]]:
        scale = self.scale
        per_depth = {
            0: scale.per_root,
            1: scale.per_faculty,
            2: scale.per_department,
            3: scale.per_section,
        }
        for unit in self.units:
            count = per_depth.get(unit.depth, 0)
            if unit.kind == UnitKind.MUSEUM:
                count = max(1, count // 2)
            if count:
                yield unit, count

    def _fits(self, kpi: Kpi, owner: Unit) -> bool:
        if kpi.area not in self.goals_in_area:
            return False
        if owner.kind == UnitKind.MUSEUM:
            return kpi.museum
        if kpi.faculties:
            return self.faculty_of[owner.pk] in kpi.faculties
        return True

    def _choose(self, owner: Unit, count: int) -> list[tuple[Kpi, int | None]]:
        """`count` KPIs for one owner: each KPI once first, then campus or theme variants.

        KPIs for goals that no indicator serves yet come first, so that even the small scale
        has indicators (and reports) for every goal.
        """
        fitting = [kpi for kpi in KPIS if self._fits(kpi, owner)]
        shuffled = self.rng.sample(fitting, len(fitting))
        shuffled.sort(key=lambda kpi: not set(kpi.goals) - self.covered_goals)
        chosen: list[tuple[Kpi, int | None]] = [(kpi, None) for kpi in shuffled]
        if count > len(chosen):
            variants = [(kpi, q) for kpi in fitting for q in range(len(QUALIFIERS))]
            chosen += self.rng.sample(variants, min(len(variants), count - len(chosen)))
        return chosen[:count]

    def _goal_for(self, kpi: Kpi) -> DevelopmentGoal:
        fitting = [self.goals[code] for code in kpi.goals if code in self.goals]
        uncovered = [goal for goal in fitting if goal.code not in self.covered_goals]
        goal = self.rng.choice(uncovered or fitting or self.goals_in_area[kpi.area])
        self.covered_goals.add(goal.code)
        return goal

    def _create_indicators_and_measurements(self) -> None:
        taken = set(Indicator.objects.values_list("code", flat=True))
        pending: list[_Plan] = []
        pending_rows = 0
        for owner, count in self._owners():
            for kpi, qualifier in self._choose(owner, count):
                plan = self._plan(owner, kpi, qualifier, taken)
                for unit in self.reporting[owner.pk]:
                    self._series(plan, unit)
                self._set_baseline_and_target(plan)
                pending.append(plan)
                pending_rows += len(plan.rows)
                if pending_rows >= self.flush_rows:
                    self._save_plans(pending)
                    pending, pending_rows = [], 0
        self._save_plans(pending)

    def _plan(self, owner: Unit, kpi: Kpi, qualifier: int | None, taken: set[str]) -> _Plan:
        rng = self.rng
        frequency = (
            PeriodKind.TERTIAL
            if kpi.tertial and rng.random() < self.scale.tertial_share
            else PeriodKind.YEAR
        )
        name_en, name_nb = kpi.name
        stem = f"{GENERATED_PREFIX}{owner.code.removeprefix(GENERATED_PREFIX)}-{kpi.key}"
        factor = 1.0
        if qualifier is not None:
            q_en, q_nb = QUALIFIERS[qualifier]
            name_en, name_nb = f"{name_en} – {q_en}", f"{name_nb} – {q_nb}"
            stem = f"{stem}-{qualifier + 1}"
            factor = rng.uniform(0.15, 0.5)  # a campus or theme is part of the whole
        periods = self.periods_of[frequency]
        indicator = Indicator(
            goal=self._goal_for(kpi),
            owner_unit=owner,
            code=self._free_code(stem, taken),
            name_en=name_en,
            name_nb=name_nb,
            definition_en=kpi.definition[0],
            definition_nb=kpi.definition[1],
            nb_status="working",
            measure=kpi.measure,
            decimals=kpi.decimals,
            direction=kpi.direction,
            baseline_period_id=periods[0].id,
            target_period_id=periods[-1].id,
            frequency=frequency,
            accumulation=kpi.accumulation,
            aggregation=kpi.combined_by,
            source=f"Generated demo data modelled on {kpi.modelled_on}",
            active=True,
            is_generated=True,
        )
        weights = [share for share, _ in TRAJECTORIES]
        _, (low, high) = rng.choices(TRAJECTORIES, weights=weights)[0]
        return _Plan(
            indicator=indicator,
            kpi=kpi,
            periods=periods,
            change=rng.uniform(*kpi.change),
            achievement=rng.uniform(low, high),
            factor=factor,
        )

    def _series(self, plan: _Plan, unit: Unit) -> None:
        """One unit's values for one indicator, appended to plan.rows as measurement rows."""
        rng, kpi = self.rng, plan.kpi
        achieved = plan.achievement + rng.gauss(0, 0.15)
        if kpi.direction == Direction.MAINTAIN:
            # No planned change: falling short means drifting down.
            slope = -(1 - achieved) * (0.1 if kpi.sized else 3 * kpi.noise)
        else:
            slope = plan.change * achieved
        low, high = (None if b is None else float(b) for b in Measure(kpi.measure).bounds)
        tertial = plan.indicator.frequency == PeriodKind.TERTIAL
        if kpi.sized:
            norm = sum(self.faculty_weight[f] for f in kpi.faculties) if kpi.faculties else 1.0
            level = kpi.figure * plan.factor * self.weight[unit.pk] / norm * rng.uniform(0.7, 1.3)
            if tertial:
                level /= 3
        else:
            margin = (high - low) * 0.05 if high is not None else 0
            level = kpi.figure + rng.gauss(0, kpi.spread)
            level = max(low + margin, level if high is None else min(high - margin, level))
        decimals, count = kpi.decimals, kpi.measure == Measure.COUNT
        cumulative = kpi.accumulation == Accumulation.CUMULATIVE
        entered_by, total, values = self.entered_by[unit.pk], 0.0, []
        for index, period in enumerate(plan.periods):
            if kpi.sized:
                expected = level * (1 + slope * period.x)
                spread = kpi.noise * expected
                if count:
                    spread = max(spread, 0.5 * math.sqrt(max(expected, 0)))
            else:
                expected, spread = level + slope * period.x, kpi.noise
            value = rng.gauss(expected, spread)
            if cumulative:
                # Running totals of non-negative increments never fall.
                total += round(max(0.0, value), decimals)
                value = total
            value = max(low, value) + 0.0
            if high is not None:
                value = min(high, value)
            missing = index > 0 and rng.random() < (
                OPEN_PERIOD_MISSING_VALUES if period.is_open else CLOSED_PERIOD_MISSING_VALUES
            )
            text = f"{value:.{decimals}f}"
            values.append((period, None if missing else text))
            if missing:
                continue
            comment = rng.choice(MEASUREMENT_COMMENTS) if rng.random() < COMMENT_SHARE else ""
            plan.rows.append(
                (unit.pk, period.id, text, comment, 1, entered_by, self._entered_at(period))
            )
        self._summarise(plan, unit, achieved, values)

    def _summarise(
        self, plan: _Plan, unit: Unit, achieved: float, values: list[tuple[_Period, str | None]]
    ) -> None:
        key = (unit.pk, plan.indicator.goal.pk)
        summary = self.summaries.get(key)
        if summary is None:
            summary = self.summaries[key] = _GoalSummary()
        summary.achievement += achieved
        summary.series += 1
        if summary.headline is None:
            summary.headline = (
                plan.indicator.name_en,
                plan.kpi.measure,
                values[0][1],
                [(p.end, p.code, v) for p, v in values if v is not None],
            )

    def _set_baseline_and_target(self, plan: _Plan) -> None:
        """Baseline: the units' combined first value; target: the planned change from it."""
        indicator, kpi = plan.indicator, plan.kpi
        baseline_id = plan.periods[0].id
        firsts = [Decimal(row[2]) for row in plan.rows if row[1] == baseline_id]
        if not firsts:
            return
        combined = sum(firsts)
        if kpi.combined_by != Aggregation.SUM:
            combined /= len(firsts)
        baseline = float(combined)
        if kpi.accumulation == Accumulation.CUMULATIVE:
            # The total by the end if every year's increment grows as planned.
            first = plan.periods[0].x
            target = sum(baseline * (1 + plan.change * (p.x - first)) for p in plan.periods)
        elif kpi.direction == Direction.MAINTAIN:
            target = baseline
        elif kpi.sized:
            target = baseline * (1 + plan.change)
            if kpi.measure == Measure.COUNT and kpi.direction == Direction.INCREASE:
                target = max(target, baseline + 1)  # small counts still have something to reach
        else:
            target = baseline + plan.change
        indicator.baseline_value = _quantize(baseline, kpi)
        indicator.target_value = _quantize(target, kpi)

    def _milestones(self, plan: _Plan) -> list[Target]:
        """Yearly milestones on the straight line from baseline to target, for some indicators."""
        indicator = plan.indicator
        if indicator.target_value is None or self.rng.random() >= MILESTONE_SHARE:
            return []
        first, last = plan.periods[0], plan.periods[-1]
        baseline, target = float(indicator.baseline_value), float(indicator.target_value)
        milestones = []
        for period in plan.periods[1:-1]:
            if period.end.month != 12:
                continue  # one milestone a year: the year, or its last tertial
            share = (period.x - first.x) / (last.x - first.x)
            value = _quantize(baseline + (target - baseline) * share, plan.kpi)
            milestones.append(Target(indicator=indicator, period_id=period.id, value=value))
        return milestones

    def _save_plans(self, plans: list[_Plan]) -> None:
        if not plans:
            return
        indicators = [plan.indicator for plan in plans]
        Indicator.objects.bulk_create(indicators, batch_size=500)
        if any(ind.pk is None for ind in indicators):  # backends that return no ids
            ids = dict(
                Indicator.objects.filter(code__in=[i.code for i in indicators]).values_list(
                    "code", "pk"
                )
            )
            for indicator in indicators:
                indicator.pk = ids[indicator.code]
        targets = [target for plan in plans for target in self._milestones(plan)]
        Target.objects.bulk_create(targets, batch_size=1000)
        rows = ((plan.indicator.pk, *row) for plan in plans for row in plan.rows)
        self.result.measurements += insert_rows(Measurement, self.measurement_fields, rows)
        self.result.indicators += len(indicators)
        self.result.targets += len(targets)

    def _entered_at(self, period: _Period) -> datetime:
        if period.is_open:
            length = (period.end - period.start).days
            day = period.start + timedelta(days=int(length * self.rng.uniform(0.5, 0.9)))
        else:
            day = period.end + timedelta(days=self.rng.randint(1, _days(period)))
        return self._moment(day)

    def _moment(self, day: date) -> datetime:
        clock = time(self.rng.randint(8, 15), self.rng.randrange(0, 60, 5))
        return datetime.combine(day, clock, tzinfo=self.tz)

    # Progress reports

    def _create_reports(self) -> None:
        """A report per reporting unit, goal it has indicators for, and period.

        Reports people wrote keep their place: the generator skips their goal, unit and period.
        """
        existing = self.manual_reports
        units = {u.pk: u for u in self.units}
        keys = sorted(self.summaries, key=lambda k: (units[k[0]].path, self.goal_order[k[1]]))
        rows = (
            row
            for unit_id, goal_id in keys
            for period in self.periods
            if (goal_id, unit_id, period.id) not in existing
            for row in self._report(units[unit_id], goal_id, period)
        )
        insert_rows(ProgressReport, self.report_fields, rows)
        if connection.vendor != "postgresql":
            # bulk_create stamps auto_now fields with the clock; derive them from the events.
            ProgressReport.objects.filter(created_by__in=list(self.users.values())).update(
                updated_at=Coalesce("approved_at", "returned_at", "submitted_at", "created_at")
            )

    def _report(self, unit: Unit, goal_id: int, period: _Period) -> list[tuple]:
        rng = self.rng
        if period.is_open:
            states, weights = zip(*OPEN_PERIOD_STATES, strict=True)
            state = rng.choices(states, weights=weights)[0]
        else:
            state = None if rng.random() < CLOSED_PERIOD_MISSING_REPORTS else ReportState.APPROVED
        if state is None:
            self.result.missing_reports += 1
            return []
        summary = self.summaries[(unit.pk, goal_id)]
        status = self._status(summary, period)
        narrative = self._narrative(summary, status, unit, period)
        next_steps = risks = ""
        if status in (ReportStatus.AT_RISK, ReportStatus.OFF_TRACK) or rng.random() < 0.3:
            next_steps = rng.choice(NEXT_STEPS)
        if status in (ReportStatus.AT_RISK, ReportStatus.OFF_TRACK) and rng.random() < 0.7:
            risks = rng.choice(RISKS)

        reporter, approver = self.entered_by[unit.pk], self.approved_by[unit.pk]
        if period.is_open:
            length = (period.end - period.start).days
            created = period.start + timedelta(days=int(length * rng.uniform(0.45, 0.75)))
            submitted = created + timedelta(days=rng.randint(1, 12))
        else:
            created = period.end - timedelta(days=rng.randint(0, 14))
            submitted = period.end + timedelta(days=rng.randint(1, _days(period)))
        decided = submitted + timedelta(days=rng.randint(1, 8))
        created_at = self._moment(created)
        submitted_at = approved_at = returned_at = None
        submitted_by = approved_by = returned_by = None
        updated_at, updated_by, return_comment = created_at, reporter, ""
        if state != ReportState.DRAFT:
            submitted_at, submitted_by = self._moment(submitted), reporter
            updated_at = submitted_at
        if state == ReportState.APPROVED:
            approved_at, approved_by = self._moment(decided), approver
            updated_at, updated_by = approved_at, approver
        elif state == ReportState.RETURNED:
            returned_at, returned_by = self._moment(decided), approver
            updated_at, updated_by = returned_at, approver
            return_comment = rng.choice(RETURN_COMMENTS)
        self.result.reports[state] += 1
        return [
            (
                goal_id,
                unit.pk,
                period.id,
                status,
                narrative,
                next_steps,
                risks,
                state,
                return_comment,
                "",
                1,
                created_at,
                reporter,
                updated_at,
                updated_by,
                submitted_at,
                submitted_by,
                approved_at,
                approved_by,
                returned_at,
                returned_by,
            )
        ]

    def _status(self, summary: _GoalSummary, period: _Period) -> str:
        """The status a unit would give: how much of the planned change its series achieve."""
        if period.x < 0.15 and self.rng.random() < 0.5:
            return ReportStatus.NOT_STARTED
        score = summary.achievement / summary.series + self.rng.gauss(0, 0.15)
        if score >= 1.0 and period.x >= 0.85:
            return ReportStatus.ACHIEVED
        if score >= 0.7:
            return ReportStatus.ON_TRACK
        if score >= 0.35:
            return ReportStatus.AT_RISK
        return ReportStatus.OFF_TRACK

    def _narrative(self, summary: _GoalSummary, status: str, unit: Unit, period: _Period) -> str:
        name, measure, baseline, values = summary.headline
        latest = next((v for v in reversed(values) if v[0] <= period.end), None)
        if latest is None or baseline is None:
            return self.rng.choice(NARRATIVES_WITHOUT_FIGURE[status])
        _, code, value = latest
        if len(values) > 0 and latest is values[0] and status != ReportStatus.NOT_STARTED:
            return self.rng.choice(NARRATIVES_WITHOUT_FIGURE[status])  # only the baseline yet
        difference = Decimal(value) - Decimal(baseline)
        change = "up from" if difference > 0 else "down from" if difference < 0 else "level with"
        template = self.rng.choice(NARRATIVES_WITH_FIGURE[status])
        return template.format(
            indicator=_in_sentence(name),
            value=_display(value, measure),
            period=code,
            change=change,
            baseline=_display(baseline, measure),
            unit=unit.code,
        )


# Helpers


def _days(period: _Period) -> int:
    """Days from the end of a period to its reporting deadline, at least one."""
    return max(1, (period.deadline - period.end).days)


def _in_sentence(name: str) -> str:
    """The name for the middle of a sentence: "PhD degrees" stays, "Licence income" does not."""
    first_word = name.split(" ", 1)[0]
    return name if any(c.isupper() for c in first_word[1:]) else name[:1].lower() + name[1:]


def _quantize(value: float, kpi: Kpi) -> Decimal:
    low, high = Measure(kpi.measure).bounds
    number = Decimal(repr(value)).quantize(Decimal(1).scaleb(-kpi.decimals), ROUND_HALF_UP)
    if low is not None:
        number = max(low, number)
    if high is not None:
        number = min(high, number)
    return number.quantize(Decimal(1).scaleb(-kpi.decimals))


def _display(value: str, measure: str) -> str:
    number = Decimal(value)
    if measure == Measure.PERCENT:
        return f"{number:,} %"
    if measure == Measure.NOK:
        if number >= 1_000_000:
            return f"NOK {number / 1_000_000:,.1f} million"
        return f"NOK {number:,}"
    return f"{number:,}"
