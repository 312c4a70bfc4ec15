from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from indicators.forms import DecimalTextField
from indicators.models import Indicator, Measurement, Target, ValueWrite
from strategy.admin_history import HistoryAdminMixin
from strategy.policy import PolicyAdminMixin


# Numbers typed in the admin are read by the one parser (`parse_decimal`), as in the grid.
class TargetForm(forms.ModelForm):
    value = DecimalTextField(label=_("value"), required=True)

    class Meta:
        model = Target
        fields = ["indicator", "period", "value"]


class IndicatorAdminForm(forms.ModelForm):
    baseline_value = DecimalTextField(label=_("baseline value"))
    target_value = DecimalTextField(label=_("target value"))

    class Meta:
        model = Indicator
        fields = ["baseline_value", "target_value"]  # the admin adds the others


class MeasurementAdminForm(forms.ModelForm):
    value = DecimalTextField(label=_("value"), required=True)

    class Meta:
        model = Measurement
        fields = ["indicator", "unit", "period", "value", "comment"]


class TargetInline(admin.TabularInline):
    model = Target
    form = TargetForm
    extra = 0
    autocomplete_fields = ["period", "unit"]


@admin.register(Indicator)
class IndicatorAdmin(PolicyAdminMixin, HistoryAdminMixin, TranslationAdmin):
    history_references = True  # the indicator's target milestones (and values) too
    form = IndicatorAdminForm
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
class MeasurementAdmin(PolicyAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    form = MeasurementAdminForm
    list_display = ["indicator", "unit", "period", "value", "entered_by", "entered_at"]
    list_filter = ["indicator__goal__area", "period", "unit__kind", "unit"]
    search_fields = ["indicator__code", "unit__code", "comment"]
    autocomplete_fields = ["indicator", "unit", "period"]
    list_select_related = ["indicator", "unit", "period", "entered_by"]
    readonly_fields = ["version", "entered_by", "entered_at"]
    list_per_page = 50
    show_full_result_count = False

    def delete_queryset(self, request, queryset) -> None:
        """ "Delete selected" deletes in bulk, past `Measurement.delete`: announce the values
        (the dashboards' figures and completeness follow them)."""
        keys = set(queryset.values_list("indicator_id", "unit_id", "period_id"))
        super().delete_queryset(request, queryset)
        Measurement.announce_changed(keys)

    def save_model(self, request, obj, form, change) -> None:
        """Through the one write path, so the version moves on and an editor of the grid
        holding the old one is told. Moving a value to another indicator, unit or period is a
        plain save (announced by `Measurement.save`)."""
        if change and {"indicator", "unit", "period"} & set(form.changed_data):
            obj.entered_by = request.user
            obj.version += 1
            super().save_model(request, obj, form, change)
            return
        write = ValueWrite(obj.indicator, obj.unit, obj.period, obj.value, obj.comment)
        Measurement.write([write], by=request.user)
        stored = Measurement.objects.get(indicator=obj.indicator, unit=obj.unit, period=obj.period)
        obj.pk, obj.version = stored.pk, stored.version
