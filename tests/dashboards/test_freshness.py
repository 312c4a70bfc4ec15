"""Figures are stored; every way of writing data must make the next request see it."""

from __future__ import annotations

import re

import pytest
from django.db.models import F

from dashboards import figures
from dashboards.models import FigureChange, FigureRun
from goals.models import ProgressReport
from indicators.models import Measurement
from strategy.models import Unit
from tests.factories import IndicatorFactory, MeasurementFactory, ProgressReportFactory, period

GOAL_PAGE = "/dashboard/area/RES/goal/RES-3/"


def indicator_row(client, code: str) -> str:
    response = client.get(GOAL_PAGE, {"period": "2024", "format": "csv", "table": "indicators"})
    return next(line for line in response.content.decode().splitlines() if f",{code}," in line)


def narrative_of(client, text: str) -> str:
    """The goal page's narrative that says `text`, with its unit, status and workflow state."""
    html = client.get(GOAL_PAGE, {"period": "2024"}).content.decode()
    return next(
        a for a in re.findall(r'<article class="narrative">.*?</article>', html, re.S) if text in a
    )


def test_a_value_changed_in_the_grid_shows_on_the_next_request(client, personas, dashboard_data):
    made = dashboard_data(1)["indicators"]
    cumulative = next(i for i in made if i.accumulation == "cumulative")
    client.force_login(personas.rector)
    before = indicator_row(client, cumulative.code)
    stored = Measurement.objects.filter(indicator=cumulative, period=period("2024")).first()

    Measurement.record(  # what the measurement grid calls: a conditional UPDATE
        indicator=cumulative,
        unit=stored.unit,
        period=stored.period,
        value=stored.value + 100,
        comment="corrected",
        by=personas.idi_reporter,
        based_on=stored.version,
    )

    assert indicator_row(client, cumulative.code) != before


def test_a_submitted_report_shows_on_the_next_request(client, personas, dashboard_data):
    dashboard_data(1)
    reported = ProgressReport.objects.filter(goal__code="RES-3", period__code="2024")
    quiet_unit = Unit.objects.exclude(reports__in=reported).get(code="IMF")
    report = ProgressReportFactory(
        unit=quiet_unit, period=period("2024"), status="at_risk", narrative="Slower than hoped."
    )
    client.force_login(personas.rector)
    assert '<span class="muted state">Draft</span>' in narrative_of(client, "Slower than hoped.")

    report.submit(by=personas.idi_reporter)  # the workflow writes with a conditional UPDATE

    assert '<span class="muted state">Submitted</span>' in narrative_of(
        client, "Slower than hoped."
    )


def test_a_bulk_write_announced_by_the_domain_shows_on_the_next_request(
    client, personas, dashboard_data
):
    made = dashboard_data(1)["indicators"]
    per_period = next(i for i in made if i.accumulation == "per_period" and i.goal.code == "RES-3")
    client.force_login(personas.rector)
    before = indicator_row(client, per_period.code)
    stored = Measurement.objects.filter(indicator=per_period, period=period("2024"))
    keys = {m.key for m in stored}

    stored.update(value=F("value") + 1000)  # what an import's bulk UPDATE does
    Measurement.announce_changed(keys)

    assert indicator_row(client, per_period.code) != before


def test_a_write_that_changes_nothing_queues_no_figure_work(strategy):
    ProgressReportFactory()
    figures.settle()
    ProgressReport.objects.filter(narrative="no such report").update(narrative="x")
    assert not figures.pending()


def test_the_figures_state_tells_what_is_pending_since_when_and_when_they_were_complete(strategy):
    FigureRun.objects.all().delete()
    FigureChange.objects.all().delete()
    assert figures.state() == figures.State(False, None, None, False)

    MeasurementFactory(indicator=IndicatorFactory())
    never_settled = figures.State(True, None, None, True, frame_pending=True)  # a rebuild
    assert figures.state() == never_settled

    figures.rebuild()
    run = FigureRun.objects.get(pk=1)
    assert figures.state() == figures.State(
        False, run.finished_at, run.rebuilt_at, False, None, run.frame_at
    )

    MeasurementFactory(indicator=IndicatorFactory())
    queued = FigureChange.objects.earliest("queued_at").queued_at
    state = figures.state()
    assert (state.pending, state.rebuild_pending, state.waiting_since) == (True, False, queued)
    assert not state.frame_pending  # a value: the structure the pages cache is as it was
    assert state.finished_at == run.finished_at and state.finished_at.tzinfo is not None

    Unit.objects.filter(code="IDI").get().save()  # any unit save changes the cached structure
    assert figures.state().frame_pending and not figures.state().rebuild_pending

    figures.settle()
    figures.queue(everything=True)
    assert figures.state().rebuild_pending and figures.state().frame_pending


def test_a_value_written_queues_work_and_settling_clears_it(strategy):
    MeasurementFactory(indicator=IndicatorFactory())
    assert figures.pending()
    figures.settle()
    assert not figures.pending()


@pytest.mark.django_db(transaction=True)  # the settler's lock must end with its transaction
def test_a_page_says_figures_are_being_updated_while_another_process_settles(
    client, personas, dashboard_data
):
    import psycopg2
    from django.db import connection

    dashboard_data(1)
    figures.settle()
    # A value written whose settling task has not run yet.
    FigureChange.objects.create(indicator_id=Measurement.objects.first().indicator_id)
    params = connection.settings_dict
    other = psycopg2.connect(
        dbname=params["NAME"], user=params["USER"], host=params["HOST"], port=params["PORT"]
    )
    try:
        with other.cursor() as cursor:  # another process is settling
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [figures.LOCK_KEY])
            assert cursor.fetchone()[0]
        client.force_login(personas.rector)
        page = client.get("/dashboard/", {"period": "2024"}).content.decode()
    finally:
        other.close()
    assert "Figures are being updated" in page
