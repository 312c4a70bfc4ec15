"""The overview in Chromium: no table cut off at 1366 px, none pushing the page sideways at
375 px (a wide one scrolls inside its own labelled region), no plotly.js, and axe finds
nothing (issue 12)."""

from __future__ import annotations

import pytest

from dashboards.data import DevelopmentGoal
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.dashboards.conftest import build

MEASURE = """() => {
  const page = document.documentElement;
  const tables = [...document.querySelectorAll(".table-wrap")].map(wrap => ({
    caption: wrap.querySelector("caption").textContent,
    visible: wrap.getBoundingClientRect().width > 0,
    fits: wrap.scrollWidth <= wrap.clientWidth + 1,
    right: wrap.getBoundingClientRect().right,
    region: wrap.getAttribute("role") === "region" && wrap.tabIndex === 0,
  }));
  return {scroll: page.scrollWidth, width: page.clientWidth, tables};
}"""


@pytest.mark.parametrize(("width", "name"), [(1366, "desktop"), (375, "phone")])
def test_the_overview_tables_are_not_cut_off_and_the_page_does_not_scroll_sideways(
    page, live_server, personas, strategy, width, name
):
    build(1)
    page.set_viewport_size({"width": width, "height": 768})
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/?period=2024")
    page.locator("summary", has_text="As a table").click()
    measured = page.evaluate(MEASURE)
    assert measured["scroll"] <= measured["width"], measured
    tables = {t["caption"]: t for t in measured["tables"] if t["visible"]}
    assert set(tables) == {"Strategy areas", "Development goals by area and pillar"}
    for table in tables.values():
        assert table["region"]
        assert table["right"] <= measured["width"]
    if width == 1366:  # every column in view, the last one too
        assert all(t["fits"] for t in tables.values()), tables
    assert_accessible(page)
    screenshot(page, f"dashboard-overview-{name}")


def test_the_overview_loads_no_plotly_and_names_lead_their_codes(
    page, live_server, personas, strategy
):
    build(1)
    page.set_viewport_size({"width": 1366, "height": 768})
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url))
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/?period=2024")
    assert not [url for url in scripts if "plotly" in url]
    card = page.locator(".area-card").filter(has_text="Research").get_by_role("heading")
    assert card.inner_text().startswith("Research")
    code = card.locator(".code")
    assert code.inner_text() == "RES"
    # Smaller than the name beside it.
    assert code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") < card.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    tree = page.get_by_role("region", name="Goals by area and pillar")
    title = DevelopmentGoal.objects.get(code="RES-3").title
    assert tree.get_by_role("link", name=f"{title} RES-3", exact=True).count() == 1
    assert tree.locator(".goal-list > li").count() == 18
