"""The strategy (areas and pillars) and the organisation (units and memberships)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ops.text import code_validator

if TYPE_CHECKING:
    # The managers modeltranslation puts on the translated models (Area, Pillar).
    import modeltranslation.manager  # noqa: F401


class TranslationStatus(models.TextChoices):
    """How trustworthy the Norwegian text of a record is."""

    OFFICIAL = "official", _("Official")
    WORKING = "working", _("Working translation (unofficial)")
    QUOTED = "quoted", _("Quoted from a secondary source")


_M = TypeVar("_M", bound=models.Model)


class NaturalKeyManager(models.Manager[_M]):
    """Looks records up by their `code`, for fixtures and imports."""

    def get_by_natural_key(self, code: str) -> _M:
        return self.get(code=code)


class Strategy(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    vision = models.CharField(_("vision"), max_length=300, blank=True)
    values = models.CharField(_("values"), max_length=300, blank=True)
    nb_status = models.CharField(
        _("Norwegian text"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    is_current = models.BooleanField(_("current strategy"), default=False)

    objects: ClassVar[NaturalKeyManager[Self]] = NaturalKeyManager()
    # modeltranslation swaps in a subclass of it made at runtime, which the checker cannot see.
    _default_manager: ClassVar[NaturalKeyManager[Self]]

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="strategy_ends_after_start",
                violation_error_message=_("A strategy must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_strategy",
                violation_error_message=_("Only one strategy can be the current one."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("strategy:detail", args=[self.code])

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Area(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="areas", verbose_name=_("strategy")
    )
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#0072B2",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Give a colour as #RRGGBB."))],
    )
    nb_status = models.CharField(
        _("Norwegian name"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )
    description_nb_status = models.CharField(
        _("Norwegian description"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["strategy", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "code"],
                name="area_code_unique_in_strategy",
                violation_error_message=_("This strategy already has an area with this code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Pillar(models.Model):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="pillars", verbose_name=_("area")
    )
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    nb_status = models.CharField(
        _("Norwegian name"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["area__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "code"],
                name="pillar_code_unique_in_area",
                violation_error_message=_("This area already has a pillar with this code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UnitKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    FACULTY = "faculty", _("Faculty")
    DEPARTMENT = "department", _("Department")
    MUSEUM = "museum", _("Museum")
    ADMINISTRATION = "administration", _("Administration")


class UnitQuerySet(models.QuerySet):
    def active(self) -> UnitQuerySet:
        return self.filter(active=True)

    def subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it, at any depth."""
        return self.filter(path__startswith=unit.path)


UnitManager = NaturalKeyManager.from_queryset(UnitQuerySet, class_name="UnitManager")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Unit(models.Model):
    """A node in the organisation tree: university, faculty, department, ...

    `path` holds the codes from the root down ("NTNU/IE/IDI/") so that a subtree is one
    indexed prefix query; it is kept in step by save().
    """

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind)
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    nb_status = models.CharField(
        _("Norwegian name"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor"),
        help_text=_("The unit this one was merged into; set by merging."),
    )
    path = models.CharField(max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects: ClassVar[UnitManager[Self]] = UnitManager()
    # modeltranslation swaps in a subclass of it made at runtime, which the checker cannot see.
    _default_manager: ClassVar[UnitManager[Self]]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
                violation_error_message=_("A unit cannot stop being valid before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="unit_not_own_parent",
                violation_error_message=_("A unit cannot be its own parent."),
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("id")),
                name="unit_not_own_successor",
                violation_error_message=_("A unit cannot be its own successor."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        if not self.active and self.valid_to is None:
            # Closing a unit records when: the periods before it keep counting the unit.
            self.valid_to = timezone.localdate()
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "valid_to"}
        old_path = self.path
        self.path = self.compute_path()
        self.depth = self.path.count("/") - 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in self.children.all():
                    child.save()

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be placed below itself.")})
            ancestor = ancestor.parent

    def compute_path(self) -> str:
        parent = self.parent if self.parent_id else None
        prefix = parent.path if parent is not None else ""
        return f"{prefix}{self.code}/"

    # --- Changes to the organisation, kept as history (docs/architecture.md) ---

    def placed_since(self) -> datetime.date | None:
        """The first day under the current parent: the day after the last move (None: since
        the unit began)."""
        last = self.parent_history.order_by("-valid_to").values_list("valid_to", flat=True).first()
        return last + datetime.timedelta(days=1) if last else None

    def move_refusal(self, to: Unit | None, on: datetime.date) -> ValidationError | None:
        """Why `move(to=to, on=on)` cannot be done, or None. The one place of these rules."""
        if not self.active:
            return ValidationError(_("A closed unit cannot be moved."), code="closed")
        if to is not None and to.pk == self.parent_id:
            return ValidationError(_("The unit is already placed there."), code="same_parent")
        if to is not None and (to.pk == self.pk or to.path.startswith(self.path)):
            return ValidationError(
                _("A unit cannot be placed below itself or a unit below it."), code="cycle"
            )
        if to is not None and not to.active:
            return ValidationError(_("A unit cannot be placed below a closed unit."), code="closed")
        return self._date_refusal(on, self.placed_since())

    def _date_refusal(
        self, on: datetime.date, placed_since: datetime.date | None = None
    ) -> ValidationError | None:
        if on > timezone.localdate():
            return ValidationError(_("The date cannot be in the future."), code="future")
        if self.valid_from is not None and on <= self.valid_from:
            return ValidationError(
                _("The date must be after the unit became valid (%(date)s).")
                % {"date": self.valid_from.isoformat()},
                code="before_valid_from",
            )
        if placed_since is not None and on <= placed_since:
            return ValidationError(
                _("The date must be after the unit's last move (%(date)s).")
                % {"date": placed_since.isoformat()},
                code="before_last_move",
            )
        return None

    def move(self, *, to: Unit | None, on: datetime.date, by=None) -> None:
        """Place this unit (with everything below it) under `to` from the day `on`. Until the
        day before, it stays recorded under its current parent, so the periods before the
        move keep rolling up as they did. Raises ValidationError, changing nothing."""
        with transaction.atomic():
            current = Unit.objects.select_for_update().get(pk=self.pk)
            refusal = current.move_refusal(to, on)
            if refusal is not None:
                raise refusal
            UnitParentHistory.objects.create(
                unit=current,
                parent_id=current.parent_id,
                valid_from=current.placed_since() or current.valid_from,
                valid_to=on - datetime.timedelta(days=1),
                changed_by=by,
            )
            current.parent = to
            current.save()
        self.refresh_from_db()

    def merge_refusal(self, into: Unit | None, on: datetime.date) -> ValidationError | None:
        """Why `merge_into(into, on=on)` cannot be done, or None."""
        if into is None:
            return ValidationError(_("Choose the unit to merge into."), code="required")
        if not self.active:
            return ValidationError(_("The unit is already closed."), code="closed")
        if into.pk == self.pk or into.path.startswith(self.path):
            return ValidationError(
                _("A unit cannot be merged into itself or a unit below it."), code="cycle"
            )
        if not into.active:
            return ValidationError(_("A unit cannot be merged into a closed unit."), code="closed")
        if self.children.filter(active=True).exists():
            return ValidationError(
                _("Move or merge the units below it first."), code="open_children"
            )
        return self._date_refusal(on)

    def merge_into(self, other: Unit, *, on: datetime.date, by=None) -> None:
        """Close this unit at the end of the day before `on` and name `other` its successor.
        Its values, reports and figures stay where they were; the successor's trends take
        them for the periods before it existed. Raises ValidationError, changing nothing."""
        with transaction.atomic():
            current = Unit.objects.select_for_update().get(pk=self.pk)
            refusal = current.merge_refusal(other, on)
            if refusal is not None:
                raise refusal
            current.active = False
            current.valid_to = on - datetime.timedelta(days=1)
            current.successor = other
            current.save()
        self.refresh_from_db()


class UnitParentHistory(models.Model):
    """An earlier place of a unit in the tree: under `parent` from `valid_from` (None: since the
    unit began) to `valid_to`, inclusive. Written by `Unit.move` only; the current place is
    `Unit.parent`, from the day after the latest `valid_to`."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="parent_history", verbose_name=_("unit")
    )
    parent = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parent unit"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved by"),
    )
    changed_at = models.DateTimeField(_("moved at"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier parent")
        verbose_name_plural = _("parent history")
        ordering = ["unit", "valid_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_to"], name="unit_parent_history_one_end_per_day"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_parent_history_ends_after_start",
                violation_error_message=_("A placement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        parent = self.parent.code if self.parent is not None else "—"
        return f"{self.unit.code} under {parent} until {self.valid_to}"


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    APPROVER = "approver", _("Approver")
    VIEWER = "viewer", _("Viewer")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(models.Model):
    """A user's role on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__path", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="membership_unique",
                violation_error_message=_("This user already has this role on this unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit.code}"
