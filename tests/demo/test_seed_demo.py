"""seed_demo: reproducible, realistic demo data that replaces itself and nothing else."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from demo.generator import SeedResult, ensure_strategy_loaded, seed_demo
from demo.scales import DEMO_PASSWORD
from goals.models import ProgressReport, ReportState
from indicators.models import Accumulation, Indicator, Measurement
from strategy.models import Membership, Role, Strategy, Unit
from tests.factories import MeasurementFactory, ProgressReportFactory, UserFactory

pytestmark = pytest.mark.django_db

FAST_PASSWORDS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
)


def snapshot() -> tuple[list[tuple], list[tuple]]:
    """What a user would see of the generated data, free of database ids."""
    measurements = Measurement.objects.filter(indicator__is_generated=True).values_list(
        "indicator__code", "unit__code", "period__code", "value", "entered_at"
    )
    reports = ProgressReport.objects.values_list(
        "goal__code", "unit__code", "period__code", "state", "status", "narrative", "updated_at"
    )
    return sorted(measurements), sorted(reports)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[tuple[SeedResult, tuple]]:
    """Small-scale demo data seeded once for this module, rolled back at its end.

    Each test runs in a savepoint inside this transaction, so seeding a few thousand rows
    once serves every read-only test.
    """
    with django_db_blocker.unblock(), FAST_PASSWORDS:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            result = seed_demo(scale="small", seed=1)
            yield result, snapshot()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_same_seed_gives_identical_data_and_another_seed_differs(seeded):
    _, first = seeded

    seed_demo(scale="small", seed=1)
    again = snapshot()
    seed_demo(scale="small", seed=2)
    other = snapshot()

    assert again == first
    assert other[0] != first[0]
    assert other[1] != first[1]


def test_small_scale_produces_the_counts_it_promises(seeded):
    result, _ = seeded

    assert result.generated_units == 0
    assert result.units == Unit.objects.count()
    assert 60 <= Indicator.objects.filter(is_generated=True).count() == result.indicators <= 120
    assert 2_000 <= Measurement.objects.count() == result.measurements <= 8_000
    assert 2_000 <= ProgressReport.objects.count() == result.report_total


def test_every_workflow_state_is_present_and_some_reports_are_missing(seeded):
    result, _ = seeded

    states = set(ProgressReport.objects.values_list("state", flat=True))

    assert states == set(ReportState.values)
    assert result.missing_reports > 0


def test_open_periods_are_still_being_reported_while_closed_ones_are_approved(seeded):
    closed = ProgressReport.objects.filter(period__is_open=False)
    open_ = ProgressReport.objects.filter(period__is_open=True)

    assert set(closed.values_list("state", flat=True)) == {ReportState.APPROVED}
    assert open_.exclude(state=ReportState.APPROVED).exists()


def test_report_timestamps_and_people_follow_the_workflow(seeded):
    reports = list(ProgressReport.objects.all())

    returned = [r for r in reports if r.state == ReportState.RETURNED]
    approved = [r for r in reports if r.state == ReportState.APPROVED]
    drafts = [r for r in reports if r.state == ReportState.DRAFT]

    assert all(r.return_comment and r.returned_by_id and r.returned_at for r in returned)
    assert all(r.created_at < r.submitted_at < r.approved_at == r.updated_at for r in approved)
    assert all(r.submitted_at is None and r.updated_at == r.created_at for r in drafts)


def test_values_respect_the_measure_bounds_and_the_indicator_decimals(seeded):
    problems = []
    for measurement in Measurement.objects.select_related("indicator"):
        try:
            measurement.indicator.check_value(measurement.value)
        except ValidationError as error:
            problems.append((measurement.indicator.code, measurement.value, error.messages))
    for indicator in Indicator.objects.filter(is_generated=True):
        for value in (indicator.baseline_value, indicator.target_value):
            try:
                indicator.check_value(value)
            except ValidationError as error:
                problems.append((indicator.code, value, error.messages))

    assert problems == []


def test_cumulative_series_never_fall(seeded):
    series = defaultdict(list)
    cumulative = Measurement.objects.filter(
        indicator__is_generated=True, indicator__accumulation=Accumulation.CUMULATIVE
    ).order_by("period__start")
    for indicator_id, unit_id, value in cumulative.values_list("indicator", "unit", "value"):
        series[indicator_id, unit_id].append(value)

    assert series
    assert all(values == sorted(values) for values in series.values())


def test_values_are_entered_only_where_units_report_not_at_combined_levels(seeded):
    units_with_children = set(
        Unit.objects.filter(children__isnull=False).values_list("pk", flat=True)
    )
    owned_by_a_parent = Measurement.objects.filter(indicator__owner_unit__in=units_with_children)

    assert owned_by_a_parent.exists()
    assert not owned_by_a_parent.filter(unit__in=units_with_children).exists()


def test_demo_users_have_the_promised_roles_and_password(seeded):
    roles = set(Membership.objects.values_list("user__username", "role", "unit__code"))
    admin = get_user_model().objects.get(username="admin")

    assert {
        ("rector", Role.VIEWER, "NTNU"),
        ("ie-leader", Role.APPROVER, "IE"),
        ("idi-leader", Role.APPROVER, "IDI"),
        ("idi-reporter", Role.REPORTER, "IDI"),
        ("nv-reporter", Role.REPORTER, "NV"),
    } <= roles
    assert admin.is_superuser and admin.is_staff
    assert get_user_model().objects.get(username="ie-leader").get_full_name() == (
        "Faculty leader IE"
    )
    assert admin.check_password(DEMO_PASSWORD)


def test_rerunning_the_command_replaces_generated_data_and_leaves_manual_data_alone(seeded):
    result, _ = seeded
    manual = MeasurementFactory()
    report = ProgressReportFactory(created_by=UserFactory(username="someone"))
    output = StringIO()

    call_command("seed_demo", "--scale", "small", stdout=output)

    assert Indicator.objects.filter(is_generated=True).count() == result.indicators
    assert Measurement.objects.filter(indicator__is_generated=True).count() == (result.measurements)
    assert Measurement.objects.get(pk=manual.pk).value == manual.value
    assert ProgressReport.objects.get(pk=report.pk).narrative == report.narrative
    assert f"password: {DEMO_PASSWORD}" in output.getvalue()


def test_seeding_loads_the_strategy_first_when_none_is_current(seeded):
    Strategy.objects.update(is_current=False)

    strategy = ensure_strategy_loaded()

    assert strategy.code == "ntnu-2018-2025"
    assert strategy.is_current


def test_seed_demo_if_empty_keeps_existing_demo_data(strategy):
    def generated_ids() -> set[int]:
        return set(Indicator.objects.filter(is_generated=True).values_list("pk", flat=True))

    call_command("seed_demo", "--scale", "small", stdout=StringIO())
    first_ids = generated_ids()
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--if-empty", stdout=out)
    assert "already there" in out.getvalue()
    assert generated_ids() == first_ids
