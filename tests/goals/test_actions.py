"""The story behind the curve: cause, action, owner and due date on a goal at risk or off
track, carried into later periods until the unit closes it."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from goals.models import Action, ProgressReport
from tests.factories import AN_ACTION, ProgressReportFactory, goal, period, unit

HTMX = {"HTTP_HX_REQUEST": "true"}


def report_url(period_code: str = "2025", unit_code: str = "IDI") -> str:
    return reverse("goals:report", args=[unit_code, period_code, goal("RES-3").pk])


def at_risk(**extra) -> dict:
    return {"status": "at_risk", "narrative": "Behind plan.", "version": 0, **extra}


@pytest.fixture
def reporter(client, personas):
    client.force_login(personas.idi_reporter)
    return client


def earlier_action(**extra) -> Action:
    """An action raised in IDI's 2024 report on RES-3 and still open."""
    report = ProgressReport.objects.filter(period__code="2024").first() or ProgressReportFactory(
        period=period("2024"), status="off_track", state="approved"
    )
    fields = {
        "cause": "Funding cut",
        "action": "Apply to the research council",
        "owner": "Research leader",
        "due": datetime.date(2025, 3, 1),
        **extra,
    }
    return Action.objects.create(report=report, **fields)


def test_a_goal_at_risk_without_an_action_is_not_saved(reporter):
    response = reporter.post(report_url(), at_risk(), **HTMX)
    page = response.content.decode()
    assert "Not saved: please correct the fields marked below." in page
    assert page.count("Required when the goal is at risk or off track.") == 4
    assert not ProgressReport.objects.exists()


def test_off_track_needs_an_action_too_but_on_track_does_not(reporter):
    reporter.post(report_url(), at_risk(status="off_track"), **HTMX)
    assert not ProgressReport.objects.exists()
    reporter.post(report_url(), at_risk(status="on_track"), **HTMX)
    assert ProgressReport.objects.get().status == "on_track"


def test_the_action_is_saved_with_the_report_and_shown_on_its_page(reporter):
    response = reporter.post(report_url(), at_risk(**AN_ACTION))
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.action, action.owner, action.due) == (
        "Recruit two lecturers.",
        "Head of department",
        datetime.date(2025, 6, 30),
    )
    page = reporter.get(report_url()).content.decode()
    table = page[page.index('id="actions-title"') :]
    assert "Two lecturers left." in table
    assert "30 Jun 2025" in table


@pytest.mark.parametrize(
    ("given", "missing"),
    [({"cause": "Only a cause"}, 3), ({"remedy": "Do it", "owner": "Me"}, 2)],
)
def test_an_action_half_filled_in_asks_for_the_rest(reporter, given, missing):
    page = reporter.post(report_url(), at_risk(status="on_track", **given), **HTMX).content
    assert page.decode().count("Give the cause, the action, its owner and a due date.") == missing
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("2025-13-40", "Enter a date such as 2025-06-30."),
        ("next week", "Enter a date such as 2025-06-30."),
        ("2024-12-31", "The due date cannot be before the period starts."),
        ("2036-01-01", "The due date must be within 10 years of the period&#x27;s end."),
    ],
)
def test_bad_due_dates_are_refused_with_a_message(reporter, due, message):
    page = reporter.post(report_url(), at_risk(**(AN_ACTION | {"due": due})), **HTMX).content
    assert message in page.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cause", "x" * 2001, "at most 2000 characters"),
        ("remedy", "a\x00b", "Null characters are not allowed."),
        ("owner", "x" * 201, "at most 200 characters"),
        ("owner", "   ", "Give the cause, the action, its owner and a due date."),
    ],
)
def test_bad_action_text_is_refused_with_a_message(reporter, field, value, message):
    page = reporter.post(report_url(), at_risk(**(AN_ACTION | {field: value})), **HTMX).content
    assert message in page.decode()
    assert not Action.objects.exists()


def test_a_double_click_raises_the_action_once(reporter):
    reporter.post(report_url(), at_risk(**AN_ACTION))
    reporter.post(report_url(), at_risk(**AN_ACTION, version=1))
    assert Action.objects.count() == 1


def test_an_open_action_is_carried_into_the_next_periods_report_form(reporter):
    action = earlier_action()
    page = reporter.get(report_url()).content.decode()
    form = page[page.index("Close finished actions") :]
    assert f'value="{action.pk}"' in form
    assert "Apply to the research council (Research leader, due 2025-03-01)" in form
    table = page[page.index('id="actions-title"') :]
    assert "raised in 2024" in table


def test_a_carried_open_action_is_enough_for_a_goal_still_at_risk(reporter):
    earlier_action()
    response = reporter.post(report_url(), at_risk())
    assert response.status_code == 302
    assert ProgressReport.objects.get(period__code="2025").status == "at_risk"


def test_closing_the_last_open_action_of_a_goal_at_risk_needs_a_new_one(reporter):
    action = earlier_action()
    page = reporter.post(report_url(), at_risk(close=[action.pk]), **HTMX).content.decode()
    assert "Required when the goal is at risk or off track." in page
    action.refresh_from_db()
    assert action.is_open


def test_a_finished_action_is_closed_in_the_period_and_shown_as_such(reporter, personas):
    action = earlier_action()
    reporter.post(report_url(), at_risk(status="on_track", close=[action.pk]))
    action.refresh_from_db()
    assert (action.closed_in.code, action.closed_by) == ("2025", personas.idi_reporter)
    earlier = reporter.get(report_url("2024")).content.decode()
    assert "Closed in 2025 by idi-reporter" in earlier
    assert "Close finished actions" not in reporter.get(report_url()).content.decode()


def test_another_units_action_cannot_be_closed_from_this_report(reporter):
    foreign = earlier_action()
    ProgressReport.objects.filter(pk=foreign.report_id).update(unit=unit("IEL"))
    page = reporter.post(report_url(), at_risk(**AN_ACTION, close=[foreign.pk]), **HTMX)
    assert "This form is out of date or damaged" in page.content.decode()
    foreign.refresh_from_db()
    assert foreign.is_open


def test_closing_twice_closes_once(strategy):
    action = earlier_action()
    assert action.close(by=None, period=period("2025")) is True
    assert action.close(by=None, period=period("2025")) is False


def test_my_unit_lists_the_open_actions_soonest_due_first(client, personas):
    earlier_action(action="Later one", due=datetime.date(2030, 1, 1))
    earlier_action(action="Overdue one", due=datetime.date(2020, 1, 1))
    earlier_action(action="Finished one").close(by=None, period=period("2025"))
    client.force_login(personas.ie_leader)
    page = client.get(reverse("goals:unit", args=["IE"])).content.decode()
    section = page[page.index('id="actions-due-title"') : page.index('id="goals-title"')]
    assert section.index("Overdue one") < section.index("Later one")
    assert section.count("Overdue</span>") == 1
    assert "Finished one" not in section


def test_my_unit_of_another_faculty_does_not_list_the_action(client, personas):
    earlier_action()
    client.force_login(personas.nv_reporter)
    page = client.get(reverse("goals:unit", args=["NV"])).content.decode()
    assert "Apply to the research council" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="history needs triggers")
def test_raising_and_closing_an_action_is_in_the_reports_history(reporter):
    reporter.post(report_url(), at_risk(**AN_ACTION))
    events = apps.get_model("goals", "ActionEvent").objects.all()
    assert [e.pgh_label for e in events] == ["insert"]
    page = reporter.get(report_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Recruit two lecturers." in history


def test_my_unit_lists_at_most_fifty_open_actions_and_says_so(client, personas):
    report = earlier_action().report
    fields = {"cause": "c", "owner": "o", "due": datetime.date(2026, 1, 1)}
    Action.objects.bulk_create(
        [Action(report=report, action=f"Step {n}", **fields) for n in range(60)]
    )
    client.force_login(personas.ie_leader)
    page = client.get(reverse("goals:unit", args=["IE"])).content.decode()
    section = page[page.index('id="actions-due-title"') : page.index('id="goals-title"')]
    assert section.count("<tr>") == 1 + 50
    assert "Only the 50 soonest due are listed" in section
