"""Bulk writes bump the dashboards' data version too.

Model signals (dashboards.signals) see save() and delete() only. The measurement grid, the report
workflow and imports write through `QuerySet.update()` and `bulk_create()` (conditional updates
for optimistic locking, bulk inserts for speed), which send no signal; without this a dashboard
cached before such a write would be served after it.
"""

from __future__ import annotations

from django.db import models


def bump_data_version() -> None:
    # Imported here: goals and indicators use this module, and dashboards.models imports theirs.
    from dashboards.models import DataVersion

    DataVersion.bump()


class BumpsDataVersionQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        if rows:
            bump_data_version()
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            bump_data_version()
        return created

    def bulk_update(self, objs, fields, *args, **kwargs) -> int:
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows:
            bump_data_version()
        return rows
