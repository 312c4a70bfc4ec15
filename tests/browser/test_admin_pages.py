"""The administration is part of the product: axe-core and the Content-Security-Policy on the
pages an administrator uses, at desktop size and on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, log_in, screenshot
from tests.browser.test_csp import LISTEN, violations
from tests.factories import IndicatorFactory, goal

PAGES = [
    "/admin/",
    "/admin/goals/developmentgoal/",
    "/admin/indicators/indicator/",
    "/admin/strategy/unit/",
    "/admin/goals/reportingperiod/",
    "/admin/strategy/membership/",
    "/admin/indicators/indicator/add/",
    "/admin/strategy/membership/add/",
]


def axe_violations(page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", [1366, 375])
def test_admin_pages_pass_axe_and_the_csp(browser, live_server, personas, width):
    indicator = IndicatorFactory(goal=goal("RES-3"))
    # A page of its own: axe-core, evaluated into the page, adds a <style> element of its own
    # that the policy rightly blocks; the page's own violations are read before axe runs.
    page = browser.new_page()
    page.add_init_script(LISTEN)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "admin")
    found = {}
    for path in [
        *PAGES,
        f"/admin/goals/developmentgoal/{goal('RES-3').pk}/change/",
        f"/admin/indicators/indicator/{indicator.pk}/change/",
    ]:
        page.goto(live_server.url + path)
        csp = violations(page)  # before axe, which injects styles of its own
        found[path] = csp + axe_violations(page)
        if width == 375 and page.evaluate("document.documentElement.scrollWidth > innerWidth"):
            found[path].append("scrolls sideways")
    screenshot(page, f"admin-indicator-{width}")
    page.close()
    assert not {path: v for path, v in found.items() if v}
