"""Every e-mail Veikart sends, one `notify_*` function each.

Each renders `templates/notifications/email/<name>_subject.txt` and `_body.txt` in the
recipient's language (accounts.Profile) and sends one message per recipient. Call them after the
transaction that caused them has committed (`transaction.on_commit`), or from a task: the
workflow e-mails are queued by `notifications.receivers` and sent by `notifications.tasks`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import language_of


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def my_unit_url() -> str:
    return absolute_url(reverse("goals:my_unit"))


def _send(user, template: str, context: dict[str, Any]) -> None:
    language = language_of(user)
    with translation.override(language):
        context = {**context, "user": user, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    message = EmailMessage(subject, body, to=[user.email], headers={"Content-Language": language})
    message.send()


def notify_deadline_reminder(
    *,
    user,
    period,
    kind: str,
    today: datetime.date,
    units: list[dict[str, Any]],
) -> None:
    """Remind a reporter that units they report for have missing or unsubmitted reports.

    `units`: dicts with `unit`, `missing` and `unsubmitted` (numbers of goals).
    """
    _send(
        user,
        "notifications/email/deadline_reminder",
        {
            "period": period,
            "overdue": kind == "overdue",
            "days": period.days_to_deadline(today),
            "units": units,
            "my_unit_url": my_unit_url(),
        },
    )


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _report_context(report, **extra: Any) -> dict[str, Any]:
    return {
        "report": report,
        "report_url": absolute_url(report.get_absolute_url()),
        **extra,
    }


def notify_report_submitted(*, user, report, by) -> None:
    """Tell an approver of the report's unit that `by` submitted it for approval."""
    _send(
        user,
        "notifications/email/report_submitted",
        _report_context(report, by=_name(by)),
    )


def notify_report_returned(*, user, report, by, comment: str) -> None:
    """Tell the reporter that `by` returned their report, with the approver's comment."""
    _send(
        user,
        "notifications/email/report_returned",
        _report_context(report, by=_name(by), comment=comment),
    )


def notify_report_approved(*, user, report, by, comment: str = "") -> None:
    """Tell the reporter that `by` approved their report, with the approver's comment if any."""
    _send(
        user,
        "notifications/email/report_approved",
        _report_context(report, by=_name(by), comment=comment),
    )


def notify_comment(*, user, comment) -> None:
    """Tell a unit's leader (or a thread's author) about a comment on a goal or a report."""
    _send(
        user,
        "notifications/email/comment",
        {
            "comment": comment,
            "author": _name(comment.author),
            # A thread's author hears of a reply; a leader of a mentioned unit, of a mention.
            "is_reply": comment.parent_id is not None and comment.parent.author_id == user.pk,
            "comment_url": absolute_url(comment.get_absolute_url()),
        },
    )


def notify_weekly_digest(*, user, digest) -> None:
    """A reader's weekly digest (notifications.digest.Digest)."""
    _send(
        user,
        "notifications/email/weekly_digest",
        {
            "digest": digest,
            "week": digest.until.isocalendar().week,
            "settings_url": absolute_url(reverse("accounts:settings")),
        },
    )
