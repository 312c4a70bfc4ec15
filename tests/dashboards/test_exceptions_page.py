"""The exceptions page (/dashboard/exceptions/) for the dataset of test_exceptions.py."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest

from goals.models import Action
from strategy.models import Role
from tests.conftest import member
from tests.dashboards.test_exceptions import build_exceptions_dataset
from tests.factories import ProgressReportFactory, goal, period, unit

URL = "/dashboard/exceptions/"


@pytest.fixture
def dataset(strategy):
    return build_exceptions_dataset()


def page(client, **params) -> str:
    response = client.get(URL, {"period": "2024", **params})
    assert response.status_code == 200
    return response.content.decode()


def headings(html: str) -> list[str]:
    """The rows' headings as a reader sees them: the name, then the code."""
    return [
        f"{name} {code}"
        for name, code in re.findall(
            r'<h2><a href="[^"]*">([^<]*)</a> <span class="code">([^<]*)</span></h2>', html
        )
    ]


def test_rector_sees_faculty_exceptions_worst_first_names_before_codes(client, personas, dataset):
    client.force_login(personas.rector)
    titles = headings(page(client, unit="IE"))
    assert titles == [
        f"{goal('EDU-1').title} EDU-1",
        "Indicator D X-D",
        f"{goal('RES-3').title} RES-3",
        "Indicator A X-A",
        f"{goal('RES-1').title} RES-1",
        "Indicator B X-B",
    ]


def test_each_row_says_what_changed_and_links_to_its_goal_or_indicator_page(
    client, personas, dataset
):
    client.force_login(personas.rector)
    html = page(client, unit="IE")
    res3 = html[html.index('id="goal-RES-3"') : html.index('id="indicator-X-A"')]
    assert "Worse" in res3 and "2023" in res3
    assert 'href="/dashboard/area/RES/goal/RES-3/?period=2024&amp;unit=IE"' in res3
    x_b = html[html.index('id="indicator-X-B"') :]
    assert "New" in x_b
    x_b_page = f'href="/dashboard/indicator/{dataset["B"].pk}/?period=2024&amp;unit=IE"'
    assert x_b_page in x_b


def test_goal_row_shows_the_units_story_and_open_action(client, personas, dataset):
    client.force_login(personas.rector)
    html = page(client, unit="IE")
    res3 = html[html.index('id="goal-RES-3"') : html.index('id="indicator-X-A"')]
    assert "Recruitment is slower than planned." in res3
    assert "Recruit two researchers." in res3 and "Head of department" in res3
    assert "overdue" in res3
    assert "Apply for a new grant." not in html  # closed in 2023


def test_open_action_on_a_goal_back_on_track_still_shows_until_closed(client, personas, dataset):
    report = ProgressReportFactory(
        goal=goal("INN-1"), unit=unit("IDI"), period=period("2023"), status="at_risk"
    )
    action = Action.objects.create(
        report=report,
        cause="A partner withdrew.",
        action="Find a new industry partner.",
        owner="Innovation adviser",
        due=datetime.date(2025, 3, 1),
    )
    client.force_login(personas.rector)
    assert "Find a new industry partner." in page(client, unit="IE")
    action.close(by=personas.administrator, period=period("2024"))
    assert "Find a new industry partner." not in page(client, unit="IE")


def test_overview_links_to_the_exceptions_in_one_click(client, personas, dataset):
    client.force_login(personas.rector)
    html = client.get("/dashboard/", {"period": "2024"}).content.decode()
    link = re.search(r'<p class="card exceptions-link"><a href="([^"]*)"><strong>([^<]*)<', html)
    assert link[2] == "3 goals off track or at risk"
    assert link[1] == "/dashboard/exceptions/?period=2024"
    assert len(headings(page(client))) == 6


def test_department_leader_sees_only_their_subtree(client, personas, dataset):
    member("idi-leader", unit("IDI"), Role.APPROVER)
    client.login(username="idi-leader", password="correct horse battery staple")
    codes = [t.rsplit(" ", 1)[1] for t in headings(page(client))]
    assert codes == ["RES-3", "X-A", "RES-1", "X-B"]
    assert client.get(URL, {"period": "2024", "unit": "IE"}).status_code == 404
    assert client.get(URL, {"period": "2024", "unit": "NV"}).status_code == 404


def test_outsider_is_refused(client, personas, dataset):
    client.force_login(personas.outsider)
    assert client.get(URL, {"period": "2024"}).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, dataset):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2099"},
        {"period": "<script>"},
        {"period": "2024", "unit": "NOPE"},
        {"period": "2024", "unit": "IE' OR 1=1"},
        {"period": "2024", "format": "csv", "table": "nope"},
    ],
)
def test_bad_filter_values_answer_404_with_a_message(client, personas, dataset, params):
    client.force_login(personas.rector)
    response = client.get(URL, params)
    assert response.status_code == 404
    text = response.content.decode()
    assert "There is nothing here" in text or "No such table." in text


def test_control_character_in_a_filter_is_a_bad_request(client, personas, dataset):
    client.force_login(personas.rector)
    response = client.get(URL, {"period": "2024\x00"})
    assert response.status_code == 400
    assert "The request could not be understood." in response.content.decode()


def test_unknown_download_format_shows_the_page(client, personas, dataset):
    client.force_login(personas.rector)
    response = client.get(URL, {"period": "2024", "format": "pdf"})
    assert response.status_code == 200 and "text/html" in response["Content-Type"]


def test_post_is_not_allowed(client, personas, dataset):
    client.force_login(personas.rector)
    assert client.post(URL).status_code == 405


def test_csv_download_lists_the_rows_in_order_with_the_why(client, personas, dataset):
    client.force_login(personas.rector)
    response = client.get(URL, {"period": "2024", "unit": "IE", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Code"] for r in rows] == ["EDU-1", "X-D", "RES-3", "X-A", "RES-1", "X-B"]
    assert rows[2]["Status in the previous period"] == "At risk"
    assert rows[2]["Change"] == "Worse"
    assert "Recruit two researchers." in rows[2]["Open actions"]


def test_xlsx_download_is_a_workbook(client, personas, dataset):
    client.force_login(personas.rector)
    response = client.get(URL, {"period": "2024", "format": "xlsx"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_htmx_filter_request_gets_only_the_panel(client, personas, dataset):
    client.force_login(personas.rector)
    response = client.get(URL, {"period": "2023"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'name="period"' in body


def test_page_is_in_norwegian(client, personas, dataset):
    client.force_login(personas.rector)
    html = client.get(URL, {"period": "2024"}, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Avvik" in html
    assert "3 mål er ikke i rute eller er i fare" in html
    assert "Forverret" in html and "Hvorfor: enhetenes rapporter" in html


@pytest.mark.parametrize("extra", [0, 12])
def test_page_reads_a_fixed_number_of_queries(
    client, personas, strategy, django_assert_max_num_queries, extra
):
    build_exceptions_dataset(extra)
    client.force_login(personas.rector)
    client.get(URL, {"period": "2024"})  # settles and warms the structure's cache
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"period": "2024"})
    assert len(headings(response.content.decode())) == 6
