"""The story behind the curve and the dialogue in a real browser, checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from goals.models import Action, Comment
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import ProgressReportFactory, goal


def report_path(live_server) -> str:
    return f"{live_server.url}/units/IDI/reports/2025/{goal('RES-3').pk}/"


def test_a_reporter_says_why_a_goal_is_at_risk_and_what_is_done(page, live_server, personas):
    log_in(page, live_server, "idi-reporter")
    page.goto(report_path(live_server))
    page.get_by_label("Status").select_option("at_risk")
    page.get_by_label("Narrative").fill("Behind on publications.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Not saved: please correct the fields marked below.").wait_for()
    assert page.get_by_text("Required when the goal is at risk or off track.").count() == 4
    assert_accessible(page)

    page.get_by_label("Cause").fill("Two lecturers left.")
    page.get_by_label(re.compile(r"^Action:?$")).fill("Recruit two lecturers.")
    page.get_by_label("Owner").fill("Head of department")
    page.get_by_label("Due by").fill("2025-06-30")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    actions = page.locator("table.actions-table")
    assert "Recruit two lecturers." in actions.inner_text()
    assert "Head of department" in actions.inner_text()
    assert_accessible(page)
    screenshot(page, "dialogue-1-action")
    assert Action.objects.get().owner == "Head of department"


def test_the_rector_comments_and_the_faculty_leader_replies(page, live_server, personas):
    ProgressReportFactory(status="at_risk", state="submitted")
    log_in(page, live_server, "rector")
    page.goto(report_path(live_server))
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Comment:?$")).fill("What does the **faculty** plan?")
    page.get_by_label("Faculty of Information Technology and Electrical Engineering (IE)").check()
    page.get_by_label("For the board").check()
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("Comment posted.").wait_for()  # swapped in by htmx, no reload
    thread = page.locator("li.thread").first
    assert "What does the faculty plan?" in thread.inner_text()
    assert thread.locator(".mark").inner_text().strip().lower() == "for the board"
    assert_accessible(page)
    screenshot(page, "dialogue-2-comment")
    assert [message.to for message in mail.outbox] == [["ie-leader@example.org"]]

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
    log_in(page, live_server, "ie-leader")
    page.goto(report_path(live_server))
    page.locator("li.thread summary").first.click()
    page.get_by_label("Your reply").fill("We recruit two lecturers this spring.")
    page.get_by_role("button", name="Post reply").click()
    page.get_by_text("Reply posted.").wait_for()
    replies = page.locator("ol.replies")
    assert "We recruit two lecturers this spring." in replies.inner_text()
    assert_accessible(page)
    assert Comment.objects.get(parent__isnull=False).parent.author == personas.rector
    assert mail.outbox[-1].to == ["rector@example.org"]


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_commenting_on_a_goal_works_without_javascript(
    page_without_javascript, live_server, personas
):
    page = page_without_javascript
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/goals/{goal('RES-3').pk}/comments/")
    page.get_by_label(re.compile(r"^Comment:?$")).fill("All faculties: what is the plan?")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    assert "#comment-" in page.url
    assert page.get_by_text("Comment posted.").is_visible()
    assert page.get_by_text("All faculties: what is the plan?").is_visible()
