"""Single sign-on with OpenID Connect against a fake provider on loopback (real RS256 tokens):
the authorization-code flow with state, nonce and PKCE, and the tokens that must be refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse, reverse_lazy

from ops.audit import SESSION_STARTED_KEY
from tests.factories import UserFactory
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


@pytest.fixture
def provider(settings, db):
    with FakeProvider() as fake:
        settings.OIDC_ENABLED = True
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "ops.oidc.OIDCBackend",
        ]
        settings.OIDC_USERNAME_CLAIM = FEIDE
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.OIDC_RP_SCOPES = "openid email profile userid-feide"
        settings.OIDC_USE_PKCE = True
        settings.OIDC_TIMEOUT = 5
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


def test_an_existing_account_is_found_by_its_username_claim_not_by_e_mail(client, provider):
    UserFactory(username="someone-else", email=CLAIMS["email"])
    existing = UserFactory(username="olanor@ntnu.no", email="old@ntnu.no")
    client.get(start_login(client, provider))
    assert logged_in_as(client) == "olanor@ntnu.no"
    existing.refresh_from_db()
    assert existing.email == CLAIMS["email"]


def test_the_provider_gets_the_pkce_verifier_and_client_credentials(client, provider):
    client.get(start_login(client, provider))
    (request,) = provider.token_requests
    assert request["code_verifier"]
    assert request["redirect_uri"].endswith(reverse("oidc_authentication_callback"))


@pytest.mark.parametrize(
    "forgery",
    [
        {"signing_key": new_key()},  # not signed by the provider
        {"audience": "another-client"},  # a token meant for another site
        {"nonce": "replayed-nonce"},  # a token from another login
    ],
    ids=["foreign-signature", "wrong-audience", "wrong-nonce"],
)
def test_forged_or_replayed_id_tokens_are_refused(provider, forgery):
    client = Client(raise_request_exception=False)
    response = client.get(start_login(client, provider, **forgery))
    assert response.status_code in {400, 302}
    assert logged_in_as(client) is None


def test_a_callback_with_an_unknown_state_is_refused(client, provider):
    callback = start_login(client, provider)
    forged = callback.replace("state=", "state=x")
    response = Client(raise_request_exception=False).get(forged)
    assert response.status_code in {400, 302}
    assert logged_in_as(client) is None


def test_a_deactivated_user_cannot_sign_in(client, provider):
    UserFactory(username="olanor@ntnu.no", is_active=False)
    response = client.get(start_login(client, provider))
    assert response.url == reverse("login")
    assert logged_in_as(client) is None


def test_claims_without_the_username_claim_are_refused(client, provider):
    claims = {k: v for k, v in CLAIMS.items() if k != FEIDE}
    response = Client(raise_request_exception=False).get(
        start_login(client, provider, claims=claims)
    )
    assert logged_in_as(client) is None
    assert not get_user_model().objects.filter(email=CLAIMS["email"]).exists()
    assert response.status_code in {400, 302}


def test_the_sign_on_urls_are_the_only_new_public_ones(client, provider, strategy):
    from tests.ops.test_access_matrix import ACCESS, PUBLIC, all_routes

    for route in all_routes():
        if route.name.startswith("oidc_"):
            assert ACCESS[route.name] == PUBLIC
    assert client.get("/oidc/authenticate/").status_code == 302  # to the provider, not login
