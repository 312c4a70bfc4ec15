"""Readable dashboards: names before codes, each goal once, progress over 100 % explained,
plotly.js only where a chart is interactive (issue 12)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from django.contrib.staticfiles import finders

from dashboards.data import DevelopmentGoal, GoalPillar
from tests.dashboards.test_pages import get


def goal_tree(page: str) -> str:
    return page[page.index('<ul class="goal-tree">') : page.index("</ul>\n  <details")]


def test_overview_draws_no_plotly_chart_and_does_not_load_plotly(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/").content.decode()
    assert "plotly" not in page
    assert "data-figure" not in page
    # The five progress sparklines are drawn on the server, with their figures in words.
    assert page.count('<svg class="sparkline"') == 5
    assert re.search(r"<title>Median progress by period: \d{4}: (\d+ %|–), \d{4}: ", page)


def test_area_page_loads_the_basic_plotly_bundle_for_its_interactive_chart(
    client, personas, dashboard_data
):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/area/RES/").content.decode()
    assert page.count("vendor/plotly-basic.min.js") == 1
    assert 'data-figure="progress-data"' in page
    assert "plotly-strict" not in page


def test_the_served_plotly_bundle_holds_only_basic_traces_and_no_eval():
    bundle = Path(finders.find("vendor/plotly-basic.min.js")).read_text(encoding="utf-8")
    assert "new Function(" not in bundle and "eval(" not in bundle
    assert len(bundle) < 1_500_000  # the strict bundle with every trace type was 5.2 MB


def test_unit_page_shows_reported_statuses_as_a_table_without_plotly(
    client, personas, dashboard_data
):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/unit/NTNU/").content.decode()
    assert "plotly" not in page
    assert '<caption id="caption-heatmap">Reported status by unit and goal</caption>' in page


def test_goal_tree_lists_each_goal_once_with_its_status(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/").content.decode()
    tree = goal_tree(page)
    goals = list(DevelopmentGoal.objects.values_list("code", "title"))
    assert len(goals) == 18
    for code, title in goals:
        link = f'{title} <span class="code code-after">{code}</span></a>'
        assert tree.count(link) == 1, code
    # Every goal line starts with its status in words.
    items = re.findall(r'<li><span class="status status-(\w+)">.*?</li>', tree)
    assert len(items) == 18
    assert set(items) <= {"on_track", "at_risk", "off_track", "no_data"}


def test_goal_tree_names_the_second_pillar_of_a_goal_in_two(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    two = GoalPillar.objects.filter(goal__code="EDU-1").select_related("pillar")
    second = sorted(gp.pillar.code for gp in two)[1]
    tree = goal_tree(get(client, "/dashboard/").content.decode())
    line = next(li for li in tree.split("<li>") if "EDU-1</span></a>" in li)
    assert "also in" in line
    assert f'<span class="code code-after">{second}</span>' in line


def test_goals_download_has_one_row_per_goal_with_its_pillars(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    text = get(client, "/dashboard/", format="csv", table="goals").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Goal", "Area", "Pillars"]
    codes = [row[0].rsplit("(", 1)[1].rstrip(")") for row in rows[1:]]
    assert sorted(codes) == sorted(DevelopmentGoal.objects.values_list("code", flat=True))
    edu1 = next(row for row in rows if row[0].endswith("(EDU-1)"))
    assert edu1[1].endswith(" (EDU)") and edu1[2].count("(EDU-P") == 2


def test_overview_shows_names_before_codes(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/").content.decode()
    assert 'Research <span class="code code-after">RES</span>' in page
    assert '<span class="code">RES</span> Research' not in page
    assert ">RES Research<" not in page
    # The unit filter's options too.
    assert "Faculty of Information Technology and Electrical Engineering (IE)" in page


def test_area_page_shows_names_before_codes_in_title_pillars_and_tables(
    client, personas, dashboard_data
):
    dashboard_data(1)
    client.force_login(personas.rector)
    response = get(client, "/dashboard/area/RES/")
    page = response.content.decode()
    assert re.search(r'<h1>Research <span class="code code-after">RES</span>', page)
    assert "<title>Research (RES)" in page
    title = DevelopmentGoal.objects.get(code="RES-3").title
    assert f'{title} <span class="code code-after">RES-3</span>' in page
    assert not re.search(r">RES-\d ", page)  # no code leads a goal's title
    legend = [trace["name"] for trace in response.context["charts"][0]["figure"]["data"]]
    assert all(re.fullmatch(r".+ \(RES-\d\)", name) for name in legend)


def test_median_progress_over_100_percent_is_explained_beside_it(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/").content.decode()
    assert page.count('<dd class="big" aria-describedby="progress-note">') == 5
    assert re.search(r'<p id="progress-note" [^>]*>[^<]*Over 100 % means the target has', page)
    assert 'aria-describedby="progress-note"' in page.split('id="caption-areas"')[0][-300:]


def test_progress_note_is_in_norwegian_on_a_norwegian_page(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = client.get(
        "/dashboard/area/RES/", {"period": "2024"}, headers={"accept-language": "nb"}
    ).content.decode()
    assert "Over 100 % betyr at målverdien er passert." in page


def test_every_table_scrolls_in_its_own_labelled_region(client, personas, dashboard_data):
    dashboard_data(1)
    client.force_login(personas.rector)
    page = get(client, "/dashboard/").content.decode()
    regions = re.findall(r'<div class="table-wrap" role="region" aria-labelledby="([\w-]+)"', page)
    assert regions == ["caption-areas", "caption-goals"]
    for caption in regions:
        assert f'<caption id="{caption}">' in page
