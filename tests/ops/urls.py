"""The project's URLs plus views that fail on purpose or expose what a role allows."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as project_urlpatterns
from strategy.models import Unit

__all__ = ["handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    secret = "SELECT password FROM auth_user"  # would be shown by a debug page
    raise RuntimeError(f"boom: {secret}")


def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def editable_units(request: HttpRequest) -> HttpResponse:
    codes = Unit.objects.editable_by(request.user).values_list("code", flat=True)
    return HttpResponse(",".join(sorted(codes)) or "-")


urlpatterns = [
    *project_urlpatterns,
    path("test/boom/", boom),
    path("test/database-down/", database_down),
    path("test/editable-units/", editable_units),
]
