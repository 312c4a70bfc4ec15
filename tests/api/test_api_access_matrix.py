"""Every API endpoint × method × persona, with the expected status, through a token.

Another unit's objects answer 404; a viewer (the rector) cannot write; a read token cannot
write; anonymous, expired and revoked tokens answer 401. The last test fails when a URL is
added to the `api` namespace without a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from api.models import AccessToken, Scope
from indicators.models import Measurement
from tests.api.conftest import ApiClient, issue
from tests.factories import IndicatorFactory

PERSONAS = ["administrator", "rector", "ie_leader", "idi_reporter", "nv_reporter", "outsider"]
EVERYONE = dict.fromkeys(PERSONAS, 200)
READ = {"administrator": 200, "rector": 200, "ie_leader": 200, "idi_reporter": 200}
READ |= {"nv_reporter": 404, "outsider": 404}
# A viewer and an outsider have no unit to report for (403); a reporter of another faculty
# may report, but not for IDI: the row is refused with the import's message (422).
WRITE = {"administrator": 200, "rector": 403, "ie_leader": 200, "idi_reporter": 200}
WRITE |= {"nv_reporter": 422, "outsider": 403}
NOT_ALLOWED = dict.fromkeys(PERSONAS, 405)


@pytest.fixture
def indicator(strategy):
    return IndicatorFactory(code="IDI-PUB")


def bulk_body(indicator) -> dict:
    return {
        "rows": [
            {
                "indicator": indicator.code,
                "unit": "IDI",
                "period": "2025",
                "value": "12.5",
                "base_version": 0,
            }
        ]
    }


@dataclass
class Row:
    name: str
    method: str
    url: Callable[[object], str]
    expected: dict[str, int]
    body: Callable[[object], dict] | None = None


def url(name: str, *args) -> Callable[[object], str]:
    return lambda indicator: reverse(name, args=[a(indicator) if callable(a) else a for a in args])


MATRIX = [
    Row("api:schema", "get", url("api:schema"), EVERYONE),
    Row("api:areas", "get", url("api:areas"), EVERYONE),
    Row("api:areas", "post", url("api:areas"), NOT_ALLOWED, lambda i: {}),
    Row("api:pillars", "get", url("api:pillars"), EVERYONE),
    Row("api:goals", "get", url("api:goals"), EVERYONE),
    Row("api:periods", "get", url("api:periods"), EVERYONE),
    Row("api:units", "get", url("api:units"), EVERYONE),
    Row("api:unit", "get", url("api:unit", "IDI"), READ),
    Row("api:unit", "delete", url("api:unit", "IDI"), NOT_ALLOWED),
    Row("api:indicators", "get", url("api:indicators"), EVERYONE),
    Row("api:indicator", "get", url("api:indicator", lambda i: i.code), READ),
    Row("api:indicator", "put", url("api:indicator", lambda i: i.code), NOT_ALLOWED),
    Row("api:measurements", "get", url("api:measurements"), EVERYONE),
    Row("api:measurements", "post", url("api:measurements"), NOT_ALLOWED, lambda i: {}),
    Row("api:measurements_bulk", "post", url("api:measurements_bulk"), WRITE, bulk_body),
    Row("api:measurements_bulk", "get", url("api:measurements_bulk"), NOT_ALLOWED),
    Row("api:figures", "get", lambda i: reverse("api:figures") + "?unit=IDI", READ),
    Row("api:reports", "get", url("api:reports"), EVERYONE),
    Row("api:not_found", "get", lambda i: "/api/v2/anything/", dict.fromkeys(PERSONAS, 404)),
]

CASES = [
    pytest.param(row, persona, id=f"{row.name}-{row.method}-{persona}")
    for row in MATRIX
    for persona in PERSONAS
]


def send(client: ApiClient, row: Row, indicator):
    if row.method == "post":
        return client.post(row.url(indicator), row.body(indicator) if row.body else {})
    return client.generic(row.method, row.url(indicator))


@pytest.mark.parametrize(("row", "persona"), CASES)
def test_api_matrix(personas, indicator, row, persona):
    client = ApiClient(issue(getattr(personas, persona)))
    response = send(client, row, indicator)
    assert response.status_code == row.expected[persona], response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code
    if response.status_code != 200 or row.method == "get":
        assert not Measurement.objects.exists()


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.name}-{row.method}")
def test_without_a_token_every_endpoint_answers_401_with_a_problem(indicator, row):
    response = send(ApiClient(None), row, indicator)
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("state", ["expired", "revoked", "mistyped"])
def test_an_expired_revoked_or_mistyped_token_answers_401_everywhere(personas, indicator, state):
    token, plaintext = AccessToken.issue(
        user=personas.administrator,
        name="old",
        scope=Scope.WRITE,
        expires_at=timezone.now() + timedelta(days=1),
    )
    if state == "expired":
        AccessToken.objects.filter(pk=token.pk).update(
            created_at=timezone.now() - timedelta(days=3),
            expires_at=timezone.now() - timedelta(seconds=1),
        )
    elif state == "revoked":
        token.revoke()
    else:
        plaintext += "x"
    client = ApiClient(plaintext)
    for row in MATRIX:
        assert send(client, row, indicator).status_code == 401, row.name
    assert not Measurement.objects.exists()


def test_a_read_token_cannot_write(personas, indicator):
    client = ApiClient(issue(personas.idi_reporter, Scope.READ))
    response = client.post(reverse("api:measurements_bulk"), bulk_body(indicator))
    assert response.status_code == 403
    assert "may only read" in response.json()["detail"]
    assert not Measurement.objects.exists()


def test_a_token_of_a_deactivated_user_answers_401(personas, indicator):
    client = ApiClient(issue(personas.idi_reporter))
    personas.idi_reporter.is_active = False
    personas.idi_reporter.save()
    assert client.get(reverse("api:units")).status_code == 401


def test_another_units_objects_are_absent_from_lists(personas, indicator):
    IndicatorFactory(code="NV-X", owner_unit=personas.nv_reporter.memberships.get().unit)
    client = ApiClient(issue(personas.idi_reporter))
    codes = [i["code"] for i in client.get(reverse("api:indicators")).json()["results"]]
    units = [u["code"] for u in client.get(reverse("api:units")).json()["results"]]
    assert codes == ["IDI-PUB"]
    assert units == ["IDI"]


def test_every_api_url_is_in_the_matrix():
    _prefix, inner = get_resolver().namespace_dict["api"]
    names = {f"api:{name}" for name in inner.reverse_dict if isinstance(name, str)}
    # The docs page and the token pages are web pages: tests/api/test_tokens.py.
    assert names - {"api:docs", "api:tokens", "api:token_revoke"} == {r.name for r in MATRIX}
