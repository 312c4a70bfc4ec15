"""E-mails about the dialogue: a comment that mentions a unit goes to the unit's leaders.

The leaders of a unit are the active people with an e-mail address and an approver role on
that unit itself. A reply also goes to the author of the thread's first comment. Nobody is
e-mailed about their own comment. As for the workflow e-mails, `comment_announce` runs once the
comment has committed and queues one Celery task per recipient; `comment_email_send` sends one.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model

from goals.models import Comment
from strategy.models import Membership, Role

logger = logging.getLogger(__name__)


def recipients_of(comment: Comment) -> list[int]:
    """Ids of the people to e-mail about `comment`."""
    leaders = set(
        Membership.objects.filter(
            role=Role.APPROVER,
            unit__in=comment.mentioned_units.all(),
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )
    if comment.parent_id and comment.parent.author_id:
        author = (
            get_user_model()
            .objects.filter(pk=comment.parent.author_id, is_active=True)
            .exclude(email="")
        )
        leaders |= set(author.values_list("pk", flat=True))
    return sorted(leaders - {comment.author_id})


def comment_announce(*, comment_id: int) -> None:
    """Queue the e-mails about a comment that has just committed; never raises (the comment is
    posted whatever becomes of its e-mails)."""
    from notifications.tasks import send_comment_email

    try:
        comment = Comment.objects.select_related("parent").get(pk=comment_id)
        recipients = recipients_of(comment)
    except Exception:
        logger.exception("Could not find who to tell about comment %s", comment_id)
        return
    for user_id in recipients:
        try:
            send_comment_email.delay(comment_id=comment_id, user_id=user_id)
        except Exception:
            logger.exception("Could not queue the e-mail about comment %s", comment_id)


def on_comment_posted(sender, *, comment_id: int, **kwargs) -> None:
    """Receiver of goals.signals.comment_posted (sent after the comment commits)."""
    comment_announce(comment_id=comment_id)


def comment_email_send(*, comment_id: int, user_id: int) -> bool:
    """Send one e-mail about a comment; False if it or the recipient has gone meanwhile."""
    from notifications.notify import notify_comment

    comment = (
        Comment.objects.select_related("goal", "unit", "period", "author", "parent")
        .filter(pk=comment_id)
        .first()
    )
    user = get_user_model().objects.select_related("profile").filter(pk=user_id).first()
    if comment is None or user is None:
        return False
    notify_comment(user=user, comment=comment)
    return True
