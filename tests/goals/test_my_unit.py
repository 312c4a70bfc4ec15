"""My unit: the landing page of reporters and approvers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy.models import Membership, Role
from tests.factories import (
    PASSWORD,
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    goal,
    period,
)


def test_reporter_lands_on_their_unit_after_logging_in(client, personas):
    response = client.post(
        reverse("login"), {"username": "idi-reporter", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("goals:unit", args=["IDI"])


def test_rector_lands_on_the_overview_dashboard_after_logging_in(client, personas, strategy):
    response = client.post(
        reverse("login"), {"username": "rector", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboards:overview")


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("idi-reporter", "/units/IDI/"),
        ("ie-leader", "/units/IE/"),
        ("rector", "/dashboard/"),
        ("outsider", "/strategy/"),
    ],
)
def test_opening_the_site_lands_each_role_where_their_work_is(
    client, personas, strategy, username, lands_on
):
    client.force_login(getattr(personas, username.replace("-", "_")))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(lands_on)


def test_next_still_wins_over_the_landing_page(client, personas, strategy):
    response = client.post(
        reverse("login") + "?next=/strategy/",
        {"username": "idi-reporter", "password": PASSWORD},
    )
    assert response.url == "/strategy/"


def test_my_unit_lists_what_is_owed_in_every_open_period_returned_first(client, personas):
    IndicatorFactory(goal=goal("RES-3"))
    IndicatorFactory(goal=goal("EDU-1"))
    ProgressReportFactory(goal=goal("RES-3"), period=period("2025-T3"), state="draft")
    ProgressReportFactory(goal=goal("EDU-1"), state="returned", return_comment="Name the journals")
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"]) + "?period=2025").content.decode()
    owed = page[page.index("What you owe") : page.index("Progress reports for")]
    assert owed.index("EDU-1") < owed.index("RES-3")
    assert "Name the journals" in owed
    assert "2025-T3" in owed
    assert "days left" in owed or "overdue" in owed


def test_the_navigation_counts_what_is_owed(client, personas, strategy):
    IndicatorFactory(goal=goal("EDU-1"))
    ProgressReportFactory(goal=goal("EDU-1"), state="returned", return_comment="More")
    client.force_login(personas.idi_reporter)
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert '<span class="badge">1<span class="visually-hidden"> report owed</span>' in page
    client.force_login(personas.ie_leader)
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert '<span class="badge">' not in page  # a returned report is the reporter's to answer


def test_the_nav_shows_my_unit_only_to_users_with_a_role(client, personas, strategy):
    client.force_login(personas.rector)
    assert "My unit" in client.get(strategy.get_absolute_url()).content.decode()
    client.force_login(personas.outsider)
    assert "My unit" not in client.get(strategy.get_absolute_url()).content.decode()


def test_my_unit_tells_a_user_without_a_role_there_is_nothing_to_report(client, personas):
    client.force_login(personas.outsider)
    page = client.get(reverse("goals:my_unit")).content.decode()
    assert "You have no role on any unit yet" in page


def test_my_unit_shows_the_open_period_and_its_deadline(client, personas):
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    assert "2025" in page
    assert "1 Feb 2026" in page
    assert "2025-T3" in page


def test_my_unit_lists_goals_with_the_state_of_their_report(client, personas):
    IndicatorFactory(goal=goal("RES-3"))
    IndicatorFactory(goal=goal("EDU-1"))
    ProgressReportFactory(goal=goal("EDU-1"), state="returned", return_comment="More detail")
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    assert "RES-3" in page
    assert "Missing" in page
    assert "Returned" in page
    assert "More detail" in page


def test_my_unit_lists_indicators_still_lacking_a_value(client, personas):
    done = IndicatorFactory(name_en="Has a value")
    IndicatorFactory(name_en="Needs a value")
    MeasurementFactory(indicator=done, period=period("2025"), value=Decimal(1))
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    lacking = page[page.index("still lacking a value") :]
    assert "Needs a value" in lacking
    assert "Has a value" not in lacking


def test_a_user_with_roles_on_several_units_switches_between_them(client, personas, units):
    Membership.objects.create(user=personas.idi_reporter, unit=units["NV"], role=Role.VIEWER)
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    assert '<option value="NV"' in page
    response = client.get(reverse("goals:my_unit"), {"unit": "NV", "period": "2025"})
    assert response.url == reverse("goals:unit", args=["NV"]) + "?period=2025"


def test_switching_to_a_foreign_unit_is_404(client, personas):
    client.force_login(personas.idi_reporter)
    assert client.get(reverse("goals:my_unit"), {"unit": "NV"}).status_code == 404


def test_a_department_also_reports_its_facultys_indicators(client, personas, units):
    IndicatorFactory(name_en="Faculty-wide indicator", owner_unit=units["IE"], goal=goal("EDU-2"))
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    lacking = page[page.index("still lacking a value") :]
    assert "Faculty-wide indicator" in lacking
    assert "EDU-2" in page[: page.index("still lacking a value")]  # a goal it reports on


@pytest.mark.parametrize("count", [2, 10])
@pytest.mark.parametrize(("persona", "unit"), [("idi_reporter", "IDI"), ("ie_leader", "IE")])
def test_my_unit_uses_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries, count, persona, unit
):
    codes = [
        "EDU-1",
        "EDU-2",
        "EDU-3",
        "EDU-4",
        "RES-1",
        "RES-2",
        "RES-3",
        "RES-4",
        "ART-1",
        "ART-2",
    ]
    for code in codes[:count]:
        IndicatorFactory(goal=goal(code))
        ProgressReportFactory(goal=goal(code), state="submitted")
    client.force_login(getattr(personas, persona))
    # The same at both sizes (with the open actions and the count in the navigation).
    with django_assert_max_num_queries(16):
        client.get(reverse("goals:unit", args=[unit]))


def test_my_unit_speaks_norwegian(client, personas):
    client.force_login(personas.idi_reporter)
    client.cookies["django_language"] = "nb"
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    assert "Min enhet" in page
    assert "Åpen for rapportering" in page
    assert "Legg inn verdier" in page


def test_an_approver_sees_submitted_reports_of_the_subtree_waiting_for_approval(client, personas):
    ProgressReportFactory(state="submitted")
    ProgressReportFactory(goal=goal("EDU-1"), state="draft")
    client.force_login(personas.ie_leader)
    page = client.get(reverse("goals:unit", args=["IE"])).content.decode()
    waiting = page[page.index("Waiting for your approval") : page.index('id="goals-title"')]
    assert "RES-3" in waiting
    assert "EDU-1" not in waiting


def test_a_reporter_sees_no_approval_list(client, personas):
    ProgressReportFactory(state="submitted")
    client.force_login(personas.idi_reporter)
    assert (
        "Waiting for your approval"
        not in client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    )


def test_a_long_approval_list_shows_those_waiting_longest_and_says_how_many_in_all(
    client, personas, monkeypatch
):
    monkeypatch.setattr("goals.views.AWAITING_SHOWN", 2)
    now = timezone.now()
    for days, code in [(1, "EDU-1"), (3, "RES-3"), (2, "EDU-2")]:
        ProgressReportFactory(
            goal=goal(code), state="submitted", submitted_at=now - timedelta(days=days)
        )
    client.force_login(personas.ie_leader)
    page = client.get(reverse("goals:unit", args=["IE"])).content.decode()
    waiting = page[page.index("Waiting for your approval") : page.index('id="goals-title"')]
    assert "RES-3" in waiting and "EDU-2" in waiting
    assert "EDU-1" not in waiting
    assert "The 2 waiting longest of 3 are listed" in waiting


def test_a_long_list_of_lacking_values_is_cut_and_points_to_the_values_page(
    client, personas, monkeypatch
):
    monkeypatch.setattr("goals.views.LACKING_SHOWN", 2)
    for name in ["Lacking A", "Lacking B", "Lacking C"]:
        IndicatorFactory(name_en=name, code=f"LACK-{name[-1]}")
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:unit", args=["IDI"])).content.decode()
    lacking = page[page.index("still lacking a value") :]
    assert lacking.count("<li>") == 2
    assert "The first 2 of 3 are listed: the values page has them all." in lacking
