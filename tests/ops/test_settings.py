"""DEBUG=false switches production settings on, and they refuse to start half-configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH-_",
    "ALLOWED_HOSTS": "veikart.example.org",
    "DATABASE_URL": "sqlite:////tmp/veikart-settings-test.sqlite3",
}


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    leave_out = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in leave_out}
    environment.update(env)
    return subprocess.run(  # noqa: S603 — the test's own interpreter and arguments
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(*names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    done = run_django("-c", code, DJANGO_SETTINGS_MODULE="config.settings", **PRODUCTION)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    done = run_django("manage.py", "check", **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured: DEBUG is off: set SECRET_KEY" in done.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    done = run_django("manage.py", "check", **env)
    assert done.returncode != 0
    assert "set ALLOWED_HOSTS" in done.stderr


def test_check_deploy_is_clean_with_production_values():
    done = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr


def test_production_cookies_are_secure_host_only_and_http_only():
    values = production_settings(
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_NAME",
    )
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")


def test_production_sends_https_with_hsts_and_serves_hashed_compressed_static_files():
    values = production_settings("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "STORAGES")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert "CompressedManifest" in str(values["STORAGES"])


def test_production_keeps_database_connections_with_health_checks():
    values = production_settings("DATABASES")
    database = values["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_single_sign_on_is_a_settings_switch_that_names_what_is_missing():
    done = run_django("manage.py", "check", OIDC_ENABLED="true")
    assert done.returncode != 0
    assert "Set the OIDC_RP_CLIENT_ID environment variable" in done.stderr
    provider = {
        name: "https://auth.dataporten.no/x"
        for name in (
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
    }
    env = {"OIDC_ENABLED": "true", "OIDC_RP_CLIENT_ID": "id", "OIDC_RP_CLIENT_SECRET": "s"}
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('oidc_authentication_init'))"
    )
    done = run_django("-c", code, DJANGO_SETTINGS_MODULE="config.settings", **env, **provider)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("/oidc/authenticate/")


FEIDE_SSO = {
    "OIDC_ENABLED": "true",
    "OIDC_RP_CLIENT_ID": "id",
    "OIDC_RP_CLIENT_SECRET": "s",
    "OIDC_OP_DISCOVERY": "true",
}


def test_check_deploy_is_clean_with_single_sign_on_over_https():
    env = {**PRODUCTION, **FEIDE_SSO, "OIDC_OP_ISSUER": "https://auth.dataporten.no"}
    done = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_deploy_refuses_http_provider_endpoints_in_production():
    env = {
        **PRODUCTION,
        **FEIDE_SSO,
        "OIDC_OP_ISSUER": "https://auth.dataporten.no",
        "OIDC_OP_TOKEN_ENDPOINT": "http://auth.dataporten.no/oauth/token",
    }
    done = run_django("manage.py", "check", "--deploy", **env)
    assert done.returncode != 0
    assert "veikart.E012" in done.stderr
    assert "OIDC_OP_TOKEN_ENDPOINT is not an https:// URL" in done.stderr
    assert "OIDC_OP_ISSUER" not in done.stderr


def test_a_misspelt_switch_is_refused_at_start():
    done = run_django(
        "manage.py",
        "check",
        **FEIDE_SSO,
        OIDC_OP_ISSUER="https://a.example",
        PASSWORD_LOGIN="no",
        OIDC_MATCH_USERS_BY="mail",
        OIDC_USERNAME_PATTERN="feide:(.+",
    )
    assert done.returncode != 0
    assert "PASSWORD_LOGIN is 'no'" in done.stderr
    assert "OIDC_MATCH_USERS_BY is 'mail'" in done.stderr
    assert "OIDC_USERNAME_PATTERN is not a regular expression" in done.stderr


def test_proxy_count_makes_lockouts_count_the_address_the_proxy_appended():
    code = (
        "import django; django.setup(); from django.test import RequestFactory; "
        "from axes.helpers import get_client_ip_address as ip; "
        "r = RequestFactory().get('/', HTTP_X_FORWARDED_FOR='192.0.2.9, 203.0.113.66', "
        "REMOTE_ADDR='127.0.0.1'); print(ip(r))"
    )
    behind_nginx = run_django("-c", code, DJANGO_SETTINGS_MODULE="config.settings", PROXY_COUNT="1")
    direct = run_django("-c", code, DJANGO_SETTINGS_MODULE="config.settings", PROXY_COUNT="0")
    assert behind_nginx.stdout.strip().splitlines()[-1] == "203.0.113.66", behind_nginx.stderr
    assert direct.stdout.strip().splitlines()[-1] == "127.0.0.1", direct.stderr
