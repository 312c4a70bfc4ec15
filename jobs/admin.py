from __future__ import annotations

from django.contrib import admin

from jobs.models import Heartbeat, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "state", "progress", "created_by", "created_at", "attempts"]
    list_filter = ["kind", "state"]
    search_fields = ["created_by__username", "upload_name", "output_name"]
    readonly_fields = [
        "kind",
        "state",
        "payload",
        "result",
        "errors",
        "progress",
        "upload_name",
        "output_name",
        "created_by",
        "attempts",
        "task_id",
        "worker",
        "interruption",
        "interrupted_at",
        "created_at",
        "enqueued_at",
        "sent_at",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).without_files()

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["kind", "name", "seen_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "name", "seen_at"]

    def has_add_permission(self, request) -> bool:
        return False
