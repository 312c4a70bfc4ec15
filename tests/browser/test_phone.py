"""At 375 px (a small phone) no page scrolls sideways, and the grid is one card per indicator."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.factories import IndicatorFactory, goal

PHONE = {"width": 375, "height": 800}
SKIP = ("/logout", "/i18n/", "/delete/", "/admin/", "/password/change", "format=")
PAGES = 25

WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !e.closest(".table-wrap, main table");
  }).slice(0, 3).map(e => e.tagName + "." + e.className);
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def sideways(page) -> str | None:
    measured = page.evaluate(WIDER_THAN_THE_SCREEN)
    if measured["scroll"] > measured["width"]:
        return f"{measured['scroll']} px wide: {measured['wide']}"
    return None


@pytest.mark.parametrize("username", ["idi-reporter", "rector"])
def test_no_page_scrolls_sideways_on_a_phone(page, live_server, personas, username):
    IndicatorFactory(goal=goal("RES-3"), name_en="Reads of encyclopedia articles")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, username)
    origin = urlsplit(live_server.url).netloc
    queue, seen, too_wide = (
        [live_server.url + "/", live_server.url + "/units/IDI/values/"],
        set(),
        {},
    )
    while queue and len(seen) < PAGES:
        url = queue.pop(0)
        if urlsplit(url).path + urlsplit(url).query in seen:
            continue
        seen.add(urlsplit(url).path + urlsplit(url).query)
        page.goto(url)  # returns at the load event; no page loads more after it
        if problem := sideways(page):
            too_wide[url] = problem
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            target = urlsplit(urljoin(url, href))
            if target.netloc == origin and not any(s in href for s in SKIP):
                queue.append(target._replace(fragment="").geturl())
    assert len(seen) >= 5
    assert not too_wide, too_wide


def test_the_grid_is_one_card_per_indicator_on_a_phone(page, live_server, personas):
    IndicatorFactory(goal=goal("RES-3"), name_en="Reads of encyclopedia articles")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "idi-reporter")
    page.goto(live_server.url + "/units/IDI/values/")
    row = page.locator("tr.grid-row").first
    assert row.evaluate("e => getComputedStyle(e).display") == "block"
    value = page.get_by_label("Value of Reads of encyclopedia articles for 2025")
    assert value.bounding_box()["width"] > 250  # the whole card's width, easy to tap
    assert sideways(page) is None
    screenshot(page, "grid-phone")
