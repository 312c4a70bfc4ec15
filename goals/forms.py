from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.models import MAX_TEXT_LENGTH, Action, ProgressReport, ReportingPeriod, ReportStatus
from ops.text import refuse_control_characters_multiline
from strategy.models import Unit

# Cause and action are a few sentences: the narrative holds the long story.
MAX_ACTION_TEXT = 2_000
# An action is due within this many years of the period's end (catches typed years like 20255).
MAX_ACTION_YEARS = 10
# The form's fields for a new action; "action" itself names the form's submit buttons.
ACTION_FIELDS = ("cause", "remedy", "owner", "due")

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


def short_text(label, help_text="", rows=2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_ACTION_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ActionChoiceField(forms.ModelMultipleChoiceField):
    """Actions, each named with its owner and due date."""

    def label_from_instance(self, obj: Action) -> str:
        return _("%(action)s (%(owner)s, due %(due)s)") % {
            "action": obj.action,
            "owner": obj.owner,
            "due": obj.due.isoformat(),
        }


class UnitChoiceField(forms.ModelMultipleChoiceField):
    """Units, each named with its code."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.code})"


class ReportForm(forms.Form):
    """A progress report's content, with the version it was based on (0: a new report).

    With it, a new action (cause, action, owner, due date) and the open actions to close. A goal
    reported at risk or off track needs an action that stays open: a new one, or one carried
    from earlier that is not being closed.
    """

    status = forms.ChoiceField(label=_("Status"), choices=ReportStatus.choices)
    narrative = text_field(_("Narrative"))
    next_steps = text_field(_("Next steps"))
    risks = text_field(_("Risks"))
    version = version_field(0)
    cause = short_text(_("Cause"), _("Why the goal is at risk or off track."))
    remedy = short_text(pgettext_lazy("remedy", "Action"), _("What is being done about it."))
    owner = forms.CharField(
        label=_("Owner"),
        required=False,
        max_length=200,
        help_text=_("Who is responsible for the action (a name or a role)."),
    )
    due = forms.DateField(
        label=_("Due by"),
        required=False,
        help_text=_("Date, e.g. 2025-06-30."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2025-06-30.")},
    )
    close = ActionChoiceField(
        label=_("Close finished actions"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": STALE_FORM, "invalid_pk_value": STALE_FORM},
    )

    def __init__(
        self,
        *args,
        period: ReportingPeriod | None = None,
        open_actions=None,
        computed_status: Callable[[], str | None] | str | None = None,
        **kw,
    ):
        super().__init__(*args, **kw)
        self.period = period
        # Asked only when needed (a reader's page shows no form and pays no query for it).
        self._computed_status = computed_status
        if open_actions is not None:
            cast(ActionChoiceField, self.fields["close"]).queryset = open_actions

    @cached_property
    def computed_status(self) -> str | None:
        """The goal's status for the report's unit and period computed from the values."""
        source = self._computed_status
        return source() if callable(source) else source

    @property
    def asked_by_figures(self) -> bool:
        """The goal's computed status for the unit and period asks for an action, whatever
        status the unit reports: the figures may see what the report does not say."""
        return ProgressReport.needs_action(self.computed_status or "")

    @property
    def computed_status_label(self) -> str:
        if not self.computed_status:
            return ""
        return str(ReportStatus(self.computed_status).label).lower()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for name in ("narrative", "next_steps", "risks", "cause", "remedy"):
            if name in cleaned:
                # Browsers send CRLF; store LF so that an unchanged text compares equal.
                cleaned[name] = cleaned[name].replace("\r\n", "\n").strip()
        if "owner" in cleaned:
            cleaned["owner"] = cleaned["owner"].strip()
        self._clean_actions(cleaned)
        return cleaned

    def _clean_actions(self, cleaned) -> None:
        given = [name for name in ACTION_FIELDS if cleaned.get(name) or self.has_error(name)]
        if given:
            for name in ACTION_FIELDS:
                if name not in given:
                    self.add_error(name, _("Give the cause, the action, its owner and a due date."))
        due = cleaned.get("due")
        if due and self.period is not None:
            latest = self.period.end.replace(year=self.period.end.year + MAX_ACTION_YEARS)
            if due < self.period.start:
                self.add_error("due", _("The due date cannot be before the period starts."))
            elif due > latest:
                self.add_error(
                    "due",
                    _("The due date must be within %(years)d years of the period's end.")
                    % {"years": MAX_ACTION_YEARS},
                )
        still_open = set(cast(ActionChoiceField, self.fields["close"]).queryset or ()) - set(
            cleaned.get("close") or ()
        )
        reported = ProgressReport.needs_action(cleaned.get("status"))
        # What the unit reports needs its action at once; what the figures say is asked for
        # on the form and needed on submitting, so a draft can be saved while the unit looks.
        by_figures = self.asked_by_figures and self.data.get("action") == "submit"
        if (reported or by_figures) and not given and not still_open:
            message = (
                _("Required when the goal is at risk or off track.")
                if reported
                else _("Required: the figures put the goal %(status)s for this unit and period.")
                % {"status": self.computed_status_label}
            )
            for name in ACTION_FIELDS:
                self.add_error(name, message)
        cleaned["new_action"] = None
        if given and not any(self.has_error(name) for name in ACTION_FIELDS):
            cleaned["new_action"] = {
                "cause": cleaned["cause"],
                "action": cleaned["remedy"],
                "owner": cleaned["owner"],
                "due": cleaned["due"],
            }


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
        super().clean()
        cleaned = self.cleaned_data
        cleaned["comment"] = cleaned.get("comment", "").replace("\r\n", "\n").strip()
        if cleaned.get("decision") == self.RETURN and not cleaned["comment"]:
            self.add_error("comment", _("Say what the reporter should change."))
        return cleaned


class CommentForm(forms.Form):
    """A comment on a goal or on a unit's report, or a reply in its thread."""

    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_TEXT_LENGTH,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment.")},
    )
    for_board = forms.BooleanField(
        label=_("For the board"),
        required=False,
        help_text=_("Shown with the goal in the board report."),
    )
    mention = UnitChoiceField(
        label=_("E-mail the leaders of"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": STALE_FORM, "invalid_pk_value": STALE_FORM},
    )
    parent = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages={"invalid": STALE_FORM, "min_value": STALE_FORM, "max_value": STALE_FORM},
    )

    def __init__(self, *args, mentionable=None, comments=None, **kwargs):
        """`mentionable`: the units whose leaders may be e-mailed; `comments`: those of the
        goal or report, which a reply may answer."""
        super().__init__(*args, **kwargs)
        if mentionable is not None:
            cast(UnitChoiceField, self.fields["mention"]).queryset = mentionable
        self.comments = comments

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError(_("Write a comment."))
        return body

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is None:
            return None
        found = self.comments.filter(pk=parent).first() if self.comments is not None else None
        if found is None:
            raise forms.ValidationError(STALE_FORM)
        return found
