from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import MAX_TEXT_LENGTH, ReportStatus
from strategy.text import refuse_control_characters_multiline

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists with “-”, links as [text](https://…).")


STALE_FORM = _("This form is out of date or damaged: reload the page and try again.")


def version_field(min_value: int) -> forms.IntegerField:
    """The version a form was built from, for optimistic locking; users never type it."""
    return forms.IntegerField(
        min_value=min_value,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages={
            "required": STALE_FORM,
            "invalid": STALE_FORM,
            "min_value": STALE_FORM,
            "max_value": STALE_FORM,
        },
    )


def text_field(label, help_text=MARKDOWN_HELP) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT_LENGTH,
        strip=False,
        help_text=help_text,
        validators=[refuse_control_characters_multiline],
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReportForm(forms.Form):
    """A progress report's content, with the version it was based on (0: a new report)."""

    status = forms.ChoiceField(label=_("Status"), choices=ReportStatus.choices)
    narrative = text_field(_("Narrative"))
    next_steps = text_field(_("Next steps"))
    risks = text_field(_("Risks"))
    version = version_field(0)

    def clean(self):
        cleaned = super().clean()
        for name in ("narrative", "next_steps", "risks"):
            if name in cleaned:
                # Browsers send CRLF; store LF so that an unchanged text compares equal.
                cleaned[name] = cleaned[name].replace("\r\n", "\n").strip()
        return cleaned


class ReviewForm(forms.Form):
    """An approver's decision on a submitted report."""

    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (RETURN, _("Return to the reporter"))]
    )
    comment = forms.CharField(
        label=_("Comment for the reporter"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        help_text=_(
            "Shown on the report and e-mailed to the reporter. Required when you return the "
            "report: say what needs "
            "to change."
        ),
        validators=[refuse_control_characters_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = version_field(1)

    def clean(self):
        cleaned = super().clean()
        cleaned["comment"] = cleaned.get("comment", "").replace("\r\n", "\n").strip()
        if cleaned.get("decision") == self.RETURN and not cleaned["comment"]:
            self.add_error("comment", _("Say what the reporter should change."))
        return cleaned
