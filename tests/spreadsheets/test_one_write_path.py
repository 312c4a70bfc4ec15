"""One parser and one write path for every value (issue 10, item 6): the grid and the import
read a typed number the same way and write through `Measurement.write`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from indicators.models import Measurement, ValueWrite, WriteConflict, parse_decimal
from indicators.signals import measurements_changed
from jobs.models import JobState
from spreadsheets.imports import cell_text
from tests.factories import MeasurementFactory, period, unit
from tests.spreadsheets.conftest import csv_bytes, row, xlsx_bytes


@pytest.fixture
def reporter(client, personas):
    client.force_login(personas.idi_reporter)
    return personas.idi_reporter


def grid_message(text: str) -> list[str] | None:
    try:
        parse_decimal(text)
    except ValidationError as error:
        return error.messages
    return None


@pytest.mark.parametrize("typed", ["1e3", "1E3", "NaN", "inf", "0x10", "1_000"])
def test_the_import_refuses_what_the_grid_refuses_with_the_same_message(
    reporter, indicators, upload, typed
):
    _response, job = upload(csv_bytes([row(indicators[0], typed)]), "values.csv")
    assert job.state == JobState.FAILED
    assert [e["message"] for e in job.errors] == grid_message(typed)
    assert not Measurement.objects.exists()


def test_a_number_cell_of_a_workbook_is_read_as_the_number_it_holds(reporter, indicators, upload):
    _response, job = upload(xlsx_bytes([row(indicators[0], 1000.0), row(indicators[1], 12)]))
    assert job.state == JobState.DONE
    stored = dict(Measurement.objects.values_list("indicator__code", "value"))
    assert stored == {"IDI-PUB": Decimal(1000), "IDI-CIT": Decimal(12)}


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30))
def test_an_import_cell_and_a_grid_cell_parse_any_text_alike(text):
    def outcome(parse):
        try:
            return parse(text)
        except ValidationError as error:
            return tuple(error.messages)

    assert outcome(lambda t: parse_decimal(cell_text(t))) == outcome(parse_decimal)


def test_an_import_announces_its_changes_once_inside_the_transaction(reporter, indicators, upload):
    announced = []

    @receiver(measurements_changed, weak=False)
    def heard(sender, keys, **kwargs):
        announced.append(keys)

    try:
        upload(csv_bytes([row(indicators[0], 5), row(indicators[1], 6)]), "values.csv")
    finally:
        measurements_changed.disconnect(heard)
    assert len(announced) == 1
    assert len(announced[0]) == 2


def test_a_write_based_on_an_old_version_is_refused_with_the_current_value(personas, indicators):
    stored = MeasurementFactory(
        indicator=indicators[0], unit=unit("IDI"), period=period("2025"), value=7
    )
    Measurement.objects.filter(pk=stored.pk).update(version=3)
    write = ValueWrite(indicators[0], unit("IDI"), period("2025"), Decimal(8), based_on=2)
    with pytest.raises(WriteConflict) as refused:
        Measurement.write([write], by=personas.idi_reporter)
    assert refused.value.conflicts[0].value == 7
    assert Measurement.objects.get(pk=stored.pk).value == 7


def test_a_write_of_what_is_stored_is_not_a_conflict(personas, indicators):
    MeasurementFactory(indicator=indicators[0], unit=unit("IDI"), period=period("2025"), value=7)
    write = ValueWrite(indicators[0], unit("IDI"), period("2025"), Decimal(7), "", based_on=0)
    result = Measurement.write([write], by=personas.idi_reporter)
    assert result == {"created": 0, "updated": 0, "unchanged": 1}


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=2))
def test_writing_twice_changes_nothing_the_second_time(personas, indicators, values):
    writes = [
        ValueWrite(indicator, unit("IDI"), period("2025"), Decimal(value), "")
        for indicator, value in zip(indicators, values, strict=False)
    ]
    Measurement.write(writes, by=personas.idi_reporter)
    again = Measurement.write(writes, by=personas.idi_reporter)
    assert again == {"created": 0, "updated": 0, "unchanged": len(writes)}


def admin_post(client, measurement, value: str):
    from django.urls import reverse

    url = reverse("admin:indicators_measurement_change", args=[measurement.pk])
    return client.post(
        url,
        {
            "indicator": measurement.indicator_id,
            "unit": measurement.unit_id,
            "period": measurement.period_id,
            "value": value,
            "comment": measurement.comment,
        },
    )


def test_the_admin_reads_numbers_with_the_grids_parser(client, personas, indicators):
    measurement = MeasurementFactory(
        indicator=indicators[0], unit=unit("IDI"), period=period("2025"), value=7
    )
    client.force_login(personas.administrator)
    refused = admin_post(client, measurement, "1e3")
    assert grid_message("1e3")[0] in refused.content.decode()
    assert admin_post(client, measurement, "1 234,5").status_code == 302
    assert Measurement.objects.get(pk=measurement.pk).value == Decimal("1234.5")


def test_an_admin_edit_moves_the_version_on_so_a_grid_editor_is_told(client, personas, indicators):
    measurement = MeasurementFactory(
        indicator=indicators[0], unit=unit("IDI"), period=period("2025"), value=7
    )
    client.force_login(personas.administrator)
    admin_post(client, measurement, "9")
    stored = Measurement.objects.get(pk=measurement.pk)
    assert (stored.value, stored.version) == (Decimal(9), measurement.version + 1)
    with pytest.raises(WriteConflict):
        Measurement.record(
            indicator=indicators[0],
            unit=unit("IDI"),
            period=period("2025"),
            value=Decimal(8),
            comment="",
            by=personas.idi_reporter,
            based_on=measurement.version,
        )
