"""Single sign-on in Chromium against a real OpenID provider in its own process
(django-oidc-provider, tests/oidc_provider/): discovery, RS256 and JWKS, PKCE, a consent page,
Feide's username claims and RP-initiated logout. Veikart is configured as docs/deploy.md says:
an issuer URL with discovery, the client, the username claim.

Every refusal is checked for what the person reads, the HTTP status, the security log line, and
that someone else behind the same address can still sign on afterwards."""

from __future__ import annotations

import copy
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from accounts.models import ExternalIdentity
from ops.logs import JsonFormatter
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PASSWORD as PERSONA_PASSWORD
from tests.oidc_provider.serve import CLIENT_ID, CLIENT_SECRET, PASSWORD

pytestmark = pytest.mark.urls("tests.ops.oidc_urls")

FEIDE = "https://n.feide.no/claims/eduPersonPrincipalName"
NOT_VERIFIED = "could not be verified, so you were not logged in"
CLOCKS = "the clocks of Veikart and Feide probably differ"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process = process
        self.url = url
        self.issuer = f"{url}/openid"

    def behave(self, **behaviour) -> None:
        request = urllib.request.Request(  # noqa: S310 — the test provider on loopback
            f"{self.url}/_test/behaviour", data=json.dumps(behaviour).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 200


@pytest.fixture(scope="session")
def provider(live_server, tmp_path_factory):
    port = free_port()
    database = tmp_path_factory.mktemp("provider") / "provider.sqlite3"
    process = subprocess.Popen(  # noqa: S603 — the test's own interpreter and module
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), live_server.url, database],
        cwd=Path(django_settings.BASE_DIR),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.strip() == "ready":
            break
    else:
        pytest.fail("the test provider did not start:\n" + "".join(lines))
    yield Provider(process, f"http://127.0.0.1:{port}")
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider, personas):
    """Veikart switched to single sign-on at the provider, configured by discovery."""
    provider.behave()
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "ops.oidc.OIDCBackend"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_OP_DISCOVERY = True
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_RP_SCOPES = "openid email profile userid-feide"
    settings.OIDC_USERNAME_CLAIM = FEIDE
    settings.OIDC_CREATE_USER = True
    settings.OIDC_TIMEOUT = 2
    # As config/settings.py does for the issuer's origin: the logout form may lead there.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider.url)
    settings.CONTENT_SECURITY_POLICY = policy
    # Per, who works at IDI, has the local account idi-reporter; linked before his first login.
    ExternalIdentity.objects.create(user=personas.idi_reporter, identifier="perhan@ntnu.no")
    return provider


def sign_on(page, live_server, who: str, consent: bool = True):
    """From Veikart's login page through the provider's log-in and consent; the callback's
    response (its status) is returned."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Log in with Feide").click()
    page.get_by_label("Provider username").fill(who)
    page.get_by_label("Provider password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    with page.expect_response(lambda r: "/oidc/callback/" in r.url) as callback:
        page.get_by_role("button", name="Authorize" if consent else "Decline").click()
    page.wait_for_load_state()
    return callback.value


def refusals(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(r))
        for r in caplog.records
        if getattr(r, "event", "") == "sso_refused"
    ]


def assert_refused(page, caplog, response, status: int, message: str, reason: str, user: str):
    assert response.status == status
    assert message in page.get_by_role("alert").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Log in to Veikart"
    (line,) = refusals(caplog)
    assert (line["reason"], line["user"]) == (reason, user)
    assert "eyJ" not in json.dumps(line)  # never a token


def assert_others_can_sign_on(browser, live_server) -> None:
    """Another person behind the same address (127.0.0.1) is not locked out."""
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_on(page, live_server, "perhan")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Department of")
    finally:
        context.close()


def test_a_linked_local_account_lands_on_my_unit_with_its_roles(page, live_server, sso, caplog):
    page.goto(f"{live_server.url}/login/")
    assert_accessible(page)
    response = sign_on(page, live_server, "perhan")
    assert response.status == 302
    assert page.get_by_role("heading", level=1).inner_text().startswith("Department of Computer")
    assert page.get_by_text("Per Hansen").is_visible()
    assert_accessible(page)
    screenshot(page, "sso-1-my-unit")
    assert not get_user_model().objects.filter(username="perhan@ntnu.no").exists()
    assert ExternalIdentity.objects.get(identifier="perhan@ntnu.no").subject


def test_an_unknown_person_gets_an_account_without_roles(page, live_server, sso):
    sign_on(page, live_server, "karnor")
    user = get_user_model().objects.get(username="karnor@ntnu.no")
    assert (user.get_full_name(), user.memberships.count()) == ("Kari Nordmann", 0)
    assert page.get_by_text("Kari Nordmann").is_visible()
    assert not page.get_by_role("link", name="Password").count()  # she has none to change


def test_an_unknown_person_without_auto_create_is_told_and_others_still_get_in(
    page, browser, live_server, sso, settings, caplog
):
    settings.OIDC_CREATE_USER = False
    with caplog.at_level(logging.INFO):
        for _ in range(6):  # more than the lockout's five failures
            response = sign_on(page, live_server, "karnor")
            page.context.clear_cookies()
    assert response.status == 429  # karnor@ntnu.no itself is locked out now
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = sign_on(page, live_server, "karnor")
    assert_refused(
        page,
        caplog,
        response,
        429,
        "Too many failed log-in attempts",
        "locked_out",
        "karnor@ntnu.no",
    )
    page.context.clear_cookies()
    assert_others_can_sign_on(browser, live_server)
    assert not get_user_model().objects.filter(username="karnor@ntnu.no").exists()


def test_the_username_from_a_list_claim_with_the_feide_prefix(page, live_server, sso, settings):
    settings.OIDC_USERNAME_CLAIM = "dataporten-userid_sec"
    settings.OIDC_USERNAME_PATTERN = "feide:(.+)"
    sign_on(page, live_server, "perhan")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Department of Computer")


def test_a_declined_consent_says_so(page, browser, live_server, sso, caplog):
    with caplog.at_level(logging.INFO):
        response = sign_on(page, live_server, "olanor", consent=False)
    assert_refused(
        page,
        caplog,
        response,
        403,
        "You did not allow Feide to share your identity",
        "consent_declined",
        "",
    )
    assert_accessible(page)
    screenshot(page, "sso-2-declined")
    assert_others_can_sign_on(browser, live_server)


@pytest.mark.parametrize("skew", [30, -30])
def test_clocks_half_a_minute_apart_still_sign_on(page, live_server, sso, skew):
    sso.behave(skew=skew)
    sign_on(page, live_server, "perhan")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Department of Computer")


@pytest.mark.parametrize(
    ("skew", "reason"), [(300, "token_not_yet_valid"), (-900, "token_expired")]
)
def test_clocks_five_minutes_apart_are_a_clean_refusal(
    page, browser, live_server, sso, caplog, skew, reason
):
    # -900: the provider's clock is 15 minutes behind, so its 10-minute token has expired.
    sso.behave(skew=skew)
    with caplog.at_level(logging.INFO):
        response = sign_on(page, live_server, "olanor")
    assert_refused(page, caplog, response, 400, CLOCKS, reason, "olanor@ntnu.no")
    sso.behave()
    assert_others_can_sign_on(browser, live_server)


@pytest.mark.parametrize(
    ("forgery", "reason"),
    [("tampered", "bad_signature"), ("alg-none", "unsigned_token"), ("wrong-key", "bad_signature")],
)
def test_a_forged_id_token_is_refused(page, browser, live_server, sso, caplog, forgery, reason):
    sso.behave(forgery=forgery)
    with caplog.at_level(logging.INFO):
        response = sign_on(page, live_server, "olanor")
    assert_refused(page, caplog, response, 400, NOT_VERIFIED, reason, "olanor@ntnu.no")
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    assert not get_user_model().objects.filter(username="olanor@ntnu.no").exists()
    sso.behave()
    assert_others_can_sign_on(browser, live_server)


def test_a_provider_that_stops_answering_is_a_clean_refusal(
    page, browser, live_server, sso, caplog
):
    def provider_hangs_after_consent(route):
        if route.request.method != "POST":  # only the consent form's answer
            route.continue_()
            return
        redirect_to_veikart = route.fetch(max_redirects=0)
        os.kill(sso.process.pid, signal.SIGSTOP)  # from now on the provider answers nothing
        route.fulfill(response=redirect_to_veikart)

    page.route(f"{sso.issuer}/authorize**", provider_hangs_after_consent)
    try:
        with caplog.at_level(logging.INFO):
            response = sign_on(page, live_server, "perhan")
    finally:
        os.kill(sso.process.pid, signal.SIGCONT)
        page.unroute(f"{sso.issuer}/authorize**")
    assert_refused(
        page,
        caplog,
        response,
        400,
        "Feide cannot be reached right now",
        "provider_unreachable",
        "",
    )
    assert_others_can_sign_on(browser, live_server)


def test_logging_out_also_ends_the_session_at_the_provider(page, live_server, sso):
    sign_on(page, live_server, "perhan")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    # Back at Veikart's login page; the provider asks who you are again.
    page.get_by_role("link", name="Log in with Feide").click()
    assert page.get_by_label("Provider username").is_visible()


def test_with_password_login_off_only_the_break_glass_administrator_uses_a_password(
    page, live_server, sso, settings
):
    settings.PASSWORD_LOGIN = "off"
    page.goto(f"{live_server.url}/login/")
    assert not page.get_by_label("Password").is_visible()
    assert_accessible(page)
    page.get_by_text("Administrator log-in with a password").click()
    page.get_by_label("Username").fill("rector")
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    assert "did not match" in page.get_by_role("alert").inner_text()
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Log out").is_visible()
    screenshot(page, "sso-3-break-glass")
