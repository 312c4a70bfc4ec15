from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import ExternalIdentity, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["identifier", "user", "subject", "linked_at", "last_sign_on"]
    search_fields = ["identifier", "subject", "user__username", "user__email"]
    readonly_fields = ["subject", "linked_at", "last_sign_on"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


class ExternalIdentityInline(admin.StackedInline):
    """Each user's linked single sign-on identity, on the user's page."""

    model = ExternalIdentity
    extra = 0
    max_num = 1
    fields = ["identifier", "subject", "linked_at", "last_sign_on"]
    readonly_fields = ["subject", "linked_at", "last_sign_on"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [*DjangoUserAdmin.inlines, ExternalIdentityInline]
    list_display = [*DjangoUserAdmin.list_display, "external_identity"]
    list_select_related = ["external_identity"]
    search_fields = [*DjangoUserAdmin.search_fields, "external_identity__identifier"]
