from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from indicators.models import Measurement
from jobs.models import JobState
from tests.factories import MeasurementFactory, period
from tests.spreadsheets.conftest import csv_bytes, row, values, xlsx_bytes


@pytest.fixture
def reporter(client, personas):
    client.force_login(personas.idi_reporter)
    return personas.idi_reporter


def messages_of(job) -> list[tuple]:
    return [(e.get("row"), e.get("column"), e["message"]) for e in job.errors]


def test_openpyxl_parses_workbooks_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_reporter_imports_a_valid_xlsx(reporter, indicators, upload):
    pub, cit, pct = indicators
    response, job = upload(xlsx_bytes([row(pub, 120.5), row(cit, "7,5"), row(pct, 80)]))
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert job.state == JobState.DONE
    assert values() == {"IDI-PUB": Decimal("120.5"), "IDI-CIT": Decimal("7.5"), "IDI-PCT": 80}


def test_a_reporter_imports_a_valid_csv_with_a_bom_and_semicolons(reporter, indicators, upload):
    pub, cit, _pct = indicators
    content = "\ufeff".encode() + csv_bytes(
        [row(pub, "1 200,5", comment="Økning"), row(cit, "")], delimiter=";"
    )
    _response, job = upload(content, "verdier.csv")
    assert job.state == JobState.DONE, job.errors
    measurement = Measurement.objects.get(indicator=pub)
    assert (measurement.value, measurement.comment) == (Decimal("1200.5"), "Økning")
    assert job.result == {"created": 1, "updated": 0, "unchanged": 0, "empty": 1}


def test_imported_values_record_who_entered_them(reporter, indicators, upload):
    upload(xlsx_bytes([row(indicators[0], 10)]))
    measurement = Measurement.objects.get()
    assert measurement.entered_by == reporter
    assert measurement.entered_at is not None


def test_one_bad_row_imports_nothing_and_the_report_names_row_column_and_problem(
    reporter, indicators, upload
):
    pub, cit, pct = indicators
    _response, job = upload(xlsx_bytes([row(pub, 10), row(cit, "many"), row(pct, 120)]))
    assert job.state == JobState.FAILED
    assert Measurement.objects.count() == 0
    assert messages_of(job) == [
        (3, "value", "“many” is not a number."),
        (4, "value", "Percent (0–100) values must lie between 0 and 100."),
    ]


def test_the_job_page_shows_the_row_by_row_report(client, reporter, indicators, upload):
    _response, job = upload(xlsx_bytes([row(indicators[0], "1.25")]))
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Nothing was imported" in page
    assert "Use at most 1 decimals for this indicator." in page
    assert "<td>2</td><td>value</td>" in page


def test_importing_the_same_file_twice_creates_no_duplicates(reporter, indicators, upload):
    content = xlsx_bytes([row(indicators[0], 10, comment="first"), row(indicators[1], 20)])
    upload(content)
    _response, second = upload(content)
    assert Measurement.objects.count() == 2
    assert second.result == {"created": 0, "updated": 0, "unchanged": 2, "empty": 0}
    assert set(Measurement.objects.values_list("version", flat=True)) == {1}


def test_a_changed_value_updates_the_stored_one_and_bumps_its_version(reporter, indicators, upload):
    stored = MeasurementFactory(indicator=indicators[0], period=period("2025"), value=10)
    _response, job = upload(xlsx_bytes([row(indicators[0], 11)]))
    stored.refresh_from_db()
    assert (stored.value, stored.version) == (Decimal(11), 2)
    assert job.result["updated"] == 1


def test_values_for_units_outside_the_uploaders_rights_are_rejected(reporter, indicators, upload):
    _response, job = upload(xlsx_bytes([row(indicators[0], 10, unit="NV")]))
    assert job.state == JobState.FAILED
    assert messages_of(job) == [
        (2, "unit_code", "Unknown unit “NV”, or you may not report values for it.")
    ]
    assert Measurement.objects.count() == 0


def test_closed_periods_and_unknown_indicators_are_rejected(reporter, indicators, upload):
    _response, job = upload(
        xlsx_bytes([row(indicators[0], 1, period="2019"), ["NOPE", "", "IDI", "2025", 1, ""]])
    )
    assert [(e[0], e[1]) for e in messages_of(job)] == [(2, "period"), (3, "indicator_code")]


def test_a_row_repeating_another_is_rejected(reporter, indicators, upload):
    _response, job = upload(xlsx_bytes([row(indicators[0], 1), row(indicators[0], 2)]))
    assert messages_of(job) == [
        (3, "indicator_code", "This indicator, unit and period were already given on row 2.")
    ]


def test_a_missing_column_is_reported(reporter, indicators, upload):
    _response, job = upload(
        xlsx_bytes([["IDI-PUB", "IDI", "2025"]], header=["indicator_code", "unit_code", "period"])
    )
    assert messages_of(job) == [(1, "value", "The column “value” is missing from the first row.")]


def test_formula_cells_are_rejected(reporter, indicators, upload):
    _response, job = upload(xlsx_bytes([row(indicators[0], "=1+1")]))
    assert messages_of(job) == [(2, "value", "Formulas are not accepted; enter the value itself.")]
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize("comment", ['=HYPERLINK("http://x")', "+cmd", "-2+3", "@SUM(A1)"])
def test_formula_text_in_a_csv_comment_is_rejected(reporter, indicators, upload, comment):
    _response, job = upload(csv_bytes([row(indicators[0], 1, comment=comment)]), "v.csv")
    [(number, column, message)] = messages_of(job)
    assert (number, column) == (2, "comment")
    assert "run as a formula" in message
    assert Measurement.objects.count() == 0


def test_a_comment_escaped_with_an_apostrophe_is_stored_without_it(reporter, indicators, upload):
    upload(csv_bytes([row(indicators[0], 1, comment="'-5 % on last year")]), "v.csv")
    assert Measurement.objects.get().comment == "-5 % on last year"


def test_an_oversized_file_is_refused_by_the_form(client, reporter, indicators, upload, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response, job = upload(b"x" * 1001, "big.csv")
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert job is None


def test_a_file_of_another_type_is_refused_by_the_form(reporter, upload):
    response, job = upload(b"%PDF-1.4", "values.pdf")
    assert response.status_code == 400
    assert job is None


def zip_bomb() -> bytes:
    """A zip that claims to be a workbook and inflates a 1 MB-compressed part to 100 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(100):
                part.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(reporter, upload):
    content = zip_bomb()
    assert len(content) < 1024 * 1024
    response, job = upload(content)
    assert response.status_code == 302
    assert job.state == JobState.FAILED
    assert "unpacks to more than 50 MB" in job.errors[0]["message"]


def test_a_highly_compressed_part_is_refused(reporter, upload, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
    _response, job = upload(zip_bomb())
    assert "compressed suspiciously well" in job.errors[0]["message"]


def test_a_workbook_with_too_many_parts_is_refused(reporter, upload, settings):
    settings.IMPORT_MAX_ZIP_ENTRIES = 5
    _response, job = upload(xlsx_bytes([]))
    assert "too many parts" in job.errors[0]["message"]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol4;</t></is></c></row>
</sheetData></worksheet>"""


def with_replaced_part(content: bytes, name: str, text: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = text.encode() if item.filename == name else source.read(item.filename)
            target.writestr(item.filename, data)
    return buffer.getvalue()


def test_billion_laughs_xml_inside_a_workbook_is_refused(reporter, indicators, upload):
    content = with_replaced_part(
        xlsx_bytes([row(indicators[0], 1)]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS
    )
    _response, job = upload(content)
    assert job.state == JobState.FAILED
    assert "not allowed (entity or DTD declarations)" in job.errors[0]["message"]
    assert Measurement.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_reported(reporter, upload):
    _response, job = upload(b"PK\x03\x04 not really a zip", "values.xlsx")
    assert "not an Excel workbook" in job.errors[0]["message"]


def test_a_csv_in_another_encoding_is_reported(reporter, indicators, upload):
    content = csv_bytes([row(indicators[0], 1, comment="Økning")]).decode().encode("latin-1")
    response, job = upload(content, "values.csv")
    assert response.status_code == 302
    assert job.errors[0]["message"].startswith(
        "The file is not UTF-8 text (unreadable byte on line 2)"
    )


def test_a_csv_with_nul_bytes_is_reported(reporter, indicators, upload):
    _response, job = upload(csv_bytes([row(indicators[0], "1\x00")]), "values.csv")
    assert "NUL bytes" in job.errors[0]["message"]
    assert Measurement.objects.count() == 0


def test_the_job_page_of_a_failed_import_is_not_an_error_page(client, reporter, upload):
    _response, job = upload(b"\xff\xfe garbage", "values.csv")
    response = client.get(job.get_absolute_url())
    assert response.status_code == 200
    assert "not UTF-8 text" in response.content.decode()


printable = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\x00"),
    max_size=30,
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["IDI-PUB", "IDI-CIT", "IDI-PCT", "NOPE"]),
            st.sampled_from(["IDI", "NV", "IE"]),
            st.one_of(
                st.decimals(min_value=-10, max_value=1000, places=1, allow_nan=False),
                st.integers(min_value=-5, max_value=200),
                printable,
            ),
            printable,
        ),
        max_size=8,
    ),
    file_format=st.sampled_from(["xlsx", "csv"]),
)
def test_any_file_either_imports_completely_or_changes_nothing(
    reporter, indicators, upload, rows, file_format
):
    Measurement.objects.all().delete()
    data = [[code, "", unit, "2025", value, comment] for code, unit, value, comment in rows]
    content = xlsx_bytes(data) if file_format == "xlsx" else csv_bytes(data)
    response, job = upload(content, f"values.{file_format}")
    assert response.status_code == 302
    if job.state == JobState.DONE:
        assert Measurement.objects.count() == job.result["created"]
    else:
        assert job.state == JobState.FAILED
        assert job.errors
        assert Measurement.objects.count() == 0


def test_a_department_reports_values_of_its_facultys_indicator(reporter, units, upload):
    from tests.factories import IndicatorFactory

    faculty_indicator = IndicatorFactory(code="IE-A", owner_unit=units["IE"])
    _response, job = upload(xlsx_bytes([row(faculty_indicator, 3)]))
    assert job.state == JobState.DONE


def test_a_value_above_the_indicators_owner_is_rejected(client, personas, indicators, upload):
    client.force_login(personas.ie_leader)
    _response, job = upload(xlsx_bytes([row(indicators[0], 3, unit="IE")]))
    assert messages_of(job) == [
        (2, "indicator_code", "Indicator IDI-PUB is not reported by unit IE.")
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="history is recorded by PostgreSQL triggers"
)
def test_the_history_of_imported_values_names_the_uploader_and_the_job(
    reporter, indicators, upload
):
    _response, job = upload(xlsx_bytes([row(indicators[0], 10)]))
    event = (
        apps.get_model("indicators", "MeasurementEvent")
        .objects.select_related("pgh_context")
        .get(indicator=indicators[0])
    )
    assert event.pgh_context.metadata["user"] == reporter.pk
    assert event.pgh_context.metadata["job"] == job.pk
