from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from goals.models import DevelopmentGoal
from strategy.admin_history import HistoryAdminMixin
from strategy.models import Area, Membership, Pillar, Strategy, Unit


@admin.register(Strategy)
class StrategyAdmin(TranslationAdmin):
    list_display = ["code", "name", "start", "end", "is_current", "nb_status"]
    list_filter = ["is_current", "nb_status"]
    search_fields = ["code", "name_en", "name_nb"]


class PillarInline(TranslationTabularInline):
    model = Pillar
    extra = 0
    fields = ["code", "name", "order", "nb_status"]


class GoalInline(TranslationTabularInline):
    model = DevelopmentGoal
    extra = 0
    fields = ["code", "title", "order", "nb_status"]
    show_change_link = True


@admin.register(Area)
class AreaAdmin(TranslationAdmin):
    list_display = ["code", "name", "strategy", "order", "colour", "nb_status"]
    list_filter = ["strategy", "nb_status", "description_nb_status"]
    search_fields = ["code", "name_en", "name_nb"]
    inlines = [PillarInline, GoalInline]


@admin.register(Pillar)
class PillarAdmin(TranslationAdmin):
    list_display = ["code", "name", "area", "order", "nb_status"]
    list_filter = ["area__strategy", "area", "nb_status"]
    search_fields = ["code", "name_en", "name_nb"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(HistoryAdminMixin, TranslationAdmin):
    list_display = ["indented_code", "name", "kind", "parent", "active", "valid_from", "valid_to"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name_en", "name_nb"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    inlines = [MembershipInline]

    @admin.display(description="code", ordering="path")
    def indented_code(self, unit: Unit) -> str:
        return "\u2003" * unit.depth + unit.code


@admin.register(Membership)
class MembershipAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__email", "unit__code", "unit__name_en"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
