"""Sessions (ASVS V7): new key at login, server-side logout, password change ends the other
sessions, idle and absolute limits, cookie flags; lost rights take effect on the next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from strategy.models import Membership
from tests.factories import PASSWORD


def log_in(client: Client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def is_logged_in(client: Client, strategy) -> bool:
    response = client.get(strategy.get_absolute_url())
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    return False


def test_logging_in_issues_a_new_session_key(client, personas, strategy):
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    before = client.session.session_key
    assert before
    log_in(client, "rector")
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_session_cookie_is_http_only_and_same_site(client, personas):
    log_in(client, "rector")
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 30 * 60


def test_logout_ends_the_session_on_the_server(client, personas, strategy):
    log_in(client, "rector")
    key = client.session.session_key
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert is_logged_in(stolen, strategy)
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not is_logged_in(stolen, strategy)


def test_changing_the_password_ends_the_users_other_sessions_but_not_this_one(personas, strategy):
    laptop, phone = Client(), Client()
    log_in(laptop, "idi-reporter")
    log_in(phone, "idi-reporter")
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a new and long passphrase 42",
            "new_password2": "a new and long passphrase 42",
        },
    )
    assert response.status_code == 302
    assert is_logged_in(laptop, strategy)
    assert not is_logged_in(phone, strategy)


def test_a_session_ends_after_30_minutes_without_a_request(client, personas, strategy):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "rector")
        clock.shift(timedelta(minutes=29))
        assert is_logged_in(client, strategy)
        clock.shift(timedelta(minutes=29))  # 29 minutes after the last request
        assert is_logged_in(client, strategy)
        clock.shift(timedelta(minutes=30))
        assert not is_logged_in(client, strategy)


def test_the_server_drops_an_idle_session_even_if_the_browser_keeps_the_cookie(client, personas):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "rector")
        key = client.session.session_key
        clock.shift(timedelta(minutes=31))
        assert not Session.objects.filter(session_key=key, expire_date__gt=timezone.now())


def test_a_session_ends_12_hours_after_login_however_active(client, personas, strategy):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "rector")
        for _ in range(47):  # a request every 15 minutes for 11 h 45 min
            clock.shift(timedelta(minutes=15))
            assert is_logged_in(client, strategy)
        clock.shift(timedelta(minutes=15))
        assert not is_logged_in(client, strategy)


def test_a_deactivated_user_loses_access_on_the_next_request(client, personas, strategy):
    client.force_login(personas.rector)
    assert is_logged_in(client, strategy)
    personas.rector.is_active = False
    personas.rector.save()
    assert not is_logged_in(client, strategy)


@pytest.mark.urls("tests.ops.urls")
def test_a_removed_role_is_gone_on_the_next_request(client, personas):
    client.force_login(personas.idi_reporter)
    assert client.get("/test/editable-units/").content.decode() == "IDI"
    Membership.objects.filter(user=personas.idi_reporter).delete()
    assert client.get("/test/editable-units/").content.decode() == "-"


def test_staff_who_lose_the_flag_lose_the_admin_on_the_next_request(client, personas):
    client.force_login(personas.administrator)
    assert client.get(reverse("admin:index")).status_code == 200
    personas.administrator.is_staff = False
    personas.administrator.save()
    assert client.get(reverse("admin:index")).status_code == 302


def test_forms_refuse_a_post_without_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.rector)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    page = client.get(reverse("password_change"))
    token = page.context["csrf_token"]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": str(token)}).status_code == 302
