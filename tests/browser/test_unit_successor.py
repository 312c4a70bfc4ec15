"""A successor's unit page in Chromium: its trend continues with its predecessor's periods,
marked, and the page passes axe."""

from __future__ import annotations

import datetime
import re

from strategy.models import Unit
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.dashboards.conftest import build
from tests.factories import unit


def test_rector_sees_a_successors_trend_continue_with_its_predecessor(
    page, live_server, personas, strategy
):
    build(1)
    merged_on = datetime.date(2024, 1, 1)
    idx = Unit.objects.create(
        code="IDX", name_en="Computing", name_nb="Databehandling", kind="department",
        parent=unit("IE"), valid_from=merged_on,
    )  # fmt: skip
    unit("IDI").merge_into(idx, on=merged_on)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "rector")

    page.goto(f"{live_server.url}/dashboard/unit/IDX/?period=2024")
    page.wait_for_load_state()

    assert page.get_by_text(re.compile(r"Before 2024-01-01: .* \(IDI\)")).first.is_visible()
    trend = page.get_by_role("table", name="Progress by period (%)")
    assert trend.get_by_role("columnheader", name="2023 (IDI)").is_visible()
    assert trend.get_by_role("columnheader", name="2024", exact=True).is_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-unit-successor")
