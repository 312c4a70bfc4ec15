"""The project's URLs plus views that fail on purpose or expose what a role allows."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from rest_framework.views import APIView

from config.urls import handler500
from config.urls import urlpatterns as project_urlpatterns
from strategy.policy import EDIT, Policy

__all__ = ["handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    secret = "SELECT password FROM auth_user"  # would be shown by a debug page
    raise RuntimeError(f"boom: {secret}")


def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


CHART_PAGE = """{% extends "base.html" %}{% load static %}
{% block head %}{% include "_plotly_head.html" %}{% endblock %}
{% block content %}<h1>Chart</h1><div id="chart"></div>{{ figure|json_script:"chart-data" }}
{% endblock %}
{% block scripts %}<script src="{% static 'vendor/plotly-basic.min.js' %}" defer></script>
<script src="/test/chart.js" defer></script>{% endblock %}"""

CHART_SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var figure = JSON.parse(document.getElementById("chart-data").textContent);
  Plotly.newPlot("chart", figure.data, figure.layout, {responsive: true}).then(function () {
    document.body.setAttribute("data-chart", "drawn");
  });
});
"""


def chart(request: HttpRequest) -> HttpResponse:
    """A page drawing bars and lines with the basic plotly.js build, as the dashboards do."""
    figure = {
        "data": [
            {"type": "bar", "name": "Target", "x": ["2023", "2024", "2025"], "y": [3, 4, 5]},
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Value",
                "x": ["2023", "2024", "2025"],
                "y": [2, 4.5, 4],
            },
        ],
        "layout": {"title": {"text": "Graduates per year"}, "hovermode": "x unified"},
    }
    template = engines["django"].from_string(CHART_PAGE)
    return HttpResponse(template.render({"figure": figure}, request))


def chart_script(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CHART_SCRIPT, content_type="text/javascript")


def inline_style(request: HttpRequest) -> HttpResponse:
    """A page breaking the policy the way a careless template would: an inline style."""
    content = '<h1 style="color: red">Red</h1>'
    page = '{% extends "base.html" %}{% block content %}' + content + "{% endblock %}"
    return HttpResponse(engines["django"].from_string(page).render({}, request))


def editable_units(request: HttpRequest) -> HttpResponse:
    codes = Policy.of(request).units(EDIT).values_list("code", flat=True)
    return HttpResponse(",".join(sorted(codes)) or "-")


class ApiBoom(APIView):
    """An API endpoint with a bug: DRF leaves unexpected exceptions to Django's 500 handler."""

    def get(self, request):
        boom(request)


urlpatterns = [
    # Before the project's: its /api/ catch-all answers every other path there with a 404.
    path("api/v1/test-boom/", ApiBoom.as_view()),
    path("api/v1/test-database-down/", database_down),
    *project_urlpatterns,
    path("test/boom/", boom),
    path("test/database-down/", database_down),
    path("test/editable-units/", editable_units),
    path("test/chart/", chart),
    path("test/chart.js", chart_script),
    path("test/inline-style/", inline_style),
]
