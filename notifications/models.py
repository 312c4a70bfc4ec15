"""A record of the reminders sent, so that none is ever sent twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import ReportingPeriod


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
