"""PASSWORD_LOGIN: password login for everyone, for staff only, or only for the break-glass
administrator (superuser) once everybody else signs on through the provider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def log_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


@pytest.mark.parametrize(
    ("policy", "admin", "rector"), [("on", 302, 302), ("staff", 302, 200), ("off", 302, 200)]
)
def test_who_may_log_in_with_a_password(client, personas, settings, policy, admin, rector):
    settings.PASSWORD_LOGIN = policy
    assert log_in(client, "rector").status_code == rector
    client.logout()
    assert log_in(client, "admin").status_code == admin


def test_staff_only_lets_staff_in_but_not_superuser_only_off(client, personas, settings):
    personas.rector.is_staff = True
    personas.rector.save()
    settings.PASSWORD_LOGIN = "staff"
    assert log_in(client, "rector").status_code == 302
    client.logout()
    settings.PASSWORD_LOGIN = "off"
    assert log_in(client, "rector").status_code == 200


def test_switching_password_login_off_ends_password_sessions(client, personas, settings, strategy):
    log_in(client, "rector")
    assert client.get(strategy.get_absolute_url()).status_code == 200
    settings.PASSWORD_LOGIN = "off"
    assert client.get(strategy.get_absolute_url()).status_code == 302


def test_the_login_page_tucks_the_password_form_away_when_off(client, db, settings):
    settings.PASSWORD_LOGIN = "off"
    page = client.get(reverse("login")).content.decode()
    assert "<details" in page
    assert "Administrator log-in with a password" in page
    settings.PASSWORD_LOGIN = "staff"
    page = client.get(reverse("login")).content.decode()
    assert "Only administrators log in with a password." in page
    assert "<details" not in page


def test_the_password_link_is_shown_only_to_who_can_use_it(client, personas, strategy, settings):
    client.force_login(personas.rector)
    assert "password-link" in client.get(strategy.get_absolute_url()).content.decode()
    settings.PASSWORD_LOGIN = "staff"
    client.force_login(personas.administrator)
    assert "password-link" in client.get(strategy.get_absolute_url()).content.decode()
    personas.rector.set_unusable_password()
    personas.rector.save()
    settings.PASSWORD_LOGIN = "on"
    client.force_login(personas.rector)
    assert "password-link" not in client.get(strategy.get_absolute_url()).content.decode()
