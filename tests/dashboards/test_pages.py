from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dashboards import data, figures
from dashboards.tables import Cell, Table, csv_value, to_csv, to_xlsx
from indicators.models import Indicator
from strategy.models import Strategy
from tests.factories import ProgressReportFactory, goal, period, unit

PAGES = [
    "/dashboard/",
    "/dashboard/area/RES/",
    "/dashboard/area/RES/pillar/RES-P2/",
    "/dashboard/area/RES/goal/RES-3/",
    "/dashboard/unit/NTNU/",
    "/dashboard/unit/IE/",
    "/dashboard/completeness/",
]


def get(client, url, **params):
    return client.get(url, {"period": "2024", **params})


@pytest.mark.parametrize("url", PAGES)
def test_rector_opens_every_dashboard_page(client, personas, dashboard_data, url):
    dashboard_data(1)
    client.force_login(personas.rector)
    response = get(client, url)
    assert response.status_code == 200
    assert b'id="dashboard"' in response.content


def test_overview_shows_one_card_per_area_with_status_in_words(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/").content.decode()
    assert page.count('class="area-card card"') == 5
    assert "Research" in page
    assert "Off track" in page and "On track" in page


def test_htmx_filter_request_gets_only_the_panel(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    response = client.get("/dashboard/", {"period": "2023"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "2023" in body and 'name="period"' in body


def test_history_restore_gets_the_whole_page(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    response = client.get(
        "/dashboard/",
        {"period": "2023"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content


def test_completeness_page_has_no_charts_and_does_not_load_plotly(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/completeness/").content.decode()
    assert "plotly" not in page
    assert "Not started" in page or "Incomplete" in page


def test_unknown_period_area_goal_and_unit_are_404(client, personas, dashboard_data):
    client.force_login(personas.rector)
    assert client.get("/dashboard/", {"period": "1999"}).status_code == 404
    assert get(client, "/dashboard/area/NOPE/").status_code == 404
    assert get(client, "/dashboard/area/RES/goal/EDU-1/").status_code == 404
    assert get(client, "/dashboard/area/RES/pillar/EDU-P1/").status_code == 404
    assert get(client, "/dashboard/unit/NOPE/").status_code == 404


# --- Permission -----------------------------------------------------------------------------


def test_faculty_leader_sees_only_their_subtree(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.ie_leader)
    page = get(client, "/dashboard/").content.decode()
    assert "Faculty of Information Technology" in page
    assert 'value="NV"' not in page and 'value="NTNU"' not in page
    csv_text = get(client, "/dashboard/", format="csv").content.decode()
    # Only IE's cumulative indicator is in scope: 2 reporting departments, 1 reported in 2024.
    research = next(line for line in csv_text.splitlines() if line.startswith("Research (RES)"))
    assert research.split(",")[-4:-1] == ["1", "6", "17%"]


@pytest.mark.parametrize(
    "url", ["/dashboard/unit/NV/", "/dashboard/unit/NTNU/", "/dashboard/?unit=NV"]
)
def test_faculty_leader_gets_404_outside_their_subtree(client, personas, dashboard_data, url):
    client.force_login(personas.ie_leader)
    assert client.get(url).status_code == 404


def test_outsider_gets_404_and_no_dashboard_link(client, personas):
    client.force_login(personas.outsider)
    assert client.get("/dashboard/").status_code == 404
    assert b"/dashboard/" not in client.get("/strategy/ntnu-2018-2025/").content


def test_rector_has_a_dashboard_link(client, personas):
    client.force_login(personas.rector)
    assert b'href="/dashboard/"' in client.get("/strategy/ntnu-2018-2025/").content


def test_dashboards_need_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login/" in response.url


# --- Query counts ---------------------------------------------------------------------------


# Session, user, demo banner, the figures' state (pending changes, last rebuild), memberships,
# the period's latest "as reported" snapshot (overview and goal), then the page's stored
# figures and what it lists (one to six queries). The strategy's structure (periods, areas,
# pillars, goals, every unit) comes from the cache, keyed by its last change. No page reads more
# as the data grows.
QUERIES = 15


def count_queries(client, url) -> int:
    get(client, url)  # the strategy's structure is cached from the first request on
    with CaptureQueriesContext(connection) as queries:
        assert get(client, url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_dashboard_pages_use_the_same_few_queries_at_two_data_sizes(
    client, personas, dashboard_data, url
):
    dashboard_data(1)
    figures.settle()
    client.force_login(personas.rector)
    small = count_queries(client, url)
    before = Indicator.objects.count()
    dashboard_data(3, reports=False)
    figures.settle()
    assert Indicator.objects.count() >= 3 * before
    large = count_queries(client, url)
    assert small <= QUERIES
    assert large == small


def test_a_frame_cached_by_a_process_running_other_code_is_never_read(
    client, personas, dashboard_data, monkeypatch
):
    """During a deploy, processes of two releases share the cache: each reads only the frames
    pickled by its own code (a `World` of other fields answered every page with 500)."""
    dashboard_data(1)
    figures.rebuild()
    stamp = figures.state().frame_stamp
    with monkeypatch.context() as other_release:
        other_release.setattr(data, "FRAME_CODE", "another-release")
        cache.set(data.frame_key(stamp, "en"), ("a frame", "of other classes"))
    data._frames.clear()
    client.force_login(personas.rector)
    assert get(client, "/dashboard/", period="2024").status_code == 200
    assert isinstance(cache.get(data.frame_key(stamp, "en"))[0], Strategy)  # its own, cached


def test_a_new_measurement_shows_on_the_next_request(client, personas, dashboard_data):
    from tests.factories import MeasurementFactory

    made = dashboard_data(1)["indicators"]
    client.force_login(personas.rector)
    url = "/dashboard/area/RES/goal/RES-3/"
    cumulative = next(i for i in made if i.accumulation == "cumulative")
    before = get(client, url, format="csv", table="indicators").content.decode()
    assert f"{cumulative.name},{cumulative.code},2024,45," in before
    MeasurementFactory(indicator=cumulative, unit=unit("ITK"), period=period("2024"), value=7)
    after = get(client, url, format="csv", table="indicators").content.decode()
    row = next(line for line in after.splitlines() if f",{cumulative.code}," in line)
    assert row.startswith(f"{cumulative.name},{cumulative.code},2024,52,")
    assert row.endswith(",2,6")  # ITK now counts as reported


@pytest.mark.parametrize("url", ["/dashboard/area/RES/goal/RES-3/", "/dashboard/unit/IE/"])
def test_a_name_with_markup_shows_as_text_in_a_table(client, personas, dashboard_data, url):
    made = dashboard_data(1)["indicators"]
    cumulative = next(i for i in made if i.accumulation == "cumulative")  # owned at IE
    Indicator.objects.filter(pk=cumulative.pk).update(name='<img src=x onerror="alert(1)">')
    client.force_login(personas.rector)
    page = get(client, url).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


# --- Exports --------------------------------------------------------------------------------


def test_csv_and_xlsx_escape_the_same_way():
    table = Table("t", "T", ["=Header"], [[Cell("=HYPERLINK(1)")], [Cell("12", 12.0)]])
    rows = list(csv.reader(io.StringIO(to_csv(table).content.decode("utf-8-sig"))))
    assert rows == [["'=Header"], ["'=HYPERLINK(1)"], ["12"]]
    sheet = load_workbook(io.BytesIO(to_xlsx(table).content)).active
    assert [c.value for c in sheet["A"]] == ["'=Header", "'=HYPERLINK(1)", 12]


def test_narrative_starting_with_a_formula_is_escaped_in_the_goal_export(
    client, personas, dashboard_data
):
    ProgressReportFactory(
        goal=goal("RES-3"),
        unit=unit("IMF"),
        period=period("2024"),
        narrative="=cmd|' /C calc'!A0",
        state="submitted",
    )
    client.force_login(personas.rector)
    response = get(client, "/dashboard/area/RES/goal/RES-3/", format="csv", table="reports")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=cmd|" in response.content.decode()
    xlsx = get(client, "/dashboard/area/RES/goal/RES-3/", format="xlsx", table="reports")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["D2"].value.startswith("'=cmd")


@pytest.mark.parametrize("url", PAGES)
def test_every_table_on_a_page_downloads_with_the_figures_shown(
    client, personas, dashboard_data, url
):
    dashboard_data(1)
    client.force_login(personas.rector)
    response = get(client, url)
    for table in response.context["tables"]:
        exported = get(client, url, format="csv", table=table.name).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(exported)))
        assert rows[0] == table.export_headers()
        assert rows[1:] == [[csv_value(c) for c in row] for row in table.export_rows()]
        shown = table.on_screen or range(len(table.headers))
        for row in table.text_rows()[:3]:
            for text in (row[n] for n in shown):
                if text and not text.startswith(("'", "=")):
                    assert (
                        text.replace("&", "&amp;").replace("'", "&#x27;")
                        in (response.content.decode())
                        or text.replace("'", "&#x27;") in response.content.decode()
                    )


def test_unknown_export_table_is_404(client, personas, dashboard_data):
    client.force_login(personas.rector)
    assert get(client, "/dashboard/", format="csv", table="nope").status_code == 404


def test_a_long_table_shows_its_first_rows_and_downloads_them_all(rf):
    from django.template.loader import render_to_string

    from dashboards.tables import SCREEN_ROWS

    table = Table("long", "Long", ["N"], [[Cell(f"row-{n}")] for n in range(SCREEN_ROWS + 50)])
    html = render_to_string(
        "dashboards/_table.html", {"table": table, "request": rf.get("/"), "query": ""}
    )
    assert f"row-{SCREEN_ROWS - 1}<" in html and f"row-{SCREEN_ROWS}<" not in html
    assert f"The first {SCREEN_ROWS} of {SCREEN_ROWS + 50} rows" in html
    assert len(to_csv(table).content.decode("utf-8-sig").splitlines()) == SCREEN_ROWS + 51
