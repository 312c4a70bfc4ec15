from __future__ import annotations

from django.contrib import admin

from notifications.models import OutboxEmail, SentDigest, SentReminder


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


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "step", "report", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "step"]
    search_fields = ["recipient__username", "recipient__email"]
    readonly_fields = [
        "step",
        "report",
        "posted_comment",
        "digest_since",
        "digest_until",
        "recipient",
        "by",
        "comment",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "available_at",
        "claimed_at",
        "sent_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
