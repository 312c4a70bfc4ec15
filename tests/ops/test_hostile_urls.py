"""Odd input in paths and query strings (issue 10, item 2): a 400 or 404, never a 500 and never
an ERROR in the log, on every URL the access matrix walks."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ops.test_access_matrix import SAMPLES, all_routes

# The query parameters the views read, and a few they do not.
QUERY_NAMES = ["period", "unit", "goal", "prefill", "format", "table", "next", "x"]
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)


@pytest.fixture
def admin_client(personas) -> Client:
    """The administrator reaches every view's code, so nothing stops the input early."""
    client = Client(raise_request_exception=False)
    client.force_login(personas.administrator)
    return client


def errors_in(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "url",
    [
        "/units/%00/",
        "/units/IBI/?period=%00",
        "/my-unit/?unit=%00",
        "/dashboard/area/%00/",
        "/dashboard/area/EDU/pillar/%00/",
        "/dashboard/unit/NTNU/?period=%00",
        "/units/IDI/values/?period=%00",
        "/data/template/?unit=%00",
        "/units/%01%7F/values/",
        "/units/IDI/reports/2025%00/1/",
    ],
)
def test_a_nul_or_control_character_in_a_url_answers_400_or_404_without_an_error_log(
    admin_client, caplog, url
):
    with caplog.at_level(logging.INFO):
        response = admin_client.get(url)
    assert response.status_code in {400, 404}
    assert not errors_in(caplog)


def test_a_control_character_in_a_query_string_is_a_400_with_the_site_error_page(admin_client):
    response = admin_client.get("/my-unit/?unit=%00")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_a_path_that_cannot_be_a_code_is_not_found(admin_client):
    for url in ("/units/a%20b/", "/units/-IDI/", "/dashboard/area/" + "E" * 51 + "/"):
        assert admin_client.get(url).status_code == 404, url


ROUTES = [r for r in all_routes() if not r.in_admin and r.url]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    segment=ANY_TEXT,
    query=st.dictionaries(st.sampled_from(QUERY_NAMES), ANY_TEXT, max_size=3),
)
def test_any_text_in_any_path_parameter_or_query_parameter_never_breaks_a_page(
    admin_client, caplog, route, segment, query
):
    parts = route.url.split("/")
    # Replace the first sample value (a code or id in the path) with the drawn text.
    for index, part in enumerate(parts):
        if part in SAMPLES:
            parts[index] = quote(segment, safe="") or part
            break
    url = "/".join(parts) + ("?" + urlencode(query) if query else "")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = admin_client.get(url)
    assert response.status_code < 500, url
    assert not errors_in(caplog), url
