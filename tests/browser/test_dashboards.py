from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.dashboards.conftest import build


def wait_for_charts(page) -> None:
    """Every chart on the page is drawn (locators: wait_for_function needs eval, which the
    Content-Security-Policy forbids). A page without interactive charts has none to wait for."""
    if page.locator("[data-figure]").count() == 0:
        return
    page.locator("[data-figure][data-drawn]").first.wait_for(state="attached")
    page.locator("[data-figure]:not([data-drawn])").first.wait_for(state="detached")


def test_holding_down_an_arrow_key_on_the_period_filter_shows_the_period_it_ends_on(
    page, live_server, personas, strategy
):
    """Each arrow key press swaps in a new page (filters included): presses made while one is
    swapped in were lost, and the select said 2021 while the page showed 2022."""
    build(1)
    log_in(page, live_server, "rector")
    for gap in (10, 20, 30, 40, 50, 60, 70):  # milliseconds between presses
        page.goto(f"{live_server.url}/dashboard/?period=2024")
        years = page.locator("#filter-period optgroup").first.locator("option").all_inner_texts()
        expected = years[years.index("2024") + 3]
        page.get_by_label("Period", exact=True).focus()
        for _ in range(3):
            page.keyboard.press("ArrowDown")
            page.wait_for_timeout(gap)
        expect(page.locator("h1 .period")).to_have_text(expected)
        expect(page.get_by_label("Period", exact=True)).to_have_value(expected)
        expect(page.locator("h1 .period")).to_have_text(expected)  # and nothing came after


def test_rector_drills_down_from_the_overview_to_a_unit(page, live_server, personas, strategy):
    build(1)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "rector")

    page.get_by_role("link", name="Dashboards").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Strategy overview")
    page.get_by_label("Period", exact=True).select_option("2024")
    page.wait_for_url(re.compile(r"period=2024"))
    wait_for_charts(page)
    assert page.locator(".area-card").count() == 5
    assert_accessible(page)
    screenshot(page, "dashboard-overview")

    page.get_by_role("link", name="Research RES", exact=True).first.click()
    page.wait_for_load_state()
    wait_for_charts(page)
    assert "Research" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    screenshot(page, "dashboard-area")

    page.get_by_role("link", name=re.compile("RES-P2")).first.click()
    page.wait_for_load_state()
    wait_for_charts(page)
    assert "RES-P2" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    screenshot(page, "dashboard-pillar")

    page.get_by_role("link", name=re.compile(r" RES-3$")).first.click()
    page.wait_for_load_state()
    assert "RES-3" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", name=re.compile("What the units say")).is_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-goal")

    page.get_by_role("link", name="Department of Computer Science").first.click()
    page.wait_for_load_state()
    assert "IDI" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    screenshot(page, "dashboard-unit-department")

    page.goto(f"{live_server.url}/dashboard/unit/IE/?period=2024")
    wait_for_charts(page)
    assert_accessible(page)
    screenshot(page, "dashboard-unit-faculty")


def test_period_filter_updates_the_url_and_the_back_button_restores_it(
    page, live_server, personas, strategy
):
    build(1)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/?period=2024")
    wait_for_charts(page)

    page.get_by_label("Period", exact=True).select_option("2023")
    page.wait_for_url(re.compile(r"period=2023"))
    wait_for_charts(page)
    assert "2023" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    page.go_back()
    page.wait_for_url(re.compile(r"period=2024"))
    page.wait_for_load_state()
    wait_for_charts(page)
    assert "2024" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_label("Period", exact=True).input_value() == "2024"

    page.reload()
    wait_for_charts(page)
    assert "2024" in page.get_by_role("heading", level=1).inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV — Strategy areas").click()
    path = download_info.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert text.startswith("Area,Status")
    assert "Research (RES)" in text


def test_completeness_page_is_accessible(page, live_server, personas, strategy):
    build(1)
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/completeness/?period=2024")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Reporting completeness")
    assert_accessible(page)
    screenshot(page, "dashboard-completeness")


def test_the_goal_page_shows_an_unusual_value_flagged(page, live_server, personas, strategy):
    from tests.dashboards.test_unusual_values import count

    count("HEADS-X", 1_000_000_000)
    count("HEADS-N", 5050)
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/area/RES/goal/RES-3/?period=2024")
    table = page.get_by_role("table", name="Indicators", exact=True)
    absurd = table.get_by_role("row").filter(has_text="HEADS-X")
    flag = absurd.locator(".flag")
    assert flag.is_visible()
    assert flag.inner_text().strip() == "⚠ unusual"
    assert "more than 52000 is not expected" in flag.get_attribute("title")
    assert table.get_by_role("row").filter(has_text="HEADS-N").locator(".flag").count() == 0
    assert_accessible(page)
    screenshot(page, "dashboard-goal-unusual")
