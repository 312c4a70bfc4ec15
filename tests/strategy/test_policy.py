"""The one permission policy: "may this user" and "which rows" give the same answer."""

from __future__ import annotations

import pytest

from goals.models import ProgressReport
from indicators.models import Indicator, Measurement
from strategy.models import Membership, Role, Unit
from strategy.policy import APPROVE, EDIT, READ, Action, Policy
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    UserFactory,
)


def test_a_role_on_a_faculty_covers_its_departments(personas, units):
    assert Policy.for_user(personas.ie_leader).units(READ).filter(code="IDI").exists()
    assert not Policy.for_user(personas.ie_leader).units(READ).filter(code="NV").exists()
    assert Policy.for_user(personas.rector).units(READ).count() == Unit.objects.count()
    assert not Policy.for_user(personas.outsider).units(READ).exists()


@pytest.mark.parametrize("action", list(Action))
def test_may_and_which_rows_agree_for_every_persona_unit_and_action(personas, units, action):
    for name, user in personas.all().items():
        policy = Policy.for_user(user)
        allowed = set(policy.units(action).values_list("code", flat=True))
        for unit in units.values():
            assert policy.can(action, unit) == (unit.code in allowed), (name, unit.code)


def test_a_viewer_reads_but_neither_edits_nor_approves(personas, units):
    policy = Policy.for_user(personas.rector)
    assert policy.can(READ, units["IDI"])
    assert not policy.can(EDIT, units["IDI"])
    assert not policy.can(APPROVE, units["IDI"])


def test_a_reporter_edits_but_does_not_approve_their_subtree(personas, units):
    policy = Policy.for_user(personas.idi_reporter)
    assert policy.can(EDIT, units["IDI"])
    assert not policy.can(APPROVE, units["IDI"])
    assert not policy.can(READ, units["IE"])


def test_an_inactive_user_may_do_nothing_even_with_a_role(personas, units):
    user = UserFactory(username="gone", is_active=False)
    Membership.objects.create(user=user, unit=units["NTNU"], role=Role.APPROVER)
    assert not Policy.for_user(user).can(READ, units["NTNU"])
    assert not Policy.for_user(user).units(READ).exists()


def test_the_querysets_of_reports_indicators_and_measurements_follow_the_policy(personas, units):
    own = MeasurementFactory(unit=units["IDI"])
    other = MeasurementFactory(unit=units["NV"])
    report = ProgressReportFactory(unit=units["NV"])
    IndicatorFactory(owner_unit=units["NV"])
    reporter = personas.idi_reporter
    assert set(Measurement.objects.visible_to(reporter)) == {own}
    assert set(Measurement.objects.editable_by(reporter)) == {own}
    assert other in Measurement.objects.visible_to(personas.rector)
    assert not Measurement.objects.editable_by(personas.rector).exists()
    assert report not in ProgressReport.objects.visible_to(reporter)
    assert not Indicator.objects.visible_to(reporter).filter(owner_unit=units["NV"]).exists()


def test_nested_memberships_give_one_subtree_in_the_cache_key(personas, units):
    Membership.objects.create(user=personas.ie_leader, unit=units["IDI"], role=Role.VIEWER)
    assert Policy.for_user(personas.ie_leader).cache_key == units["IE"].path
    assert Policy.for_user(personas.administrator).cache_key == "*"


def test_staff_see_and_change_only_their_units_rows_in_the_admin(client, personas, units):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    own = MeasurementFactory(unit=units["IDI"])
    other = MeasurementFactory(unit=units["NV"])
    staff = personas.idi_reporter
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_measurement", "change_measurement"])
    )
    client.force_login(staff)
    listing = client.get(reverse("admin:indicators_measurement_changelist"))
    assert list(listing.context["cl"].queryset) == [own]
    assert (
        client.get(reverse("admin:indicators_measurement_change", args=[own.pk])).status_code == 200
    )
    response = client.get(reverse("admin:indicators_measurement_change", args=[other.pk]))
    assert response.status_code == 302  # the admin's "doesn't exist" redirect


def test_the_board_report_is_for_the_rectorate_everywhere_and_leaders_in_their_subtree(
    personas, units
):
    rector, leader = Policy.for_user(personas.rector), Policy.for_user(personas.ie_leader)
    assert rector.can_report_to_board(units["NV"]) and leader.can_report_to_board(units["IDI"])
    assert not leader.can_report_to_board(units["NV"])
    assert not Policy.for_user(personas.idi_reporter).can_report_to_board()
    for policy in (rector, leader, Policy.for_user(personas.outsider)):
        allowed = set(policy.board_report_units().values_list("code", flat=True))
        assert all(policy.can_report_to_board(u) == (c in allowed) for c, u in units.items())
