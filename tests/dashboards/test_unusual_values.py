"""Absurd values on the dashboards (issue 10, item 7): a value far beyond its indicator's
baseline and target is flagged "unusual" beside it wherever a dashboard shows it, and in a note
column of the downloads; it is still scored (docs/scoring.md). The grid, import and report page
are tested in tests/indicators/test_implausible_values.py."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import figures
from indicators.models import Indicator, Measurement
from tests.dashboards.conftest import code_of
from tests.factories import IndicatorFactory, MeasurementFactory, goal, period, unit

GOAL_PAGE = "/dashboard/area/RES/goal/RES-3/"
FLAG = re.compile(r'<span class="flag" title="([^"]*)"><span aria-hidden="true">⚠</span> (\w+)')


def count(code: str, value: int | None) -> Indicator:
    """A count owned by IE with a baseline near 5,000 (as in the issue); IDI reports `value`."""
    indicator = IndicatorFactory(
        code=code,
        name=f"Head count {code}",
        goal=goal("RES-3"),
        owner_unit=unit("IE"),
        measure="count",
        aggregation="mean",  # scored with one unit in (an incomplete sum would be "no data")
        decimals=0,
        baseline_value=Decimal(4980),
        baseline_period=period("2019"),
        target_value=Decimal(5200),
        target_period=period("2025"),
    )
    if value is not None:
        MeasurementFactory(
            indicator=indicator, unit=unit("IDI"), period=period("2024"), value=value
        )
    return indicator


@pytest.fixture
def values(strategy):
    """IDI reports 1,000,000,000 for one count (the issue's example) and 5,050 for another."""
    return count("HEADS-X", 1_000_000_000), count("HEADS-N", 5050)


def get(client, url, **params):
    response = client.get(url, {"period": "2024", **params})
    assert response.status_code == 200
    return response


def row_of(html: str, code: str) -> str:
    """The first table row on screen that names the indicator."""
    found = [
        row
        for row in re.findall(r"<tr>.*?</tr>", html, re.S)
        if f">{code} " in row
        or f'<span class="code">{code}</span>' in row
        or f">{code}</span>" in row  # the code before or after the name
    ]
    assert found, code
    return found[0]


def csv_rows(client, url, table: str) -> list[dict[str, str]]:
    text = get(client, url, format="csv", table=table).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_goal_page_flags_the_absurd_value_and_not_the_normal_one(client, personas, values):
    client.force_login(personas.rector)
    html = get(client, GOAL_PAGE).content.decode()
    absurd = row_of(html, "HEADS-X")
    assert "1,000,000,000" in absurd.replace("\u202f", ",") or "1000000000" in absurd
    title, word = FLAG.search(absurd).groups()
    assert word == "unusual"
    assert "more than 52000 is not expected" in title
    assert "flag" not in row_of(html, "HEADS-N")


def indicator_page(values, code: str) -> str:
    indicator = next(i for i in values if i.code == code)
    return reverse("dashboards:indicator", args=[indicator.pk])


def test_the_indicator_page_flags_the_absurd_value_in_its_units_and_its_trend(
    client, personas, values
):
    client.force_login(personas.rector)
    html = get(client, indicator_page(values, "HEADS-X")).content.decode()
    assert [word for _title, word in FLAG.findall(html)] == ["unusual"] * 3  # IE, IDI, 2024
    assert not FLAG.search(get(client, indicator_page(values, "HEADS-N")).content.decode())


def test_the_goal_csv_and_xlsx_note_the_absurd_value(client, personas, values):
    client.force_login(personas.rector)
    rows = {r["Code"]: r for r in csv_rows(client, GOAL_PAGE, "indicators")}
    assert rows["HEADS-X"]["Actual"] == "1000000000"  # still a number a spreadsheet reads
    assert rows["HEADS-X"]["Actual: note"].startswith("unusual: Far beyond")
    assert rows["HEADS-N"]["Actual"] == "5050"
    assert rows["HEADS-N"]["Actual: note"] == ""
    trend = csv_rows(client, indicator_page(values, "HEADS-X"), "trend")
    assert [r["Actual: note"] != "" for r in trend if r["Period"] == "2024"] == [True]
    normal = csv_rows(client, indicator_page(values, "HEADS-N"), "trend")
    assert all(r["Actual: note"] == "" for r in normal)
    xlsx = get(client, GOAL_PAGE, format="xlsx", table="indicators").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    lines = [[c.value for c in line] for line in sheet.iter_rows()]
    header = lines[0]
    note = header.index("Actual: note")
    assert header[note - 1] == "Actual"
    by_code = {line[1]: line for line in lines[1:]}
    assert by_code["HEADS-X"][note - 1] == 1_000_000_000
    assert by_code["HEADS-X"][note].startswith("unusual")
    assert by_code["HEADS-N"][note] in ("", None)


def test_the_unit_pages_flag_the_owned_value_and_the_units_share(client, personas, values):
    client.force_login(personas.rector)
    html = get(client, "/dashboard/unit/IE/").content.decode()
    assert FLAG.search(row_of(html, "HEADS-X"))
    assert not FLAG.search(row_of(html, "HEADS-N"))
    own = {
        r["Indicator"].rsplit(" (", 1)[1].rstrip(")"): r
        for r in csv_rows(client, "/dashboard/unit/IE/", "indicators")
    }
    assert own["HEADS-X"]["Actual: note"].startswith("unusual")
    assert own["HEADS-N"]["Actual: note"] == ""
    share_html = get(client, "/dashboard/unit/IDI/").content.decode()
    shares = {
        r["Indicator"].rsplit(" (", 1)[1].rstrip(")"): r
        for r in csv_rows(client, "/dashboard/unit/IDI/", "contributions")
    }
    assert shares["HEADS-X"]["Value of this unit"] == "1000000000"
    assert shares["HEADS-X"]["Value of this unit: note"].startswith("unusual")
    assert shares["HEADS-N"]["Value of this unit: note"] == ""
    assert len(FLAG.findall(share_html)) == 1


def test_the_flag_is_translated(client, personas, values):
    client.force_login(personas.rector)
    html = client.get(GOAL_PAGE, {"period": "2024"}, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert [word for _title, word in FLAG.findall(html)] == ["uvanlig"]


def test_an_unusual_value_is_still_scored(client, personas, values):
    client.force_login(personas.rector)
    rows = {r["Code"]: r for r in csv_rows(client, GOAL_PAGE, "indicators")}
    # Scored like any other value (far past the target: reached), flagged beside it.
    assert rows["HEADS-X"]["Status"] == "On track"
    assert rows["HEADS-X"]["Progress (%)"].endswith("%")
    assert rows["HEADS-X"]["Actual: note"].startswith("unusual")
    html = get(client, GOAL_PAGE).content.decode()
    assert "Target reached" in html


def test_flagging_reads_no_more_queries(client, personas, strategy):
    count("HEADS-N", 5050)
    absurd = count("HEADS-X", None)
    client.force_login(personas.rector)

    def queries() -> int:
        figures.settle()
        get(client, GOAL_PAGE)  # the strategy's structure is cached from the first request on
        with CaptureQueriesContext(connection) as captured:
            html = get(client, GOAL_PAGE).content.decode()
        return len(captured), len(FLAG.findall(html))

    plain, none = queries()
    MeasurementFactory(indicator=absurd, unit=unit("IDI"), period=period("2024"), value=10**9)
    flagged, some = queries()
    assert (none, some) == (0, 1)
    assert flagged == plain


def test_the_as_reported_comparison_flags_a_value_corrected_since_closing(client, personas, values):
    absurd, _normal = values
    year = period("2024")
    year.open()
    year.close(by=personas.administrator)
    corrected = Measurement.objects.filter(indicator=absurd, unit=unit("IDI"), period=year)
    corrected.update(value=Decimal(5100))
    Measurement.announce_changed({m.key for m in corrected})
    client.force_login(personas.rector)
    rows = {code_of(r["Figure"]): r for r in csv_rows(client, GOAL_PAGE, "as-reported")}
    row = rows["HEADS-X"]
    assert (row["Value as reported"], row["Value now"]) == ("1000000000", "5100")
    assert row["Value as reported: note"].startswith("unusual")
    assert row["Value now: note"] == ""
    assert rows["HEADS-N"]["Value as reported: note"] == ""
    html = get(client, GOAL_PAGE).content.decode()
    assert not FLAG.search(row_of(html, "HEADS-X"))  # the indicator table shows the value now


def test_the_periods_dashboard_sheet_notes_the_absurd_value(personas, values):
    from spreadsheets.exports import dashboard_sheet

    sheet = dashboard_sheet(period("2024"), personas.rector)
    rows = {r["Code"]: r for r in (dict(zip(sheet.header, row, strict=True)) for row in sheet.rows)}
    assert rows["HEADS-X"]["Value"] == 1_000_000_000
    assert rows["HEADS-X"]["Value: note"].startswith("unusual: Far beyond")
    assert rows["HEADS-N"]["Value: note"] == ""
    assert rows["RES-3"]["Value: note"] == ""  # goals have no value to judge
