from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import Scope

EXPIRIES = [
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Power BI report” or “DBH script”."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.READ)
    expires_in = forms.ChoiceField(label=_("Expires after"), choices=EXPIRIES, initial="90")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if "\x00" in name:
            raise forms.ValidationError(_("The name contains a NUL character."))
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def expires_at(self):
        return timezone.now() + timedelta(days=int(self.cleaned_data["expires_in"]))
