from __future__ import annotations

from django.contrib import admin

from notifications.models import SentDigest, SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "kind", "period", "user", "units"]
    list_filter = ["kind", "period"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "period", "kind", "sent_at", "units"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SentDigest)
class SentDigestAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "week", "user"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "week", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False
