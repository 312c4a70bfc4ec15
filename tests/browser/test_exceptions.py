from __future__ import annotations

import re

from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.dashboards.test_exceptions import build_exceptions_dataset


def test_rector_opens_the_exceptions_from_the_overview_in_one_click(
    page, live_server, personas, strategy
):
    build_exceptions_dataset()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/?period=2024")

    page.get_by_role("link", name=re.compile("3 goals off track or at risk")).click()
    page.wait_for_url(re.compile(r"/dashboard/exceptions/\?period=2024"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Exceptions")
    rows = page.locator("li.exception h2")
    assert rows.count() == 6
    assert rows.nth(1).inner_text() == "Indicator D X-D"
    assert page.get_by_text("Recruitment is slower than planned.").is_visible()
    assert_accessible(page)
    screenshot(page, "exceptions-1366")

    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    screenshot(page, "exceptions-375")

    page.get_by_label("Unit").select_option("IE")
    page.wait_for_url(re.compile(r"unit=IE"))
    assert page.locator("li.exception h2").count() == 6
    page.get_by_role("link", name="Indicator D").click()
    page.wait_for_url(re.compile(r"/dashboard/indicator/\d+/\?period=2024&unit=IE"))
    assert "Indicator D" in page.get_by_role("heading", level=1).inner_text()
