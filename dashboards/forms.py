from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from goals.models import ReportingPeriod
from strategy.models import Unit
from strategy.policy import Policy


class BoardReportForm(forms.Form):
    """Period, unit and language of a board report. The unit list offers the units the person
    may report on; any existing unit is accepted here and the view answers 404 for one they
    may not (another unit's things are not found, as everywhere)."""

    period = forms.ModelChoiceField(
        label=_("Period"),
        queryset=ReportingPeriod.objects.none(),
        to_field_name="code",
        error_messages={"invalid_choice": _("There is no reporting period %(value)s.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        help_text=_("The report covers the unit and every unit below it."),
        error_messages={"invalid_choice": _("There is no unit %(value)s.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("The report is written in English or Norwegian only.")},
    )

    def __init__(self, *args, policy: Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = ReportingPeriod.objects.filter(
            strategy__is_current=True
        ).order_by("-kind", "-end")
        self.fields["unit"].queryset = Unit.objects.active()
        units = list(policy.board_report_units().active().order_by("path"))
        top = min((u.depth for u in units), default=0)
        self.fields["unit"].widget.choices = [
            (u.code, "\u2003" * (u.depth - top) + f"{u.name} ({u.code})") for u in units
        ]
