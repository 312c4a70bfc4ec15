"""E-mails about comments: to the leaders of mentioned units and to a thread's author."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Profile
from goals.models import Comment
from notifications.comments import comment_email_send
from notifications.models import OutboxEmail
from strategy.models import Role
from tests.conftest import member
from tests.factories import goal, period, unit


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def post(by, *, mention=(), parent=None, body="What is the plan?", on_goal=False) -> Comment:
    where = {} if on_goal else {"unit": unit("IDI"), "period": period("2025")}
    return Comment.post(
        by=by, goal=goal("RES-3"), body=body, mention=mention, parent=parent, **where
    )


def test_mentioning_a_unit_emails_its_leaders_only(
    personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    member("idi-head", units["IDI"], Role.APPROVER)
    member("idi-viewer", units["IDI"], Role.VIEWER)
    member("ntnu-approver", units["NTNU"], Role.APPROVER)
    with django_capture_on_commit_callbacks(execute=True):
        post(personas.rector, mention=[units["IDI"]])
    assert recipients(mailoutbox) == ["idi-head@example.org"]


def test_the_email_names_the_report_quotes_the_comment_and_links_to_it(
    personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(personas.rector, mention=[units["IE"]], body="Costs & risks?")
    message = mailoutbox[0]
    assert message.to == ["ie-leader@example.org"]
    assert message.subject == "Veikart: rector commented on the report on RES-3 for IDI, 2025"
    assert "Costs & risks?" in message.body
    assert f"{settings.SITE_URL}{comment.get_absolute_url()}" in message.body
    assert "mentions a unit you lead" in message.body


def test_the_email_is_written_in_the_recipients_language(
    personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=personas.ie_leader, language="nb")
    with django_capture_on_commit_callbacks(execute=True):
        post(personas.rector, mention=[units["IE"]], on_goal=True)
    message = mailoutbox[0]
    assert message.subject == "Veikart: rector kommenterte RES-3"
    assert "kommenterte utviklingsmålet" in message.body
    assert message.extra_headers["Content-Language"] == "nb"


def test_a_reply_goes_to_the_threads_author(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    first = post(personas.rector)
    with django_capture_on_commit_callbacks(execute=True):
        post(personas.ie_leader, parent=first, body="We hire two lecturers.")
    assert recipients(mailoutbox) == ["rector@example.org"]
    assert "replied in a conversation you started" in mailoutbox[0].body


def test_nobody_is_emailed_about_their_own_comment(
    personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    first = post(personas.ie_leader)
    with django_capture_on_commit_callbacks(execute=True):
        post(personas.ie_leader, mention=[units["IE"]], parent=first)
    assert mailoutbox == []


def test_nothing_is_sent_before_the_comment_commits(personas, units, mailoutbox):
    post(personas.rector, mention=[units["IE"]])
    assert mailoutbox == []


def test_a_broker_that_cannot_be_reached_does_not_undo_the_comment(
    personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "notifications.tasks.send_outbox_email.delay", side_effect=ConnectionError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post(personas.rector, mention=[units["IE"]])
    assert Comment.objects.count() == 1
    assert mailoutbox == []


def test_commenting_in_the_browser_emails_the_mentioned_leader(
    client, personas, units, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    url = reverse("goals:report_comment", args=["IDI", "2025", goal("RES-3").pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"body": "Please explain.", "mention": [units["IE"].pk]})
    assert recipients(mailoutbox) == ["ie-leader@example.org"]


@pytest.mark.parametrize("gone", ["comment", "user"])
def test_a_comment_or_recipient_gone_before_sending_sends_nothing(personas, mailoutbox, gone):
    comment = post(personas.rector)
    ids = {"posted_comment_id": comment.pk, "recipient_id": personas.ie_leader.pk}
    ids["posted_comment_id" if gone == "comment" else "recipient_id"] = 999999
    assert comment_email_send(OutboxEmail(step="comment", **ids)) is False
    assert mailoutbox == []
