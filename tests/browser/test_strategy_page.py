from __future__ import annotations

from tests.browser.conftest import assert_accessible, log_in, screenshot


def test_a_user_logs_in_and_reads_the_strategy_in_both_languages(page, live_server, personas):
    page.goto(live_server.url)
    assert "/login/" in page.url
    assert_accessible(page)
    log_in(page, live_server, "rector")
    assert page.url.endswith("/dashboard/")  # the rectorate lands on the overview
    page.get_by_role("link", name="Strategy", exact=True).click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Knowledge for a better world")
    assert page.get_by_role("heading", name="RES Research").is_visible()
    assert_accessible(page)
    screenshot(page, "strategy-en")

    page.get_by_role("button", name="Norsk").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("heading", name="EDU Utdanning og læringsmiljø").is_visible()
    assert_accessible(page)
    screenshot(page, "strategy-nb")


def test_the_strategy_page_works_by_keyboard(page, live_server, personas):
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/strategy/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.get_by_role("link", name="Research", exact=True).focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#area-RES"
