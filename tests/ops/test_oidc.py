"""Single sign-on with OpenID Connect against a small provider on loopback (real RS256 tokens,
served over HTTP in a thread): the authorization-code flow with state, nonce and PKCE, identity
mapping, and every refusal as a message, a 4xx status and a security log line."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse, reverse_lazy

from accounts.models import ExternalIdentity
from ops.audit import SESSION_STARTED_KEY
from ops.logs import JsonFormatter
from tests.factories import PASSWORD, UserFactory
from tests.ops.fake_oidc import FakeProvider, new_key

pytestmark = pytest.mark.urls("tests.ops.oidc_urls")

FEIDE = "https://n.feide.no/claims/eduPersonPrincipalName"
CLAIMS = {
    "sub": "76a7a061-3c55-430d-8ee0-6f82ec42501f",
    FEIDE: "olanor@ntnu.no",
    "email": "ola.nordmann@ntnu.no",
    "given_name": "Ola",
    "family_name": "Nordmann",
}

# Feide puts the username in userinfo; a provider may put it in the ID token as well.
IN_TOKEN = {FEIDE: "olanor@ntnu.no"}


@pytest.fixture
def provider(settings, db):
    with FakeProvider() as fake:
        settings.OIDC_ENABLED = True
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "ops.oidc.OIDCBackend",
        ]
        settings.OIDC_USERNAME_CLAIM = FEIDE
        settings.OIDC_RP_SCOPES = "openid email profile userid-feide"
        settings.OIDC_CREATE_USER = True
        settings.LOGIN_REDIRECT_URL_FAILURE = reverse_lazy("login")
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def start_login(client: Client, provider: FakeProvider, **grant) -> str:
    """Follow the login link to the provider, consent there, return the callback URL."""
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    assert response.url.startswith(f"{provider.url}/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
    assert query["client_id"] == "veikart-test"
    assert query["code_challenge_method"] == "S256"
    grant = {"nonce": query["nonce"], "code_challenge": query["code_challenge"], **grant}
    grant.setdefault("claims", CLAIMS)
    provider.consent("the-code", **grant)
    return f"{reverse('oidc_authentication_callback')}?code=the-code&state={query['state']}"


def logged_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


def events(caplog, event: str) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(r)) for r in caplog.records if getattr(r, "event", "") == event
    ]


def assert_refused(client, caplog, callback: str, reason: str, status: int, message: str, user=""):
    """The login page with the message, the status, one log line naming reason and user."""
    with caplog.at_level(logging.INFO):
        response = client.get(callback)
    assert response.status_code == status
    page = response.content.decode()
    assert message in page
    assert 'role="alert"' in page
    assert logged_in_as(client) is None
    (line,) = events(caplog, "sso_refused")
    assert (line["reason"], line["user"], line["level"]) == (reason, user, "WARNING")
    assert "eyJ" not in json.dumps(line)  # never a token
    return line


def test_the_login_page_offers_single_sign_on_when_switched_on(client, provider):
    page = client.get(reverse("login")).content.decode()
    assert "Log in with Feide" in page
    assert reverse("oidc_authentication_init") in page


def test_a_new_user_signs_in_and_has_no_role_until_given_one(client, provider, strategy, settings):
    response = client.get(start_login(client, provider))
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert logged_in_as(client) == "olanor@ntnu.no"
    user = get_user_model().objects.get(username="olanor@ntnu.no")
    assert (user.first_name, user.email, user.memberships.count()) == ("Ola", CLAIMS["email"], 0)
    assert not user.has_usable_password()
    assert SESSION_STARTED_KEY in client.session
    assert user.external_identity.identifier == "olanor@ntnu.no"
    assert user.external_identity.subject == CLAIMS["sub"]


def test_an_existing_account_is_found_by_its_username_claim_not_by_e_mail(client, provider):
    UserFactory(username="someone-else", email=CLAIMS["email"])
    existing = UserFactory(username="olanor@ntnu.no", email="old@ntnu.no")
    client.get(start_login(client, provider))
    assert logged_in_as(client) == "olanor@ntnu.no"
    existing.refresh_from_db()
    assert existing.email == CLAIMS["email"]
    assert existing.external_identity.identifier == "olanor@ntnu.no"


def test_a_linked_local_account_is_used_and_never_duplicated(client, provider, personas):
    ExternalIdentity.objects.create(user=personas.idi_reporter, identifier="OlaNor@ntnu.no")
    for _ in range(2):
        client.get(start_login(client, provider))
        assert logged_in_as(client) == "idi-reporter"
        client.post(reverse("logout"))
    assert not get_user_model().objects.filter(username="olanor@ntnu.no").exists()
    assert ExternalIdentity.objects.get().last_sign_on is not None


def test_accounts_can_be_matched_by_e_mail_and_are_linked_on_first_login(
    client, provider, personas, settings
):
    settings.OIDC_MATCH_USERS_BY = "email"
    personas.idi_reporter.email = "Ola.Nordmann@ntnu.no"
    personas.idi_reporter.save()
    client.get(start_login(client, provider))
    assert logged_in_as(client) == "idi-reporter"
    assert personas.idi_reporter.external_identity.identifier == "olanor@ntnu.no"


def test_two_accounts_with_the_matched_e_mail_are_refused(client, provider, settings, caplog):
    settings.OIDC_MATCH_USERS_BY = "email"
    UserFactory(username="a", email=CLAIMS["email"])
    UserFactory(username="b", email=CLAIMS["email"])
    assert_refused(
        client,
        caplog,
        start_login(client, provider),
        "ambiguous",
        403,
        "More than one Veikart account matches you",
        user="olanor@ntnu.no",
    )


def test_a_list_claim_with_the_feide_prefix_is_the_username(client, provider, settings):
    settings.OIDC_USERNAME_CLAIM = "dataporten-userid_sec"
    settings.OIDC_USERNAME_PATTERN = "feide:(.+)"
    claims = {**CLAIMS, "dataporten-userid_sec": ["nin:01017012345", "feide:OlaNor@ntnu.no"]}
    client.get(start_login(client, provider, claims=claims))
    assert logged_in_as(client) == "olanor@ntnu.no"


def test_the_username_can_come_from_the_id_token_alone(client, provider, settings):
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_USERNAME_SOURCE = "id_token"
    claims = {"sub": CLAIMS["sub"]}
    client.get(start_login(client, provider, claims=claims, id_token_claims={FEIDE: "kari@uio.no"}))
    assert logged_in_as(client) == "kari@uio.no"


def test_the_provider_gets_the_pkce_verifier_and_client_credentials(client, provider):
    client.get(start_login(client, provider))
    (request,) = provider.token_requests
    assert request["code_verifier"]
    assert request["redirect_uri"].endswith(reverse("oidc_authentication_callback"))


@pytest.mark.parametrize("skew", [30, -30])
def test_clocks_that_differ_by_half_a_minute_still_log_in(client, provider, skew):
    client.get(start_login(client, provider, skew=skew))
    assert logged_in_as(client) == "olanor@ntnu.no"


@pytest.mark.parametrize(
    ("skew", "reason"), [(300, "token_not_yet_valid"), (-600, "token_expired")]
)
def test_clocks_five_minutes_apart_are_a_clean_refusal(client, provider, caplog, skew, reason):
    assert_refused(
        client,
        caplog,
        start_login(client, provider, skew=skew, id_token_claims=IN_TOKEN),
        reason,
        400,
        "the clocks of Veikart and Feide probably differ",
        user="olanor@ntnu.no",
    )


@pytest.mark.parametrize(
    ("forgery", "reason"),
    [
        ({"signing_key": new_key()}, "bad_signature"),
        ({"forgery": "tampered"}, "bad_signature"),
        ({"forgery": "alg-none"}, "unsigned_token"),
        ({"audience": "another-client"}, "wrong_audience"),
        ({"nonce": "replayed-nonce"}, "wrong_nonce"),
    ],
    ids=["wrong-key", "tampered", "alg-none", "wrong-audience", "wrong-nonce"],
)
def test_forged_or_replayed_id_tokens_are_refused(client, provider, caplog, forgery, reason):
    line = assert_refused(
        client,
        caplog,
        start_login(client, provider, id_token_claims=IN_TOKEN, **forgery),
        reason,
        400,
        "could not be verified",
        user="olanor@ntnu.no",
    )
    assert line["subject"]  # the token's claimed subject, for the operator
    assert not get_user_model().objects.filter(username="olanor@ntnu.no").exists()


def test_a_token_from_another_issuer_is_refused(client, provider, caplog, settings):
    callback = start_login(client, provider, id_token_claims=IN_TOKEN)
    settings.OIDC_OP_ISSUER = "https://auth.example.org"
    assert_refused(
        client, caplog, callback, "wrong_issuer", 400, "could not be verified", "olanor@ntnu.no"
    )


def test_a_callback_with_an_unknown_state_is_refused(client, provider, caplog):
    forged = start_login(client, provider).replace("state=", "state=x")
    assert_refused(client, caplog, forged, "bad_state", 400, "This log-in has expired")


def test_a_declined_consent_says_so(client, provider, caplog):
    callback = start_login(client, provider)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    declined = f"{reverse('oidc_authentication_callback')}?error=access_denied&state={state}"
    assert_refused(client, caplog, declined, "consent_declined", 403, "You did not allow Feide")


def test_an_unreachable_provider_is_a_clean_refusal(client, provider, caplog, settings):
    callback = start_login(client, provider)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens there
    line = assert_refused(
        client, caplog, callback, "provider_unreachable", 400, "Feide cannot be reached right now"
    )
    assert "token" in line["detail"]


def test_a_deactivated_user_cannot_sign_in(client, provider, caplog):
    UserFactory(username="olanor@ntnu.no", is_active=False)
    assert_refused(
        client,
        caplog,
        start_login(client, provider),
        "inactive",
        403,
        "Your Veikart account is deactivated",
        user="olanor@ntnu.no",
    )


def test_an_unknown_user_without_auto_create_is_told_and_named_in_the_log(
    client, provider, caplog, settings
):
    settings.OIDC_CREATE_USER = False
    assert_refused(
        client,
        caplog,
        start_login(client, provider),
        "unknown_user",
        403,
        "You have no Veikart account",
        user="olanor@ntnu.no",
    )
    (failed,) = events(caplog, "login_failed")
    assert failed["user"] == "olanor@ntnu.no"
    assert not get_user_model().objects.filter(username="olanor@ntnu.no").exists()


def test_claims_without_the_username_claim_are_refused(client, provider, caplog):
    claims = {k: v for k, v in CLAIMS.items() if k != FEIDE}
    assert_refused(
        client,
        caplog,
        start_login(client, provider, claims=claims),
        "no_identifier",
        403,
        "did not tell Veikart who you are",
    )
    assert not get_user_model().objects.filter(email=CLAIMS["email"]).exists()


def test_refused_sign_ons_never_lock_out_others_behind_the_same_address(
    provider, personas, settings
):
    settings.OIDC_CREATE_USER = False
    stranger = Client()
    for _ in range(8):  # unknown users and declined consents from one campus address
        stranger.get(start_login(stranger, provider))
        stranger.get(f"{reverse('oidc_authentication_callback')}?error=access_denied&state=x")
    # The same address: another person's sign-on and a colleague's password still work.
    ExternalIdentity.objects.create(user=personas.rector, identifier="rector@ntnu.no")
    colleague = Client()
    colleague.get(start_login(colleague, provider, claims={**CLAIMS, FEIDE: "rector@ntnu.no"}))
    assert logged_in_as(colleague) == "rector"
    password = Client()
    response = password.post(reverse("login"), {"username": "idi-reporter", "password": PASSWORD})
    assert response.status_code == 302
    # Only the refused name itself is locked out.
    response = stranger.get(start_login(stranger, provider))
    assert response.status_code == 429


def test_the_endpoints_can_come_from_discovery(client, provider, settings):
    settings.OIDC_OP_DISCOVERY = True
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", "")
    client.get(start_login(client, provider))
    assert logged_in_as(client) == "olanor@ntnu.no"


def test_discovery_of_a_provider_that_is_down_is_a_clean_refusal(client, settings, db, caplog):
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_DISCOVERY = True
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    settings.OIDC_RP_CLIENT_ID = "veikart-test"
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 400
    assert "Feide cannot be reached right now" in response.content.decode()
    assert events(caplog, "sso_refused")[0]["reason"] == "provider_unreachable"


def test_logging_out_ends_the_session_at_the_provider_too(client, provider, settings):
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{provider.url}/logout"
    client.get(start_login(client, provider))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert response.url.startswith(f"{provider.url}/logout?")
    assert query["id_token_hint"][0].startswith("eyJ")
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert logged_in_as(client) is None


def test_logout_at_the_provider_is_found_by_discovery(client, provider, settings):
    client.get(start_login(client, provider))
    response = client.post(reverse("logout"))
    assert response.url.startswith(f"{provider.url}/logout?")


def test_a_password_user_logs_out_locally_only(client, provider, personas):
    client.post(reverse("login"), {"username": "rector", "password": PASSWORD})
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")


def test_sso_users_see_no_password_link(client, provider, strategy):
    client.get(start_login(client, provider), follow=True)
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert "Log out" in page
    assert "password-link" not in page


def test_the_sign_on_urls_are_the_only_new_public_ones(client, provider, strategy):
    from tests.ops.test_access_matrix import ACCESS, PUBLIC, all_routes

    for route in all_routes():
        if route.name.startswith("oidc_"):
            assert ACCESS[route.name] == PUBLIC
    assert client.get("/oidc/authenticate/").status_code == 302  # to the provider, not login


def test_the_link_command_then_the_first_sign_on(client, provider, personas, tmp_path):
    csv = tmp_path / "links.csv"
    csv.write_text("username,external_id\nidi-reporter,olanor@ntnu.no\n", encoding="utf-8")
    call_command("link_sso_accounts", str(csv))
    client.get(start_login(client, provider))
    assert logged_in_as(client) == "idi-reporter"


def test_the_refusal_is_in_the_users_language(client, provider, caplog):
    callback = start_login(client, provider)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    declined = f"{reverse('oidc_authentication_callback')}?error=access_denied&state={state}"
    response = client.get(declined, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 403
    assert "Du tillot ikke Feide å dele identiteten din med Veikart" in response.content.decode()


def test_a_sign_on_takes_a_bounded_number_of_queries(
    client, provider, personas, django_assert_max_num_queries
):
    ExternalIdentity.objects.create(user=personas.idi_reporter, identifier="olanor@ntnu.no")
    callback = start_login(client, provider)
    # Measured 21: the session (read, rotate on login, save), django-axes' bookkeeping, and the
    # sign-on's own three (find the identity, note the sign-on, copy the names).
    with django_assert_max_num_queries(21):
        response = client.get(callback)
    assert response.status_code == 302
    assert logged_in_as(client) == "idi-reporter"
