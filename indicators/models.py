"""Indicators attached to development goals, their targets and the measured values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.versioning import BumpsDataVersionQuerySet
from goals.models import DevelopmentGoal, EditConflict, PeriodKind, ReportingPeriod, user_stamp
from strategy.models import TranslationStatus, Unit, code_validator

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

MAX_DECIMALS = 6
MAX_DIGITS = 20
# Digits allowed before the decimal point: max_digits less the decimal places.
MAX_WHOLE_DIGITS = MAX_DIGITS - MAX_DECIMALS


def parse_decimal(text: str) -> Decimal:
    """Read a number as people type it ("1 234,5", "1234.5", "-3"), or say what is wrong.

    Refuses NUL bytes, NaN and infinities, exponents, and more than 14 digits before or 6 after
    the decimal point (what the database columns hold), each with its own message.
    """
    if "\x00" in text:
        raise ValidationError(_("The value contains a NUL character; type the number again."))
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace("\u2212", "-").replace(",", ".")
    if not cleaned:
        raise ValidationError(_("Enter a number."))
    if len(cleaned) > 50:
        raise ValidationError(_("“%(text)s…” is not a number.") % {"text": text[:20]})
    if cleaned.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
        raise ValidationError(_("Enter a finite number, not “%(text)s”.") % {"text": text.strip()})
    if not all(char in "0123456789.+-" for char in cleaned) or cleaned.count(".") > 1:
        raise ValidationError(_("“%(text)s” is not a number.") % {"text": text.strip()[:40]})
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(
            _("“%(text)s” is not a number.") % {"text": text.strip()[:40]}
        ) from None
    _sign, digits, exponent = value.as_tuple()
    whole = len(digits) + exponent
    if whole > MAX_WHOLE_DIGITS:
        raise ValidationError(
            _("The number is too large: use at most %(digits)d digits before the decimal point.")
            % {"digits": MAX_WHOLE_DIGITS}
        )
    return value


class Measure(models.TextChoices):
    """What an indicator's values count. Bounds come from here, not from each indicator."""

    PERCENT = "percent", _("Percent (0–100)")
    COUNT = "count", _("Count")
    NOK = "nok", _("Norwegian kroner")
    POINTS = "points", _("Points")
    RATIO = "ratio", _("Ratio")
    SCORE = "score", _("Score (1–5)")
    CREDITS = "credits", _("Credits")

    @property
    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        return {
            "percent": (Decimal(0), Decimal(100)),
            "count": (Decimal(0), None),
            "nok": (Decimal(0), None),
            "points": (Decimal(0), None),
            "ratio": (Decimal(0), None),
            "score": (Decimal(1), Decimal(5)),
            "credits": (Decimal(0), Decimal(60)),
        }[self.value]


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
    MAINTAIN = "maintain", _("Maintain")


class Accumulation(models.TextChoices):
    PER_PERIOD = "per_period", _("Per period (each value stands alone)")
    CUMULATIVE = "cumulative", _("Cumulative (each value is a running total)")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum over units")
    MEAN = "mean", _("Mean over units")
    NONE = "none", _("Not combined")


class IndicatorQuerySet(BumpsDataVersionQuerySet):
    def active(self) -> IndicatorQuerySet:
        return self.filter(active=True)

    def visible_to(self, user) -> IndicatorQuerySet:
        return self.filter(owner_unit__in=Unit.objects.visible_to(user))

    def reported_by(self, unit: Unit) -> IndicatorQuerySet:
        """The indicators a unit gives values for: those owned by the unit or a unit above it
        (an owner's indicator is measured throughout its subtree)."""
        return self.filter(owner_unit__code__in=unit.path.strip("/").split("/"))

    def without_value_in(self, periods: list[ReportingPeriod], *, unit: Unit) -> IndicatorQuerySet:
        """Indicators for which `unit` has not given a value in the open period their frequency
        belongs to (a yearly indicator in "2025", a tertial one in "2025-T3")."""
        condition = Q()
        for period in periods:
            has_value = Measurement.objects.filter(
                indicator=OuterRef("pk"), unit=unit, period=period
            )
            condition |= Q(frequency=period.kind) & ~Exists(has_value)
        return self.filter(condition) if condition else self.none()


class Indicator(models.Model):
    goal = models.ForeignKey(
        DevelopmentGoal, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("goal")
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("owner unit")
    )
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    nb_status = models.CharField(
        _("Norwegian text"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )
    measure = models.CharField(_("unit of measure"), max_length=10, choices=Measure)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=0, validators=[MaxValueValidator(MAX_DECIMALS)]
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=MAX_DECIMALS, null=True, blank=True
    )
    baseline_period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline period"),
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=20, decimal_places=MAX_DECIMALS, null=True, blank=True
    )
    target_period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target period"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=PeriodKind, default=PeriodKind.YEAR
    )
    accumulation = models.CharField(
        _("values are"), max_length=12, choices=Accumulation, default=Accumulation.PER_PERIOD
    )
    aggregation = models.CharField(
        _("combine up the unit tree by"), max_length=5, choices=Aggregation, default=Aggregation.SUM
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_generated = models.BooleanField(
        _("generated demo data"),
        default=False,
        editable=False,
        help_text=_("Made by seed_demo; never a university's actual result."),
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["goal__area__order", "goal__order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decimals__lte=MAX_DECIMALS),
                name="indicator_decimals_in_range",
                violation_error_message=_("Decimals must be between 0 and 6."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_period__isnull=False),
                name="indicator_baseline_has_period",
                violation_error_message=_("A baseline value needs a baseline period."),
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_period__isnull=False),
                name="indicator_target_has_period",
                violation_error_message=_("A target value needs a target period."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        errors = {}
        if (
            self.baseline_period_id
            and self.target_period_id
            and self.target_period.start <= self.baseline_period.start
        ):
            errors["target_period"] = _("The target period must come after the baseline period.")
        for field in ("baseline_value", "target_value"):
            value = getattr(self, field)
            if value is not None and self.measure:
                try:
                    self.check_value(value)
                except ValidationError as error:
                    errors[field] = error.messages
        if errors:
            raise ValidationError(errors)

    def parse_value(self, text: str) -> Decimal:
        """A typed value as a number this indicator accepts, or a ValidationError saying why not."""
        value = parse_decimal(text)
        self.check_value(value)
        return value

    def check_value(self, value: Decimal) -> None:
        """Refuse a value outside the measure's bounds or with more decimals than allowed."""
        low, high = Measure(self.measure).bounds
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationError(
                _("%(measure)s values must lie between %(low)s and %(high)s.")
                % {
                    "measure": Measure(self.measure).label,
                    "low": low,
                    "high": high if high is not None else "∞",
                }
            )
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimals:
            raise ValidationError(
                _("Use at most %(decimals)d decimals for this indicator.")
                % {"decimals": self.decimals}
            )


class Target(models.Model):
    """An optional milestone: the value the indicator should reach by a given period.

    Without a unit it is the owner's target, for the owner unit as a whole. With a unit below
    the owner it is that unit's contribution target: what that unit should reach on its own.
    Which one applies to a unit, and how a roll-up uses them: `dashboards.scoring.target_for`
    and `dashboards.scoring.rolled_up_target` (docs/scoring.md).
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("Empty: the owner's target. A unit below the owner: its own target."),
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=MAX_DECIMALS)

    class Meta:
        verbose_name = _("target milestone")
        verbose_name_plural = _("target milestones")
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(unit__isnull=True),
                name="target_unique_per_indicator_period",
                violation_error_message=_("This indicator already has a target for this period."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "unit"],
                condition=Q(unit__isnull=False),
                name="target_unique_per_indicator_period_unit",
                violation_error_message=_(
                    "This unit already has a target for this indicator and period."
                ),
            ),
        ]

    def __str__(self) -> str:
        unit = f" {self.unit.code}" if self.unit_id else ""
        return f"{self.indicator.code}{unit} {self.period.code}: {self.value}"

    def clean(self) -> None:
        if (
            self.unit_id
            and self.indicator_id
            and not (
                self.unit.path.startswith(self.indicator.owner_unit.path)
                and self.unit_id != self.indicator.owner_unit_id
            )
        ):
            raise ValidationError(
                {"unit": _("A unit target is for a unit below the indicator's owner.")}
            )


class MeasurementQuerySet(BumpsDataVersionQuerySet):
    def visible_to(self, user) -> MeasurementQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def editable_by(self, user) -> MeasurementQuerySet:
        return self.filter(unit__in=Unit.objects.editable_by(user))

    def for_period(self, period: ReportingPeriod) -> MeasurementQuerySet:
        return self.filter(period=period)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Measurement(models.Model):
    """The value of one indicator for one unit in one period.

    Saved through `Measurement.record()`, which refuses a value based on an outdated version.
    Every change is recorded by django-pghistory's triggers (see `goals.models.ProgressReport`).
    """

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("period"),
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=MAX_DECIMALS)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    entered_by = user_stamp(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "period__start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"],
                name="measurement_unique_per_indicator_unit_period",
                violation_error_message=_(
                    "This unit already has a value for this indicator and period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="measurement_version_positive",
                violation_error_message=_("The version starts at 1."),
            ),
        ]
        indexes = [models.Index(fields=["period", "indicator"], name="measurement_period_ind")]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit.code} · {self.period.code} = {self.value}"

    def clean(self) -> None:
        if self.indicator_id and self.value is not None:
            try:
                self.indicator.check_value(self.value)
            except ValidationError as error:
                raise ValidationError({"value": error.messages}) from error

    @classmethod
    def record(
        cls,
        *,
        indicator: Indicator,
        unit: Unit,
        period: ReportingPeriod,
        value: Decimal,
        comment: str,
        by: AbstractBaseUser,
        based_on: int,
    ) -> Measurement:
        """Save a value, unless someone changed it after version `based_on` (0: no value yet).

        One conditional UPDATE (or an INSERT guarded by the unique constraint), so of two
        concurrent saves one wins and the other raises `EditConflict` with the value as it
        now stands. Saving what is already stored (a double click) is not a conflict.
        """
        indicator.check_value(value)
        key = {"indicator": indicator, "unit": unit, "period": period}
        with transaction.atomic():
            if based_on:
                updated = cls.objects.filter(**key, version=based_on).update(
                    value=value,
                    comment=comment,
                    version=F("version") + 1,
                    entered_by=by,
                    entered_at=timezone.now(),
                )
                if updated:
                    return cls.objects.select_related("entered_by").get(**key)
            else:
                try:
                    with transaction.atomic():
                        return cls.objects.create(
                            **key, value=value, comment=comment, entered_by=by
                        )
                except IntegrityError:
                    pass
            current = cls.objects.select_related("entered_by").filter(**key).first()
            if current is None:
                # Deleted meanwhile (e.g. in the admin): nothing to overwrite.
                return cls.objects.create(**key, value=value, comment=comment, entered_by=by)
            if current.value == value and current.comment == comment:
                return current
            raise EditConflict(current)
