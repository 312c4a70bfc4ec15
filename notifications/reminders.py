"""Deadline reminders for progress reports.

For each open period, reminders fall due `REMINDER_DAYS_BEFORE` days before the deadline and on
the day after it. A reminder goes to every reporter of a unit (a reporter role on the unit or
above it) that has a report missing or not yet submitted (draft or returned). One e-mail per
person per reminder, whatever the number of units; recorded in SentReminder so that it is never
sent twice. A reminder missed because beat or the workers were down is still sent up to
`REMINDER_CATCH_UP_DAYS` days late, unless a later reminder has fallen due since.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from goals.models import ProgressReport, ReportingPeriod, ReportState
from indicators.models import Indicator
from notifications.models import SentReminder
from notifications.notify import notify_deadline_reminder
from strategy.models import Membership, Role, Unit

logger = logging.getLogger(__name__)

OVERDUE = "overdue"
UNSUBMITTED = [ReportState.DRAFT, ReportState.RETURNED]


@dataclass(frozen=True)
class Reminder:
    kind: str
    due: datetime.date


def period_reminders(period: ReportingPeriod) -> list[Reminder]:
    reminders = [
        Reminder(f"before-{days}", period.deadline - datetime.timedelta(days=days))
        for days in settings.REMINDER_DAYS_BEFORE
    ]
    return [*reminders, Reminder(OVERDUE, period.deadline + datetime.timedelta(days=1))]


def due_reminder(period: ReportingPeriod, *, today: datetime.date) -> Reminder | None:
    """The latest reminder that fell due today or within the catch-up window, if any."""
    earliest = today - datetime.timedelta(days=settings.REMINDER_CATCH_UP_DAYS)
    due = [r for r in period_reminders(period) if earliest <= r.due <= today]
    return max(due, key=lambda r: r.due) if due else None


def expected_reports(period: ReportingPeriod) -> set[tuple[int, int]]:
    """(unit id, goal id) of the reports due in a period.

    An indicator is measured throughout its owner's subtree, and progress is reported by the
    units at the bottom of it (the active units without active units below them). So a unit
    owes a report on a goal when one of the goal's active indicators of the period's frequency
    is owned by the unit or a unit above it. The same rule as `seed_demo`'s data; replace it
    here if reporting duties become explicit.
    """
    owners = set(
        Indicator.objects.active()
        .filter(frequency=period.kind, goal__area__strategy=period.strategy)
        .values_list("owner_unit__path", "goal_id")
        .distinct()
    )
    units = list(Unit.objects.active().values_list("pk", "path", "parent_id"))
    parents = {parent_id for _pk, _path, parent_id in units if parent_id}
    leaves = [(pk, path) for pk, path, _parent in units if pk not in parents]
    return {
        (pk, goal_id)
        for owner_path, goal_id in owners
        for pk, path in leaves
        if path.startswith(owner_path)
    }


def outstanding_reports(period: ReportingPeriod) -> dict[int, dict[str, int]]:
    """Per unit id: how many reports are missing and how many are unsubmitted (draft or
    returned); a unit that started a report it does not owe is reminded of it too."""
    expected = expected_reports(period)
    states = {
        (unit_id, goal_id): state
        for unit_id, goal_id, state in ProgressReport.objects.for_period(period)
        .filter(unit__active=True)
        .values_list("unit_id", "goal_id", "state")
    }
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"missing": 0, "unsubmitted": 0})
    for key in expected | set(states):
        state = states.get(key)
        if state is None:
            counts[key[0]]["missing"] += 1
        elif state in UNSUBMITTED:
            counts[key[0]]["unsubmitted"] += 1
    return dict(counts)


def reporters_of(unit_ids) -> dict[int, list[Unit]]:
    """user id → the outstanding units they report for (their role covers the unit's subtree)."""
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("path"))
    memberships = (
        Membership.objects.filter(role=Role.REPORTER, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "unit__path")
    )
    by_user: dict[int, list[Unit]] = defaultdict(list)
    for user_id, path in memberships:
        for unit in units:
            if unit.path.startswith(path) and unit not in by_user[user_id]:
                by_user[user_id].append(unit)
    return by_user


def deadline_reminders_send(*, today: datetime.date) -> int:
    """Send the reminders due today; returns the number of e-mails sent."""
    from django.contrib.auth import get_user_model

    sent = 0
    for period in ReportingPeriod.objects.open().select_related("strategy"):
        reminder = due_reminder(period, today=today)
        if reminder is None:
            continue
        outstanding = outstanding_reports(period)
        if not outstanding:
            continue
        already = set(
            SentReminder.objects.filter(period=period, kind=reminder.kind).values_list(
                "user_id", flat=True
            )
        )
        recipients = reporters_of(outstanding)
        users = get_user_model().objects.select_related("profile").in_bulk(recipients)
        for user_id, units in recipients.items():
            if user_id in already:
                continue
            lines = [{"unit": unit, **outstanding[unit.pk]} for unit in units]
            if _send_once(users[user_id], period, reminder, lines, today=today):
                sent += 1
    return sent


def _send_once(user, period, reminder: Reminder, lines, *, today) -> bool:
    """Record, then send. A crash between the two loses one e-mail rather than sending two."""
    try:
        with transaction.atomic():
            record = SentReminder.objects.create(
                user=user,
                period=period,
                kind=reminder.kind,
                units=", ".join(line["unit"].code for line in lines)[:500],
            )
    except IntegrityError:
        return False  # another run got there first
    try:
        notify_deadline_reminder(
            user=user, period=period, kind=reminder.kind, today=today, units=lines
        )
    except Exception:
        logger.exception("Could not send reminder %s to %s; will try again", reminder, user)
        record.delete()
        return False
    return True
