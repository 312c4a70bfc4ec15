"""A record of the reminders sent, so that none is ever sent twice; the outbox of e-mails
(workflow steps, comments, weekly digests), so that none is lost while Redis or the mail server
is away, and none is sent twice."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Comment, ProgressReport, ReportingPeriod

logger = logging.getLogger(__name__)


class SentReminder(models.Model):
    """One deadline reminder e-mailed to one person for one period.

    The row is committed before the e-mail leaves, and the unique constraint makes a second
    run (a retry, a restarted beat, two workers at once) skip the person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    kind = models.CharField(_("reminder"), max_length=20)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    units = models.CharField(_("units"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "kind"],
                name="reminder_once_per_user_period_kind",
                violation_error_message=_("This reminder was already sent to this person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.period.code} → {self.user}"


class SentDigest(models.Model):
    """One weekly digest e-mailed to one person; the constraint makes it once a week."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    week = models.DateField(_("week starting"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("sent digest")
        verbose_name_plural = _("sent digests")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week"],
                name="digest_once_per_user_week",
                violation_error_message=_("This week's digest was already sent to this person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week} → {self.user}"


# What an outbox e-mail is about (OutboxEmail.step): a workflow step on a report, a comment, or a
# reader's weekly digest.
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
WORKFLOW_STEPS = (SUBMITTED, RETURNED, APPROVED)
COMMENT = "comment"
DIGEST = "digest"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")


class OutboxEmailQuerySet(models.QuerySet):
    def waiting(self) -> OutboxEmailQuerySet:
        return self.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING])

    def due(self, *, now: datetime.datetime | None = None) -> OutboxEmailQuerySet:
        """E-mails to send now: waiting past their next attempt by `OUTBOX_SEND_GRACE_SECONDS`
        (their own task had its chance), or claimed by a sender that vanished."""
        now = now or timezone.now()
        grace = datetime.timedelta(seconds=settings.OUTBOX_SEND_GRACE_SECONDS)
        abandoned = datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
        return self.filter(
            Q(state=OutboxState.PENDING, available_at__lte=now - grace)
            | Q(state=OutboxState.SENDING, claimed_at__lt=now - abandoned)
        )

    def send_due(
        self, *, send: Callable[[OutboxEmail], bool], now: datetime.datetime | None = None
    ) -> int:
        """Send every due e-mail with `send` (see OutboxEmail.deliver); the number sent."""
        now = now or timezone.now()
        emails = self.due(now=now).order_by("pk")
        return sum(email.deliver(send, now=now) for email in emails.iterator())


class OutboxEmail(models.Model):
    """One e-mail to one person, written before anything is queued: a workflow step on a
    `report` (with the approver's `comment`), a `posted_comment`, or the weekly digest of
    `digest_since` up to `digest_until`. The text is rendered when it is sent, in the
    recipient's language of that moment.

    Its task sends it at once when the broker is up; otherwise (or if the mail server failed)
    the sweep that beat runs every minute, and every worker as it starts, sends it later. A
    conditional UPDATE `pending → sending` lets exactly one sender have it; `sent` is written
    after the mail server accepted it. Only a sender killed between those two steps leaves an
    e-mail that is sent again, after `OUTBOX_SENDING_TIMEOUT_SECONDS`: a duplicate rather than
    a loss.
    """

    step = models.CharField(_("step"), max_length=10)
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report"),
    )
    posted_comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comment posted"),
    )
    digest_since = models.DateTimeField(_("digest from"), null=True, blank=True)
    digest_until = models.DateTimeField(_("digest until"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    available_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "available_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=WORKFLOW_STEPS, report__isnull=False)
                | Q(step=COMMENT, posted_comment__isnull=False)
                | Q(step=DIGEST, digest_since__isnull=False, digest_until__isnull=False),
                name="outbox_email_names_what_it_is_about",
                violation_error_message=_(
                    "A workflow e-mail needs its report, a comment e-mail its comment and a "
                    "digest its week."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.step == COMMENT:
            about = f"comment {self.posted_comment_id}"
        elif self.step == DIGEST:
            about = f"digest until {self.digest_until}"
        else:
            about = f"report {self.report_id}"
        return f"{self.step} · {about} → {self.recipient_id} ({self.state})"

    def claim(self, *, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        abandoned = now - datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
        claimable = Q(state=OutboxState.PENDING) | Q(
            state=OutboxState.SENDING, claimed_at__lt=abandoned
        )
        claimed = OutboxEmail.objects.filter(claimable, pk=self.pk).update(
            state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if claimed:
            self.refresh_from_db(fields=["state", "claimed_at", "attempts"])
        return bool(claimed)

    def deliver(
        self, send: Callable[[OutboxEmail], bool], *, now: datetime.datetime | None = None
    ) -> bool:
        """Claim, send with `send(self)` (notifications.outbox.outbox_email_send), mark sent.
        True if this call sent it. A failure puts it back with a growing delay, and gives up
        after `OUTBOX_MAX_ATTEMPTS`."""
        if not self.claim(now=now):
            return False
        try:
            send(self)
        except Exception as error:
            logger.warning("Could not send outbox e-mail %s; will retry", self.pk, exc_info=True)
            self._failed(error)
            return False
        OutboxEmail.objects.filter(pk=self.pk, claimed_at=self.claimed_at).update(
            state=OutboxState.SENT, sent_at=timezone.now(), last_error=""
        )
        return True

    def _failed(self, error: Exception) -> None:
        delay = min(30 * 2 ** (self.attempts - 1), 3600)
        given_up = self.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=self.pk, claimed_at=self.claimed_at).update(
            state=OutboxState.FAILED if given_up else OutboxState.PENDING,
            available_at=timezone.now() + datetime.timedelta(seconds=delay),
            last_error=type(error).__name__[:200],
        )
