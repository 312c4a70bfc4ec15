from __future__ import annotations

from django.contrib import admin

from notifications.models import SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "kind", "period", "user", "units"]
    list_filter = ["kind", "period"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "period", "kind", "sent_at", "units"]

    def has_add_permission(self, request) -> bool:
        return False
