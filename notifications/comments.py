"""E-mails about the dialogue: a comment that mentions a unit goes to the unit's leaders.

The leaders of a unit are the active people with an e-mail address and an approver role on
that unit itself. A reply also goes to the author of the thread's first comment. Nobody is
e-mailed about their own comment. As for the workflow e-mails, once the comment has committed
`notifications.receivers` writes one outbox e-mail per recipient (`comment_emails_write`) and
queues it; `comment_email_send` sends one.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from goals.models import Comment
from notifications.models import COMMENT, OutboxEmail
from notifications.notify import notify_comment
from strategy.models import Membership, Role


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


def comment_emails_write(*, comment_id: int) -> list[OutboxEmail]:
    """Put the e-mails about a comment that has just committed in the outbox."""
    comment = Comment.objects.select_related("parent").get(pk=comment_id)
    return OutboxEmail.objects.bulk_create(
        OutboxEmail(step=COMMENT, posted_comment=comment, recipient_id=user_id)
        for user_id in recipients_of(comment)
    )


def comment_email_send(email: OutboxEmail) -> bool:
    """Send one e-mail about a comment; False if it or the recipient has gone meanwhile."""
    comment = (
        Comment.objects.select_related("goal", "unit", "period", "author", "parent")
        .filter(pk=email.posted_comment_id)
        .first()
    )
    user = get_user_model().objects.select_related("profile").filter(pk=email.recipient_id).first()
    if comment is None or user is None:
        return False
    notify_comment(user=user, comment=comment)
    return True
