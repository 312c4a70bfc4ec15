"""The dashboards' data version (for caching) and the "as reported" snapshots of periods."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row whose `version` grows on every write the dashboards depend on.

    The bump runs in the writer's transaction (signals in dashboards.signals), so a request
    that starts after the write has committed reads the new version and misses every cached
    dashboard: a new measurement shows on the next request.
    """

    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("dashboard data version")

    def __str__(self) -> str:
        return str(self.version)

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})


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
