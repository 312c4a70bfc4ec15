"""Structured logs: one JSON object a line with who, what, where and when."""

from __future__ import annotations

import json
import logging

from django.urls import reverse

from ops.logs import JsonFormatter
from tests.factories import UserFactory


def json_lines(caplog, event: str) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(r)) for r in caplog.records if getattr(r, "event", "") == event
    ]


def test_every_request_is_logged_with_user_status_and_duration(client, personas, caplog, strategy):
    client.force_login(personas.rector)
    with caplog.at_level(logging.INFO):
        client.get(strategy.get_absolute_url())
    (line,) = json_lines(caplog, "request")
    assert line["user"] == "rector"
    assert line["status"] == 200
    assert line["path"] == strategy.get_absolute_url()
    assert line["duration_ms"] >= 0


def test_refused_accesses_are_logged_as_warnings_with_user_and_path(client, caplog, db):
    client.force_login(UserFactory(username="bare-staff", is_staff=True))
    with caplog.at_level(logging.INFO):
        client.get(reverse("admin:strategy_unit_changelist"))
    (line,) = json_lines(caplog, "access_refused")
    assert line["level"] == "WARNING"
    assert line["user"] == "bare-staff"
    assert line["path"] == "/admin/strategy/unit/"
    assert line["status"] == 403


def test_log_lines_never_carry_the_request_object_or_its_cookies(client, personas, caplog):
    client.force_login(personas.rector)
    with caplog.at_level(logging.INFO):
        client.get("/no-such-page/")
    formatted = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert client.cookies["sessionid"].value not in formatted
