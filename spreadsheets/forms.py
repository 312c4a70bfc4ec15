from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from goals.models import ReportingPeriod
from spreadsheets.reading import file_format_of
from strategy.models import Unit
from strategy.policy import EDIT, Policy

FORMATS = [("xlsx", _("Excel (.xlsx)")), ("csv", _("CSV (UTF-8)"))]


class TemplateForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    period = forms.ModelChoiceField(
        label=_("Period"), queryset=ReportingPeriod.objects.none(), to_field_name="code"
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="xlsx")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Policy.for_user(user).units(EDIT).active()
        self.fields["period"].queryset = ReportingPeriod.objects.open().filter(
            strategy__is_current=True
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template"),
        help_text=_("An .xlsx or .csv file of at most %(limit)d MB.")
        % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
    )
    overwrite = forms.BooleanField(
        label=_("Overwrite values changed since the template was downloaded"),
        required=False,
        help_text=_("Without this, such values are refused and the import names who changed them."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if file_format_of(upload.name) is None:
            raise forms.ValidationError(_("Upload an .xlsx or a .csv file."))
        return upload


class ExportForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Period"), queryset=ReportingPeriod.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        periods = ReportingPeriod.objects.filter(strategy__is_current=True)
        periods = periods.order_by("-start", "end")
        self.fields["period"].queryset = periods
        self.fields["period"].initial = periods.open().first()
