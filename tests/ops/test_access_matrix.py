"""Deny by default (ASVS V8.1): every URL pattern, including ones added later, is walked.

Each URL name outside the admin needs a row in ACCESS saying who may use it; a new URL without
a row fails the suite. Anonymous requests to anything not public are sent to the login page.
Object-level access (another unit's report answers 404) is tested by each app's own matrix.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.regex_helper import normalize

from tests.factories import UserFactory
from tests.strategy.test_pages import PUBLIC_NAMES

PUBLIC = "public"
USER = "any logged-in user (object-level access is each app's own matrix)"
STAFF = "staff with the model permission (the admin)"
API = "a token or a session; anonymous requests answer 401 (tests/api holds the matrix)"

ACCESS = {
    "login": PUBLIC,
    "set_language": PUBLIC,
    "healthz": PUBLIC,
    "status": PUBLIC,
    "oidc_authentication_init": PUBLIC,  # with OIDC_ENABLED=true
    "oidc_authentication_callback": PUBLIC,
    "logout": USER,
    "password_change": USER,
    "password_change_done": USER,
    "accounts:settings": USER,  # one's own settings only (tests/accounts)
    "strategy:home": USER,
    "strategy:detail": USER,
    # Reporting (issue 3): a unit's pages answer 404 outside the user's subtree, edits need a
    # reporter or approver role; tests/goals and tests/indicators hold the persona matrix.
    "goals:landing": USER,
    "goals:my_unit": USER,
    "goals:unit": USER,
    "goals:report": USER,
    "goals:report_review": USER,
    "goals:report_comment": USER,  # the dialogue (issue 12): tests/goals/test_permission_matrix.py
    "goals:goal_comments": USER,
    "indicators:grid": USER,
    "indicators:measurement_save": USER,
    "indicators:grid_save": USER,
    "indicators:attach": USER,
    "indicators:unit_targets": USER,  # the owner unit's readers; its editors change them
    "indicators:unit_target_remove": USER,
    # Import and export (issue 5): each user's own jobs and units, see tests/spreadsheets and
    # tests/jobs for the per-persona checks.
    "spreadsheets:index": USER,
    "spreadsheets:template": USER,
    "spreadsheets:import": USER,
    "spreadsheets:export": USER,
    "jobs:detail": USER,
    "jobs:download": USER,
    # Dashboards (issue 4): figures of the user's visible subtrees only, 404 for other units;
    # tests/dashboards/test_pages.py holds the per-persona checks.
    "dashboards:overview": USER,
    "dashboards:area": USER,
    "dashboards:pillar": USER,
    "dashboards:goal": USER,
    "dashboards:unit": USER,
    "dashboards:completeness": USER,
    "dashboards:indicator": USER,  # tests/dashboards/test_indicator_page.py: per persona
    # A leader sees their subtree only: tests/dashboards/test_exceptions_page.py
    "dashboards:exceptions": USER,
    # The rectorate and leaders (403 for others, 404 outside their subtree):
    # tests/dashboards/test_board_report.py
    "dashboards:board_report": USER,
    # The REST API (issue 13): tests/api/test_api_access_matrix.py has every endpoint × method ×
    # persona; the docs page and a person's own token pages are ordinary logged-in pages.
    "api:schema": API,
    "api:areas": API,
    "api:pillars": API,
    "api:goals": API,
    "api:periods": API,
    "api:units": API,
    "api:unit": API,
    "api:indicators": API,
    "api:indicator": API,
    "api:measurements": API,
    "api:measurements_bulk": API,
    "api:figures": API,
    "api:reports": API,
    "api:not_found": API,
    "api:docs": USER,
    "api:tokens": USER,
    "api:token_revoke": USER,
}

# Values tried for each URL parameter until the pattern accepts one.
SAMPLES = ["1", "sample", "auth", "2025", "00000000-0000-4000-8000-000000000000"]


@dataclass(frozen=True)
class Route:
    name: str
    url: str

    @property
    def in_admin(self) -> bool:
        return self.name.startswith("admin:")


def _segment(pattern, *, endpoint: bool) -> str | None:
    """A concrete piece of path that the pattern accepts, built the way Django reverses URLs."""
    regex = pattern.pattern.regex
    for template, params in normalize(regex.pattern):
        for values in itertools.product(SAMPLES, repeat=len(params)):
            candidate = template % dict(zip(params, values, strict=True))
            found = regex.fullmatch(candidate) if endpoint else regex.match(candidate)
            if found and (not endpoint or found.end() == len(candidate)):
                return candidate
    return None


def _walk(resolver=None, namespace: str = "", prefix: str | None = "/") -> Iterator[Route]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            piece = _segment(pattern, endpoint=False)
            yield from _walk(
                pattern, inner, None if piece is None or prefix is None else prefix + piece
            )
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern is named by its route, so it still needs a row.
            name = f"{namespace}{pattern.name or pattern.pattern}"
            piece = _segment(pattern, endpoint=True)
            yield Route(name, "" if piece is None or prefix is None else prefix + piece)


def all_routes() -> list[Route]:
    routes: dict[str, Route] = {}
    for route in _walk():
        routes.setdefault(route.name, route)
    return list(routes.values())


def test_every_url_outside_the_admin_has_a_row_in_the_access_matrix():
    missing = sorted(r.name for r in all_routes() if not r.in_admin and r.name not in ACCESS)
    assert not missing, f"add these URLs to ACCESS in {__file__}: {missing}"


def test_public_urls_are_exactly_the_allowlist():
    public = {name for name, rule in ACCESS.items() if rule == PUBLIC}
    assert public == PUBLIC_NAMES


def test_every_url_pattern_can_be_walked():
    """Each pattern yields a concrete URL from the sample values, so none escapes the walk."""
    unwalkable = [r.name for r in all_routes() if not r.url]
    assert not unwalkable, f"add a sample value to SAMPLES for: {unwalkable}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_login_from_every_url_but_the_public_ones(
    client, strategy, method
):
    logins = (reverse("login"), reverse("admin:login"))
    for route in all_routes():
        public = ACCESS.get(route.name) == PUBLIC or route.name == "admin:login"
        response = getattr(client, method)(route.url)
        redirected_to_login = response.status_code == 302 and response.url.startswith(logins)
        if ACCESS.get(route.name) == API:
            assert response.status_code == 401, f"{route.name} ({route.url})"
        elif public:
            assert not redirected_to_login, f"{route.name} should be public"
        else:
            assert redirected_to_login, (
                f"{route.name} ({route.url}) answered {response.status_code}"
            )


def test_logged_in_users_who_are_not_staff_are_kept_out_of_every_admin_url(client, personas):
    client.force_login(personas.rector)
    admin_login = reverse("admin:login")
    for route in all_routes():
        if not route.in_admin or route.name in {"admin:login", "admin:logout"}:
            continue
        response = client.get(route.url)
        assert response.status_code == 302, route.name
        assert response.url.startswith(admin_login), route.name


def test_staff_without_a_model_permission_get_403_on_every_admin_model_page(client, strategy):
    from django.contrib import admin

    staff = UserFactory(username="bare-staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("changelist", "add"):
            response = client.get(reverse(f"admin:{info[0]}_{info[1]}_{page}"))
            assert response.status_code == 403, f"{info} {page}"
        response = client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[1]))
        assert response.status_code in {403, 302}, f"{info} change"


def test_staff_with_one_view_permission_see_that_model_only(client, strategy):
    staff = UserFactory(username="unit-staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_unit"))
    client.force_login(staff)
    assert client.get(reverse("admin:strategy_unit_changelist")).status_code == 200
    assert client.get(reverse("admin:strategy_unit_add")).status_code == 403
    assert client.get(reverse("admin:strategy_membership_changelist")).status_code == 403
