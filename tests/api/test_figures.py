"""The API's figures are the dashboards' figures: compared with the overview's CSV downloads,
formatted by the dashboards' own functions (no number is written into this test)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.scoring import Status
from dashboards.tables import fmt_percent, fmt_status
from tests.dashboards.conftest import build


@pytest.fixture
def world(strategy):
    build()


def page_csv(client, table: str, **params) -> list[dict[str, str]]:
    response = client.get(
        reverse("dashboards:overview"), {**params, "format": "csv", "table": table}
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def api_figures(api, **params) -> dict[tuple[str, str], dict]:
    response = api.get(reverse("api:figures"), {**params, "page_size": 1000})
    assert response.status_code == 200
    return {(row["kind"], row["code"]): row for row in response.json()["results"]}


def code_of(named: str) -> str:
    """The code of "Name (CODE)", as the downloads write a name with its code."""
    return re.fullmatch(r".* \(([^()]+)\)", named).group(1)


def shown(row: dict) -> tuple[str, str]:
    progress = None if row["progress"] is None else Decimal(row["progress"])
    return fmt_status(Status(row["status"])).text, fmt_percent(progress).text


@pytest.mark.parametrize(("persona", "unit"), [("rector", "NTNU"), ("ie_leader", "IE")])
def test_goal_and_area_figures_equal_the_overviews_csv(
    client, personas, api_as, world, persona, unit
):
    client.force_login(getattr(personas, persona))
    figures = api_figures(api_as(persona), period="2024", unit=unit)
    goals = page_csv(client, "goals", period="2024", unit=unit)
    areas = page_csv(client, "areas", period="2024", unit=unit)
    assert goals and areas
    for row in goals:
        code = code_of(row["Goal"])
        assert shown(figures[("goal", code)]) == (row["Status"], row["Progress (%)"]), code
    for row in areas:
        code = code_of(row["Area"])
        assert shown(figures[("area", code)]) == (row["Status"], row["Median progress"]), code


def test_figures_of_another_faculty_answer_404(api_as, world):
    response = api_as("ie_leader").get(reverse("api:figures"), {"unit": "NV"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_figures_come_as_csv_for_power_bi(api_as, world):
    response = api_as("rector").get(
        reverse("api:figures"), {"period": "2024"}, HTTP_ACCEPT="text/csv"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["kind"] for row in rows} == {"indicator", "goal", "pillar", "area"}


def test_an_unknown_period_answers_404(api_as, world):
    assert api_as("rector").get(reverse("api:figures"), {"period": "1999"}).status_code == 404
