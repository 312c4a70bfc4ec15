"""With a Celery worker, settling the figures after a write is the worker's job: a dashboard
request does not wait for it (the page says the figures are being updated), unless the change
has waited longer than a worker needs, i.e. no worker took it; then the page settles it."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone

from dashboards import figures
from dashboards.models import FigureChange
from indicators.models import Measurement
from strategy.models import Unit
from tests.factories import unit

UPDATING = "Figures are being updated"


def overview(client) -> str:
    response = client.get("/dashboard/", {"period": "2024"})
    assert response.status_code == 200
    return response.content.decode()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_with_a_worker_a_page_leaves_a_fresh_change_to_it_and_says_so(
    client, personas, dashboard_data
):
    dashboard_data(1)
    figures.settle()
    FigureChange.objects.create(indicator_id=Measurement.objects.first().indicator_id)
    client.force_login(personas.rector)
    assert UPDATING in overview(client)
    assert figures.pending()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_with_a_worker_a_page_settles_a_change_no_worker_took_in_time(
    client, personas, dashboard_data
):
    dashboard_data(1)
    figures.settle()
    FigureChange.objects.create(
        indicator_id=Measurement.objects.first().indicator_id,
        queued_at=timezone.now() - figures.WORKER_GRACE - datetime.timedelta(seconds=1),
    )
    client.force_login(personas.rector)
    assert UPDATING not in overview(client)
    assert not figures.pending()


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_without_a_broker_a_page_settles_a_fresh_change_itself(client, personas, dashboard_data):
    dashboard_data(1)
    figures.settle()
    FigureChange.objects.create(indicator_id=Measurement.objects.first().indicator_id)
    client.force_login(personas.rector)
    assert UPDATING not in overview(client)
    assert not figures.pending()


# --- Units changed while a worker has yet to settle the change ----------------------------


def dashboard(client, **params):
    return client.get("/dashboard/", {"period": "2024", **params})


def pages_seen(client, personas) -> None:
    """The structure as the pages cache it, read once as everyone's reach saw it."""
    for persona in (personas.rector, personas.idi_reporter):
        client.force_login(persona)
        assert dashboard(client).status_code == 200


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_new_unit_can_be_chosen_before_the_worker_settled_its_creation(
    client, personas, dashboard_data
):
    dashboard_data(1)
    figures.rebuild()
    pages_seen(client, personas)
    Unit.objects.create(code="NEWU", name_en="New unit", name_nb="Ny enhet", parent=unit("IE"))
    client.force_login(personas.rector)
    response = dashboard(client, unit="NEWU")
    assert response.status_code == 200
    assert UPDATING in response.content.decode()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_renamed_unit_code_is_found_before_the_worker_settled_it(
    client, personas, dashboard_data
):
    dashboard_data(1)
    figures.rebuild()
    pages_seen(client, personas)
    ie = unit("IE")
    ie.code = "IEX"
    ie.save()
    client.force_login(personas.rector)
    assert dashboard(client, unit="IEX").status_code == 200
    assert dashboard(client, unit="IE").status_code == 404


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_reporter_of_a_moved_unit_reads_its_dashboard_before_the_worker_settled_the_move(
    client, personas, dashboard_data
):
    dashboard_data(1)
    figures.rebuild()
    pages_seen(client, personas)
    unit("IDI").move(to=unit("NV"), on=datetime.date(2025, 1, 1))
    client.force_login(personas.idi_reporter)
    response = dashboard(client)
    assert response.status_code == 200
    assert 'value="IDI" selected' in response.content.decode()
