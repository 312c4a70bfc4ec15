"""The board report: the form, its permissions and bad input, and the PDF the job makes, read
back with pypdf for a dataset built here (tests/dashboards/conftest.py)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dashboards import figures
from goals.models import Comment, ProgressReport
from jobs.models import Job, JobState
from strategy.models import Area, Membership, Role
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    UserFactory,
    goal,
    period,
    unit,
)

URL = reverse("dashboards:board_report")


@pytest.fixture
def idi_leader(units):
    user = UserFactory(username="idi-leader")
    Membership.objects.create(user=user, unit=units["IDI"], role=Role.APPROVER)
    return user


@pytest.fixture
def board_data(dashboard_data, personas):
    dashboard_data(1)
    # One indicator with a steady series to forecast: at this pace 2025's target is missed.
    steady = IndicatorFactory(code="IDI-STEADY", name_en="Steady pace", goal=goal("RES-3"))
    for n, year in enumerate(["2019", "2020", "2021", "2022", "2023", "2024"]):
        MeasurementFactory(
            indicator=steady, unit=unit("IDI"), period=period(year), value=100 + 5 * n
        )
    # IDI's reports are approved; the others stay submitted or in draft.
    ProgressReport.objects.filter(unit=unit("IDI")).update(state="approved")
    where = {"goal": goal("RES-3"), "unit": unit("IEL"), "period": period("2024")}
    Comment.post(
        by=personas.rector,
        body="The board should follow the **publication drop** at IEL closely.",
        for_board=True,
        **where,
    )
    Comment.post(by=personas.rector, body="An internal note, not for the board.", **where)
    figures.settle()


def ask(client, django_capture_on_commit_callbacks, **fields):
    data = {"period": "2024", "unit": "NTNU", "language": "en", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, data)


def made_pdf(client, django_capture_on_commit_callbacks, **fields) -> list[str]:
    response = ask(client, django_capture_on_commit_callbacks, **fields)
    job = Job.objects.without_files().get()
    assert response.url == job.get_absolute_url()
    assert job.state == JobState.DONE, job.errors
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert all(not page.images for page in reader.pages), "charts must be vectors, not images"
    return [page.extract_text() for page in reader.pages]


def first_page_of(pages: list[str], heading: str) -> int:
    return next(n for n, text in enumerate(pages) if heading in text)


# --- The PDF --------------------------------------------------------------------------------


def test_the_pdf_has_a_cover_a_page_per_area_and_the_appendix(
    client, personas, board_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    pages = made_pdf(client, django_capture_on_commit_callbacks)
    cover = pages[0]
    assert "Board report: NTNU 2024" in cover
    assert "Figures as of" in cover
    assert "Reports approved" in cover
    areas = Area.objects.order_by("order")
    assert [first_page_of(pages, f"{a.name_en} {a.code}\n") for a in areas] == [1, 3, 5, 7, 9]
    assert "Appendix: indicators" in pages[-1]
    assert len(pages) == 12


def test_an_area_page_shows_status_trend_forecast_and_the_comments_for_the_board(
    client, personas, board_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    pages = made_pdf(client, django_capture_on_commit_callbacks)
    research = "\n".join(pages[first_page_of(pages, "Research RES\n") :])
    research = research[: research.index("Appendix: indicators")]
    for heading in ("COMPUTED STATUS", "UNITS REPORT", "Trend", "Goals", "Forecast"):
        assert heading in research
    assert "publication drop at IEL closely" in research
    assert "not for the board" not in "\n".join(pages)
    assert "Median progress by period: 2017" not in research  # the chart's words: 8 periods
    words = " ".join(research.split())
    assert (
        "Steady pace IDI-STEADY: At this pace the target is reached in 2029, 4 years late." in words
    )


def test_the_pdf_is_written_in_norwegian_when_asked(
    client, personas, board_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    pages = made_pdf(client, django_capture_on_commit_callbacks, language="nb")
    assert "Styrerapport: NTNU 2024" in pages[0]
    assert "Godkjente rapporter" in pages[0]
    assert "Vedlegg: indikatorer" in pages[-1]
    assert "Board report" not in "\n".join(pages)
    assert len(pages) == 12


def test_the_generated_data_banner_is_on_every_page_when_demo_data_is_present(
    client, personas, board_data, django_capture_on_commit_callbacks
):
    IndicatorFactory(is_generated=True)
    figures.settle()
    client.force_login(personas.rector)
    pages = made_pdf(client, django_capture_on_commit_callbacks)
    assert all("Generated demo data" in text for text in pages)


def test_a_department_leaders_report_covers_their_subtree_only(
    client, idi_leader, board_data, django_capture_on_commit_callbacks
):
    client.force_login(idi_leader)
    pages = made_pdf(client, django_capture_on_commit_callbacks, unit="IDI")
    assert "Board report: IDI 2024" in pages[0]
    assert "publication drop" not in "\n".join(pages)  # a comment on IEL's report


# --- The form and who may use it ------------------------------------------------------------


def test_the_rector_finds_the_board_report_on_the_overview(client, personas, board_data):
    client.force_login(personas.rector)
    page = client.get(reverse("dashboards:overview"), {"period": "2024"}).content.decode()
    assert f"{URL}?period=2024&amp;unit=NTNU" in page
    form = client.get(URL, {"period": "2024", "unit": "NTNU"}).content.decode()
    assert '<option value="2024" selected>' in form
    assert "Make the PDF" in form


def test_a_reporter_sees_no_button_and_may_not_make_the_report(
    client, personas, board_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert "Board report (PDF)" not in page
    assert client.get(URL).status_code == 403
    assert ask(client, django_capture_on_commit_callbacks, unit="IDI").status_code == 403
    assert not Job.objects.exists()


def test_someone_without_a_role_is_refused(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.outsider)
    assert client.get(URL).status_code == 403
    assert ask(client, django_capture_on_commit_callbacks).status_code == 403


def test_a_department_leader_gets_not_found_for_another_unit(
    client, idi_leader, strategy, django_capture_on_commit_callbacks
):
    client.force_login(idi_leader)
    assert client.get(URL, {"unit": "IE"}).status_code == 404
    assert ask(client, django_capture_on_commit_callbacks, unit="IE").status_code == 404
    assert ask(client, django_capture_on_commit_callbacks, unit="NTNU").status_code == 404
    assert not Job.objects.exists()
    form = client.get(URL).content.decode()
    assert '<option value="IDI" selected>' in form
    assert 'value="IE"' not in form


def test_another_person_cannot_download_the_report(
    client, personas, idi_leader, strategy, django_capture_on_commit_callbacks
):
    client.force_login(idi_leader)
    ask(client, django_capture_on_commit_callbacks, unit="IDI")
    job = Job.objects.without_files().get()
    client.force_login(personas.rector)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("period", "2031", "There is no reporting period 2031."),
        ("unit", "NOPE", "There is no unit NOPE."),
        ("language", "de", "The report is written in English or Norwegian only."),
        ("period", "", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client, personas, strategy, django_capture_on_commit_callbacks, field, value, message
):
    client.force_login(personas.rector)
    response = ask(client, django_capture_on_commit_callbacks, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_the_job_page_shows_the_progress_and_then_the_download(
    client, personas, board_data, django_capture_on_commit_callbacks
):
    client.force_login(personas.rector)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(URL, {"period": "2024", "unit": "NTNU", "language": "en"})
    job = Job.objects.without_files().get()
    waiting = client.get(job.get_absolute_url()).content.decode()
    assert "<progress" in waiting and "Board report" in waiting
    job.run(task_id="t-1")
    done = client.get(job.get_absolute_url()).content.decode()
    assert "Download board-report-NTNU-2024-en.pdf" in done
