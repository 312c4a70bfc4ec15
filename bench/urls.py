"""The project's URLs plus a bare view rendering base.html, for the benchmark only."""

from django.template.response import TemplateResponse
from django.urls import include, path


def bare(request):
    return TemplateResponse(request, "base.html", {})


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
