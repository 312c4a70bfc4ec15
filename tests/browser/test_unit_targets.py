"""A faculty leader gives a department its own target in a real browser (issue 11), checked
with axe-core, at desktop size and on a phone, and the department's dashboard then shows it."""

from __future__ import annotations

from decimal import Decimal

from indicators.models import Target
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.browser.test_phone import PHONE, sideways
from tests.factories import IndicatorFactory, MeasurementFactory, goal, period, unit


def test_a_faculty_leader_sets_a_departments_target_and_its_dashboard_shows_it(
    page, live_server, personas
):
    reads = IndicatorFactory(
        goal=goal("RES-3"),
        owner_unit=unit("IE"),
        name_en="Reads of encyclopedia articles",
        decimals=0,
        baseline_value=Decimal(300),
        target_value=Decimal(600),
    )
    for year, value in (("2018", 40), ("2024", 70)):
        MeasurementFactory(indicator=reads, unit=unit("IDI"), period=period(year), value=value)
    log_in(page, live_server, "ie-leader")
    page.goto(f"{live_server.url}/units/IE/values/")
    page.get_by_text("Targets of units below").click()
    page.get_by_role("link", name=f"{reads.code} Reads of encyclopedia articles").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.locator("#id_unit").select_option(label="IDI Department of Computer Science")
    page.locator("#id_period").select_option(label="2025")
    page.get_by_label("Target value").fill("80 000,5")
    page.get_by_role("button", name="Save target").click()
    page.wait_for_load_state()
    assert page.get_by_text("Use at most 0 decimals for this indicator.").is_visible()
    assert not Target.objects.filter(indicator=reads, unit__isnull=False).exists()
    assert_accessible(page)

    page.get_by_label("Target value").fill("80")
    page.get_by_role("button", name="Save target").click()
    page.get_by_text("Saved the target of IDI for 2025.").wait_for()
    assert page.get_by_role("table").get_by_role("cell", name="80", exact=True).is_visible()
    assert_accessible(page)
    screenshot(page, "unit-targets-desktop")
    page.set_viewport_size(PHONE)
    assert sideways(page) is None
    assert_accessible(page)
    screenshot(page, "unit-targets-phone")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/dashboard/unit/IDI/?period=2024")
    row = page.locator("tr", has_text=reads.code).last
    assert "IDI's own target" in row.inner_text()
    assert "At risk" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "unit-targets-dashboard")
