"""Development goals, reporting periods and the units' progress reports."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Self

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.signals import (
    comment_posted,
    computed_status_asked,
    period_closing,
    report_step_taken,
)
from ops.text import refuse_control_characters_multiline
from strategy.models import Area, Pillar, Strategy, TranslationStatus, Unit, code_validator
from strategy.policy import APPROVE, EDIT, READ, Policy

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

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
    def of_strategy(self, strategy: Strategy | int) -> DevelopmentGoalQuerySet:
        return self.filter(area__strategy=strategy)


DevelopmentGoalManager = models.Manager.from_queryset(DevelopmentGoalQuerySet)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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

    objects: ClassVar[DevelopmentGoalManager[Self]] = DevelopmentGoalManager()
    # modeltranslation swaps in a subclass of it made at runtime, which the checker cannot see.
    _default_manager: ClassVar[DevelopmentGoalManager[Self]]

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


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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


class PeriodNaturalKeyManager(models.Manager["ReportingPeriod"]):
    def get_by_natural_key(self, strategy_code: str, code: str) -> ReportingPeriod:
        return self.get(strategy__code=strategy_code, code=code)


ReportingPeriodManager = PeriodNaturalKeyManager.from_queryset(
    ReportingPeriodQuerySet, class_name="ReportingPeriodManager"
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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

    natural_key.__dict__["dependencies"] = ["strategy.strategy"]

    def open(self) -> None:
        self.is_open = True
        self.save(update_fields=["is_open"])

    def close(self, *, by: User | None = None) -> bool:
        """Close the period for reporting; features freeze its figures "as reported".

        `period_closing` is sent inside the closing transaction, so a snapshot taken by a
        receiver holds exactly the figures at the moment of closing, whatever is corrected
        later. Closing a closed period does nothing (False); re-opening and closing again takes
        a new snapshot. 1–3 s for a period at NTNU's scale, see docs/scoring.md.
        """
        with transaction.atomic():
            # The row lock makes two simultaneous closes take one snapshot between them. FOR NO KEY
            # UPDATE, not FOR UPDATE: the latter also blocks every insert of a value or report
            # into the period (their foreign key checks take KEY SHARE locks) until the close
            # and its snapshot commit.
            locked = ReportingPeriod.objects.select_for_update(no_key=True).filter(
                pk=self.pk, is_open=True
            )
            if locked.first() is None:
                self.is_open = False
                return False
            self.is_open = False
            self.save(update_fields=["is_open"])
            period_closing.send(sender=ReportingPeriod, period=self, by=by)
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

    def is_writable_by(self, user: User) -> bool:
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


def user_stamp(verbose_name: StrOrPromise) -> models.ForeignKey:
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


class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgressReportQuerySet:
        return Policy.for_user(user).filter(self, READ)

    def editable_by(self, user) -> ProgressReportQuerySet:
        return Policy.for_user(user).filter(self, EDIT)

    def approvable_by(self, user) -> ProgressReportQuerySet:
        return Policy.for_user(user).filter(self, APPROVE)

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

    def owed_by(self, policy: Policy) -> ProgressReportQuerySet:
        """What a user owes, in open periods: the returned and draft reports of the units they
        report for (`Policy.reporting_paths`), and the submitted reports waiting for their
        approval."""
        owed = Q(unit__path__in=policy.reporting_paths(), state__in=("returned", "draft"))
        approvable = policy.condition(APPROVE, path_field="unit__path")
        waiting = Q(state="submitted") if approvable is None else approvable & Q(state="submitted")
        return self.filter(owed | waiting, period__is_open=True)


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
    # A goal reported at risk or off track needs an open action: its cause, who fixes it, when.
    STATUSES_NEEDING_ACTION = (ReportStatus.AT_RISK, ReportStatus.OFF_TRACK)

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
    narrative = models.TextField(
        _("narrative"), blank=True, validators=[refuse_control_characters_multiline]
    )
    next_steps = models.TextField(
        _("next steps"), blank=True, validators=[refuse_control_characters_multiline]
    )
    risks = models.TextField(
        _("risks"), blank=True, validators=[refuse_control_characters_multiline]
    )
    state = models.CharField(
        _("workflow state"), max_length=10, choices=ReportState, default=ReportState.DRAFT
    )
    return_comment = models.TextField(_("comment on return"), blank=True)
    approval_comment = models.TextField(_("comment on approval"), blank=True)
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
        indexes = [
            # A unit's reports of a period counted by state (the stored counts the completeness
            # page reads): from the index alone, not from thousands of wide rows.
            models.Index(fields=["period", "unit", "state"], name="report_period_unit_state"),
            # The figures of a goal, pillar or area count the reported statuses of a period's
            # reports by goal: from the index alone (2,000 rows per area at national scale).
            models.Index(
                fields=["period", "goal", "state"],
                include=["unit", "status"],
                name="report_period_goal_state",
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

    def edit(self, *, by: User, based_on: int, **content: str) -> None:
        """Save the draft's content, unless someone saved it after version `based_on`.

        `based_on` is the version the user's form was built from; 0 means the report did not
        exist yet. Saving the same content twice (a double click) is not a conflict.
        """
        content = {field: content[field] for field in self.CONTENT_FIELDS}
        with transaction.atomic():
            if not self.pk:  # not saved yet; ids start at 1
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

    @classmethod
    def needs_action(cls, status: str) -> bool:
        return status in cls.STATUSES_NEEDING_ACTION

    def computed_status(self) -> str | None:
        """The goal's status for this unit and period as computed from the values (a
        ReportStatus value), answered by a feature listening to `computed_status_asked`."""
        for _receiver, answer in computed_status_asked.send(
            sender=ProgressReport,
            goal_id=self.goal_id,
            unit_id=self.unit_id,
            period_id=self.period_id,
        ):
            if answer:
                return str(answer)
        return None

    def carried_actions(self) -> ActionQuerySet:
        """Open actions raised for this unit and goal in earlier periods."""
        return Action.objects.open().filter(
            report__unit=self.unit_id,
            report__goal=self.goal_id,
            report__period__start__lt=self.period.start,
        )

    def record_actions(
        self, *, by: User, new: dict | None = None, closing: Iterable[Action] = ()
    ) -> None:
        """Raise a new action (cause, action, owner, due) and close finished ones, as part of
        saving the report. The report must be saved; only open actions of its unit and goal
        can be closed, each once (a repeated click closes nothing twice)."""
        with transaction.atomic():
            # The same action twice (a double click) is raised once.
            if new and not Action.objects.open().filter(report=self, **new).exists():
                Action.objects.create(report=self, created_by=by, **new)
            for action in closing:
                if (action.report.unit_id, action.report.goal_id) != (self.unit_id, self.goal_id):
                    raise ValueError(f"{action} is not an action of {self}")
                action.close(by=by, period=self.period)

    def submit(self, *, by: User, based_on: int | None = None) -> None:
        """Send a draft or a returned report to the approvers."""
        self._transition(
            by=by,
            based_on=based_on,
            allowed_from=self.EDITABLE_STATES,
            to=ReportState.SUBMITTED,
            stamp="submitted",
        )

    def approve(self, *, by: User, comment: str = "", based_on: int | None = None) -> None:
        """Approve a submitted report; it is read-only from then on. The approver's `comment`
        is stored with the report and e-mailed to the reporter."""
        self._transition(
            by=by,
            based_on=based_on,
            allowed_from=(ReportState.SUBMITTED,),
            to=ReportState.APPROVED,
            stamp="approved",
            extra={"approval_comment": comment},
            comment=comment,
        )

    def return_to_reporter(self, *, by: User, comment: str, based_on: int | None = None) -> None:
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
                partial(
                    report_step_taken.send,
                    sender=ProgressReport,
                    step=stamp,
                    report_id=self.pk,
                    by=by,
                    comment=comment,
                )
            )
        self.refresh_from_db()


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(closed_at=None)

    def in_subtree(self, unit: Unit) -> ActionQuerySet:
        return self.filter(report__unit__path__startswith=unit.path)

    def shown_with(self, report: ProgressReport) -> ActionQuerySet:
        """A report's actions: raised in it, carried open from earlier periods, or closed in its
        period (so the page still shows what was finished)."""
        earlier_or_same = Q(report__period__start__lte=report.period.start)
        return self.filter(
            earlier_or_same,
            Q(report__period=report.period_id) | Q(closed_at=None) | Q(closed_in=report.period_id),
            report__unit=report.unit_id,
            report__goal=report.goal_id,
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Action(models.Model):
    """The story behind a goal at risk or off track: why, what is done about it, by whom and
    by when. Raised in a unit's report; it stays open, and is carried into the unit's report
    on the goal in later periods, until the unit closes it."""

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("raised in report"),
    )
    cause = models.TextField(_("cause"))
    action = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=200)
    due = models.DateField(_("due by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = user_stamp(_("created by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = user_stamp(_("closed by"))
    closed_in = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed in period"),
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at=None, closed_in=None)
                | Q(closed_at__isnull=False, closed_in__isnull=False),
                name="action_closed_in_a_period",
                violation_error_message=_("A closed action is closed in a period."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.action[:60]}"

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due < (today or timezone.localdate())

    def close(self, *, by: User, period: ReportingPeriod) -> bool:
        """Close the action in `period`'s report; False if it was closed already."""
        now = timezone.now()
        closed = Action.objects.filter(pk=self.pk, closed_at=None).update(
            closed_at=now, closed_by=by, closed_in=period
        )
        if closed:
            self.closed_at, self.closed_by, self.closed_in = now, by, period
        return bool(closed)


class CommentQuerySet(models.QuerySet):
    def on_goal(self, goal: DevelopmentGoal) -> CommentQuerySet:
        """The comments on a goal as a whole (not on a unit's report)."""
        return self.filter(goal=goal, unit=None)

    def on_report(self, report: ProgressReport) -> CommentQuerySet:
        return self.filter(goal=report.goal_id, unit=report.unit_id, period=report.period_id)

    def for_board(self) -> CommentQuerySet:
        return self.filter(for_board=True)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Comment(models.Model):
    """The rectorate's or an approver's word on a goal, or on a unit's report for a period.

    A reply points at the first comment of its thread. Comments on a report are keyed by goal,
    unit and period rather than by the report row, so they can be written before the unit has
    started its report. Mentioned units' leaders are e-mailed (a feature listens to
    `goals.signals.comment_posted`).
    """

    goal = models.ForeignKey(
        DevelopmentGoal, on_delete=models.PROTECT, related_name="comments", verbose_name=_("goal")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("unit"),
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("period"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    body = models.TextField(_("comment"))
    for_board = models.BooleanField(_("for the board"), default=False)
    mentioned_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("mentioned units")
    )
    author = user_stamp(_("author"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit=None, period=None) | Q(unit__isnull=False, period__isnull=False),
                name="comment_on_goal_or_on_report",
                violation_error_message=_("A comment on a report names both unit and period."),
            ),
        ]

    def __str__(self) -> str:
        if self.unit is not None and self.period is not None:
            where = f"{self.unit.code} · {self.period.code}"
        else:
            where = str(_("goal"))
        return f"{self.goal.code} · {where} · #{self.pk}"

    def get_absolute_url(self) -> str:
        if self.unit is not None and self.period is not None:
            url = report_url(self.unit, self.period, self.goal)
        else:
            url = reverse("goals:goal_comments", args=[self.goal_id])
        return f"{url}#comment-{self.pk}"

    @classmethod
    def post(
        cls,
        *,
        by: User,
        goal: DevelopmentGoal,
        body: str,
        unit: Unit | None = None,
        period: ReportingPeriod | None = None,
        parent: Comment | None = None,
        for_board: bool = False,
        mention: Iterable[Unit] = (),
    ) -> Comment:
        """Post a comment (or a reply: it joins the thread of `parent`'s first comment); the
        mentioned units' leaders are told once it commits."""
        if parent is not None:
            parent = parent.parent or parent
            if (parent.goal_id, parent.unit_id, parent.period_id) != (
                goal.pk,
                getattr(unit, "pk", None),
                getattr(period, "pk", None),
            ):
                raise ValueError("A reply belongs to the same goal, unit and period.")
        with transaction.atomic():
            comment = cls.objects.create(
                goal=goal,
                unit=unit,
                period=period,
                parent=parent,
                body=body,
                for_board=for_board,
                author=by,
            )
            comment.mentioned_units.set(mention)
            transaction.on_commit(
                partial(comment_posted.send, sender=Comment, comment_id=comment.pk)
            )
        return comment


def report_url(unit: Unit, period: ReportingPeriod, goal: DevelopmentGoal) -> str:
    return reverse("goals:report", args=[unit.code, period.code, goal.pk])
