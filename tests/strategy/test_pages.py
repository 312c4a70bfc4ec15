from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from strategy.models import Strategy

PUBLIC_NAMES = {
    "login",
    "set_language",
    "healthz",
    "status",
    "oidc_authentication_init",  # with OIDC_ENABLED=true
    "oidc_authentication_callback",
}
# The REST API authenticates every request itself (a token or the session) and answers an
# anonymous one 401 instead of the login redirect: tests/ops/test_access_matrix.py checks that
# for each of these, tests/api/test_api_access_matrix.py every persona and method.
API_NAMES = {
    "api:schema",
    "api:areas",
    "api:pillars",
    "api:goals",
    "api:periods",
    "api:units",
    "api:unit",
    "api:indicators",
    "api:indicator",
    "api:measurements",
    "api:measurements_bulk",
    "api:figures",
    "api:reports",
    "api:not_found",
}


def page_urls(strategy: Strategy) -> list[str]:
    return [reverse("strategy:home"), strategy.get_absolute_url()]


def named_patterns(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_anonymous_users_are_sent_to_login_from_every_page(client, strategy):
    for url in page_urls(strategy):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_every_named_url_outside_the_admin_needs_login_unless_allowlisted(client, strategy):
    """A new URL must either be covered by the login requirement or be added here on purpose."""
    from django.contrib.auth.middleware import LoginRequiredMiddleware  # noqa: F401
    from django.urls import resolve

    for name in named_patterns():
        if name in PUBLIC_NAMES:
            continue
        try:
            url = reverse(name)
        except Exception:  # noqa: S112 — patterns with arguments are checked by their issue's matrix
            continue
        view = resolve(url).func
        if name in API_NAMES:
            assert client.get(url).status_code == 401, f"{name} answers anonymous users"
            continue
        assert getattr(view, "login_required", True), f"{name} is open to anonymous users"


def test_strategy_page_lists_areas_pillars_and_goals(client, personas, strategy):
    client.force_login(personas.idi_reporter)
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert "Education and learning environment" in page
    assert "Quality of education" in page
    assert "Facilitate knowledge sharing through open access" in page


def test_strategy_page_renders_in_norwegian_with_unofficial_translations_marked(
    client, personas, strategy
):
    client.force_login(personas.idi_reporter)
    client.cookies["django_language"] = "nb"
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert 'lang="nb"' in page
    assert "Utdanning og læringsmiljø" in page
    assert "Kvalitet i utdanningen" in page
    assert "uoffisiell oversettelse" in page


def test_language_switch_remembers_the_choice(client, personas, strategy):
    client.force_login(personas.rector)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert "Logg ut" in page


def test_strategy_page_uses_a_fixed_number_of_queries(
    client, personas, strategy, django_assert_max_num_queries
):
    client.force_login(personas.rector)
    # 12: two for the navigation: whether to show "My unit" and "Dashboards", and the count
    # of reports owed beside "My unit".
    with django_assert_max_num_queries(12):
        client.get(strategy.get_absolute_url())


def test_login_page_is_open_and_logs_a_user_in(client, personas):
    from tests.factories import PASSWORD

    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "rector", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("strategy:home")).status_code == 302  # on to the strategy page


def test_unknown_strategy_is_404(client, personas):
    client.force_login(personas.rector)
    assert client.get("/strategy/nope/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_strategy_page_is_read_only(client, personas, strategy, method):
    client.force_login(personas.administrator)
    response = getattr(client, method)(strategy.get_absolute_url())
    assert response.status_code == 405
