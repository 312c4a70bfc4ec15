from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from goals.forms import version_field
from goals.models import DevelopmentGoal, ReportingPeriod
from indicators.models import Aggregation, Indicator, Measure, Target, parse_decimal
from ops.text import refuse_control_characters_multiline
from strategy.models import Strategy, Unit

MAX_COMMENT_LENGTH = 2_000
MAX_DEFINITION_LENGTH = 5_000


class MeasurementForm(forms.Form):
    """One cell of the measurement grid: a value, a comment, and the version it was based on."""

    value = forms.CharField(label=_("Value"), strip=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        strip=True,
        validators=[refuse_control_characters_multiline],
    )
    version = version_field(0)
    confirm = forms.BooleanField(label=_("The value is right"), required=False)

    def __init__(self, *args, indicator: Indicator, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.needs_confirmation = False

    def clean_value(self):
        return self.indicator.parse_value(self.cleaned_data["value"])

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        value = cleaned.get("value")
        if self.indicator.is_implausible(value) and not cleaned.get("confirm"):
            self.needs_confirmation = True
            self.add_error(
                "value",
                " ".join(
                    (
                        self.indicator.implausible_message(),
                        str(_("Check the value, or tick “The value is right” and save again.")),
                    )
                ),
            )
        return cleaned

    def clean_comment(self):
        return self.cleaned_data["comment"].replace("\r\n", "\n")


class DecimalTextField(forms.CharField):
    """A number typed as text: "1 234,5" and "1234.5" both work, with clear messages."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        return parse_decimal(text)


class AttachIndicatorForm(forms.ModelForm):
    """A new indicator a unit measures for a goal.

    The hidden `token` becomes part of the indicator's code, which is unique: submitting the
    same form twice cannot create two indicators.
    """

    baseline_value = DecimalTextField(label=_("Baseline value"))
    target_value = DecimalTextField(label=_("Target value"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=32)

    class Meta:
        model = Indicator
        fields = [
            "goal",
            "name",
            "definition",
            "measure",
            "decimals",
            "direction",
            "baseline_value",
            "baseline_period",
            "target_value",
            "target_period",
            "frequency",
            "accumulation",
            "aggregation",
            "source",
        ]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, strategy: Strategy, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        # The model's foreign keys and choices make these choice fields.
        goal = cast(forms.ModelChoiceField, self.fields["goal"])
        goal.queryset = DevelopmentGoal.objects.of_strategy(strategy)
        periods = ReportingPeriod.objects.filter(strategy=strategy).order_by("start", "-end")
        for name in ("baseline_period", "target_period"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = periods
        self.fields["definition"].validators.append(MaxLengthValidator(MAX_DEFINITION_LENGTH))
        aggregation = cast(forms.ChoiceField, self.fields["aggregation"])
        aggregation.required = False
        aggregation.choices = [
            ("", _("As fits the unit of measure: sum for amounts, mean for shares and scores")),
            *Aggregation.choices,
        ]
        aggregation.initial = ""

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("aggregation") and cleaned.get("measure"):
            cleaned["aggregation"] = Measure(cleaned["measure"]).default_aggregation
        return cleaned

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not token.isalnum():
            raise ValidationError(_("The form is damaged; reload the page."))
        return token.upper()[:8]


class MilestoneForm(forms.ModelForm):
    """One target milestone typed with the indicator: a period and the value to reach by then."""

    value = DecimalTextField(label=_("Milestone value"))

    class Meta:
        model = Target
        fields = ["period", "value"]

    def __init__(self, *args, strategy: Strategy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        period = cast(forms.ModelChoiceField, self.fields["period"])  # the model's foreign key
        period.queryset = ReportingPeriod.objects.filter(strategy=strategy).order_by(
            "start", "-end"
        )
        period.required = False

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("period") and cleaned.get("value") is None:
            self.add_error("value", _("Give the value to reach by this period."))
        if cleaned.get("value") is not None and not cleaned.get("period"):
            self.add_error("period", _("Choose the period this value should be reached by."))
        return cleaned


class BaseMilestoneFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # Two milestones for one period. Django's own unique check skips the constraint, which
        # is conditional now (owner's targets only; units' targets have their own).
        seen = set()
        for form in self.forms:
            period = form.cleaned_data.get("period") if hasattr(form, "cleaned_data") else None
            if period is None:
                continue
            if period.pk in seen:
                form.add_error("period", self.get_unique_error_message(["period"]))
            seen.add(period.pk)
            value = form.cleaned_data.get("value")
            if value is not None and self.instance.measure in Measure.values:
                try:
                    self.instance.check_value(value)
                except ValidationError as error:
                    form.add_error("value", error.messages)


MilestoneFormSet = forms.inlineformset_factory(
    Indicator,
    Target,
    form=MilestoneForm,
    formset=BaseMilestoneFormSet,
    extra=3,
    max_num=10,
    validate_max=True,
    can_delete=False,
)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.code


class UnitTargetForm(forms.Form):
    """A contribution target the owner gives a unit below it: a unit, a period, a value
    (`Indicator.set_unit_target` checks and writes it). `replaces`: the target being edited,
    removed if its unit or period was changed."""

    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    period = PeriodChoiceField(queryset=ReportingPeriod.objects.none(), label=_("Period"))
    value = DecimalTextField(label=_("Target value"), required=True)
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, indicator: Indicator, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = indicator.units_below_owner().order_by("path")
        unit.error_messages["invalid_choice"] = _(
            "A unit target is for a unit below the indicator's owner."
        )
        period = cast(forms.ModelChoiceField, self.fields["period"])
        period.queryset = indicator.unit_target_periods()
        period.error_messages["invalid_choice"] = _(
            "Choose a period of this indicator's frequency after its baseline period and no "
            "later than its target period."
        )

    def save(self) -> Target | None:
        """Write the target; None (with the errors on the form) if the indicator refused it."""
        data = self.cleaned_data
        try:
            with transaction.atomic():
                target = self.indicator.set_unit_target(
                    unit=data["unit"], period=data["period"], value=data["value"]
                )
                if data.get("replaces") and data["replaces"] != target.pk:
                    self.indicator.remove_unit_target(data["replaces"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            return None
        return target
