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
from notifications.models import SUBMITTED, OutboxEmail
from strategy.policy import APPROVE, holders_of


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


def report_step_emails_write(
    *, step: str, report_id: int, by, comment: str = ""
) -> list[OutboxEmail]:
    """Put the e-mails about a step just taken on a report in the outbox, one per recipient."""
    report = ProgressReport.objects.select_related("unit").get(pk=report_id)
    return OutboxEmail.objects.bulk_create(
        OutboxEmail(step=step, report=report, recipient_id=user_id, by=by, comment=comment or "")
        for user_id in recipients_of(step, report, by=by)
    )


def report_step_send(email: OutboxEmail) -> bool:
    """Send one workflow e-mail; False if the report or the recipient has gone meanwhile."""
    report = (
        ProgressReport.objects.select_related("goal", "unit", "period")
        .filter(pk=email.report_id)
        .first()
    )
    users = (
        get_user_model()
        .objects.select_related("profile")
        .in_bulk([email.recipient_id, email.by_id])
    )
    if report is None or email.recipient_id not in users:
        return False
    send = getattr(notify, f"notify_report_{email.step}")
    extra = {} if email.step == SUBMITTED else {"comment": email.comment}
    send(user=users[email.recipient_id], report=report, by=users.get(email.by_id), **extra)
    return True
