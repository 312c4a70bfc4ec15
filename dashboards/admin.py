from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dashboards.models import PeriodSnapshot


@admin.register(PeriodSnapshot)
class PeriodSnapshotAdmin(admin.ModelAdmin):
    """Read-only: a snapshot records what was reported and is never edited."""

    list_display = ["period", "taken_at", "taken_by"]
    list_filter = ["period__kind", "period"]
    list_select_related = ["period", "taken_by"]
    fields = ["period", "taken_at", "taken_by", "shown_figures"]
    readonly_fields = fields

    @admin.display(description=_("figures"))
    def shown_figures(self, snapshot: PeriodSnapshot) -> str:
        return format_html("<pre>{}</pre>", json.dumps(snapshot.figures, indent=2))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
