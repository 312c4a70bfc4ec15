"""How the test provider misbehaves, set by the tests over HTTP (POST /_test/behaviour):
a clock `skew` in seconds, and a `forgery` of the ID token it hands out ("tampered",
"alg-none", "wrong-key"). The provider is one process; this module's state is its state."""

from __future__ import annotations

import base64
import json

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

STATE: dict = {"skew": 0, "forgery": ""}


@csrf_exempt
def set_behaviour(request):
    STATE.update({"skew": 0, "forgery": ""})
    STATE.update(json.loads(request.body or b"{}"))
    return JsonResponse(STATE)


def skew_clock(id_token: dict, **kwargs) -> dict:
    """OIDC_IDTOKEN_PROCESSING_HOOK: the times a provider whose clock is off would write."""
    for claim in ("iat", "exp", "auth_time"):
        if claim in id_token:
            id_token[claim] += STATE["skew"]
    return id_token


def forge(token: str) -> str:
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    if STATE["forgery"] == "alg-none":
        return jwt.encode(payload, None, algorithm="none")
    if STATE["forgery"] == "wrong-key":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": header.get("kid")})
    if STATE["forgery"] == "tampered":
        head, _, signature = token.split(".")
        payload["sub"] = "someone-else"
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        return f"{head}.{body}.{signature}"
    return token


class BehaviourMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.rstrip("/") == "/openid/token" and STATE["forgery"]:
            body = json.loads(response.content)
            if "id_token" in body:
                body["id_token"] = forge(body["id_token"])
                response = HttpResponse(
                    json.dumps(body), status=response.status_code, content_type="application/json"
                )
        return response
