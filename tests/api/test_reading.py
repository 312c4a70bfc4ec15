"""Reading through the API: stable pages, filters, CSV for spreadsheets, ETags, problems,
the browser session with CSRF, the rate limit, and the schema and its docs page."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from indicators.models import Measurement
from strategy.models import Unit
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    TargetFactory,
    period,
)
from tests.redis_server import shared_redis_url

# Shares a Redis server with other files: one pytest-xdist process runs them all.
pytestmark = pytest.mark.xdist_group("redis")


@pytest.fixture
def rector(api_as):
    return api_as("rector")


@pytest.fixture
def values(strategy):
    pub = IndicatorFactory(code="IDI-PUB", name_en='=HYPERLINK("x")')
    for code in ("2019", "2020", "2021", "2022", "2023"):
        MeasurementFactory(indicator=pub, period=period(code), value=Decimal(code) / 10)
    return pub


def test_measurements_are_paginated_in_a_stable_order(
    rector, values, django_assert_max_num_queries
):
    url = reverse("api:measurements")
    with django_assert_max_num_queries(8):
        first = rector.get(url, {"page_size": 2}).json()
    second = rector.get(first["next"]).json()
    assert first["count"] == 5
    assert [m["period"] for m in first["results"] + second["results"]] == [
        "2019",
        "2020",
        "2021",
        "2022",
    ]


def test_measurements_filter_by_indicator_unit_period_and_changed_since(rector, values):
    url = reverse("api:measurements")
    assert rector.get(url, {"period": "2021"}).json()["count"] == 1
    assert rector.get(url, {"unit": "NV"}).json()["count"] == 0
    assert (
        rector.get(url, {"indicator": "IDI-PUB", "changed_since": "2000-01-01T00:00Z"}).json()[
            "count"
        ]
        == 5
    )
    assert rector.get(url, {"changed_since": "2999-01-01T00:00+01:00"}).json()["count"] == 0


def test_changed_since_takes_any_offset_iso_8601_allows(rector, values):
    """An offset beyond PostgreSQL's ±15:59 (found by schemathesis) is read as the same moment
    in UTC, not a server error."""
    url = reverse("api:measurements")
    old = rector.get(url, {"indicator": "IDI-PUB", "changed_since": "0131-06-04T21:31:31-23:18"})
    assert old.status_code == 200
    assert old.json()["count"] == 5
    assert rector.get(url, {"changed_since": "2999-01-01T00:00+23:59"}).json()["count"] == 0


@pytest.mark.parametrize(
    "since",
    ["yesterday", "2025-01-01T00:00", "2025-13-45T00:00Z", "\x00", "0001-01-01T00:00+05:00"],
)
def test_a_bad_changed_since_is_a_problem(rector, values, since):
    response = rector.get(reverse("api:measurements"), {"changed_since": since})
    assert response.status_code == 400
    assert "changed_since" in response.json()["errors"]


@pytest.mark.parametrize("page", ["0", "99", "abc"])
def test_a_page_out_of_range_is_a_404_problem(rector, values, page):
    response = rector.get(reverse("api:measurements"), {"page": page})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_lists_answer_csv_with_formulas_escaped(rector, values):
    response = rector.get(reverse("api:indicators"), HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0]["code"] == "IDI-PUB"
    assert rows[0]["name_en"] == '\'=HYPERLINK("x")'
    assert rows[0]["milestones"] == ""


def test_measurements_as_csv_have_one_row_per_value(rector, values):
    response = rector.get(reverse("api:measurements"), HTTP_ACCEPT="text/csv")
    rows = csv_rows(response)
    assert [(r["period"], r["value"]) for r in rows][:2] == [
        ("2019", "201.900000"),
        ("2020", "202.000000"),
    ]


def test_csv_holds_the_whole_list_not_one_page(rector, strategy, django_assert_max_num_queries):
    indicators = IndicatorFactory.create_batch(8)
    periods = [period(code) for code in ("2019", "2020", "2021", "2022", "2023")]
    units = list(Unit.objects.order_by("path"))
    Measurement.objects.bulk_create(
        Measurement(indicator=i, unit=u, period=p, value=Decimal(n))
        for n, (i, u, p) in enumerate((i, u, p) for i in indicators for u in units for p in periods)
    )
    expected = Measurement.objects.count()
    response = rector.get(reverse("api:measurements"), {"page_size": 10}, HTTP_ACCEPT="text/csv")
    with django_assert_max_num_queries(12):
        rows = csv_rows(response)
    assert expected > 1000
    assert len(rows) == expected
    assert len({(r["indicator"], r["unit"], r["period"]) for r in rows}) == expected


def test_indicator_milestones_read_as_period_and_value_in_csv(rector, values):
    TargetFactory(indicator=values, period=period("2024"), value=Decimal(7))
    rows = csv_rows(rector.get(reverse("api:indicators"), HTTP_ACCEPT="text/csv"))
    assert rows[0]["milestones"] == "2024 7.000000"


def test_a_detail_endpoint_refuses_csv_with_406(rector, values):
    response = rector.get(reverse("api:indicator", args=["IDI-PUB"]), HTTP_ACCEPT="text/csv")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"


def test_reads_carry_an_etag_and_answer_304_while_unchanged(rector, values):
    url = reverse("api:measurements")
    etag = rector.get(url)["ETag"]
    assert rector.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Measurement.objects.filter(period__code="2019").update(value=1)
    assert rector.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_indicators_come_with_targets_and_milestones(rector, values):
    from tests.factories import TargetFactory

    TargetFactory(indicator=values, period=period("2022"), value=Decimal(130))
    indicator = rector.get(reverse("api:indicator", args=["IDI-PUB"])).json()
    assert indicator["target_value"] == "150.000000"
    assert indicator["target_period"] == "2025"
    assert indicator["milestones"] == [{"period": "2022", "value": "130.000000"}]


def test_the_strategy_tree_is_in_both_languages(rector, strategy):
    goals = rector.get(reverse("api:goals"), {"area": "RES"}).json()["results"]
    assert goals and all(g["title_en"] and g["title_nb"] and g["area"] == "RES" for g in goals)


def test_reports_show_state_status_and_narrative_to_readers_only(api_as, strategy):
    ProgressReportFactory(state="submitted")
    seen = api_as("ie_leader").get(reverse("api:reports")).json()["results"]
    assert [(r["unit"], r["state"], r["status"]) for r in seen] == [
        ("IDI", "submitted", "on_track")
    ]
    assert seen[0]["narrative"].startswith("Publication points")
    assert api_as("nv_reporter").get(reverse("api:reports")).json()["count"] == 0


def test_units_include_inactive_ones_with_their_validity(rector, units):
    units["IDI"].active = False
    units["IDI"].save()
    found = {
        u["code"]: u
        for u in rector.get(reverse("api:units"), {"page_size": 1000}).json()["results"]
    }
    assert found["IDI"]["active"] is False
    assert found["IDI"]["parent"] == "IE"


def test_a_browser_session_reads_and_writes_only_with_the_csrf_token(personas, values):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.idi_reporter)
    assert browser.get(reverse("api:units")).status_code == 200
    row = {"indicator": "IDI-PUB", "unit": "IDI", "period": "2025", "value": "1", "base_version": 0}
    body = json.dumps({"rows": [row]})
    refused = browser.post(reverse("api:measurements_bulk"), body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    page = browser.get(reverse("api:tokens"))
    token = str(page.context["csrf_token"])
    accepted = browser.post(
        reverse("api:measurements_bulk"),
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 200


def test_too_many_requests_answer_429_with_retry_after(settings, api_as, strategy):
    settings.API_RATE_LIMIT = "3/minute"
    client = api_as("rector")
    other = api_as("rector")  # another token of the same person has its own budget
    statuses = [client.get(reverse("api:periods")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = client.get(reverse("api:periods"))
    assert int(last["Retry-After"]) > 0
    assert last.json()["status"] == 429
    assert other.get(reverse("api:periods")).status_code == 200


def test_the_schema_is_openapi_3_and_lists_every_endpoint(rector, strategy):
    schema = rector.get(
        reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/measurements/bulk/" in schema["paths"]
    assert "/api/v1/figures/" in schema["paths"]


def test_the_docs_page_loads_swagger_ui_from_this_site(client, personas):
    client.force_login(personas.rector)
    page = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<style" not in page
    assert "<script>" not in page


@pytest.mark.parametrize("endpoint", ["api:goals", "api:measurements", "api:figures"])
def test_a_nul_character_in_a_filter_is_a_400_problem_not_a_server_error(
    rector, strategy, endpoint
):
    response = rector.get(reverse(endpoint), {"area": "R\x00ES", "unit": "\x00"})
    assert response.status_code == 400
    assert "NUL" in str(response.json()["errors"])


def test_the_rate_limit_is_counted_in_the_shared_redis_cache(settings, api_as, strategy):
    """With CACHE_URL on Redis every process sees the same count: the count lives in Redis."""

    import redis
    from django.core.cache import caches

    url = shared_redis_url()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "veikart-test-throttle",
        }
    }
    settings.API_RATE_LIMIT = "2/minute"
    caches["default"].clear()
    try:
        client = api_as("rector")
        assert [client.get(reverse("api:periods")).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        keys = redis.Redis.from_url(url).keys("veikart-test-throttle:*throttle_api_token-*")
        assert len(keys) == 1
    finally:
        caches["default"].clear()


@pytest.mark.parametrize(
    "endpoint", ["api:indicators", "api:measurements", "api:reports", "api:goals", "api:units"]
)
def test_list_queries_do_not_grow_with_the_rows(
    rector, strategy, endpoint, django_assert_max_num_queries
):
    from tests.factories import TargetFactory

    for n in range(12):
        indicator = IndicatorFactory(code=f"Q-{n}")
        TargetFactory(indicator=indicator)
        MeasurementFactory(indicator=indicator)
    ProgressReportFactory()
    with django_assert_max_num_queries(9):
        response = rector.get(reverse(endpoint), {"page_size": 1000})
    assert response.status_code == 200


def test_units_show_their_parent_history_and_successor(rector, units):
    import datetime

    on = datetime.date(2024, 1, 1)
    units["IDI"].move(to=units["NV"], on=on)
    units["IFY"].merge_into(units["IKJ"], on=on)
    found = {
        u["code"]: u
        for u in rector.get(reverse("api:units"), {"page_size": 1000}).json()["results"]
    }
    assert found["IDI"]["parent_history"] == [
        {"parent": "IE", "valid_from": None, "valid_to": "2023-12-31"}
    ]
    assert (found["IDI"]["parent"], found["IFY"]["successor"]) == ("NV", "IKJ")
    assert found["IKJ"]["successor"] is None
