"""The weekly digest: what changed in the units a reader follows, for those who opt in.

Built from the rows themselves (reports, actions, comments), never from dashboard figures: a
report submitted or approved in the window, a reported status that differs from the unit's
report on the goal in the previous period, actions raised and comments posted. A reader's units
are those they may read (`strategy.policy`); goal-wide comments go to every reader. A
quiet week sends nothing. One digest per person and week: SentDigest and the outbox e-mail are
written in one transaction, and the outbox sends it once (rebuilt from the same window when it
is sent, so a worker or mail server that is away delays it rather than losing it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from goals.models import Action, Comment, ProgressReport
from notifications.models import DIGEST, OutboxEmail, SentDigest
from notifications.notify import notify_weekly_digest
from strategy.policy import Policy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WEEK = datetime.timedelta(days=7)
# After missed weeks (beat down, a person back from leave) a digest reaches back this far at most.
LONGEST_WINDOW = datetime.timedelta(days=14)


@dataclass
class StatusChange:
    report: ProgressReport
    before: StrOrPromise  # the status reported in the previous period, translated when shown


@dataclass
class Digest:
    since: datetime.datetime
    until: datetime.datetime
    submitted: list[ProgressReport] = field(default_factory=list)
    approved: list[ProgressReport] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.submitted or self.approved or self.status_changes or self.actions or self.comments
        )


def digest_of(user, *, since: datetime.datetime, until: datetime.datetime) -> Digest:
    """What changed in `user`'s units from `since` up to (not including) `until`."""
    units = Policy.for_user(user).units()
    digest = Digest(since=since, until=until)
    window = {"gte": since, "lt": until}
    reports = list(
        ProgressReport.objects.filter(unit__in=units)
        .filter(
            Q(submitted_at__gte=since, submitted_at__lt=until)
            | Q(approved_at__gte=since, approved_at__lt=until)
        )
        .select_related("goal", "unit", "period")
        .order_by("unit__path", "goal__code", "period__start")
    )
    digest.submitted = [r for r in reports if r.submitted_at and _within(r.submitted_at, window)]
    digest.approved = [r for r in reports if r.approved_at and _within(r.approved_at, window)]
    digest.status_changes = _status_changes(reports)
    digest.actions = list(
        Action.objects.filter(report__unit__in=units, created_at__gte=since, created_at__lt=until)
        .select_related("report__goal", "report__unit", "report__period")
        .order_by("due", "pk")
    )
    # Goal-wide comments are read by everyone with a role (goals.views.get_goal_for_reader).
    reads_goals = Policy.for_user(user).has_any_role
    where = Q(unit__in=units) | Q(unit=None) if reads_goals else Q(unit__in=units)
    digest.comments = list(
        Comment.objects.filter(created_at__gte=since, created_at__lt=until)
        .filter(where)
        .exclude(author=user)
        .select_related("goal", "unit", "period", "author")
        .order_by("created_at", "pk")
    )
    return digest


def _within(moment: datetime.datetime, window: dict) -> bool:
    return window["gte"] <= moment < window["lt"]


def _status_changes(reports: list[ProgressReport]) -> list[StatusChange]:
    """Reports whose status differs from the unit's report on the goal in the period before."""
    previous = {}
    for period in {report.period for report in reports}:
        before = period.previous()
        if before is not None:
            previous[period.pk] = before.pk
    if not previous:
        return []
    earlier = {
        (row["unit_id"], row["goal_id"], row["period_id"]): row["status"]
        for row in ProgressReport.objects.filter(
            period__in=set(previous.values()),
            unit__in={report.unit_id for report in reports},
            goal__in={report.goal_id for report in reports},
        ).values("unit_id", "goal_id", "period_id", "status")
    }
    changes = []
    for report in reports:
        before = earlier.get((report.unit_id, report.goal_id, previous.get(report.period_id)))
        if before is not None and before != report.status:
            # The lazy label: the e-mail renders it in its reader's language.
            shown = dict(ProgressReport._meta.get_field("status").choices)[before]
            changes.append(StatusChange(report, shown))
    return changes


def week_of(moment: datetime.datetime) -> datetime.date:
    """The Monday of the week `moment` falls in: a digest's key."""
    day = moment.date()
    return day - datetime.timedelta(days=day.weekday())


def weekly_digests_write(*, now: datetime.datetime) -> list[OutboxEmail]:
    """Put this week's digests in the outbox for those who opted in and had something happen in
    their units; returns the e-mails written (none for a person who has this week's already)."""
    week = week_of(now)
    readers = (
        get_user_model()
        .objects.filter(is_active=True, profile__weekly_digest=True)
        .exclude(email="")
        .select_related("profile")
    )
    last_sent: dict[int, datetime.datetime] = {}
    for user_id, sent_at in SentDigest.objects.filter(user__in=readers).values_list(
        "user_id", "sent_at"
    ):
        last_sent[user_id] = max(sent_at, last_sent.get(user_id, sent_at))
    emails = []
    for user in readers:
        since = max(last_sent.get(user.pk, now - WEEK), now - LONGEST_WINDOW)
        if digest_of(user, since=since, until=now).is_empty:
            continue
        try:
            with transaction.atomic():
                SentDigest.objects.create(user=user, week=week, sent_at=now)
                emails.append(
                    OutboxEmail.objects.create(
                        step=DIGEST, recipient=user, digest_since=since, digest_until=now
                    )
                )
        except IntegrityError:
            continue  # another run got there first
    return emails


def digest_email_send(email: OutboxEmail) -> bool:
    """Send one weekly digest; False if the reader has gone or nothing is left to tell."""
    user = get_user_model().objects.select_related("profile").filter(pk=email.recipient_id).first()
    if user is None or email.digest_since is None or email.digest_until is None:
        return False
    digest = digest_of(user, since=email.digest_since, until=email.digest_until)
    if digest.is_empty:
        return False
    notify_weekly_digest(user=user, digest=digest)
    return True
