"""A person's token page: create (shown once, stored hashed), last use, revoke; service
accounts in the admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from api.models import AccessToken, ServiceAccount, digest
from strategy.models import Membership, Role
from tests.api.conftest import ApiClient

TOKENS = reverse("api:tokens")


@pytest.fixture
def reporter(client, personas):
    client.force_login(personas.idi_reporter)
    return personas.idi_reporter


def create(client, name="Power BI", scope="read", expires_in="30"):
    return client.post(TOKENS, {"name": name, "scope": scope, "expires_in": expires_in})


def shown_token(response) -> str:
    return re.search(r'value="(vk_[^"]+)"', response.content.decode())[1]


def test_a_new_token_is_shown_once_and_stored_only_hashed(client, reporter):
    response = create(client)
    plaintext = shown_token(response)
    token = AccessToken.objects.get()
    assert token.digest == digest(plaintext)
    assert plaintext not in str(list(AccessToken.objects.values()))
    assert plaintext not in client.get(TOKENS).content.decode()


def test_the_token_acts_as_its_owner_and_its_use_is_recorded(client, reporter):
    plaintext = shown_token(create(client))
    units = ApiClient(plaintext).get(reverse("api:units")).json()["results"]
    assert [u["code"] for u in units] == ["IDI"]
    assert AccessToken.objects.get().last_used_at is not None
    assert "Never" not in client.get(TOKENS).content.decode()


def test_a_revoked_token_stops_working_at_once(client, reporter):
    plaintext = shown_token(create(client))
    token = AccessToken.objects.get()
    response = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert ApiClient(plaintext).get(reverse("api:units")).status_code == 401


def test_nobody_revokes_another_persons_token(client, reporter, personas):
    token, _plaintext = AccessToken.issue(
        user=personas.rector, name="x", scope="read", expires_at="2099-01-01T00:00Z"
    )
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_lists_only_ones_own_tokens(client, reporter, personas):
    AccessToken.issue(
        user=personas.rector, name="rector's", scope="read", expires_at="2099-01-01T00:00Z"
    )
    create(client, name="mine")
    page = client.get(TOKENS).content.decode()
    assert "mine" in page
    assert "rector&#x27;s" not in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "scope": "read", "expires_in": "30"},
        {"name": "   ", "scope": "read", "expires_in": "30"},
        {"name": "a\x00b", "scope": "read", "expires_in": "30"},
        {"name": "x" * 101, "scope": "read", "expires_in": "30"},
        {"name": "x", "scope": "admin", "expires_in": "30"},
        {"name": "x", "scope": "read", "expires_in": "36500"},
        {"name": "x", "scope": "read", "expires_in": "soon"},
    ],
)
def test_bad_input_on_the_token_form_creates_nothing(client, reporter, data):
    response = client.post(TOKENS, data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not AccessToken.objects.exists()


def test_revoking_needs_post(client, reporter):
    plaintext = shown_token(create(client))
    token = AccessToken.objects.get()
    assert client.get(reverse("api:token_revoke", args=[token.pk])).status_code == 405
    assert ApiClient(plaintext).get(reverse("api:units")).status_code == 200


def test_an_administrator_creates_a_service_account_and_a_token_for_it(client, personas, units):
    client.force_login(personas.administrator)
    client.post(reverse("admin:api_serviceaccount_add"), {"username": "dbh-sync", "purpose": "DBH"})
    account = ServiceAccount.objects.get()
    assert not account.user.has_usable_password()
    Membership.objects.create(user=account.user, unit=units["IE"], role=Role.REPORTER)
    response = client.post(
        reverse("admin:api_accesstoken_add"),
        {"user": account.user.pk, "name": "nightly", "scope": "write", "expires_in": "365"},
        follow=True,
    )
    plaintext = re.search(r"(vk_[A-Za-z0-9_-]+)", response.content.decode())[1]
    units_seen = ApiClient(plaintext).get(reverse("api:units")).json()["results"]
    assert units_seen
    assert all(u["path"].startswith(units["IE"].path) for u in units_seen)
