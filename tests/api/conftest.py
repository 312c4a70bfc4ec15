"""Tokens for the personas, and a client that calls the API with one."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import AccessToken, Scope


def issue(user, scope: str = Scope.WRITE, *, days: int = 30) -> str:
    _token, plaintext = AccessToken.issue(
        user=user, name="test", scope=scope, expires_at=timezone.now() + timedelta(days=days)
    )
    return plaintext


class ApiClient:
    """Django's test client speaking to the API with a bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, url: str, data=None, **extra):
        return self.client.get(url, data, **self.headers, **extra)

    def post(self, url: str, body=None, **extra):
        return self.client.post(
            url,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self.headers,
            **extra,
        )

    def generic(self, method: str, url: str, **extra):
        return self.client.generic(method.upper(), url, **self.headers, **extra)


@pytest.fixture
def api_as(personas):
    """`api_as("idi_reporter")`: an API client with a read-and-write token of that persona."""

    def make(persona: str | None, scope: str = Scope.WRITE) -> ApiClient:
        if persona is None:
            return ApiClient(None)
        return ApiClient(issue(getattr(personas, persona), scope))

    return make


# The spreadsheet import's fixtures: the bulk write is checked against the import itself.
from tests.spreadsheets.conftest import indicators, upload  # noqa: E402, F401
