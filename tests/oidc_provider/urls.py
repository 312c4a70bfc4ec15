from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from tests.oidc_provider.behaviour import set_behaviour

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
    path("_test/behaviour", set_behaviour),
    # Chromium asks every site for one; a 404 would be a console error in the browser tests.
    path("favicon.ico", lambda request: HttpResponse(b"", content_type="image/x-icon")),
]
