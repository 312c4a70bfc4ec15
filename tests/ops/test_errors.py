"""Error pages (ASVS V16.5): generic pages that show no traceback, SQL or settings, while the
exception itself is logged; an unreachable database answers a friendly 503."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.ops.urls")


@pytest.fixture
def quiet_client(personas) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(personas.rector)
    return client


def test_an_unexpected_error_shows_a_generic_500_page(quiet_client):
    response = quiet_client.get("/test/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    for leak in ("Traceback", "RuntimeError", "SELECT", "password", "SECRET_KEY", "settings"):
        assert leak not in page


def test_the_exception_behind_a_500_is_logged_with_its_traceback(quiet_client, caplog):
    with caplog.at_level(logging.ERROR):
        quiet_client.get("/test/boom/")
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged
    assert "boom: SELECT password" in str(logged[0].exc_info[1])


def test_an_unreachable_database_answers_503_and_asks_to_try_again(quiet_client):
    response = quiet_client.get("/test/database-down/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "temporarily unavailable" in page
    assert "5432" not in page


def test_an_unexpected_error_in_the_api_answers_a_problem_document(quiet_client, caplog):
    with caplog.at_level(logging.ERROR):
        response = quiet_client.get("/api/v1/test-boom/")
    problem = response.json()
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert problem["status"] == 500 and problem["title"] == "Internal Server Error"
    assert "SELECT" not in response.content.decode() and "Traceback" not in problem["detail"]
    assert any(r.name == "django.request" and r.exc_info for r in caplog.records)


def test_an_unreachable_database_under_the_api_answers_a_503_problem(quiet_client):
    response = quiet_client.get("/api/v1/test-database-down/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    assert "5432" not in response.content.decode()


def test_an_unknown_page_is_a_404_in_the_site_layout(quiet_client):
    response = quiet_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "Log out" in response.content.decode()
