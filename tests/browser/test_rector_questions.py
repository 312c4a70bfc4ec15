"""The rector prepares a board meeting (issue 12): five questions, each answered in at most
three clicks from the overview, counted here click by click."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.dashboards.test_exceptions import build_exceptions_dataset

OVERVIEW = "/dashboard/?period=2024"
MAX_CLICKS = 3


class Clicks:
    """Counts the clicks of one question, starting from the overview."""

    def __init__(self, page, live_server) -> None:
        self.page, self.live_server, self.count = page, live_server, 0

    def start(self) -> None:
        self.count = 0
        self.page.goto(f"{self.live_server.url}{OVERVIEW}")

    def click(self, locator) -> None:
        self.count += 1
        locator.click()
        self.page.wait_for_load_state()


@pytest.fixture
def rector_page(page, live_server, personas, strategy):
    with transaction.atomic():  # settled once for all of it
        build_exceptions_dataset()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.set_default_navigation_timeout(60_000)  # the board PDF is made while the job starts
    log_in(page, live_server, "rector")
    return Clicks(page, live_server)


def test_the_rector_answers_five_board_questions_in_three_clicks_each(rector_page):
    clicks, page = rector_page, rector_page.page

    # 1. How does each area stand? On the overview itself.
    clicks.start()
    research = page.locator(
        "li.area-card", has=page.get_by_role("link", name=re.compile("Research"))
    )
    assert re.search(
        r"On track|At risk|Off track|No data", research.locator(".area-status").inner_text()
    )
    assert clicks.count == 0
    assert_accessible(page)

    # 2. Which goals are off track, and why?
    clicks.start()
    clicks.click(page.get_by_role("link", name=re.compile("goals? off track or at risk")))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Exceptions")
    assert page.get_by_text("The lab burnt down.").is_visible()
    assert page.get_by_text("Recruit two researchers.").first.is_visible()
    assert clicks.count <= MAX_CLICKS

    # 3. Who has not reported?
    clicks.start()
    clicks.click(page.get_by_role("link", name="Completeness"))
    assert re.search(r"\d+ of \d+ units? ha(s|ve) not completed reporting", page.inner_text("main"))
    assert page.locator("table.data tbody tr").count() > 0
    assert clicks.count <= MAX_CLICKS

    # 4. How does an indicator trend against its target?
    clicks.start()
    clicks.click(page.get_by_role("link", name=re.compile("goals? off track or at risk")))
    clicks.click(page.get_by_role("link", name="Indicator D"))
    assert "Indicator D" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("svg.trend-chart").first.is_visible()
    assert page.get_by_role("heading", name=re.compile("^Forecast")).is_visible()
    assert clicks.count <= MAX_CLICKS
    assert_accessible(page)

    # 5. The board report as a PDF.
    clicks.start()
    clicks.click(page.get_by_role("link", name="Board report (PDF)"))
    clicks.click(page.get_by_role("button", name="Make the PDF"))
    download_link = page.get_by_role("link", name=re.compile("^Download"))
    download_link.wait_for(timeout=60_000)
    with page.expect_download() as downloading:
        clicks.count += 1
        download_link.click()
    pdf = downloading.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000
    assert clicks.count <= MAX_CLICKS
    screenshot(page, "rector-board-report-job")
