"""What notifications does when the domain announces something (receivers of domain signals).

Connected in NotificationsConfig.ready(). The domain sends its signals without knowing who
listens (see STYLE.md, Layers). Each receiver writes the e-mails to the outbox and queues them;
none raises: the step or the comment has happened whatever becomes of its e-mails, so a broker
that cannot be reached leaves them in the outbox for the sweep rather than turning into an
error page.
"""

from __future__ import annotations

import logging

from notifications.comments import comment_emails_write
from notifications.tasks import queue_emails
from notifications.workflow import report_step_emails_write

logger = logging.getLogger(__name__)


def report_step_announce(*, step: str, report_id: int, by, comment: str = "") -> None:
    """Put the e-mails for a workflow step that has just committed in the outbox, and queue them."""
    try:
        emails = report_step_emails_write(step=step, report_id=report_id, by=by, comment=comment)
    except Exception:
        logger.exception("Could not write the e-mails that report %s was %s", report_id, step)
        return
    queue_emails(emails)


def comment_announce(*, comment_id: int) -> None:
    """Put the e-mails about a comment that has just committed in the outbox, and queue them."""
    try:
        emails = comment_emails_write(comment_id=comment_id)
    except Exception:
        logger.exception("Could not write the e-mails about comment %s", comment_id)
        return
    queue_emails(emails)


def on_report_step_taken(sender, *, step: str, report_id: int, by, comment: str, **kwargs) -> None:
    """Receiver of goals.signals.report_step_taken (sent after the step commits)."""
    report_step_announce(step=step, report_id=report_id, by=by, comment=comment)


def on_comment_posted(sender, *, comment_id: int, **kwargs) -> None:
    """Receiver of goals.signals.comment_posted (sent after the comment commits)."""
    comment_announce(comment_id=comment_id)
