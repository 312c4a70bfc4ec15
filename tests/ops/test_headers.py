"""Security headers on every response (ASVS V3.4), no-store for logged-in users (V14.3)."""

from __future__ import annotations

import pytest
from django.urls import reverse


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.fixture
def responses(client, personas, strategy):
    anonymous = [client.get(reverse("login")), client.get("/healthz"), client.get("/")]
    client.force_login(personas.rector)
    logged_in = [client.get(strategy.get_absolute_url()), client.get("/no-such-page/")]
    return anonymous + logged_in


def test_every_response_forbids_framing_sniffing_and_leaking_the_referrer(responses):
    for response in responses:
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert directives(response)["frame-ancestors"] == ["'none'"]


def test_content_security_policy_allows_no_inline_script_eval_or_inline_style(responses):
    for response in responses:
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert "unsafe" not in response["Content-Security-Policy"]


def test_hsts_is_sent_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_for_logged_in_users_are_never_stored(client, personas, strategy):
    client.force_login(personas.idi_reporter)
    response = client.get(strategy.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_response_to_a_successful_login_is_never_stored(client, personas):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "rector", "password": PASSWORD})
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_a_foreign_host_header_is_refused_with_a_plain_400(client):
    response = client.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()
    assert "Bad request" in response.content.decode()
