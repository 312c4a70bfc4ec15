"""The dialogue: comments and replies by the rectorate and approvers on goals and reports."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from goals.models import MAX_TEXT_LENGTH, Comment
from tests.factories import ProgressReportFactory, goal, period, unit

HTMX = {"HTTP_HX_REQUEST": "true"}


def report_url(unit_code: str = "IDI") -> str:
    return reverse("goals:report", args=[unit_code, "2025", goal("RES-3").pk])


def comment_url(unit_code: str = "IDI") -> str:
    return reverse("goals:report_comment", args=[unit_code, "2025", goal("RES-3").pk])


def goal_url() -> str:
    return reverse("goals:goal_comments", args=[goal("RES-3").pk])


@pytest.fixture
def rector(client, personas):
    client.force_login(personas.rector)
    return client


def a_comment(by, body="Why is this at risk?", **extra) -> Comment:
    where = {"unit": unit("IDI"), "period": period("2025")}
    return Comment.post(by=by, goal=goal("RES-3"), body=body, **(where | extra))


def test_the_rector_comments_on_a_report_without_javascript(rector, personas):
    ProgressReportFactory(status="at_risk")
    response = rector.post(comment_url(), {"body": "What does the **faculty** plan?"})
    comment = Comment.objects.get()
    assert response.url == f"{report_url()}#comment-{comment.pk}"
    page = rector.get(report_url()).content.decode()
    section = page[page.index('id="comments"') :]
    assert "<strong>faculty</strong>" in section
    assert "Comment posted." in page


def test_a_report_not_yet_started_can_be_commented_on(rector):
    rector.post(comment_url(), {"body": "Nothing written yet?"})
    assert Comment.objects.get().unit.code == "IDI"


def test_posting_with_htmx_answers_with_the_comments_partial(rector):
    response = rector.post(comment_url(), {"body": "Partial, please."}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="comments"')
    assert "Comment posted." in page
    assert "Partial, please." in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a comment."),
        ("   \r\n  ", "Write a comment."),
        ("a\x00b", "Null characters are not allowed."),
        ("x" * (MAX_TEXT_LENGTH + 1), f"at most {MAX_TEXT_LENGTH} characters"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_bad_comment_is_refused_with_a_message(rector, body, message, headers):
    response = rector.post(comment_url(), {"body": body}, **headers)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not posted: please correct the fields marked below." in page
    assert message in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"parent": "abc"},
        {"parent": "0"},
        {"parent": "99999999999"},
        {"mention": "not-a-unit"},
        {"mention": "-1"},
    ],
)
def test_damaged_hidden_fields_are_refused(rector, data):
    page = rector.post(comment_url(), {"body": "Hi", **data}, **HTMX).content.decode()
    assert "This form is out of date or damaged" in page
    assert not Comment.objects.exists()


def test_a_reply_joins_the_thread_of_the_first_comment(rector, personas):
    first = a_comment(personas.ie_leader)
    reply = a_comment(personas.ie_leader, body="A reply", parent=first)
    rector.post(comment_url(), {"body": "Reply to the reply", "parent": reply.pk})
    assert Comment.objects.get(body="Reply to the reply").parent == first
    page = rector.get(report_url()).content.decode()
    thread = page[page.index(f'id="comment-{first.pk}"') :]
    replies = thread[thread.index('class="replies"') :]
    assert replies.index("A reply") < replies.index("Reply to the reply")


def test_a_reply_to_a_comment_on_another_report_is_refused(rector, personas):
    elsewhere = a_comment(personas.ie_leader, unit=unit("IEL"))
    page = rector.post(comment_url(), {"body": "Hi", "parent": elsewhere.pk}, **HTMX)
    assert "This form is out of date or damaged" in page.content.decode()
    assert Comment.objects.count() == 1


def test_only_the_units_own_line_of_leaders_can_be_mentioned(rector, units):
    page = rector.get(report_url()).content.decode()
    form = page[page.index("E-mail the leaders of") :]
    assert f'value="{units["IDI"].pk}"' in form
    assert f'value="{units["IE"].pk}"' in form
    assert f'value="{units["NV"].pk}"' not in form
    refused = rector.post(comment_url(), {"body": "Hi", "mention": units["NV"].pk}, **HTMX)
    assert "This form is out of date or damaged" in refused.content.decode()


def test_a_comment_marked_for_the_board_says_so(rector, units):
    rector.post(
        comment_url(), {"body": "Take this up.", "for_board": "on", "mention": units["IE"].pk}
    )
    comment = Comment.objects.get()
    assert comment.for_board
    assert list(Comment.objects.for_board()) == [comment]
    section = rector.get(report_url()).content.decode()
    section = section[section.index(f'id="comment-{comment.pk}"') :]
    assert '<span class="mark">For the board</span>' in section
    assert "E-mailed to the leaders of: Department of Computer Science" not in section
    assert f"E-mailed to the leaders of: {units['IE'].name}" in section


def test_a_reporter_reads_the_comments_but_cannot_post(client, personas):
    a_comment(personas.rector, body="Rector asks")
    client.force_login(personas.idi_reporter)
    page = client.get(report_url()).content.decode()
    assert "Rector asks" in page
    assert "Post comment" not in page
    assert "Reply</summary>" not in page


def test_another_faculty_cannot_read_the_comments_of_a_report(client, personas):
    a_comment(personas.rector)
    client.force_login(personas.nv_reporter)
    assert client.get(report_url()).status_code == 404


def test_the_dialogue_on_a_goal_is_read_by_everyone_with_a_role(client, personas):
    Comment.post(by=personas.rector, goal=goal("RES-3"), body="On the goal as a whole")
    a_comment(personas.rector, body="On IDI's report")
    client.force_login(personas.nv_reporter)
    page = client.get(goal_url()).content.decode()
    assert "On the goal as a whole" in page
    assert "On IDI&#x27;s report" not in page
    assert "Post comment" not in page


def test_the_rector_comments_on_a_goal_and_can_mention_a_faculty(rector, units):
    page = rector.get(goal_url()).content.decode()
    assert f'value="{units["NV"].pk}"' in page
    assert f'value="{units["IDI"].pk}"' not in page  # faculties only
    rector.post(goal_url(), {"body": "All faculties: plans?", "mention": [units["NV"].pk]})
    comment = Comment.objects.get()
    assert (comment.unit, comment.period) == (None, None)
    assert list(comment.mentioned_units.values_list("code", flat=True)) == ["NV"]


def test_a_bad_comment_on_a_goal_is_refused_on_its_page(rector):
    response = rector.post(goal_url(), {"body": ""})
    assert response.status_code == 200
    assert "Write a comment." in response.content.decode()
    assert not Comment.objects.exists()


def test_an_unknown_goal_is_not_found(rector):
    assert rector.get(reverse("goals:goal_comments", args=[999999])).status_code == 404


def test_a_comment_without_a_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.rector)
    assert client.post(comment_url(), {"body": "No token"}, **HTMX).status_code == 403
    assert not Comment.objects.exists()


def test_the_comments_page_speaks_norwegian(rector):
    rector.cookies["django_language"] = "nb"
    page = rector.get(goal_url()).content.decode()
    assert "Publiser kommentar" in page
    assert "Ingen kommentarer ennå." in page


@pytest.mark.parametrize("threads", [1, 6])
def test_the_report_page_with_comments_uses_a_fixed_number_of_queries(
    rector, personas, django_assert_max_num_queries, threads, units
):
    ProgressReportFactory()
    for number in range(threads):
        first = a_comment(personas.ie_leader, body=f"Thread {number}")
        first.mentioned_units.set([units["IDI"]])
        a_comment(personas.rector, body=f"Reply {number}", parent=first)
    with django_assert_max_num_queries(
        23
    ):  # the same for one thread or six; +2 for indicator and target history
        page = rector.get(report_url()).content.decode()
    assert page.count('class="thread"') == threads


@pytest.mark.skipif(connection.vendor != "postgresql", reason="history needs triggers")
def test_a_comment_is_kept_in_the_reports_history(rector):
    ProgressReportFactory()
    rector.post(comment_url(), {"body": "Kept for the record"})
    assert apps.get_model("goals", "CommentEvent").objects.filter(body="Kept for the record")
    page = rector.get(report_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Kept for the record" in history
    assert "rector" in history


@pytest.mark.parametrize("threads", [1, 6])
def test_the_goal_dialogue_page_uses_a_fixed_number_of_queries(
    rector, personas, django_assert_max_num_queries, threads, units
):
    for number in range(threads):
        first = Comment.post(by=personas.ie_leader, goal=goal("RES-3"), body=f"Thread {number}")
        first.mentioned_units.set([units["IE"]])
        Comment.post(by=personas.rector, goal=goal("RES-3"), body=f"Re {number}", parent=first)
    with django_assert_max_num_queries(12):  # the same for one thread or six
        page = rector.get(goal_url()).content.decode()
    assert page.count('class="thread"') == threads
