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
