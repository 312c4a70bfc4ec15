"""Indicators attached to development goals, their targets and the measured values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, ClassVar, Self

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import (
    DevelopmentGoal,
    EditConflict,
    PeriodKind,
    ProgressReport,
    ReportingPeriod,
    user_stamp,
)
from indicators.signals import measurements_changed
from ops.text import (
    first_translation,
    refuse_control_characters,
    refuse_control_characters_multiline,
    translated_columns,
)
from strategy.models import TranslationStatus, Unit, code_validator
from strategy.policy import EDIT, READ, Policy

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import User
    from django.db.models.expressions import Combinable
    from django_stubs_ext import StrOrPromise

MAX_DECIMALS = 6
MAX_DIGITS = 20
# Digits allowed before the decimal point: max_digits less the decimal places.
MAX_WHOLE_DIGITS = MAX_DIGITS - MAX_DECIMALS
#: A value more than this many times the larger of an indicator's baseline and target is
#: implausible (1,000,000,000 for a count near 5,000): it needs a confirmation and is flagged.
PLAUSIBLE_FACTOR = 10


def plausible_limit(baseline: Decimal | None, target: Decimal | None) -> Decimal | None:
    """The largest value an indicator with this baseline and target makes plausible; None
    without either (then only the measure's bounds apply)."""
    given = [abs(v) for v in (baseline, target) if v is not None]
    if not given or max(given) == 0:
        return None
    return max(given) * PLAUSIBLE_FACTOR


def is_implausible(value: Decimal | None, baseline: Decimal | None, target: Decimal | None) -> bool:
    """The one rule for "unusual" values: the grid, imports, reports and dashboards ask it."""
    limit = plausible_limit(baseline, target)
    return value is not None and limit is not None and abs(value) > limit


def implausible_message(limit: Decimal) -> str:
    return _(
        "Far beyond this indicator's baseline and target: more than %(limit)s is not expected."
    ) % {"limit": f"{limit.normalize():f}"}


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
    if not isinstance(exponent, int):  # NaN and infinities, refused above
        raise ValidationError(_("“%(text)s” is not a number.") % {"text": text.strip()[:40]})
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

    @property
    def default_aggregation(self) -> str:
        """How values of this measure combine up the unit tree unless someone says otherwise:
        amounts add up; shares, ratios and scores do not (their mean is the fair summary)."""
        if self.value in {"percent", "ratio", "score"}:
            return "mean"
        return "sum"


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


class IndicatorQuerySet(models.QuerySet):
    def active(self) -> IndicatorQuerySet:
        return self.filter(active=True)

    def visible_to(self, user) -> IndicatorQuerySet:
        return Policy.for_user(user).filter(self, READ)

    def reported_by(self, unit: Unit) -> IndicatorQuerySet:
        """The indicators a unit gives values for: those owned by the unit or a unit above it
        (an owner's indicator is measured throughout its subtree)."""
        return self.filter(owner_unit__code__in=unit.path.strip("/").split("/"))

    def without_value_in(self, periods: list[ReportingPeriod], *, unit: Unit) -> IndicatorQuerySet:
        """Indicators for which `unit` has not given a value in the open period their frequency
        belongs to (a yearly indicator in "2025", a tertial one in "2025-T3")."""
        condition: Q | Combinable = Q()
        for period in periods:
            has_value = Measurement.objects.filter(
                indicator=OuterRef("pk"), unit=unit, period=period
            )
            condition |= Q(frequency=period.kind) & ~Exists(has_value)
        return self.filter(condition) if condition else self.none()


IndicatorManager = models.Manager.from_queryset(IndicatorQuerySet)


#: An indicator's name in every language (modeltranslation's columns), indexed for
#: `_namesakes_counted`, which looks for a name in each.
NAME_COLUMNS = [f"name_{code}" for code, _language in settings.LANGUAGES]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Indicator(models.Model):
    goal = models.ForeignKey(
        DevelopmentGoal, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("goal")
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("owner unit")
    )
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300, validators=[refuse_control_characters])
    definition = models.TextField(
        _("definition"), blank=True, validators=[refuse_control_characters_multiline]
    )
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
    source = models.CharField(
        _("source"), max_length=300, blank=True, validators=[refuse_control_characters]
    )
    active = models.BooleanField(_("active"), default=True)
    is_generated = models.BooleanField(
        _("generated demo data"),
        default=False,
        editable=False,
        help_text=_("Made by seed_demo; never a university's actual result."),
    )

    objects: ClassVar[IndicatorManager[Self]] = IndicatorManager()
    # modeltranslation swaps in a subclass of it made at runtime, which the checker cannot see.
    _default_manager: ClassVar[IndicatorManager[Self]]

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
        indexes = [
            # Counting the namesakes of the indicators a page labels (`_namesakes_counted`)
            # reads this index alone, not the table's wide rows: 12 → 4 ms at national scale.
            models.Index(
                fields=[*NAME_COLUMNS, "owner_unit"],
                include=["id"],
                condition=Q(active=True),
                name="indicator_active_names",
            ),
            # The active indicators of some owners and their goals, read from this index
            # alone: what a unit reports on (its goals, its grid) and the dashboards' lists.
            models.Index(
                fields=["owner_unit", "goal"],
                condition=Q(active=True),
                name="indicator_active_owner_goal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def label(self) -> str:
        """The name shown to people: see `label_indicators`, which sets it; the bare name for an
        indicator that did not go through it."""
        return self.__dict__.get("_label") or self.name

    def clean(self) -> None:
        errors: dict[str, StrOrPromise | list[str]] = {}
        if self.baseline_period_id and self.target_period_id:
            target, baseline = self.target_period, self.baseline_period
        else:
            target = baseline = None
        if target is not None and baseline is not None and target.start <= baseline.start:
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

    def plausible_limit(self) -> Decimal | None:
        return plausible_limit(self.baseline_value, self.target_value)

    def is_implausible(self, value: Decimal | None) -> bool:
        return is_implausible(value, self.baseline_value, self.target_value)

    def implausible_message(self) -> str:
        """Why a value is implausible; only for an indicator with a plausible limit."""
        limit = self.plausible_limit()
        if limit is None:
            raise ValueError(f"{self} has no baseline or target to judge a value by.")
        return implausible_message(limit)

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

    # Contribution targets: the owner gives units below it targets of their own
    # (docs/scoring.md, "Unit targets"). Who may is the policy's question (the owner's editors).

    def units_below_owner(self) -> models.QuerySet[Unit]:
        owner = self.owner_unit
        return Unit.objects.filter(path__startswith=owner.path).exclude(pk=owner.pk)

    def unit_target_periods(self) -> models.QuerySet[ReportingPeriod]:
        """The periods a contribution target may be set for: of the indicator's frequency,
        after its baseline period and up to its target period."""
        periods = ReportingPeriod.objects.filter(
            strategy_id=self.goal.area.strategy_id, kind=self.frequency
        )
        if self.baseline_period is not None:
            periods = periods.filter(end__gt=self.baseline_period.end)
        if self.target_period is not None:
            periods = periods.filter(end__lte=self.target_period.end)
        return periods.order_by("start")

    def set_unit_target(self, *, unit: Unit, period: ReportingPeriod, value: Decimal) -> Target:
        """Give a unit below the owner its target (a milestone) for a period, or change it.
        A ValidationError says what is wrong; nothing is written then."""
        errors: dict[str, list[StrOrPromise]] = {}
        if self.aggregation == Aggregation.NONE:
            errors["unit"] = [
                _(
                    "This indicator's values are not combined: only its owner reports, so "
                    "units below it have no targets of their own."
                )
            ]
        elif not self.units_below_owner().filter(pk=unit.pk).exists():
            errors["unit"] = [_("A unit target is for a unit below the indicator's owner.")]
        if not self.unit_target_periods().filter(pk=period.pk).exists():
            errors["period"] = [
                _(
                    "Choose a period of this indicator's frequency after its baseline period "
                    "and no later than its target period."
                )
            ]
        try:
            self.check_value(value)
        except ValidationError as error:
            errors["value"] = list(error.messages)
        if errors:
            raise ValidationError(errors)
        target, _created = Target.objects.update_or_create(
            indicator=self, unit=unit, period=period, defaults={"value": value}
        )
        return target

    def remove_unit_target(self, pk: int) -> bool:
        """Remove one of the units' targets of this indicator (never the owner's); False if
        there was none with that id."""
        target = Target.objects.filter(pk=pk, indicator=self, unit__isnull=False).first()
        if target is None:
            return False
        target.delete()
        return True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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
        unit = f" {self.unit.code}" if self.unit is not None else ""
        return f"{self.indicator.code}{unit} {self.period.code}: {self.value}"

    def clean(self) -> None:
        if (
            self.unit is not None
            and self.indicator_id
            and not (
                self.unit.path.startswith(self.indicator.owner_unit.path)
                and self.unit_id != self.indicator.owner_unit_id
            )
        ):
            raise ValidationError(
                {"unit": _("A unit target is for a unit below the indicator's owner.")}
            )


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeasurementQuerySet:
        return Policy.for_user(user).filter(self, READ)

    def editable_by(self, user) -> MeasurementQuerySet:
        return Policy.for_user(user).filter(self, EDIT)

    def lock_keys(
        self, keys: set[tuple[int, int, int]]
    ) -> dict[tuple[int, int, int], tuple[int, Decimal, str, int]]:
        """Lock the stored values of exactly these (indicator, unit, period) keys for a bulk write.

        Returns key → (pk, value, comment, version). Rows of other keys stay free: a reporter's
        save of another cell does not wait for an import to commit. FOR NO KEY UPDATE, as an
        UPDATE of the value takes. Call in a transaction.
        """
        if not keys:
            return {}
        if connection.vendor != "postgresql":
            # SQLite (`make run`) locks the whole database for a write transaction anyway.
            indicator_ids, unit_ids, period_ids = (
                set(column) for column in zip(*keys, strict=True)
            )
            candidates = self.filter(
                indicator__in=indicator_ids, unit__in=unit_ids, period__in=period_ids
            ).values_list(
                "pk", "indicator_id", "unit_id", "period_id", "value", "comment", "version"
            )
            return {
                (indicator, unit, period): (pk, value, comment, version)
                for pk, indicator, unit, period, value, comment, version in candidates
                if (indicator, unit, period) in keys
            }
        table = connection.ops.quote_name(self.model._meta.db_table)
        indicators, units, periods = (list(column) for column in zip(*keys, strict=True))
        # The table name is the model's; every value is a parameter.
        sql = (
            "SELECT id, indicator_id, unit_id, period_id, value, comment, version "  # noqa: S608
            f"FROM {table} AS m "  # nosec B608
            "JOIN unnest(%s::bigint[], %s::bigint[], %s::bigint[]) "
            "AS k(indicator_id, unit_id, period_id) USING (indicator_id, unit_id, period_id) "
            "ORDER BY m.id FOR NO KEY UPDATE OF m"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [indicators, units, periods])
            return {
                (indicator, unit, period): (pk, value, comment, version)
                for pk, indicator, unit, period, value, comment, version in cursor.fetchall()
            }

    def overwrite(self, rows: list[tuple[int, Decimal, str]], *, by: User, at: datetime) -> int:
        """Set (pk, value, comment) of many stored values, one UPDATE per 5,000 rows.

        For bulk writes (imports) that hold the rows locked: the version goes up by one, as in
        `record`, so an editor holding the old version gets a conflict. One statement instead of
        one per row: a round trip per value caps an import at a few hundred values a second.
        The caller announces the change (`Measurement.announce_changed`).
        """
        if connection.vendor != "postgresql":
            # SQLite (`make run`): one UPDATE per value is fast enough for a demo.
            for pk, value, comment in rows:
                self.filter(pk=pk).update(
                    value=value,
                    comment=comment,
                    entered_by=by,
                    entered_at=at,
                    version=F("version") + 1,
                )
            return len(rows)
        table = connection.ops.quote_name(self.model._meta.db_table)
        # The table name is the model's; every value is a parameter.
        sql = (
            f"UPDATE {table} AS m SET value = c.value, comment = c.comment, "  # noqa: S608  # nosec B608
            "entered_by_id = %s, entered_at = %s, version = m.version + 1 "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::text[]) AS c(id, value, comment) "
            "WHERE m.id = c.id"
        )
        updated = 0
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            with connection.cursor() as cursor:
                cursor.execute(
                    sql,
                    [
                        by.pk,
                        at,
                        [pk for pk, _value, _comment in chunk],
                        [value for _pk, value, _comment in chunk],
                        [comment for _pk, _value, comment in chunk],
                    ],
                )
                updated += cursor.rowcount
        return updated

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
        Unit,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("unit"),
        db_index=False,  # measurement_unit_period below starts with it
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("period"),
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=MAX_DECIMALS)
    comment = models.TextField(
        _("comment"), blank=True, validators=[refuse_control_characters_multiline]
    )
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
        indexes = [
            models.Index(fields=["period", "indicator"], name="measurement_period_ind"),
            # A unit's values in some periods (its grid, its completeness): with the unit's
            # index alone PostgreSQL intersected it with the period's, 144,000 entries at
            # national scale (8 → 1 ms for a department's grid).
            models.Index(fields=["unit", "period"], name="measurement_unit_period"),
            # The goal page lists the comments on the values it reads: a few per cent of the
            # values have one (40,000 of 1.4 million at national scale).
            models.Index(
                fields=["indicator", "period"],
                condition=~Q(comment=""),
                name="measurement_commented",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit.code} · {self.period.code} = {self.value}"

    def save(self, *args, **kwargs) -> None:
        # A value moved to another indicator, unit or period (the admin) leaves its old place.
        before = (
            None
            if self._state.adding
            else type(self)
            ._base_manager.filter(pk=self.pk)
            .values_list("indicator_id", "unit_id", "period_id")
            .first()
        )
        super().save(*args, **kwargs)
        # Never `kept`: `before` is read unlocked, and the row may have gone since (an edit in
        # place goes through `write`, which locks it).
        self.announce_changed({self.key, before} if before else {self.key})

    def delete(self, *args, **kwargs):
        key = self.key
        deleted = super().delete(*args, **kwargs)
        self.announce_changed({key})
        return deleted

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.indicator_id, self.unit_id, self.period_id)

    @property
    def is_implausible(self) -> bool:
        return self.indicator.is_implausible(self.value)

    @classmethod
    def announce_changed(
        cls, keys: set[tuple[int, int, int]], *, kept: Iterable[tuple[int, int, int]] = ()
    ) -> None:
        """Tell the features which values changed; every write path calls this. `kept`: the
        keys whose value was stored before and still is (indicators.signals)."""
        if keys:
            measurements_changed.send(sender=cls, keys=keys, kept=keys.intersection(kept))

    def clean(self) -> None:
        if self.indicator_id and self.value is not None:
            try:
                self.indicator.check_value(self.value)
            except ValidationError as error:
                raise ValidationError({"value": error.messages}) from error

    @classmethod
    def write(cls, writes: Sequence[ValueWrite], *, by: User) -> dict[str, int]:
        """The one way values are written: the grid, imports and the admin all come here.

        Checks every value against its indicator, locks the stored rows, and refuses the whole
        write with `WriteConflict` (carrying each row as it now stands) if a row was changed
        after the version its writer was based on. Otherwise inserts new values, updates
        changed ones (version + 1, so an editor holding the old version is told), leaves
        unchanged ones alone and announces the changed keys, all in one transaction. Writing
        what is already stored (a double click, the same file twice) is not a conflict.
        """
        for write in writes:
            write.indicator.check_value(write.value)
        if not writes:
            return {"created": 0, "updated": 0, "unchanged": 0}
        now = timezone.now()
        with transaction.atomic():
            stored = cls.objects.lock_keys({write.key for write in writes})
            conflicts: list[int] = []
            changes: list[tuple[ValueWrite, int | None, str]] = []
            unchanged = 0
            for write in writes:
                current = stored.get(write.key)
                comment = write.comment
                if comment is None:
                    comment = current[2] if current is not None else ""
                if current is not None and current[1:3] == (write.value, comment):
                    unchanged += 1
                elif (
                    current is not None
                    and write.based_on is not None
                    and current[3] != write.based_on
                ):
                    conflicts.append(current[0])
                else:
                    # A value deleted meanwhile (e.g. in the admin) leaves nothing to overwrite.
                    changes.append((write, current[0] if current else None, comment))
            if conflicts:
                raise WriteConflict(
                    list(cls.objects.select_related("entered_by").filter(pk__in=conflicts))
                )
            created = [
                cls(
                    indicator=write.indicator,
                    unit=write.unit,
                    period=write.period,
                    value=write.value,
                    comment=comment,
                    entered_by=by,
                    entered_at=now,
                )
                for write, pk, comment in changes
                if pk is None
            ]
            cls.objects.overwrite(
                [(pk, write.value, comment) for write, pk, comment in changes if pk is not None],
                by=by,
                at=now,
            )
            if created:
                try:
                    with transaction.atomic():
                        cls.objects.bulk_create(created)
                except IntegrityError:
                    # Someone inserted one of these values since the rows were locked.
                    keys = {m.key for m in created}
                    raced = [
                        m
                        for m in cls.objects.select_related("entered_by").filter(
                            indicator__in={k[0] for k in keys},
                            unit__in={k[1] for k in keys},
                            period__in={k[2] for k in keys},
                        )
                        if m.key in keys
                    ]
                    if not raced:
                        raise
                    raise WriteConflict(raced) from None
            cls.announce_changed(
                {write.key for write, _pk, _comment in changes},
                kept={write.key for write, pk, _comment in changes if pk is not None},
            )
        return {
            "created": len(created),
            "updated": len(changes) - len(created),
            "unchanged": unchanged,
        }

    @classmethod
    def record(
        cls,
        *,
        indicator: Indicator,
        unit: Unit,
        period: ReportingPeriod,
        value: Decimal,
        comment: str,
        by: User,
        based_on: int,
    ) -> Measurement:
        """Save one value, unless someone changed it after version `based_on` (0: no value
        yet); then `EditConflict` carries the value as it now stands. See `write`."""
        cls.write([ValueWrite(indicator, unit, period, value, comment, based_on=based_on)], by=by)
        return cls.objects.select_related("entered_by").get(
            indicator=indicator, unit=unit, period=period
        )


@dataclass(frozen=True)
class ValueWrite:
    """One value for `Measurement.write`: where it goes, and the version its writer saw."""

    indicator: Indicator
    unit: Unit
    period: ReportingPeriod
    value: Decimal
    comment: str | None = None  # None: keep the stored comment
    based_on: int | None = None  # the version seen (0: no value yet); None: not checked

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.indicator.pk, self.unit.pk, self.period.pk)


class WriteConflict(EditConflict):
    """Values changed after the versions their writers were based on; `conflicts` holds each
    as it now stands (`current`: the first, as for one value)."""

    def __init__(self, conflicts: list[Measurement]) -> None:
        super().__init__(conflicts[0])
        self.conflicts = conflicts


# Between an indicator's name and its owner unit, where another indicator has the same name.
OWNER_SEPARATOR = " — "


def label_indicators(
    indicators: Iterable[Indicator], *, among: Iterable[Indicator] | None = None
) -> list[Indicator]:
    """Give each indicator its `label`: the name, followed by its owner unit's code when another
    indicator has the same name in the language shown ("Reads of encyclopedia articles — NTNU"
    beside "— IE"), and by its code as well if that owner has two of the same name.

    The one rule for telling indicators of the same name apart; every page, form and download
    that names indicators sends them through it. The namesakes are looked for `among` the
    indicators shown together when given (no query), otherwise among all active indicators
    (one query), so a row re-rendered alone is labelled as in its whole list. The indicators
    need their `owner_unit` loaded.
    """
    indicators = list(indicators)
    unique = {i.pk: i for i in indicators}.values()
    shown = [(i.pk, i.name, i.owner_unit.code, i.code) for i in unique]
    if among is not None:
        labels = indicator_labels(shown, among=[(o.pk, o.name, o.owner_unit.code) for o in among])
    else:
        owners = {i.owner_unit_id: i.owner_unit.code for i in unique}
        labels = _labels(shown, *_namesakes_counted(shown, owners))
    for indicator in indicators:
        indicator.__dict__["_label"] = labels[indicator.pk]
    return indicators


def _namesakes_counted(
    shown: Sequence[tuple[int, str, str, str]], owners: dict[int, str]
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """How many active indicators bear each name shown, and each name at each owner shown
    (`owners`: id → code), the shown ones (id, name, owner code, code) counted as they are
    here. Counted in SQL: at national scale a name is shared by hundreds of indicators, and
    reading them all (10,000 rows for a department's grid) took a fifth of its page."""
    names = {name for _pk, name, _owner, _code in shown}
    namesakes: Counter[str] = Counter(name for _pk, name, _owner, _code in shown)
    same_owner: Counter[tuple[str, str]] = Counter((n, o) for _pk, n, o, _code in shown)
    if not names:
        return namesakes, same_owner
    columns = translated_columns("name")
    rows = (
        plain_indicators()
        .active()
        .filter(Q(*[(f"{column}__in", names) for column in columns], _connector=Q.OR))
        .exclude(pk__in=[pk for pk, _name, _owner, _code in shown])
        .annotate(shown_owner=Case(When(owner_unit__in=owners, then=F("owner_unit"))))
        .order_by()
        .values(*columns, "shown_owner")
        .annotate(n=Count("pk"))
        .values_list(*columns, "shown_owner", "n")
    )
    for *translations, owner, n in rows:
        name = first_translation(translations)
        namesakes[name] += n
        if owner is not None:
            same_owner[name, owners[owner]] += n
    return namesakes, same_owner


def plain_indicators() -> IndicatorQuerySet:
    """Indicators without modeltranslation's per-row fallback, for reads of hundreds of rows as
    values that name the translated columns themselves (`ops.text.translated_columns`): its
    iterator took half the time of such a read."""
    return IndicatorQuerySet(Indicator)


def indicator_labels(
    shown: Sequence[tuple[int, str, str, str]], *, among: Iterable[tuple[int, str, str]] = ()
) -> dict[int, str]:
    """The rule of `label_indicators` over plain rows, for pages that read indicators as
    values (hundreds at national scale): (id, name, owner code, code) of the indicators shown
    → their labels; namesakes are looked for among them and `among` (id, name, owner code)."""
    seen = {pk: (name, owner) for pk, name, owner in among}
    seen.update({pk: (name, owner) for pk, name, owner, _code in shown})
    return _labels(shown, Counter(n for n, _o in seen.values()), Counter(seen.values()))


def _labels(
    shown: Sequence[tuple[int, str, str, str]],
    namesakes: Counter[str],
    same_owner: Counter[tuple[str, str]],
) -> dict[int, str]:
    """The labels of `shown` given how many indicators bear each name (`namesakes`) and each
    name at each owner (`same_owner`), the shown ones included."""
    labels = {}
    for pk, name, owner, code in shown:
        label = name
        if namesakes[name] > 1:
            label += OWNER_SEPARATOR + owner
            if same_owner[name, owner] > 1:
                label += f" ({code})"
        labels[pk] = label
    return labels


def goals_reported_on_by(unit: Unit, period: ReportingPeriod) -> models.QuerySet[DevelopmentGoal]:
    """The goals a unit reports on in a period (here, not in goals: the rule is about indicators).

    A unit reports on the goals of the period's strategy served by an active indicator that
    it measures (owned by the unit or a unit above it) or that a unit below it owns, and on
    any goal it already has a report for in the period (e.g. one started before its
    indicators were retired). Listing all ~20 goals for every department would bury the few
    each one works on; attaching an indicator to a goal is how a unit takes a goal up.
    """
    owns_indicator = Indicator.objects.active().filter(
        Q(owner_unit__path__startswith=unit.path)
        | Q(owner_unit__code__in=unit.path.strip("/").split("/")),
        goal=OuterRef("pk"),
    )
    has_report = ProgressReport.objects.filter(goal=OuterRef("pk"), unit=unit, period=period)
    return DevelopmentGoal.objects.of_strategy(period.strategy_id).filter(
        Exists(owns_indicator) | Exists(has_report)
    )
