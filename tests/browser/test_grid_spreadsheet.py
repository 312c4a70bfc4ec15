"""The measurement grid used like a spreadsheet, in a real browser (issue 11).

Also the measurement scenario: an IDI reporter, from the login page, enters 18 values and writes
and submits a report. Actions are counted (clicks, key presses that move focus, pastes) and the
figures are printed for docs/performance.md.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.db import transaction

from goals.models import ProgressReport
from indicators.models import Measurement
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PASSWORD, IndicatorFactory, MeasurementFactory, goal, period

GRID = "/units/IDI/values/"


@pytest.fixture
def six(personas):
    """Six yearly IDI indicators for RES-3 (whole numbers, counts), in one transaction: the
    figures are settled once, not after each."""
    with transaction.atomic():
        return [
            IndicatorFactory(
                goal=goal("RES-3"),
                name_en=f"Count {n}",
                measure="count",
                decimals=0,
                code=f"C-{n}",
            )
            for n in range(1, 7)
        ]


def value_of(page, indicator):
    return page.get_by_label(f"Value of {indicator.name_en} for 2025")


def open_grid(page, live_server, username="idi-reporter"):
    page.goto(f"{live_server.url}/login/?next={GRID}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{GRID}")


def paste(page, locator, text: str) -> None:
    """What Ctrl+V does with a block copied from Excel or LibreOffice: a paste event."""
    locator.focus()
    locator.evaluate(
        """(input, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                             cancelable: true}));
        }""",
        text,
    )


def stored(indicator):
    m = Measurement.objects.filter(indicator=indicator, period=period("2025")).first()
    return m and m.value


def wait_saved(page, indicator):
    page.locator(f"tr[id^='row-m{indicator.pk}-'].saved").wait_for()


def test_a_value_saves_when_the_user_leaves_its_cell(page, live_server, six):
    open_grid(page, live_server)
    value_of(page, six[0]).fill("12")
    page.keyboard.press("Tab")  # to the comment: leaving the value cell saves the row
    wait_saved(page, six[0])
    assert stored(six[0]) == Decimal("12")
    # Focus stayed where the user went, and the row says it is saved.
    assert page.evaluate("document.activeElement.getAttribute('data-cell')") == "comment"
    assert page.locator(f"tr[id^='row-m{six[0].pk}-'] .row-status").inner_text() == "✔ Saved."
    assert_accessible(page)


def test_enter_saves_and_arrow_keys_move_between_cells(page, live_server, six):
    open_grid(page, live_server)
    value_of(page, six[0]).fill("5")
    page.keyboard.press("Enter")
    wait_saved(page, six[0])
    assert page.evaluate("document.activeElement.id") == value_of(page, six[1]).get_attribute("id")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == value_of(page, six[3]).get_attribute("id")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == value_of(page, six[2]).get_attribute("id")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('data-cell')") == "comment"
    assert stored(six[0]) == Decimal("5")
    assert stored(six[1]) is None  # moving through a cell without changing it saves nothing


def test_a_pasted_column_fills_six_cells_and_reports_the_one_refused(page, live_server, six):
    open_grid(page, live_server)
    paste(page, value_of(page, six[0]), "10\n20\n3,5\n40\n1 234\n60\n")
    status = page.locator(".grid-status")
    status.get_by_text("Pasted 6 cells: 5 saved, 1 refused").wait_for()
    bad = page.locator(f"tr[id^='row-m{six[2].pk}-']")
    assert "Use at most 0 decimals for this indicator." in bad.inner_text()
    assert value_of(page, six[2]).input_value() == "3,5"
    assert [stored(i) for i in six] == [
        Decimal(10),
        Decimal(20),
        None,
        Decimal(40),
        Decimal(1234),
        Decimal(60),
    ]
    assert_accessible(page)
    screenshot(page, "grid-pasted-one-refused")


def test_a_cell_changed_by_someone_else_is_refused_with_who_and_then_replaced(
    page, live_server, six, personas
):
    open_grid(page, live_server)
    # Meanwhile the faculty leader saves a value for the same cell.
    MeasurementFactory(
        indicator=six[0], period=period("2025"), value=Decimal(7), entered_by=personas.ie_leader
    )
    value_of(page, six[0]).fill("8")
    page.keyboard.press("Enter")
    row = page.locator(f"tr[id^='row-m{six[0].pk}-']")
    row.get_by_text("Not saved: ie-leader changed this value to 7").wait_for()
    assert stored(six[0]) == Decimal(7)
    assert value_of(page, six[0]).input_value() == "8"
    screenshot(page, "grid-conflict")
    # Knowingly replacing it: back to the cell and Enter.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    wait_saved(page, six[0])
    assert stored(six[0]) == Decimal(8)


def test_copied_values_are_marked_until_saved(page, live_server, six):
    MeasurementFactory(indicator=six[0], period=period("2024"), value=Decimal(41))
    open_grid(page, live_server)
    page.get_by_role("link", name="Copy from last period").click()
    cell = value_of(page, six[0])
    page.get_by_text("Copied from 2024, not saved").wait_for()
    assert "copied" in cell.get_attribute("class")
    cell.focus()
    page.keyboard.press("Enter")
    wait_saved(page, six[0])
    assert stored(six[0]) == Decimal(41)
    assert page.get_by_text("Copied from 2024, not saved").count() == 0


@pytest.mark.parametrize("javascript", [False])
def test_without_javascript_save_all_sends_the_grid_with_errors_per_row(
    browser, live_server, six, javascript
):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    open_grid(page, live_server)
    value_of(page, six[0]).fill("1")
    value_of(page, six[1]).fill("x")
    value_of(page, six[2]).fill("3")
    page.get_by_role("button", name="Save all").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("1 value was not saved: see the message beside it.").is_visible()
    assert page.get_by_text("“x” is not a number.").is_visible()
    assert [stored(i) for i in six[:3]] == [Decimal(1), None, Decimal(3)]
    context.close()


def _scenario(page, live_server, indicators, *, with_paste: bool) -> tuple[int, float]:
    """From the login page to a submitted report; returns (actions, seconds)."""
    actions = 0
    started = time.monotonic()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").click()
    actions += 1
    page.keyboard.type("idi-reporter")
    page.keyboard.press("Tab")
    actions += 1
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    actions += 1
    page.wait_for_url("**/units/IDI/")
    page.get_by_role("link", name="Enter values").click()
    actions += 1
    page.wait_for_url(f"**{GRID}")
    first = value_of(page, indicators[0])
    first.click()
    actions += 1
    values = [str(10 + n) for n in range(len(indicators))]
    if with_paste:
        paste(page, first, "\n".join(values))
        actions += 1
        page.locator(".grid-status").get_by_text(f"Pasted {len(values)} cells").wait_for()
    else:
        for text in values:
            page.keyboard.type(text)
            page.keyboard.press("Enter")  # saves and moves to the next row
            actions += 1
        page.locator(f"tr[id^='row-m{indicators[-1].pk}-'].saved").wait_for()
    page.get_by_role("link", name="Department of Computer Science").click()
    actions += 1
    page.get_by_role("link", name="Write report — RES-3").click()
    actions += 1
    page.wait_for_load_state()
    page.get_by_label("Status").select_option("on_track")
    actions += 1
    page.get_by_label("Narrative").click()
    actions += 1
    page.keyboard.type("Every count rose; see the values.")
    page.get_by_role("button", name="Submit for approval").click()
    actions += 1
    page.get_by_text("Report submitted for approval.").wait_for()
    return actions, time.monotonic() - started


@pytest.mark.parametrize("with_paste", [True, False], ids=["paste", "typing"])
def test_measurement_scenario_18_values_and_a_report(page, live_server, personas, with_paste):
    indicators = [
        # Targets the typed values reach: the figures agree with the "on track" reported.
        IndicatorFactory(
            goal=goal("RES-3"),
            name_en=f"Value {n:02d}",
            measure="count",
            decimals=0,
            baseline_value=Decimal(0),
            target_value=Decimal(10),
        )
        for n in range(1, 19)
    ]
    actions, seconds = _scenario(page, live_server, indicators, with_paste=with_paste)
    print(f"\nSCENARIO {'paste' if with_paste else 'typing'}: {actions} actions, {seconds:.1f} s")
    assert Measurement.objects.filter(period=period("2025")).count() == 18
    assert ProgressReport.objects.get(goal=goal("RES-3"), unit__code="IDI").state == "submitted"
    assert actions <= (20 if with_paste else 30)
