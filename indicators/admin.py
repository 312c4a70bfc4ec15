from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from indicators.models import Indicator, Measurement, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    autocomplete_fields = ["period", "unit"]


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
    list_display = ["code", "name", "goal", "owner_unit", "measure", "direction", "active"]
    list_filter = [
        "goal__area",
        "measure",
        "direction",
        "accumulation",
        "aggregation",
        "active",
        "is_generated",
    ]
    search_fields = ["code", "name_en", "name_nb", "owner_unit__code"]
    autocomplete_fields = ["goal", "owner_unit", "baseline_period", "target_period"]
    list_select_related = ["goal", "owner_unit"]
    readonly_fields = ["is_generated"]
    inlines = [TargetInline]
    show_full_result_count = False


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["indicator", "unit", "period", "value", "entered_by", "entered_at"]
    list_filter = ["indicator__goal__area", "period", "unit__kind", "unit"]
    search_fields = ["indicator__code", "unit__code", "comment"]
    autocomplete_fields = ["indicator", "unit", "period"]
    list_select_related = ["indicator", "unit", "period", "entered_by"]
    readonly_fields = ["version", "entered_by", "entered_at"]
    list_per_page = 50
    show_full_result_count = False

    def save_model(self, request, obj, form, change) -> None:
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
