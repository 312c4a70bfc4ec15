"""What notifications does when the domain announces something (receivers of domain signals).

Connected in NotificationsConfig.ready(). The domain sends its signals without knowing who
listens (see STYLE.md, Layers).
"""

from __future__ import annotations

import logging

from goals.models import ProgressReport
from notifications.models import OutboxEmail
from notifications.tasks import send_outbox_email
from notifications.workflow import recipients_of

logger = logging.getLogger(__name__)


def report_step_announce(*, step: str, report_id: int, by, comment: str = "") -> None:
    """Put the e-mails for a workflow step that has just committed in the outbox, and queue them.

    Never raises: the step has happened whatever becomes of its e-mails, so a broker that cannot
    be reached leaves them in the outbox for the sweep rather than turning into an error page.
    """
    try:
        report = ProgressReport.objects.select_related("unit").get(pk=report_id)
        emails = OutboxEmail.objects.bulk_create(
            OutboxEmail(
                step=step, report=report, recipient_id=user_id, by=by, comment=comment or ""
            )
            for user_id in recipients_of(step, report, by=by)
        )
    except Exception:
        logger.exception("Could not write the e-mails that report %s was %s", report_id, step)
        return
    for email in emails:
        try:
            send_outbox_email.delay(email_id=email.pk)
        except Exception:
            logger.warning(
                "Could not queue outbox e-mail %s (report %s was %s); the sweep will send it",
                email.pk,
                report_id,
                step,
                exc_info=True,
            )


def on_report_step_taken(sender, *, step: str, report_id: int, by, comment: str, **kwargs) -> None:
    """Receiver of goals.signals.report_step_taken (sent after the step commits)."""
    report_step_announce(step=step, report_id=report_id, by=by, comment=comment)
