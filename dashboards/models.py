"""Stored figures (see dashboards.figures) and the "as reported" snapshots of periods."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")


class IndicatorFigure(models.Model):
    """An indicator scored at its owner unit for one period of its own frequency (the period it
    is read at, `dashboards.scoring.reference_period`), and at each unit below the owner that
    has a target of its own (`at_owner` false; docs/scoring.md, "Unit targets"). Written by
    `dashboards.figures` only."""

    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "strategy.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    goal = models.ForeignKey(
        "goals.DevelopmentGoal", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    period = models.ForeignKey(
        "goals.ReportingPeriod", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    value = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    reported = models.PositiveIntegerField(default=0)
    carried = models.PositiveIntegerField(default=0)
    expected_units = models.PositiveIntegerField(default=0)
    expected_value = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    progress = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    ratio = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    status = models.CharField(max_length=10, choices=Status)
    # The owner's figure (counted for the owner and the units above it), or a unit's own.
    at_owner = models.BooleanField(default=True)
    # What it was measured against: the target at the end of the trajectory, and its period.
    target = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    target_period = models.ForeignKey(
        "goals.ReportingPeriod",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        null=True,
    )

    class Meta:
        verbose_name = _("indicator figure")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"], name="indicator_figure_unique_per_unit"
            )
        ]
        indexes = [models.Index(fields=["period", "goal"], name="indicator_figure_period_goal")]

    def __str__(self) -> str:
        return f"indicator {self.indicator_id} @ {self.period_id}: {self.status}"


class IndicatorShare(models.Model):
    """An indicator rolled up at a unit below its owner, for one period of its frequency: that
    unit's share in it (the unit page's "share in indicators owned higher up"). The same pass
    of the roll-up as the owner's `IndicatorFigure`, kept for every unit below the owner that
    has units below it in the period's tree; a unit without any stands for its own value, which
    the page reads as entered. Not scored: a part is not measured against the whole's target.
    Written by `dashboards.figures` only."""

    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "strategy.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    period = models.ForeignKey(
        "goals.ReportingPeriod", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    value = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    reported = models.PositiveIntegerField(default=0)
    carried = models.PositiveIntegerField(default=0)
    expected_units = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator share of a unit")
        constraints = [
            # Also the index of the one read: a unit's shares at the periods a page shows.
            models.UniqueConstraint(
                fields=["unit", "period", "indicator"], name="indicator_share_unique"
            )
        ]
        indexes = [models.Index(fields=["indicator"], name="indicator_share_indicator")]

    def __str__(self) -> str:
        return f"indicator {self.indicator_id} in unit {self.unit_id} @ {self.period_id}"


class GroupKind(models.TextChoices):
    GOAL = "goal", _("goal")
    PILLAR = "pillar", _("pillar")
    AREA = "area", _("area")


class GroupFigureManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        # A goal's progress list is for settling its pillars and area; pages never read it.
        return super().get_queryset().defer("indicator_progress")


class GroupFigure(models.Model):
    """A goal, pillar or area scored for a dashboard period over the indicators owned in one
    unit's subtree (the unit a dashboard is filtered by) and the reports of that subtree.

    Counts are of indicator statuses for a goal and of goal statuses for a pillar or area; the
    values are those of the indicators (reported, carried, expected units) summed. A goal row
    keeps its indicators' progress values, so that a change to one goal rescores its pillars
    and area from the stored goal rows (an area's progress is the median over all its
    indicators, not over its goals).
    """

    kind = models.CharField(max_length=6, choices=GroupKind)
    object_id = models.PositiveIntegerField()
    area = models.ForeignKey(
        "strategy.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "strategy.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    period = models.ForeignKey(
        "goals.ReportingPeriod", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    status = models.CharField(max_length=10, choices=Status)
    progress = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    on_track = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    off_track = models.PositiveIntegerField(default=0)
    no_data = models.PositiveIntegerField(default=0)
    reported_status = models.CharField(max_length=10, choices=Status, default=Status.NO_DATA)
    reports_on_track = models.PositiveIntegerField(default=0)
    reports_at_risk = models.PositiveIntegerField(default=0)
    reports_off_track = models.PositiveIntegerField(default=0)
    values_reported = models.PositiveIntegerField(default=0)
    values_carried = models.PositiveIntegerField(default=0)
    values_expected = models.PositiveIntegerField(default=0)
    #: A goal's indicators' progress values, sorted, as decimal strings separated by spaces
    #: (`progress_text`, `progress_values`); empty for pillars and areas. Stored uncompressed
    #: on PostgreSQL (migration 0010): the settle of one value rewrites four goal rows of 900
    #: values, and compressing them took most of that write.
    indicator_progress = models.TextField(default="", blank=True)

    objects = GroupFigureManager()

    class Meta:
        verbose_name = _("goal, pillar or area figure")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "kind", "object_id"], name="group_figure_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "period", "area"], name="group_figure_scope")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} in unit {self.unit_id} @ {self.period_id}"

    @staticmethod
    def progress_text(values: Iterable[Decimal]) -> str:
        return " ".join(str(v) for v in values)

    @staticmethod
    def progress_values(text: str) -> list[Decimal]:
        return [Decimal(v) for v in text.split()]


class UnitPeriodCounts(models.Model):
    """Counts kept per unit and period, one row each (the completeness page reads a period's
    rows of both kinds below)."""

    unit = models.ForeignKey(
        "strategy.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    period = models.ForeignKey(
        "goals.ReportingPeriod", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        abstract = True


class UnitCompleteness(UnitPeriodCounts):
    """How many values a reporting unit owes for a period, whoever owns the indicators, and
    how many are in (its own or one entered higher up inside the owner's subtree)."""

    expected = models.PositiveIntegerField(default=0)
    entered = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("unit completeness")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="unit_completeness_unique")
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id} @ {self.period_id}: {self.entered}/{self.expected}"


class UnitReports(UnitPeriodCounts):
    """How many progress reports a unit has for a period: submitted or approved (counted in
    the figures) and in draft or returned. The completeness page lists them beside the values
    (counting a period's reports took it longer than everything else it does)."""

    submitted = models.PositiveIntegerField(default=0)
    drafts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("unit reports")
        verbose_name_plural = _("unit reports")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="unit_reports_unique")
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id} @ {self.period_id}: {self.submitted} + {self.drafts} drafts"


class ChangeScope(models.TextChoices):
    """What a `FigureChange` asks `settle()` to recompute: an indicator, a value or a report
    (`ROWS`; `IN_PLACE` for a value changed in place), or a structure edit's scope."""

    ROWS = "", _("indicator, value or report")  # told by which ids are set (FigureChange)
    IN_PLACE = "in_place", _("a value changed in place: which values exist did not")
    AREA = "area", _("the goal's area, every unit and period")
    PERIOD = "period", _("every figure of a period")
    GROUPS = "groups", _("a unit's goal, pillar and area figures of a period")
    COMPLETENESS = "recount", _("completeness of a unit's subtree, every period")
    NEW_UNIT = "new_unit", _("the indicators owned above a new unit")
    FRAME = "frame", _("the strategy's names, periods or links as the pages cache them")


class FigureChange(models.Model):
    """Work for `dashboards.figures.settle()`: what a write changed, appended in the writer's
    transaction. Append-only without a unique key, so writers never wait for each other here.

    Without a `scope`: `indicator_id` (all periods of one indicator), or `indicator_id` +
    `unit_id` + `period_id` (a value), or `goal_id` + `unit_id` + `period_id` (a progress
    report), or `everything` (the rare structure edits of docs/architecture.md). A value
    changed in place has the scope `IN_PLACE`: no unit's completeness changes. A structure
    edit names its `scope` (`ChangeScope`) with `goal_id`, `period_id` or `unit_id`.
    """

    indicator_id = models.IntegerField(null=True)
    goal_id = models.IntegerField(null=True)
    unit_id = models.IntegerField(null=True)
    period_id = models.IntegerField(null=True)
    everything = models.BooleanField(default=False)
    scope = models.CharField(
        max_length=8, choices=ChangeScope, default=ChangeScope.ROWS, blank=True
    )
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pending figure change")

    def __str__(self) -> str:
        return f"change {self.pk}"


class FigureRun(models.Model):
    """When the stored figures were last complete (no change pending); written by the one
    process that settles at a time (under an advisory lock), never by the writers."""

    finished_at = models.DateTimeField(default=timezone.now)
    rebuilt_at = models.DateTimeField(null=True)
    # When the strategy's structure as the pages cache it (periods, areas, pillars, goals and
    # their links, names included) last changed: the key of that cache (dashboards.data).
    frame_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("figures run")

    def __str__(self) -> str:
        return f"figures complete at {self.finished_at}"


class PeriodSnapshotQuerySet(models.QuerySet):
    def latest_for(self, period_id: int) -> PeriodSnapshot | None:
        """The snapshot of the period's last close, if it has been closed."""
        return self.filter(period_id=period_id).order_by("-taken_at", "-pk").first()

    def latest_figures(self, period_id: int) -> dict | None:
        """`figures` and `taken_at` of the latest snapshot, in one query without the model."""
        return (
            self.filter(period_id=period_id)
            .order_by("-taken_at", "-pk")
            .values("figures", "taken_at")
            .first()
        )


class PeriodSnapshot(models.Model):
    """The dashboards' figures for a period "as reported": taken when the period is closed.

    Immutable: `save()` refuses to update, the admin only shows it, and on PostgreSQL a trigger
    refuses any UPDATE (also from `QuerySet.update()` or SQL). Closing a period again after
    re-opening it takes a new snapshot; the dashboards show the latest. `figures` has the shape
    of `dashboards.snapshots.figures_of()`.
    """

    period = models.ForeignKey(
        "goals.ReportingPeriod",
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name=_("period"),
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now, editable=False)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("taken by"),
    )
    figures = models.JSONField(_("figures"), editable=False)

    objects = PeriodSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("as-reported snapshot")
        verbose_name_plural = _("as-reported snapshots")
        ordering = ["-taken_at", "-pk"]
        triggers = [
            pgtrigger.Protect(name="period_snapshot_is_immutable", operation=pgtrigger.Update)
        ]

    def __str__(self) -> str:
        return f"{self.period} @ {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise SnapshotImmutable(self)
        super().save(*args, **kwargs)

    @classmethod
    def take(cls, *, period, by=None) -> PeriodSnapshot:
        """Compute the period's figures now and store them."""
        from dashboards.snapshots import period_figures

        return cls.objects.create(period=period, taken_by=by, figures=period_figures(period))


class SnapshotImmutable(Exception):
    def __init__(self, snapshot: PeriodSnapshot) -> None:
        super().__init__(f"Snapshot {snapshot.pk} cannot be changed")
