"""What notifications does when the domain announces something (receivers of domain signals).

Connected in NotificationsConfig.ready(). The domain sends its signals without knowing who
listens (see STYLE.md, Layers).
"""

from __future__ import annotations

import logging

from goals.models import ProgressReport
from notifications.tasks import send_report_step_email
from notifications.workflow import recipients_of

logger = logging.getLogger(__name__)


def report_step_announce(*, step: str, report_id: int, by, comment: str = "") -> None:
    """Queue the e-mails for a workflow step that has just committed.

    Never raises: the step has happened whatever becomes of its e-mails, so a broker that cannot
    be reached is logged rather than turned into an error page.
    """
    try:
        report = ProgressReport.objects.select_related("unit").get(pk=report_id)
        recipients = recipients_of(step, report, by=by)
    except Exception:
        logger.exception("Could not find who to tell that report %s was %s", report_id, step)
        return
    for user_id in recipients:
        try:
            send_report_step_email.delay(
                step=step, report_id=report_id, user_id=user_id, by_id=by.pk, comment=comment
            )
        except Exception:
            logger.exception("Could not send the e-mail that report %s was %s", report_id, step)


def on_report_step_taken(sender, *, step: str, report_id: int, by, comment: str, **kwargs) -> None:
    """Receiver of goals.signals.report_step_taken (sent after the step commits)."""
    report_step_announce(step=step, report_id=report_id, by=by, comment=comment)
