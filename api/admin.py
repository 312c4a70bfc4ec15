"""Administrators make service accounts for integrations and issue tokens for them."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.forms import EXPIRIES
from api.models import AccessToken, Scope, ServiceAccount


class ServiceAccountForm(forms.ModelForm):
    username = forms.CharField(label=_("username"), max_length=150)

    class Meta:
        model = ServiceAccount
        fields = ["purpose"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("A user with this username exists already."))
        return username


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "purpose", "created_at"]
    search_fields = ["user__username", "purpose"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ServiceAccountForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # No password: the account can only use tokens, with the roles given to it.
            user = get_user_model().objects.create_user(username=form.cleaned_data["username"])
            obj.user = user
        super().save_model(request, obj, form, change)
        if not change:
            messages.info(
                request,
                _("Give %(user)s roles under Memberships, then issue it a token here.")
                % {"user": obj.user},
            )


class TokenAdminForm(forms.ModelForm):
    expires_in = forms.ChoiceField(label=_("Expires after"), choices=EXPIRIES, initial="90")

    class Meta:
        model = AccessToken
        fields = ["user", "name", "scope"]


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TokenAdminForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "name", "scope", "prefix", "expires_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        token, plaintext = AccessToken.issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scope=form.cleaned_data.get("scope") or Scope.READ,
            expires_at=timezone.now() + timedelta(days=int(form.cleaned_data["expires_in"])),
            by=request.user,
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("The token, shown only this once: %(token)s") % {"token": plaintext},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            token.revoke()
