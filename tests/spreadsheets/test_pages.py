from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Measurement
from jobs.models import JobState
from tests.factories import IndicatorFactory, MeasurementFactory, period, unit


def template(client, **params):
    return client.get(reverse("spreadsheets:template"), {"period": "2025", **params})


def test_a_reporter_sees_the_import_and_the_export(client, personas):
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("spreadsheets:index")).content.decode()
    assert "Download template" in page
    assert "Build the workbook" in page


def test_a_viewer_may_export_but_not_import(client, personas):
    client.force_login(personas.rector)
    page = client.get(reverse("spreadsheets:index")).content.decode()
    assert "Download template" not in page
    assert "Build the workbook" in page
    assert template(client, unit="IDI", format="xlsx").status_code == 403


def test_someone_without_a_role_is_refused(client, personas):
    client.force_login(personas.outsider)
    assert client.get(reverse("spreadsheets:index")).status_code == 403
    assert client.post(reverse("spreadsheets:export"), {"period": "2025"}).status_code == 403


def test_the_page_is_linked_from_the_navigation_and_shown_in_norwegian(client, personas):
    client.force_login(personas.idi_reporter)
    client.cookies["django_language"] = "nb"
    page = client.get(reverse("spreadsheets:index")).content.decode()
    assert f'href="{reverse("spreadsheets:index")}">Import og eksport</a>' in page
    assert "Last ned mal" in page


def test_the_xlsx_template_lists_the_units_indicators_with_stored_values(client, personas, units):
    IndicatorFactory(code="IDI-A")
    stored = MeasurementFactory(indicator=IndicatorFactory(code="IDI-B"), period=period("2025"))
    IndicatorFactory(code="IDI-OLD", active=False)
    IndicatorFactory(code="IDI-TERTIAL", frequency="tertial")
    IndicatorFactory(code="NV-A", owner_unit=unit("NV"))
    client.force_login(personas.idi_reporter)
    response = template(client, unit="IDI", format="xlsx")
    assert response["Content-Disposition"] == (
        'attachment; filename="veikart-template-IDI-2025.xlsx"'
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == (
        "indicator_code",
        "indicator_name",
        "unit_code",
        "period",
        "value",
        "comment",
        "based_on_version",
    )
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("IDI-A", "IDI", "2025", None),
        ("IDI-B", "IDI", "2025", float(stored.value)),
    ]


def test_the_csv_template_is_utf8_with_a_bom(client, personas, units):
    IndicatorFactory(code="IDI-A", name_en="Ærlig")
    client.force_login(personas.idi_reporter)
    content = template(client, unit="IDI", format="csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["IDI-A", "Ærlig", "IDI", "2025", "", "", "0"]


def test_a_template_for_another_units_is_refused(client, personas, units):
    client.force_login(personas.idi_reporter)
    response = template(client, unit="NV", format="xlsx")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_filled_in_template_imports(client, personas, units, django_capture_on_commit_callbacks):
    IndicatorFactory(code="IDI-A")
    client.force_login(personas.idi_reporter)
    workbook = openpyxl.load_workbook(
        io.BytesIO(template(client, unit="IDI", format="xlsx").content)
    )
    workbook.active["E2"] = 42.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spreadsheets:import"), {"file": buffer})
    page = client.get(response.url).content.decode()
    assert "Imported: 1 new values, 0 changed, 0 unchanged." in page
    assert Measurement.objects.get().value == Decimal("42.5")


def test_the_import_page_lists_the_persons_recent_jobs(client, personas, units):
    from jobs.models import Job, JobKind

    Job.objects.create(
        kind=JobKind.IMPORT_MEASUREMENTS, created_by=personas.idi_reporter, upload_name="mine.csv"
    )
    Job.objects.create(
        kind=JobKind.IMPORT_MEASUREMENTS, created_by=personas.nv_reporter, upload_name="theirs.csv"
    )
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("spreadsheets:index")).content.decode()
    assert "mine.csv" in page
    assert "theirs.csv" not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_needs_login(client, method):
    for name in ["spreadsheets:index", "spreadsheets:import", "spreadsheets:export"]:
        response = getattr(client, method)(reverse(name))
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))


def test_a_job_state_is_shown_to_its_owner(client, personas):
    from jobs.models import Job, JobKind

    job = Job.objects.create(kind=JobKind.EXPORT_PERIOD, created_by=personas.idi_reporter)
    client.force_login(personas.idi_reporter)
    assert str(JobState.QUEUED.label) in client.get(job.get_absolute_url()).content.decode()


def test_the_import_page_uses_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    from jobs.models import Job, JobKind

    for _ in range(5):
        Job.objects.create(kind=JobKind.EXPORT_PERIOD, created_by=personas.idi_reporter)
    client.force_login(personas.idi_reporter)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("spreadsheets:index")).status_code == 200


def test_polling_a_job_uses_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    from jobs.models import Job, JobKind

    job = Job.objects.create(kind=JobKind.EXPORT_PERIOD, created_by=personas.idi_reporter)
    client.force_login(personas.idi_reporter)
    with django_assert_max_num_queries(4):
        client.get(job.get_absolute_url(), headers={"HX-Request": "true"})


def test_a_template_for_a_unit_with_a_norwegian_code_downloads(client, personas, units):
    from strategy.models import Membership, Role, Unit

    unit_ae = Unit.objects.create(code="ÆØÅ", name="Test", kind="department", parent=units["IE"])
    Membership.objects.create(user=personas.idi_reporter, unit=unit_ae, role=Role.REPORTER)
    client.force_login(personas.idi_reporter)
    response = template(client, unit="ÆØÅ", format="csv")
    assert response.status_code == 200
    assert (
        "filename*=utf-8''veikart-template-%C3%86%C3%98%C3%85-2025.csv"
        in (response["Content-Disposition"])
    )


def test_the_template_includes_indicators_owned_by_the_units_above(client, personas, units):
    IndicatorFactory(code="IE-A", owner_unit=unit("IE"))
    IndicatorFactory(code="NV-A", owner_unit=unit("NV"))
    client.force_login(personas.idi_reporter)
    rows = list(
        openpyxl.load_workbook(
            io.BytesIO(template(client, unit="IDI", format="xlsx").content)
        ).active.values
    )
    assert [r[0] for r in rows[1:]] == ["IE-A"]
