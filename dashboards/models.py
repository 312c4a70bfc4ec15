"""A version number of the data the dashboards show, for caching them correctly."""

from __future__ import annotations

from django.db import models
from django.db.models import F
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
