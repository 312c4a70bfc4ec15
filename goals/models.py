"""Development goals, reporting periods and the units' progress reports."""

from __future__ import annotations

import datetime
from functools import partial
from typing import TYPE_CHECKING

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.versioning import BumpsDataVersionQuerySet
from strategy.models import (
    Area,
    Membership,
    Pillar,
    Role,
    Strategy,
    TranslationStatus,
    Unit,
    code_validator,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Longest narrative, next steps, risks or comment accepted from a form: about ten pages of text.
MAX_TEXT_LENGTH = 20_000


class EditConflict(Exception):
    """A save or workflow step based on a version someone else has changed meanwhile.

    `current` is the object as it now stands in the database, so the user can be shown what
    changed and by whom.
    """

    def __init__(self, current: models.Model) -> None:
        super().__init__(f"{current} was changed meanwhile")
        self.current = current


class TransitionRefused(Exception):
    """A workflow step that the report's current state does not allow."""

    def __init__(self, current: models.Model) -> None:
        super().__init__(f"{current} is {getattr(current, 'state', '?')}")
        self.current = current


class DevelopmentGoalQuerySet(models.QuerySet):
    def of_strategy(self, strategy: Strategy) -> DevelopmentGoalQuerySet:
        return self.filter(area__strategy=strategy)

    def reported_on_by(self, unit: Unit, period: ReportingPeriod) -> DevelopmentGoalQuerySet:
        """The goals a unit reports on in a period.

        A unit reports on the goals of the period's strategy served by an active indicator that
        it measures (owned by the unit or a unit above it) or that a unit below it owns, and on
        any goal it already has a report for in the period (e.g. one started before its
        indicators were retired). Listing all ~20 goals for every department would bury the few
        each one works on; attaching an indicator to a goal is how a unit takes a goal up.
        """
        from indicators.models import Indicator

        owns_indicator = Indicator.objects.active().filter(
            Q(owner_unit__path__startswith=unit.path)
            | Q(owner_unit__code__in=unit.path.strip("/").split("/")),
            goal=OuterRef("pk"),
        )
        has_report = ProgressReport.objects.filter(goal=OuterRef("pk"), unit=unit, period=period)
        return self.of_strategy(period.strategy_id).filter(
            Exists(owns_indicator) | Exists(has_report)
        )


class DevelopmentGoal(models.Model):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="goals", verbose_name=_("area")
    )
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    title = models.CharField(_("title"), max_length=400)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    pillars = models.ManyToManyField(
        Pillar, through="GoalPillar", related_name="goals", blank=True, verbose_name=_("pillars")
    )
    nb_status = models.CharField(
        _("Norwegian text"),
        max_length=10,
        choices=TranslationStatus,
        default=TranslationStatus.WORKING,
    )
    note = models.CharField(
        _("editorial note"),
        max_length=500,
        blank=True,
        help_text=_("E.g. that the source text is incomplete."),
    )

    objects = DevelopmentGoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("development goal")
        verbose_name_plural = _("development goals")
        ordering = ["area__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "code"],
                name="goal_code_unique_in_area",
                violation_error_message=_("This area already has a goal with this code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class GoalPillar(models.Model):
    """Which pillar a goal serves. The source strategy does not say: links are editorial."""

    goal = models.ForeignKey(DevelopmentGoal, on_delete=models.CASCADE, verbose_name=_("goal"))
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, verbose_name=_("pillar"))
    is_editorial_default = models.BooleanField(
        _("editorial default"),
        default=True,
        help_text=_("Set by Veikart's editors, not stated in the strategy itself."),
    )

    class Meta:
        verbose_name = _("goal–pillar link")
        verbose_name_plural = _("goal–pillar links")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "pillar"],
                name="goal_pillar_unique",
                violation_error_message=_("This goal is already linked to this pillar."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal.code} → {self.pillar.code}"

    def clean(self) -> None:
        if self.goal_id and self.pillar_id and self.goal.area_id != self.pillar.area_id:
            raise ValidationError(_("A goal can only serve pillars of its own area."))


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    TERTIAL = "tertial", _("Tertial")
    QUARTER = "quarter", _("Quarter")


class ReportingPeriodQuerySet(models.QuerySet):
    def open(self) -> ReportingPeriodQuerySet:
        return self.filter(is_open=True)

    def closed(self) -> ReportingPeriodQuerySet:
        return self.filter(is_open=False)

    def of_kind(self, kind: str) -> ReportingPeriodQuerySet:
        return self.filter(kind=kind)


class ReportingPeriodManager(models.Manager.from_queryset(ReportingPeriodQuerySet)):
    def get_by_natural_key(self, strategy_code: str, code: str):
        return self.get(strategy__code=strategy_code, code=code)


class ReportingPeriod(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="periods", verbose_name=_("strategy")
    )
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    deadline = models.DateField(_("reporting deadline"))
    is_open = models.BooleanField(_("open for reporting"), default=False)

    objects = ReportingPeriodManager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["start", "-end"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "code"],
                name="period_code_unique_in_strategy",
                violation_error_message=_("This strategy already has a period with this code."),
            ),
            models.UniqueConstraint(
                fields=["strategy", "kind", "start"],
                name="period_kind_start_unique",
                violation_error_message=_("A period of this kind already starts on this date."),
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="period_ends_after_start",
                violation_error_message=_("A period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("end")),
                name="period_deadline_not_before_end",
                violation_error_message=_("The deadline cannot be before the period ends."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def natural_key(self) -> tuple[str, str]:
        return (self.strategy.code, self.code)

    natural_key.dependencies = ["strategy.strategy"]

    def open(self) -> None:
        self.is_open = True
        self.save(update_fields=["is_open"])

    def close(self, *, by: AbstractBaseUser | None = None) -> bool:
        """Close the period for reporting and freeze its dashboard figures "as reported".

        The snapshot (dashboards.models.PeriodSnapshot) is taken in the same transaction as the
        close, so it holds exactly the figures at the moment of closing, whatever is corrected
        later. Closing a closed period does nothing (False); re-opening and closing again takes
        a new snapshot. 1–3 s for a period at NTNU's scale, see docs/scoring.md.
        """
        from dashboards.models import PeriodSnapshot

        with transaction.atomic():
            # The row lock makes two simultaneous closes take one snapshot between them.
            locked = ReportingPeriod.objects.select_for_update().filter(pk=self.pk, is_open=True)
            if locked.first() is None:
                self.is_open = False
                return False
            self.is_open = False
            self.save(update_fields=["is_open"])
            PeriodSnapshot.take(period=self, by=by)
        return True

    def previous(self) -> ReportingPeriod | None:
        """The period of the same kind just before this one."""
        return (
            ReportingPeriod.objects.filter(
                strategy=self.strategy_id, kind=self.kind, end__lt=self.start
            )
            .order_by("-start")
            .first()
        )

    def days_to_deadline(self, today: datetime.date | None = None) -> int:
        """Negative once the deadline has passed."""
        return (self.deadline - (today or timezone.localdate())).days

    def is_writable_by(self, user: AbstractBaseUser) -> bool:
        """Closed periods are read-only for everyone except administrators."""
        return self.is_open or user.is_superuser


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    ACHIEVED = "achieved", _("Achieved")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


def user_stamp(verbose_name: str) -> models.ForeignKey:
    """Who did something to a record; kept (as unknown) if the user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=verbose_name,
    )


class ProgressReportQuerySet(BumpsDataVersionQuerySet):
    def visible_to(self, user) -> ProgressReportQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def editable_by(self, user) -> ProgressReportQuerySet:
        return self.filter(unit__in=Unit.objects.editable_by(user))

    def approvable_by(self, user) -> ProgressReportQuerySet:
        return self.filter(unit__in=Unit.objects.approvable_by(user))

    def for_period(self, period: ReportingPeriod) -> ProgressReportQuerySet:
        return self.filter(period=period)

    def owed(self) -> ProgressReportQuerySet:
        """Work left in open periods: returned reports first (they have a comment to answer),
        then drafts, each by deadline."""
        return (
            self.filter(period__is_open=True, state__in=("returned", "draft"))
            .alias(
                returned_first=models.Case(
                    models.When(state="returned", then=0),
                    default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("returned_first", "period__deadline", "goal__order", "goal__code")
        )

    def owed_by(self, user) -> ProgressReportQuerySet:
        """What a user owes: the returned and draft reports of the units they hold a role on
        themselves (not the units below, whose own reporters write them), and the submitted
        reports waiting for their approval, in open periods."""
        own = Membership.objects.filter(
            user=user, unit=models.OuterRef("unit"), role__in=(Role.REPORTER, Role.APPROVER)
        )
        # A role covers its unit's subtree: the report's unit path starts with the role's.
        approver = (
            Membership.objects.filter(user=user, role=Role.APPROVER)
            .annotate(
                report_path=models.ExpressionWrapper(
                    models.OuterRef("unit__path"), output_field=models.CharField()
                )
            )
            .filter(report_path__startswith=models.F("unit__path"))
        )
        return self.filter(
            models.Q(models.Exists(own), state__in=("returned", "draft"))
            | models.Q(models.Exists(approver), state="submitted"),
            period__is_open=True,
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ProgressReport(models.Model):
    """One unit's status and narrative for one goal in one period.

    `version` grows by one on every save, so that an edit based on an older version can be
    refused instead of silently overwriting someone else's change. Edits and workflow steps go
    through `edit()`, `submit()`, `approve()` and `return_to_reporter()`, each one conditional
    UPDATE (`... WHERE version = n AND state IN (...)`), so of two concurrent steps one wins and
    the other is refused with the report as it now stands.

    History: every insert, update and delete is recorded by django-pghistory's PostgreSQL
    triggers (with the user and URL from `goals.middleware.HistoryMiddleware`). Triggers also
    catch admin edits, `QuerySet.update()` and raw SQL, which model signals would miss.
    """

    CONTENT_FIELDS = ("status", "narrative", "next_steps", "risks")
    EDITABLE_STATES = ("draft", "returned")

    goal = models.ForeignKey(
        DevelopmentGoal, on_delete=models.PROTECT, related_name="reports", verbose_name=_("goal")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus, default=ReportStatus.NOT_STARTED
    )
    narrative = models.TextField(_("narrative"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    state = models.CharField(
        _("workflow state"), max_length=10, choices=ReportState, default=ReportState.DRAFT
    )
    return_comment = models.TextField(_("comment on return"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = user_stamp(_("created by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = user_stamp(_("updated by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = user_stamp(_("submitted by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = user_stamp(_("approved by"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, editable=False)
    returned_by = user_stamp(_("returned by"))

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period__start", "goal__area__order", "goal__order", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "unit", "period"],
                name="report_unique_per_goal_unit_period",
                violation_error_message=_(
                    "This unit already has a progress report for this goal and period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="report_version_positive",
                violation_error_message=_("The version starts at 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal.code} · {self.unit.code} · {self.period.code}"

    def get_absolute_url(self) -> str:
        return report_url(self.unit, self.period, self.goal)

    @property
    def is_editable_state(self) -> bool:
        return self.state in self.EDITABLE_STATES

    def content(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in self.CONTENT_FIELDS}

    def edit(self, *, by: AbstractBaseUser, based_on: int, **content: str) -> None:
        """Save the draft's content, unless someone saved it after version `based_on`.

        `based_on` is the version the user's form was built from; 0 means the report did not
        exist yet. Saving the same content twice (a double click) is not a conflict.
        """
        content = {field: content[field] for field in self.CONTENT_FIELDS}
        with transaction.atomic():
            if self.pk is None:
                self._create(by=by, based_on=based_on, content=content)
                return
            if based_on == self.version and content == self.content() and self.is_editable_state:
                return
            updated = ProgressReport.objects.filter(
                pk=self.pk, version=based_on, state__in=self.EDITABLE_STATES
            ).update(**content, version=F("version") + 1, updated_by=by, updated_at=timezone.now())
            if not updated:
                self._refuse(content)
        self.refresh_from_db()

    def _create(self, *, by, based_on: int, content: dict[str, str]) -> None:
        if based_on != 0:
            self._refuse(content)
        try:
            with transaction.atomic():
                for field, value in content.items():
                    setattr(self, field, value)
                self.created_by = self.updated_by = by
                self.save(force_insert=True)
        except IntegrityError:
            # Someone (or a second click) created it first.
            self.pk = None
            self._refuse(content)

    def _refuse(self, content: dict[str, str]) -> None:
        current = (
            ProgressReport.objects.select_related("updated_by")
            .filter(goal=self.goal_id, unit=self.unit_id, period=self.period_id)
            .first()
        )
        if current is None:
            raise EditConflict(self)
        if current.content() == content and current.is_editable_state:
            self._take(current)
            return
        if not current.is_editable_state:
            raise TransitionRefused(current)
        raise EditConflict(current)

    def _take(self, current: ProgressReport) -> None:
        for field in current._meta.concrete_fields:
            setattr(self, field.attname, getattr(current, field.attname))
        self._state.adding = False

    def submit(self, *, by: AbstractBaseUser, based_on: int | None = None) -> None:
        """Send a draft or a returned report to the approvers."""
        self._transition(
            by=by,
            based_on=based_on,
            allowed_from=self.EDITABLE_STATES,
            to=ReportState.SUBMITTED,
            stamp="submitted",
        )

    def approve(
        self, *, by: AbstractBaseUser, comment: str = "", based_on: int | None = None
    ) -> None:
        """Approve a submitted report; it is read-only from then on.

        `comment` is for the reporter's e-mail only; it is not stored with the report.
        """
        self._transition(
            by=by,
            based_on=based_on,
            allowed_from=(ReportState.SUBMITTED,),
            to=ReportState.APPROVED,
            stamp="approved",
            comment=comment,
        )

    def return_to_reporter(
        self, *, by: AbstractBaseUser, comment: str, based_on: int | None = None
    ) -> None:
        """Send a submitted report back with a comment the reporter sees."""
        self._transition(
            by=by,
            based_on=based_on,
            allowed_from=(ReportState.SUBMITTED,),
            to=ReportState.RETURNED,
            stamp="returned",
            extra={"return_comment": comment},
            comment=comment,
        )

    def _transition(
        self, *, by, based_on, allowed_from, to, stamp, extra=None, comment: str = ""
    ) -> None:
        """Take a workflow step as one conditional UPDATE; e-mail about it once it commits.

        `stamp` names the step ("submitted", "approved", "returned") and its `*_by`/`*_at`
        fields. A repeated click or a refused step sends no e-mail, and neither does a step
        whose transaction rolls back.
        """
        based_on = self.version if based_on is None else based_on
        with transaction.atomic():
            updated = ProgressReport.objects.filter(
                pk=self.pk, version=based_on, state__in=allowed_from
            ).update(
                state=to,
                version=F("version") + 1,
                updated_by=by,
                updated_at=timezone.now(),
                **{f"{stamp}_by": by, f"{stamp}_at": timezone.now()},
                **(extra or {}),
            )
            if not updated:
                current = ProgressReport.objects.select_related("updated_by", f"{stamp}_by").get(
                    pk=self.pk
                )
                # The same person clicking twice: the step has happened, nothing to refuse.
                if current.state == to and getattr(current, f"{stamp}_by_id") == by.pk:
                    self._take(current)
                    return
                if current.state not in allowed_from:
                    raise TransitionRefused(current)
                raise EditConflict(current)
            transaction.on_commit(
                partial(_announce_step, step=stamp, report_id=self.pk, by=by, comment=comment)
            )
        self.refresh_from_db()


def _announce_step(**step) -> None:
    # Imported here: notifications depends on goals, not the other way round.
    from notifications.workflow import report_step_announce

    report_step_announce(**step)


def report_url(unit: Unit, period: ReportingPeriod, goal: DevelopmentGoal) -> str:
    from django.urls import reverse

    return reverse("goals:report", args=[unit.code, period.code, goal.pk])
