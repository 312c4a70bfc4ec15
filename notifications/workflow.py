"""E-mails for the steps of a progress report's workflow.

A submitted report goes to the approvers of its unit (an approver role on the unit or a unit
above it), never to the person who submitted it; a returned or approved report goes to the
person who submitted it, with the approver's comment. `notifications.receivers` writes them
when goals.signals.report_step_taken says a step has committed, so a step that rolls back or is
refused sends nothing. It writes one `OutboxEmail` row per recipient, then queues one Celery
task per row: a slow or failing SMTP server holds neither the request nor the other
recipients. With Redis down the rows wait, and the sweep (beat, every minute; every worker as it
starts) sends them once it is back.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from goals.models import ProgressReport
from notifications import notify
from strategy.policy import APPROVE, holders_of

SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
STEPS = (SUBMITTED, RETURNED, APPROVED)


def approvers_of(unit, *, exclude=None) -> list[int]:
    """Ids of the active users with an e-mail address and an approver role on `unit` or above."""
    users = (
        holders_of(APPROVE, unit)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sorted(set(users) - {getattr(exclude, "pk", exclude)})


def recipients_of(step: str, report, *, by) -> list[int]:
    """Ids of the people to tell that `by` took `step` on `report`."""
    if step == SUBMITTED:
        return approvers_of(report.unit, exclude=by)
    reporter = (
        get_user_model().objects.filter(pk=report.submitted_by_id, is_active=True).exclude(email="")
    )
    return list(reporter.values_list("pk", flat=True))


def report_step_send(
    *, step: str, report_id: int, user_id: int, by_id: int | None, comment: str
) -> bool:
    """Send one workflow e-mail; False if the report or the recipient has gone meanwhile."""
    report = (
        ProgressReport.objects.select_related("goal", "unit", "period").filter(pk=report_id).first()
    )
    users = get_user_model().objects.select_related("profile").in_bulk([user_id, by_id])
    if report is None or user_id not in users:
        return False
    send = getattr(notify, f"notify_report_{step}")
    extra = {} if step == SUBMITTED else {"comment": comment}
    send(user=users[user_id], report=report, by=users.get(by_id), **extra)
    return True
