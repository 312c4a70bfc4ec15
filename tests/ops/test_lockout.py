"""Login brute force (ASVS V6.3): django-axes locks a username from an address out after five
failures, on the login page and the admin login; failures are logged without the password."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import time_machine
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from ops.logs import JsonFormatter
from tests.factories import PASSWORD

WRONG = "hunter2-wrong-guess"


def attempt(client: Client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password})


def test_five_failures_lock_the_account_out_even_with_the_right_password(client, personas):
    for _ in range(4):
        assert attempt(client, reverse("login"), "rector", WRONG).status_code == 200
    assert attempt(client, reverse("login"), "rector", WRONG).status_code == 429
    response = attempt(client, reverse("login"), "rector", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_behind_the_same_lockout(client, personas):
    for _ in range(5):
        attempt(client, reverse("admin:login"), "admin", WRONG)
    response = attempt(client, reverse("admin:login"), "admin", PASSWORD)
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_failures_on_the_admin_login_count_for_the_site_login_too(client, personas):
    for _ in range(3):
        attempt(client, reverse("admin:login"), "admin", WRONG)
    for _ in range(2):
        attempt(client, reverse("login"), "admin", WRONG)
    assert attempt(client, reverse("login"), "admin", PASSWORD).status_code == 429


def test_a_lockout_of_one_user_leaves_other_users_alone(client, personas):
    for _ in range(6):
        attempt(client, reverse("login"), "rector", WRONG)
    assert attempt(client, reverse("login"), "idi-reporter", PASSWORD).status_code == 302


def test_the_lockout_ends_after_15_minutes(client, personas):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            attempt(client, reverse("login"), "rector", WRONG)
        assert attempt(client, reverse("login"), "rector", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert attempt(client, reverse("login"), "rector", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, personas):
    for _ in range(4):
        attempt(client, reverse("login"), "rector", WRONG)
    assert attempt(client, reverse("login"), "rector", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        attempt(client, reverse("login"), "rector", WRONG)
    assert attempt(client, reverse("login"), "rector", PASSWORD).status_code == 302


def test_failed_logins_are_logged_with_user_path_and_time_but_never_the_password(
    client, personas, caplog
):
    with caplog.at_level(logging.INFO):
        for _ in range(6):
            attempt(client, reverse("login"), "rector", WRONG)
    failures = [r for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    assert len(failures) == 6
    line = json.loads(JsonFormatter().format(failures[0]))
    assert line["user"] == "rector"
    assert line["path"] == "/login/"
    assert line["time"].startswith(str(timezone.now().year))
    assert WRONG not in caplog.text
    assert all(WRONG not in JsonFormatter().format(record) for record in caplog.records)
    assert WRONG not in AccessAttempt.objects.get(username="rector").post_data


# What PROXY_COUNT=1 (nginx in front, appending the client's address) sets; see config/settings.py
# and tests/ops/test_settings.py.
behind_one_proxy = override_settings(
    AXES_IPWARE_PROXY_COUNT=0,
    AXES_IPWARE_PROXY_ORDER="left-most",
    AXES_IPWARE_META_PRECEDENCE_ORDER=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
    IPWARE_STRICT=False,
)


def attempt_from(client: Client, address: str, username: str, password: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=address,
        REMOTE_ADDR="127.0.0.1",
    )


@behind_one_proxy
def test_behind_the_proxy_an_attacker_cannot_lock_out_the_user_from_another_address(personas):
    attacker, user = Client(), Client()
    for _ in range(5):
        attempt_from(attacker, "203.0.113.66", "nv-reporter", WRONG)
    assert attempt_from(attacker, "203.0.113.66", "nv-reporter", PASSWORD).status_code == 429
    assert attempt_from(user, "198.51.100.7", "nv-reporter", PASSWORD).status_code == 302


@behind_one_proxy
def test_behind_the_proxy_failures_are_counted_per_forwarded_address(personas):
    for address in ("203.0.113.66", "198.51.100.7", "198.51.100.7"):
        attempt_from(Client(), address, "nv-reporter", WRONG)
    counted = dict(
        AccessAttempt.objects.filter(username="nv-reporter").values_list(
            "ip_address", "failures_since_start"
        )
    )
    assert counted == {"203.0.113.66": 1, "198.51.100.7": 2}


@behind_one_proxy
def test_a_forged_forwarded_for_prefix_does_not_change_the_counted_address(personas):
    for forged in ("10.9.9.9", "192.0.2.1", "garbage"):
        attempt_from(Client(), f"{forged}, 203.0.113.66", "nv-reporter", WRONG)
    attempts = AccessAttempt.objects.filter(username="nv-reporter")
    assert list(attempts.values_list("ip_address", flat=True)) == ["203.0.113.66"]
    assert attempts.get().failures_since_start == 3


@behind_one_proxy
def test_the_security_log_names_the_forwarded_client_address(personas, caplog):
    with caplog.at_level(logging.INFO):
        attempt_from(Client(), "203.0.113.66", "nv-reporter", WRONG)
    failures = [r for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    assert json.loads(JsonFormatter().format(failures[0]))["ip"] == "203.0.113.66"
