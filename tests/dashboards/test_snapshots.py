"""Closing a period freezes the dashboards' figures "as reported"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from dashboards.models import PeriodSnapshot, SnapshotImmutable
from dashboards.snapshots import changed, period_figures
from indicators.models import Measurement
from tests.factories import period, unit


@pytest.fixture
def closed_2024(dashboard_data, personas):
    """The dashboard data, with 2024 opened and closed again by the administrator."""
    made = dashboard_data(1)
    year = period("2024")
    year.open()
    year.close(by=personas.administrator)
    return {"period": year, **made}


def cumulative(made):
    return next(i for i in made["indicators"] if i.accumulation == "cumulative")


def test_closing_a_period_takes_one_snapshot_of_its_figures(closed_2024, personas):
    snapshot = PeriodSnapshot.objects.get(period=closed_2024["period"])
    assert snapshot.taken_by == personas.administrator
    assert snapshot.figures == period_figures(closed_2024["period"])
    assert snapshot.figures["indicators"][str(cumulative(closed_2024).pk)]["value"] == "45"


def test_a_correction_after_closing_leaves_the_snapshot_as_reported(closed_2024):
    indicator = cumulative(closed_2024)
    corrected = Measurement.objects.filter(
        indicator=indicator, unit=unit("IDI"), period=period("2024")
    )
    corrected.update(value=Decimal("60"))  # a bulk correction, announced as every write path does
    Measurement.announce_changed({m.key for m in corrected})
    snapshot = PeriodSnapshot.objects.latest_for(closed_2024["period"].pk)
    now = period_figures(closed_2024["period"])
    assert snapshot.figures["indicators"][str(indicator.pk)]["value"] == "45"
    assert now["indicators"][str(indicator.pk)]["value"] == "75"
    assert changed("indicators", indicator.pk, snapshot.figures, now)


def test_closing_a_closed_period_again_takes_no_second_snapshot(closed_2024, personas):
    closed_2024["period"].close(by=personas.administrator)
    period("2024").close(by=personas.administrator)
    assert PeriodSnapshot.objects.filter(period=closed_2024["period"]).count() == 1


def test_reopening_and_closing_again_takes_a_new_snapshot_that_is_used(closed_2024, personas):
    first = PeriodSnapshot.objects.latest_for(closed_2024["period"].pk)
    year = closed_2024["period"]
    year.open()
    year.close(by=personas.administrator)
    latest = PeriodSnapshot.objects.latest_for(year.pk)
    assert PeriodSnapshot.objects.filter(period=year).count() == 2
    assert latest.pk != first.pk


def test_a_snapshot_cannot_be_saved_again(closed_2024):
    snapshot = PeriodSnapshot.objects.latest_for(closed_2024["period"].pk)
    snapshot.figures = {}
    with pytest.raises(SnapshotImmutable):
        snapshot.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_to_update_a_snapshot(closed_2024):
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        PeriodSnapshot.objects.filter(period=closed_2024["period"]).update(figures={})


def test_an_unchanged_figure_is_not_marked_as_changed(closed_2024):
    snapshot = PeriodSnapshot.objects.latest_for(closed_2024["period"].pk)
    now = period_figures(closed_2024["period"])
    kinds = ["areas", "pillars", "goals", "indicators"]
    assert not any(changed(kind, key, snapshot.figures, now) for kind in kinds for key in now[kind])


def test_the_admin_shows_a_snapshot_read_only(client, closed_2024, personas):
    snapshot = PeriodSnapshot.objects.latest_for(closed_2024["period"].pk)
    client.force_login(personas.administrator)
    url = f"/admin/dashboards/periodsnapshot/{snapshot.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    assert client.get("/admin/dashboards/periodsnapshot/add/").status_code == 403
