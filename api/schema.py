"""How the API's authentication shows in the OpenAPI schema (drf-spectacular extensions)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from the “API tokens” page.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.CsrfSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
