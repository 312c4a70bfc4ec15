from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SettingsForm(forms.Form):
    """What a person may set for themselves: the language of their e-mails and the digest."""

    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose English or Norwegian.")},
    )
    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly digest"),
        required=False,
        help_text=_(
            "Every Monday: new and approved reports, reported statuses that changed, new "
            "actions and comments in the units you read. Nothing is sent in a quiet week."
        ),
    )
