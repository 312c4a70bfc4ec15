from __future__ import annotations

from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import IndicatorFactory
from tests.spreadsheets.conftest import csv_bytes, row


def test_a_reporter_uploads_a_file_and_reads_the_row_by_row_report(
    page, live_server, personas, tmp_path
):
    good, bad = IndicatorFactory(code="IDI-A"), IndicatorFactory(code="IDI-B")
    upload = tmp_path / "values.csv"
    upload.write_bytes(csv_bytes([row(good, "10"), row(bad, "lots")]))

    log_in(page, live_server, "idi-reporter")
    page.get_by_role("link", name="Import and export").click()
    page.wait_for_load_state()
    assert_accessible(page)
    screenshot(page, "import-page")

    page.get_by_label("Filled-in template").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    page.get_by_role("heading", name="Failed").wait_for()
    assert "Nothing was imported" in page.content()
    cells = page.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts()
    assert cells == ["3", "value", "“lots” is not a number."]
    assert_accessible(page)
    screenshot(page, "import-report")
