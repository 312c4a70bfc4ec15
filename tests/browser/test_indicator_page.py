"""The rector opens a goal, reads the units' narratives first, then opens an indicator from its
row and sees who has not reported, the trend and the forecast; axe at 1366 and 375 px."""

from __future__ import annotations

import re

from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.dashboards.test_indicator_page import make_study_points
from tests.factories import ProgressReportFactory, goal, period, unit


def test_rector_opens_an_indicator_from_its_goal_and_sees_who_has_not_reported(
    page, live_server, personas, strategy
):
    make_study_points()
    ProgressReportFactory(
        goal=goal("EDU-1"),
        unit=unit("IE"),
        period=period("2024"),
        status="at_risk",
        narrative="Fewer exams than planned in **two** departments.",
        state="submitted",
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/dashboard/area/EDU/goal/EDU-1/?period=2024")
    narratives = page.get_by_role("heading", name=re.compile("What the units say"))
    indicators = page.get_by_role("heading", name="Indicators", exact=True)
    assert narratives.bounding_box()["y"] < indicators.bounding_box()["y"]
    assert page.get_by_text("Fewer exams than planned in").is_visible()
    assert page.locator("svg.sparkline").first.is_visible()
    assert page.locator("script[src*=plotly]").count() == 0
    assert_accessible(page)
    screenshot(page, "goal-reordered-1366")

    page.get_by_role("link", name="Study points").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Study points")
    assert page.get_by_text("5 of 6 units have reported.").is_visible()
    assert page.get_by_role("link", name="Department of Mathematical Sciences").first.is_visible()
    assert page.get_by_role("img", name=re.compile("^Study points: values")).is_visible()
    assert page.get_by_text("At this pace the target is reached in 2027").is_visible()
    assert_accessible(page)
    screenshot(page, "indicator-1366")

    page.set_viewport_size({"width": 375, "height": 812})
    assert page.get_by_text("A forecast, not a status").is_visible()
    assert_accessible(page)
    screenshot(page, "indicator-375")
    page.go_back()
    page.wait_for_load_state()
    assert_accessible(page)
    screenshot(page, "goal-reordered-375")
