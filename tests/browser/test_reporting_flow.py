"""The reporting flow of issue 3 in a real browser, checked with axe-core on every page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from goals.models import ProgressReport
from indicators.models import Measurement
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import IndicatorFactory, MeasurementFactory, goal, period


@pytest.fixture
def idi_indicators(personas):
    # Targets that the values the reporter enters reach: the figures agree with the "on
    # track" reported (figures off track would ask for an action on submitting).
    points = IndicatorFactory(
        goal=goal("RES-3"),
        name_en="Publication points",
        measure="points",
        decimals=1,
        target_value=Decimal(130),
    )
    share = IndicatorFactory(
        goal=goal("RES-3"),
        name_en="Open access share",
        measure="percent",
        decimals=0,
        baseline_value=Decimal(40),
        target_value=Decimal(60),
    )
    MeasurementFactory(indicator=points, period=period("2024"), value=Decimal("120.5"))
    MeasurementFactory(indicator=share, period=period("2024"), value=Decimal("61"))
    return points, share


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")


def open_idi_report(page) -> None:
    """From My unit of a faculty leader or the rector: switch to IDI, open the RES-3 report."""
    page.get_by_label("Unit", exact=True).select_option("IDI")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Department of Computer")
    page.get_by_role("link", name="Open report — RES-3").click()
    page.wait_for_load_state()


def test_a_report_goes_from_values_to_approval_and_the_rector_reads_it(
    page, live_server, personas, idi_indicators
):
    # The IDI reporter lands on My unit.
    log_in(page, live_server, "idi-reporter")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Department of Computer")
    assert page.get_by_text("Publication points").first.is_visible()
    assert_accessible(page)
    screenshot(page, "reporting-1-my-unit")

    # Two values: the first typed wrong, then corrected.
    page.get_by_role("link", name="Enter values").click()
    page.wait_for_load_state()
    points = page.get_by_label("Value of Publication points for 2025")
    points.fill("131,25")
    page.get_by_role("button", name="Save — Publication points").click()
    error = page.get_by_text("Use at most 1 decimals for this indicator.")
    error.wait_for()
    assert page.get_by_label("Value of Publication points for 2025").input_value() == "131,25"
    assert_accessible(page)
    screenshot(page, "reporting-2-grid-error")
    page.get_by_label("Value of Publication points for 2025").fill("131,2")
    page.get_by_role("button", name="Save — Publication points").click()
    page.get_by_text("Saved.").wait_for()
    page.get_by_label("Value of Open access share for 2025").fill("64")
    page.get_by_label("Comment on Open access share").fill("From Cristin, 1 March")
    page.get_by_role("button", name="Save — Open access share").click()
    page.get_by_text("Saved.").nth(1).wait_for()
    assert_accessible(page)
    screenshot(page, "reporting-3-grid-saved")
    assert sorted(
        Measurement.objects.filter(period__code="2025").values_list("value", flat=True)
    ) == [
        Decimal("64"),
        Decimal("131.2"),
    ]

    # The report: written and submitted.
    page.get_by_role("link", name="Department of Computer Science").click()
    page.get_by_role("link", name="Write report — RES-3").click()
    page.wait_for_load_state()
    page.get_by_label("Status").select_option("on_track")
    page.get_by_label("Narrative").fill("Publication points rose to **131.2**.")
    page.get_by_label("Next steps").fill("- Keep the open access share above 60%")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for approval").click()
    page.get_by_text("Report submitted for approval.").wait_for()
    assert_accessible(page)
    screenshot(page, "reporting-4-submitted")
    log_out(page)

    # The IE approver returns it with a comment.
    log_in(page, live_server, "ie-leader")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Faculty of Information")
    assert_accessible(page)
    open_idi_report(page)
    page.get_by_label("Comment for the reporter").fill("Say which journals drove the rise.")
    assert_accessible(page)
    page.get_by_role("button", name="Return to the reporter").click()
    page.get_by_text("Report returned to the reporter with your comment.").wait_for()
    screenshot(page, "reporting-5-returned")
    log_out(page)

    # The reporter sees the comment, fixes and resubmits.
    log_in(page, live_server, "idi-reporter")
    assert page.get_by_text("Say which journals drove the rise.").is_visible()
    page.get_by_role("link", name="Edit report — RES-3").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Returned by ie-leader").is_visible()
    assert_accessible(page)
    screenshot(page, "reporting-6-returned-seen")
    page.get_by_label("Narrative").fill(
        "Publication points rose to **131.2**, mostly in *Nature Machine Intelligence*."
    )
    page.get_by_role("button", name="Submit for approval").click()
    page.get_by_text("Report submitted for approval.").wait_for()
    log_out(page)

    # The approver approves, straight from the list of reports waiting for approval.
    log_in(page, live_server, "ie-leader")
    page.get_by_role("link", name="RES-3 Department of Computer Science · 2025").click()
    page.wait_for_load_state()
    assert page.locator(".markdown").get_by_text("mostly in").is_visible()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Report approved.").wait_for()
    assert_accessible(page)
    screenshot(page, "reporting-7-approved")
    log_out(page)

    # The rector reads the approved report.
    log_in(page, live_server, "rector")
    page.get_by_role("link", name="My unit").click()
    page.wait_for_load_state()
    assert_accessible(page)
    open_idi_report(page)
    assert page.locator(".report-meta .state").inner_text() == "✔ Approved"
    assert page.locator(".markdown em").inner_text() == "Nature Machine Intelligence"
    assert page.get_by_role("button", name="Approve").count() == 0
    assert_accessible(page)
    screenshot(page, "reporting-8-rector")
    report = ProgressReport.objects.get(unit__code="IDI", goal=goal("RES-3"), period__code="2025")
    assert report.state == "approved"


def test_values_and_a_report_can_be_entered_by_keyboard_alone(
    page, live_server, personas, idi_indicators
):
    log_in(page, live_server, "idi-reporter")
    page.get_by_role("link", name="Enter values").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    page.get_by_label("Value of Publication points for 2025").focus()
    page.keyboard.type("abc")
    page.keyboard.press("Tab")  # to the comment
    page.keyboard.type("typed by keyboard")
    page.keyboard.press("Tab")  # to the row's Save button
    page.keyboard.press("Enter")
    page.get_by_text("“abc” is not a number.").wait_for()
    # Focus returns to the wrong value, so it can be fixed at once (htmx moves it on settle).
    # A locator, not wait_for_function: evaluating a string needs eval, which the CSP forbids.
    page.locator(":focus[aria-invalid=true]").wait_for()
    # Let htmx finish settling the re-rendered row before the next keys go to it.
    page.locator(".htmx-swapping, .htmx-settling, .htmx-request").first.wait_for(state="detached")
    page.keyboard.press("Control+A")
    page.keyboard.type("99")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Saved.").wait_for()
    # Focus stays in the row just saved (on its Save button, or on a cell when a save of the
    # row started on leaving a cell answers after the button's).
    page.locator("tr.saved :focus").wait_for()
    saved = Measurement.objects.filter(unit__code="IDI", period__code="2025", value=99)
    assert saved.filter(indicator__name_en="Publication points").exists()
    screenshot(page, "reporting-keyboard-grid")

    page.goto(f"{live_server.url}/my-unit/")
    page.get_by_role("link", name="Write report — RES-3").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_label("Narrative").focus()
    page.keyboard.type("Written by keyboard.")
    page.keyboard.press("Tab")  # next steps
    page.keyboard.press("Tab")  # risks
    page.keyboard.press("Tab")  # Save draft
    page.keyboard.press("Enter")
    page.get_by_text("Draft saved.").wait_for()
    assert ProgressReport.objects.get(unit__code="IDI").narrative == "Written by keyboard."


def test_attaching_an_indicator_explains_what_is_wrong(page, live_server, personas):
    log_in(page, live_server, "idi-reporter")
    page.get_by_role("link", name="Attach an indicator to a goal").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Goal").select_option(
        label="RES-3 Improve the quality of our publications to strengthen our scientific impact"
    )
    page.get_by_label("Name").fill("Doctoral degrees")
    page.get_by_label("Unit of measure").select_option("count")
    page.get_by_label("Direction").select_option("increase")
    page.get_by_label("Baseline value").fill("12")
    page.get_by_label("Baseline period").select_option(label="2024")
    page.get_by_label("Target value").fill("1,5")
    page.get_by_label("Target period").select_option(label="2020")
    page.get_by_role("button", name="Attach indicator").click()
    page.wait_for_load_state()
    assert page.get_by_text("The target period must come after the baseline period.").is_visible()
    assert page.get_by_text("Use at most 0 decimals for this indicator.").is_visible()
    assert_accessible(page)
    screenshot(page, "reporting-attach-errors")
    page.get_by_label("Target value").fill("20")
    page.get_by_label("Target period").select_option(label="2025")
    page.get_by_role("button", name="Attach indicator").click()
    page.get_by_text("Indicator “Doctoral degrees” attached to RES-3.").wait_for()
    assert page.get_by_label("Value of Doctoral degrees for 2025").is_visible()
