"""History triggers stay complete without a subtransaction per row (ops/history.py).

Runs on PostgreSQL, as CI does: the triggers and functions exist only there.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from goals.history import report_history
from indicators.models import Measurement
from ops.history import history_context
from tests.factories import IndicatorFactory, MeasurementFactory, ProgressReportFactory, period
from tests.factories import unit as unit_named

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("strategy"),  # reloaded if a browser test flushed the database
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="history is recorded by PostgreSQL triggers"
    ),
]

FUNCTIONS = ("_pgtrigger_should_ignore", "_pgh_attach_context")


def installed_functions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)", [list(FUNCTIONS)]
        )
        return dict(cursor.fetchall())


def events_of(measurement_ids):
    return (
        apps.get_model("indicators", "MeasurementEvent")
        .objects.filter(pgh_obj_id__in=measurement_ids)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )


def test_the_trigger_functions_open_no_subtransaction():
    functions = installed_functions()
    assert set(functions) == set(FUNCTIONS)
    assert not any("EXCEPTION" in source.upper() for source in functions.values())


def test_migrate_puts_the_cheap_functions_back_after_a_library_reinstalls_its_own():
    pgtrigger.install()  # pgtrigger's own install re-creates its function, with the block
    assert "EXCEPTION" in installed_functions()["_pgtrigger_should_ignore"].upper()
    call_command("migrate", verbosity=0)
    assert "EXCEPTION" not in installed_functions()["_pgtrigger_should_ignore"].upper()


def test_a_bulk_insert_records_one_event_per_row_with_its_values():
    indicator = IndicatorFactory()
    rows = Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator, unit=unit_named("IDI"), period=period(code), value=Decimal(value)
        )
        for code, value in (("2023", "1.5"), ("2024", "2.5"), ("2025", "3.5"))
    )
    events = events_of([row.pk for row in rows])
    assert [(e.pgh_label, e.value) for e in events] == [
        ("insert", Decimal("1.5")),
        ("insert", Decimal("2.5")),
        ("insert", Decimal("3.5")),
    ]


def test_raw_sql_is_recorded_with_old_and_new_value_and_the_database_user():
    measurement = MeasurementFactory(indicator=IndicatorFactory(), value=Decimal("10"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE indicators_measurement SET value = 12 WHERE id = %s", [measurement.pk]
        )
        cursor.execute("SELECT current_user")
        (database_user,) = cursor.fetchone()
    insert, update = events_of([measurement.pk])
    assert (insert.value, update.value) == (Decimal("10"), Decimal("12"))
    assert update.pgh_context.metadata["db_user"] == database_user


def test_an_update_that_changes_nothing_records_nothing():
    measurement = MeasurementFactory(indicator=IndicatorFactory(), value=Decimal("10"))
    Measurement.objects.filter(pk=measurement.pk).update(value=Decimal("10"))
    assert [e.pgh_label for e in events_of([measurement.pk])] == ["insert"]


def test_a_job_or_command_context_names_who_changed_the_report(personas):
    report = ProgressReportFactory(narrative="Before")
    with history_context(user=personas.idi_reporter.pk, job=1):
        type(report).objects.filter(pk=report.pk).update(narrative="From a job")
    assert report_history(report)[0].who == "idi-reporter"


def test_pgtrigger_ignore_still_skips_only_the_named_trigger():
    indicator = IndicatorFactory()
    with pgtrigger.ignore("indicators.Measurement:insert_insert"):
        skipped = MeasurementFactory(indicator=indicator, period=period("2024"))
    recorded = MeasurementFactory(indicator=indicator, period=period("2025"))
    assert not events_of([skipped.pk]).exists()
    assert events_of([recorded.pk]).count() == 1


def test_update_triggers_pair_old_and_new_rows_with_a_hash_join():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proconfig FROM pg_proc WHERE proname LIKE 'pgtrigger_update_update_%'"
        )
        configs = [row[0] for row in cursor.fetchall()]
    assert configs
    assert all(config and "enable_nestloop=off" in config for config in configs)


def test_update_triggers_compile_nothing_just_in_time():
    # The disabled nested loop lifts their plans' cost past JIT's threshold: a one-value
    # UPDATE then spent 0.3-0.5 s compiling.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proconfig FROM pg_proc WHERE proname LIKE 'pgtrigger_update_update_%'"
        )
        configs = [row[0] for row in cursor.fetchall()]
    assert configs
    assert all(config and "jit=off" in config for config in configs)


def test_overwriting_many_values_records_each_change_and_raises_each_version(personas):
    indicator = IndicatorFactory()
    stored = [
        MeasurementFactory(indicator=indicator, period=period(code), value=Decimal("1"))
        for code in ("2022", "2023", "2024", "2025")
    ]
    at = stored[0].entered_at
    with history_context(user=personas.idi_reporter.pk):
        count = Measurement.objects.overwrite(
            [(m.pk, Decimal(f"{i + 2}.5"), "checked") for i, m in enumerate(stored)],
            by=personas.idi_reporter,
            at=at,
        )
    updates = events_of([m.pk for m in stored]).filter(pgh_label="update")
    assert count == 4
    assert [(e.value, e.comment, e.version) for e in updates] == [
        (Decimal("2.5"), "checked", 2),
        (Decimal("3.5"), "checked", 2),
        (Decimal("4.5"), "checked", 2),
        (Decimal("5.5"), "checked", 2),
    ]
    assert {e.pgh_context.metadata["user"] for e in updates} == {personas.idi_reporter.pk}
