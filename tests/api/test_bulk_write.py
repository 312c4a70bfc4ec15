"""Writing values in bulk: per-row versions, Idempotency-Key, the import's messages, all or
nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Measurement
from tests.factories import MeasurementFactory, period
from tests.spreadsheets.conftest import csv_bytes, row

BULK = reverse("api:measurements_bulk")


def line(indicator, value, *, base=0, unit="IDI", period_code="2025", comment="") -> dict:
    return {
        "indicator": indicator.code,
        "unit": unit,
        "period": period_code,
        "value": value,
        "comment": comment,
        "base_version": base,
    }


@pytest.fixture
def reporter(api_as):
    return api_as("idi_reporter")


def stored() -> dict[str, tuple[Decimal, int]]:
    return {
        m.indicator.code: (m.value, m.version)
        for m in Measurement.objects.select_related("indicator")
    }


def test_new_values_are_created_and_answered_per_row(reporter, indicators):
    pub, cit, _pct = indicators
    response = reporter.post(BULK, {"rows": [line(pub, "120.5"), line(cit, "7,5")]})
    assert response.status_code == 200
    assert [(r["row"], r["outcome"], r["version"]) for r in response.json()["rows"]] == [
        (1, "created", 1),
        (2, "created", 1),
    ]
    assert stored() == {"IDI-PUB": (Decimal("120.5"), 1), "IDI-CIT": (Decimal("7.5"), 1)}


def test_a_value_based_on_the_current_version_is_updated(reporter, indicators, personas):
    pub = indicators[0]
    MeasurementFactory(indicator=pub, period=period("2025"), value=Decimal(10))
    response = reporter.post(BULK, {"rows": [line(pub, "11", base=1)]})
    assert response.json()["rows"][0]["outcome"] == "updated"
    assert stored() == {"IDI-PUB": (Decimal(11), 2)}
    assert Measurement.objects.get().entered_by == personas.idi_reporter


def test_a_stale_row_refuses_the_whole_request_and_names_the_row(reporter, indicators):
    pub, cit, _pct = indicators
    MeasurementFactory(indicator=pub, period=period("2025"), value=Decimal(10), version=3)
    response = reporter.post(BULK, {"rows": [line(cit, "5"), line(pub, "11", base=2)]})
    assert response.status_code == 409
    problem = response.json()
    assert problem["errors"] == [
        {
            "row": 2,
            "indicator": "IDI-PUB",
            "unit": "IDI",
            "period": "2025",
            "outcome": "conflict",
            "version": 3,
            "value": "10.000000",
        }
    ]
    assert stored() == {"IDI-PUB": (Decimal(10), 3)}  # row 1 was not written either


def test_a_retry_with_the_same_idempotency_key_changes_nothing_again(reporter, indicators):
    pub = indicators[0]
    MeasurementFactory(indicator=pub, period=period("2025"), value=Decimal(10))
    body = {"rows": [line(pub, "11", base=1)]}
    first = reporter.post(BULK, body, HTTP_IDEMPOTENCY_KEY="run-2025-01")
    again = reporter.post(BULK, body, HTTP_IDEMPOTENCY_KEY="run-2025-01")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert stored() == {"IDI-PUB": (Decimal(11), 2)}  # not 3: the retry wrote nothing


def test_without_the_key_a_retry_of_a_stale_update_is_a_conflict(reporter, indicators):
    pub = indicators[0]
    MeasurementFactory(indicator=pub, period=period("2025"), value=Decimal(10))
    reporter.post(BULK, {"rows": [line(pub, "11", base=1)]})
    assert reporter.post(BULK, {"rows": [line(pub, "12", base=1)]}).status_code == 409


def test_an_idempotency_key_reused_for_another_body_is_refused(reporter, indicators):
    pub = indicators[0]
    reporter.post(BULK, {"rows": [line(pub, "1")]}, HTTP_IDEMPOTENCY_KEY="k")
    response = reporter.post(BULK, {"rows": [line(pub, "2", base=1)]}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400
    assert "different request" in str(response.json()["errors"])
    assert stored() == {"IDI-PUB": (Decimal(1), 1)}


def test_bad_rows_get_the_imports_messages_and_nothing_is_written(
    client, reporter, personas, indicators, upload
):
    pub, cit, pct = indicators
    bad = [(pub, "10", "IDI"), (cit, "many", "IDI"), (pct, "120", "IDI"), (pub, "1", "NV")]
    response = reporter.post(BULK, {"rows": [line(i, v, unit=u) for i, v, u in bad]})
    assert response.status_code == 422
    assert not Measurement.objects.exists()
    client.force_login(personas.idi_reporter)
    _response, job = upload(csv_bytes([row(i, v, unit=u) for i, v, u in bad]), "v.csv")
    api_messages = [(e["row"], e["message"]) for e in response.json()["errors"]]
    # The spreadsheet's row numbers count the header row; the API's count from the first row.
    assert api_messages == [(e["row"] - 1, e["message"]) for e in job.errors]
    assert (2, "“many” is not a number.") in api_messages


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"rows": []},
        {"rows": "nope"},
        {"rows": [{"indicator": "X"}]},
        {"rows": [{"indicator": "X", "unit": "IDI", "period": "2025", "value": "1"}]},
        {
            "rows": [
                {"indicator": "X", "unit": "IDI", "period": "2025", "value": "", "base_version": 0}
            ]
        },
        {
            "rows": [
                {"indicator": "X", "unit": "I", "period": "2", "value": "1", "base_version": -1}
            ]
        },
    ],
)
def test_malformed_bodies_are_refused_with_a_problem(reporter, indicators, body):
    response = reporter.post(BULK, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


def test_a_body_that_is_not_json_is_refused(reporter):
    response = reporter.client.post(
        BULK, "rows=1", content_type="application/json", **reporter.headers
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request"


def test_a_closed_period_is_refused_with_the_imports_message(reporter, indicators):
    response = reporter.post(BULK, {"rows": [line(indicators[0], "1", period_code="2019")]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "The period 2019 is not open for reporting."


def test_writes_announce_the_changed_values(reporter, indicators):
    from indicators.signals import measurements_changed

    heard = []

    def listen(sender, keys, **kwargs):
        heard.extend(keys)

    measurements_changed.connect(listen)
    try:
        reporter.post(BULK, {"rows": [line(indicators[0], "3")]})
    finally:
        measurements_changed.disconnect(listen)
    assert heard == [(indicators[0].pk, Measurement.objects.get().unit_id, period("2025").pk)]


def test_a_bulk_write_costs_the_same_queries_for_one_row_as_for_three(reporter, indicators):
    pub, cit, pct = indicators
    reporter.get(reverse("api:periods"))  # the token's last use is recorded once a while
    with CaptureQueriesContext(connection) as one:
        reporter.post(BULK, {"rows": [line(pub, "1")]})
    Measurement.objects.all().delete()
    with CaptureQueriesContext(connection) as three:
        reporter.post(BULK, {"rows": [line(pub, "1"), line(cit, "2"), line(pct, "3")]})
    assert Measurement.objects.count() == 3
    assert len(three) == len(one)


def test_a_value_far_beyond_baseline_and_target_is_saved_and_flagged_unusual(reporter, indicators):
    pub, cit, _pct = indicators
    response = reporter.post(BULK, {"rows": [line(pub, "120"), line(cit, "99999")]})
    assert response.status_code == 200
    assert [r["unusual"] for r in response.json()["rows"]] == [False, True]
    assert stored()["IDI-CIT"] == (Decimal(99999), 1)
