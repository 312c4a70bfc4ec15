"""The project's URLs as they are with OIDC_ENABLED=true."""

from __future__ import annotations

from django.urls import include, path

from config.urls import handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [*project_urlpatterns, path("oidc/", include("ops.oidc"))]
