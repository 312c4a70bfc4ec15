from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from goals.models import DevelopmentGoal
from strategy.admin_history import HistoryAdminMixin
from strategy.models import Area, Membership, Pillar, Strategy, Unit, UnitParentHistory


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


class ParentHistoryInline(admin.TabularInline):
    """Where the unit was placed before its moves; written by `Unit.move` only."""

    model = UnitParentHistory
    fk_name = "unit"
    fields = readonly_fields = ("parent", "valid_from", "valid_to", "changed_by", "changed_at")
    extra = 0
    max_num = 0
    can_delete = False


class UnitForm(forms.ModelForm):
    """Moving (a changed parent) and merging go through the model's verbs, `Unit.move` and
    `Unit.merge_into`, which keep the history; the form checks them with the verbs' own rules
    first, so a refused change leaves everything as it was."""

    moved_on = forms.DateField(
        label=_("moved on"),
        required=False,
        help_text=_("When the parent is changed: the first day under the new parent."),
    )
    merge_into = forms.ModelChoiceField(
        Unit.objects.filter(active=True),
        label=_("merge into"),
        required=False,
        help_text=_(
            "Closes this unit and names the chosen one its successor; its values, reports "
            "and figures stay where they were."
        ),
    )
    merged_on = forms.DateField(
        label=_("merged on"),
        required=False,
        help_text=_("The successor's first day; this unit's last day is the day before."),
    )

    class Meta:
        model = Unit
        fields = "__all__"  # noqa: DJ007 (the admin lists the fields it shows)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None:
            if cleaned.get("merge_into"):
                self.add_error("merge_into", _("Save the new unit before merging it."))
            return cleaned
        before = Unit.objects.get(pk=self.instance.pk)
        moved = "parent" in cleaned and cleaned["parent"] != before.parent
        into = cleaned.get("merge_into")
        if moved and into is not None:
            raise forms.ValidationError(_("Move or merge the unit, not both at once."))
        if moved:
            on = cleaned.get("moved_on")
            if on is None:
                self.add_error("moved_on", _("Give the day the unit moved."))
            else:
                refusal = before.move_refusal(cleaned["parent"], on)
                if refusal is not None:
                    self.add_error("parent", refusal)
        if into is not None or cleaned.get("merged_on"):
            on = cleaned.get("merged_on")
            if on is None:
                self.add_error("merged_on", _("Give the day the unit was merged."))
            else:
                refusal = before.merge_refusal(into, on)
                if refusal is not None:
                    self.add_error("merge_into", refusal)
        return cleaned


@admin.register(Unit)
class UnitAdmin(HistoryAdminMixin, TranslationAdmin):
    form = UnitForm
    list_display = [
        "indented_code", "name", "kind", "parent", "active", "valid_from", "valid_to", "successor",
    ]  # fmt: skip
    list_filter = ["kind", "active"]
    search_fields = ["code", "name_en", "name_nb"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "successor"]
    inlines = [ParentHistoryInline, MembershipInline]
    list_select_related = ["parent", "successor"]

    @admin.display(description=_("code"), ordering="path")
    def indented_code(self, unit: Unit) -> str:
        return "\u2003" * unit.depth + unit.code

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        before = Unit.objects.get(pk=obj.pk)
        moved_to, into = obj.parent, form.cleaned_data.get("merge_into")
        with transaction.atomic():
            # The other fields first, at the old place; the verbs then take their one step.
            obj.parent = before.parent
            if into is not None:
                obj.active, obj.valid_to = before.active, before.valid_to
            super().save_model(request, obj, form, change)
            if moved_to != before.parent:
                obj.move(to=moved_to, on=form.cleaned_data["moved_on"], by=request.user)
            if into is not None:
                obj.merge_into(into, on=form.cleaned_data["merged_on"], by=request.user)


@admin.register(Membership)
class MembershipAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__email", "unit__code", "unit__name_en"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
