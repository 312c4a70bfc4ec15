"""Run the test OpenID provider: python -m tests.oidc_provider.serve PORT VEIKART_URL DB_PATH

Migrates its own SQLite database, makes an RSA signing key, the Veikart client and the people
below, then serves on 127.0.0.1:PORT until killed, printing "ready" when it listens."""

from __future__ import annotations

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

CLIENT_ID = "veikart-real-test"
CLIENT_SECRET = "veikart-real-test-secret"
PASSWORD = "provider-pass"
PEOPLE = [
    ("olanor", "Ola", "Nordmann"),
    ("perhan", "Per", "Hansen"),
    ("karnor", "Kari", "Nordmann"),
    ("rektor", "Rita", "Rektor"),
]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def prepare(veikart_url: str) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from oidc_provider.models import Client, ResponseType, RSAKey

    call_command("migrate", verbosity=0)
    if not RSAKey.objects.exists():
        call_command("creatersakey")
    client, _ = Client.objects.update_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": "Veikart",
            "client_type": "confidential",
            "client_secret": CLIENT_SECRET,
            "jwt_alg": "RS256",
            "require_consent": True,
            "reuse_consent": False,
        },
    )
    client.redirect_uris = [f"{veikart_url}/oidc/callback/"]
    client.post_logout_redirect_uris = [f"{veikart_url}/login/"]
    client.save()
    client.response_types.set([ResponseType.objects.get(value="code")])
    for username, first, last in PEOPLE:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@ntnu.no"},
        )
        user.set_password(PASSWORD)
        user.save()


def main() -> None:
    port, veikart_url, database = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["PROVIDER_URL"] = f"http://127.0.0.1:{port}"
    os.environ["PROVIDER_DB"] = database
    import django

    django.setup()
    prepare(veikart_url)
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), ThreadingServer, handler_class=QuietHandler
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
