"""The audit trail has no holes (issue 10, item 9): changes to goals, indicators, targets, units,
memberships, periods and goal-pillar links are recorded with who and when, shown in the admin's
History page and, for a goal's indicators and targets, on the report page."""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from goals.models import DevelopmentGoal, GoalPillar, ReportingPeriod
from indicators.models import Indicator, Target
from strategy.models import Membership, Unit
from tests.factories import IndicatorFactory, ProgressReportFactory, TargetFactory, goal, period

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="history is recorded by PostgreSQL triggers"
)


def change_one(model):
    """Change one field of one row of `model` and return the row."""
    obj = model.objects.order_by("pk").first()
    if model is Unit:
        model.objects.filter(pk=obj.pk).update(note="Renamed in 2026")
    elif model is Membership:
        model.objects.filter(pk=obj.pk).update(role="approver")
    elif model is DevelopmentGoal:
        model.objects.filter(pk=obj.pk).update(order=obj.order + 10)
    elif model is ReportingPeriod:
        model.objects.filter(pk=obj.pk).update(is_open=not obj.is_open)
    elif model is GoalPillar:
        model.objects.filter(pk=obj.pk).update(is_editorial_default=not obj.is_editorial_default)
    elif model is Indicator:
        model.objects.filter(pk=obj.pk).update(target_value=Decimal(999))
    elif model is Target:
        model.objects.filter(pk=obj.pk).update(value=Decimal(777))
    return obj


@pytest.mark.parametrize(
    "model", [Unit, Membership, DevelopmentGoal, ReportingPeriod, GoalPillar, Indicator, Target]
)
def test_a_change_to_each_kind_of_record_is_recorded_with_who_made_it(personas, model):
    TargetFactory()
    with pghistory.context(user=personas.administrator.pk):
        obj = change_one(model)
    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    event = events.objects.filter(pgh_obj_id=obj.pk, pgh_label="update").latest("pgh_id")
    assert event.pgh_context.metadata["user"] == personas.administrator.pk


def test_the_admin_history_page_shows_who_changed_a_target_value_and_from_what(client, personas):
    target = TargetFactory(value=Decimal(130))
    with pghistory.context(user=personas.ie_leader.pk):
        Target.objects.filter(pk=target.pk).update(value=Decimal(150))
    client.force_login(personas.administrator)
    url = reverse("admin:indicators_indicator_history", args=[target.indicator_id])
    page = client.get(url).content.decode()
    history = page[page.index('id="change-history"') :]
    assert "ie-leader" in history
    assert "130" in history and "150" in history


def test_an_admin_edit_of_a_period_shows_in_its_history(client, personas):
    period_2025 = period("2025")
    client.force_login(personas.administrator)
    with pghistory.context(user=personas.administrator.pk):
        ReportingPeriod.objects.filter(pk=period_2025.pk).update(is_open=False)
    page = client.get(reverse("admin:goals_reportingperiod_history", args=[period_2025.pk]))
    assert "admin" in page.content.decode()
    assert "is_open" in page.content.decode()


def test_a_unit_history_page_lists_a_membership_change_on_the_membership(client, personas):
    membership = Membership.objects.get(user=personas.idi_reporter)
    with pghistory.context(user=personas.administrator.pk):
        Membership.objects.filter(pk=membership.pk).update(role="approver")
    client.force_login(personas.administrator)
    page = client.get(reverse("admin:strategy_membership_history", args=[membership.pk]))
    assert "reporter → approver" in page.content.decode()


def test_the_report_page_shows_who_changed_a_target_of_the_goal(client, personas):
    indicator = IndicatorFactory(goal=goal("RES-3"), code="IDI-PUB")
    target = TargetFactory(indicator=indicator, value=Decimal(130))
    ProgressReportFactory()
    with pghistory.context(user=personas.ie_leader.pk):
        Target.objects.filter(pk=target.pk).update(value=Decimal(150))
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk]))
    history = page.content.decode()[page.content.decode().index('id="history-title"') :]
    assert "IDI-PUB (2022)" in history
    assert "Target milestone" in history
    leader = personas.ie_leader
    assert (leader.get_full_name() or leader.get_username()) in history
