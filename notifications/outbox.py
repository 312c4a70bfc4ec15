"""Sending an outbox e-mail: the one sender for each kind (notifications.models.OutboxEmail)."""

from __future__ import annotations

from collections.abc import Callable

from notifications.comments import comment_email_send
from notifications.digest import digest_email_send
from notifications.models import COMMENT, DIGEST, WORKFLOW_STEPS, OutboxEmail
from notifications.workflow import report_step_send

SENDERS: dict[str, Callable[[OutboxEmail], bool]] = {
    **dict.fromkeys(WORKFLOW_STEPS, report_step_send),
    COMMENT: comment_email_send,
    DIGEST: digest_email_send,
}


def outbox_email_send(email: OutboxEmail) -> bool:
    """Render and send one outbox e-mail in its recipient's language; False if what it is about
    (or its recipient) has gone meanwhile."""
    return SENDERS[email.step](email)
