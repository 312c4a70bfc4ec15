"""Bad input on the report and review forms: a clear message or sanitised, never a 500, and
stored data unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goals.models import MAX_TEXT_LENGTH, ProgressReport
from tests.factories import ProgressReportFactory, goal

HTMX = {"HTTP_HX_REQUEST": "true"}
# No NUL (tested on its own) and no lone surrogates (no browser can send them).
NO_NUL = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=400
)


def report_url() -> str:
    return reverse("goals:report", args=["IDI", "2025", goal("RES-3").pk])


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


def stored(report) -> dict:
    return ProgressReport.objects.filter(pk=report.pk).values().get()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"narrative": "a\x00b"}, "Null characters are not allowed."),
        ({"risks": "x" * 1_000_000}, f"at most {MAX_TEXT_LENGTH} characters"),
        ({"next_steps": "x" * (MAX_TEXT_LENGTH + 1)}, f"at most {MAX_TEXT_LENGTH} characters"),
        ({"status": "<script>"}, "Select a valid choice."),
        ({"status": ""}, "This field is required."),
        ({"version": "abc"}, "reload the page"),
        ({"version": "-1"}, "reload the page"),
        ({"version": ""}, "reload the page"),
        ({"version": "9" * 40}, "reload the page"),
        ({"version": "7"}, "Not saved."),
    ],
)
def test_bad_report_input_is_refused_with_a_message_and_nothing_changes(
    reporter_client, overrides, message
):
    report = ProgressReportFactory(narrative="Kept")
    before = stored(report)
    data = {"status": "on_track", "narrative": "New", "version": "1", **overrides}
    response = reporter_client.post(report_url(), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored(report) == before


def test_script_payloads_are_stored_as_typed_and_shown_sanitised(reporter_client):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    payload += '<a href="javascript:x" hx-get="/">y</a>'
    reporter_client.post(report_url(), {"status": "on_track", "narrative": payload, "version": "0"})
    report = ProgressReport.objects.get(goal=goal("RES-3"), unit__code="IDI")
    report.submit(by=report.created_by)
    page = reporter_client.get(report_url()).content.decode()
    text = page[page.index('class="card report-text"') : page.index('id="values-title"')]
    assert "<script" not in text
    assert "onerror" not in text
    assert "javascript:" not in text
    assert "hx-get" not in text


def test_a_bad_review_decision_is_refused(client, personas):
    report = ProgressReportFactory(state="submitted")
    client.force_login(personas.ie_leader)
    response = client.post(
        reverse("goals:report_review", args=["IDI", "2025", goal("RES-3").pk]),
        {"decision": "delete", "comment": "\x00", "version": "1"},
    )
    assert "Select a valid choice." in response.content.decode()
    report.refresh_from_db()
    assert report.state == "submitted"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.one_of(st.sampled_from(["on_track", "at_risk", "achieved"]), NO_NUL),
    narrative=NO_NUL,
    risks=NO_NUL,
    version=st.one_of(st.integers(-5, 10**30).map(str), NO_NUL),
)
def test_any_report_input_is_saved_exactly_or_refused_with_a_message(
    reporter_client, status, narrative, risks, version
):
    report = ProgressReport.objects.filter(goal=goal("RES-3"), unit__code="IDI").first()
    before = stored(report) if report else None
    data = {"status": status, "narrative": narrative, "risks": risks, "version": version}
    response = reporter_client.post(report_url(), data, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    after = ProgressReport.objects.filter(goal=goal("RES-3"), unit__code="IDI").first()
    if "Draft saved." in page:
        assert after.narrative == narrative.replace("\r\n", "\n").strip()
        assert after.risks == risks.replace("\r\n", "\n").strip()
        assert after.status == status
    else:
        assert "errorlist" in page or "Not saved." in page
        assert (stored(after) if after else None) == before
