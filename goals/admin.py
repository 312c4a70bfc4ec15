from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from goals.models import (
    Action,
    Comment,
    DevelopmentGoal,
    GoalPillar,
    ProgressReport,
    ReportingPeriod,
)
from indicators.models import Indicator
from strategy.admin_history import HistoryAdminMixin
from strategy.policy import PolicyAdminMixin


class GoalPillarInline(admin.TabularInline):
    model = GoalPillar
    extra = 0


class IndicatorInline(TranslationTabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "name", "owner_unit", "measure", "direction", "active"]
    autocomplete_fields = ["owner_unit"]
    show_change_link = True


@admin.register(DevelopmentGoal)
class DevelopmentGoalAdmin(HistoryAdminMixin, TranslationAdmin):
    history_references = True  # the goal's pillar links too
    list_display = ["code", "title", "area", "order", "nb_status"]
    list_filter = ["area__strategy", "area", "nb_status"]
    search_fields = ["code", "title_en", "title_nb"]
    inlines = [GoalPillarInline, IndicatorInline]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["code", "strategy", "kind", "start", "end", "deadline", "is_open"]
    list_filter = ["strategy", "kind", "is_open"]
    search_fields = ["code"]
    actions = ["open_periods", "close_periods"]

    @admin.action(description=_("Open the selected periods for reporting"))
    def open_periods(self, request, queryset) -> None:
        for period in queryset:
            period.open()
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%d period opened.", "%d periods opened.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Close the selected periods"))
    def close_periods(self, request, queryset) -> None:
        for period in queryset:
            period.close(by=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%d period closed.", "%d periods closed.", count) % count,
            messages.SUCCESS,
        )


@admin.register(ProgressReport)
class ProgressReportAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["goal", "unit", "period", "status", "state", "version", "updated_at"]
    list_filter = ["state", "status", "goal__area", "period", "unit__kind", "unit"]
    search_fields = ["goal__code", "unit__code", "unit__name_en", "narrative"]
    autocomplete_fields = ["goal", "unit", "period"]
    list_select_related = ["goal", "unit", "period"]
    readonly_fields = [
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "returned_at",
        "returned_by",
    ]
    list_per_page = 50
    show_full_result_count = False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["action", "owner", "due", "report", "closed_in"]
    list_filter = ["closed_in", "report__period", "report__goal__area"]
    search_fields = ["action", "cause", "owner", "report__unit__code", "report__goal__code"]
    list_select_related = ["report__goal", "report__unit", "report__period", "closed_in"]
    raw_id_fields = ["report"]
    readonly_fields = ["created_at", "created_by", "closed_at", "closed_by"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """For moderation: an administrator may correct or remove a comment (history keeps it)."""

    list_display = ["__str__", "author", "created_at", "for_board"]
    list_filter = ["for_board", "period", "goal__area"]
    search_fields = ["body", "goal__code", "unit__code", "author__username"]
    list_select_related = ["goal", "unit", "period", "author"]
    raw_id_fields = ["goal", "unit", "period", "parent"]
    filter_horizontal = ["mentioned_units"]
    readonly_fields = ["author", "created_at"]
