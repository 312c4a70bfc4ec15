"""A small OpenID Connect provider on loopback for the tests: token, userinfo and JWKS endpoints
that behave like Feide's, with ID tokens really signed (RS256) by a key made for the test run."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "veikart-test"
CLIENT_SECRET = "test-client-secret"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    """What the provider remembers between the user's consent and the token request."""

    nonce: str
    code_challenge: str
    claims: dict
    audience: str = CLIENT_ID
    signing_key: rsa.RSAPrivateKey | None = None  # another key: a forged token
    skew: int = 0  # seconds the provider's clock is ahead (negative: behind)
    forgery: str = ""  # "alg-none": unsigned; "tampered": payload changed after signing
    id_token_claims: dict = field(default_factory=dict)  # extra claims in the ID token
    access_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))


class FakeProvider:
    def __init__(self) -> None:
        self.key = new_key()
        self.kid = "test-key-1"
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }

    def consent(self, code: str, **grant) -> None:
        """The user logged in at the provider, which will redirect back with `code`."""
        self.grants[code] = Grant(**grant)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time()) + grant.skew
        payload = {
            **grant.id_token_claims,
            "iss": self.issuer,
            "aud": grant.audience,
            "sub": grant.claims.get("sub", "pairwise-subject"),
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
        }
        key = grant.signing_key or self.key
        token = jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})
        if grant.forgery == "alg-none":
            return jwt.encode(payload, None, algorithm="none")
        if grant.forgery == "tampered":
            header, _, signature = token.split(".")
            forged = {**payload, "sub": "someone-else"}
            body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            return f"{header}.{body}.{signature}"
        return token

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
        }

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _token(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        self.access_tokens[grant.access_token] = grant.claims
        return 200, {
            "access_token": grant.access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant),
        }

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif self.path == "/jwks":
                    self._send(200, provider.jwks())
                elif self.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.access_tokens.get(token)
                    if claims:
                        self._send(200, {"sub": claims.get("sub", "pairwise-subject"), **claims})
                    else:
                        self._send(401, {"error": "token"})
                else:
                    self._send(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                self._send(*provider._token(form)) if self.path == "/token" else self._send(404, {})

        return Handler
