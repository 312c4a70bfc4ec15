"""Every page passes axe-core and none scrolls sideways, at 1366 px and at 375 px, in English
and in Norwegian, for the rector, a department reporter and an administrator.

Sideways scrolling is measured in all four; axe runs in English at 1366 px and in Norwegian at
375 px (`AXE_IN`), so each language and each width is audited, at half the cost (axe took 60 %
of this test's time).

Each persona reuses one browser context. Every URL name of the URLconf outside the admin is
either visited here or listed in NOT_PAGES with the reason, so a page added later without a row
fails the suite (as the access matrix does).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.urls import resolve
from django.utils import timezone

from api.models import AccessToken
from goals.models import Comment, ReportState
from jobs.models import Job, JobKind, JobState
from strategy.models import Pillar
from tests.browser.conftest import AXE, log_in, screenshot
from tests.browser.test_admin_pages import PAGES as ADMIN_PAGES
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    goal,
    period,
)
from tests.ops.test_access_matrix import all_routes

WIDTHS = (1366, 375)
LANGUAGES = ("en", "nb")
AXE_IN = {("en", 1366), ("nb", 375)}

# URL names that are no page to look at, and why.
NOT_PAGES = {
    "goals:landing": "redirects to the persona's landing page (visited as '/')",
    "goals:report_review": "POST only",
    "goals:report_comment": "POST only",
    "indicators:grid_save": "POST only",
    "indicators:measurement_save": "POST only (answers with a grid row)",
    "indicators:unit_target_remove": "POST only",
    "spreadsheets:template": "a spreadsheet download",
    "spreadsheets:import": "POST only",
    "spreadsheets:export": "POST only",
    "jobs:download": "a file download",
    "api:token_revoke": "POST only",
    "logout": "POST only",
    "set_language": "POST only",
    "healthz": "plain text for the load balancer",
    "status": "JSON for monitoring",
    "oidc_authentication_init": "redirects to the identity provider",
    "oidc_authentication_callback": "redirects back from the identity provider",
    "password_change_done": "shown after a password change (tests/accounts)",
}

# Swagger UI, a third-party page in English only, marked as such (lang="en"). Its own markup
# fails axe (nested interactive controls, a second main landmark, heading order, contrast of
# its version stamp), which no template of ours can change: it is checked for width only.
ENGLISH_ONLY = {"/api/v1/docs/"}
THIRD_PARTY = {"/api/v1/docs/"}

MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !e.closest(".table-wrap");
  }).slice(0, 3).map(e => e.tagName + "." + e.className);
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide};
}"""


@pytest.fixture
def demo(personas, units):
    """Something on every page: an indicator with a value, a submitted report with a comment, a
    failed import job and an API token of the reporter's (in one transaction: the figures are
    settled once)."""
    with transaction.atomic():
        return _demo(personas, units)


def _demo(personas, units):
    res3 = goal("RES-3")
    # Generated, so that every page shows the demo banner.
    indicator = IndicatorFactory(
        goal=res3, name_en="Reads of encyclopedia articles", is_generated=True
    )
    ie_indicator = IndicatorFactory(
        goal=res3, owner_unit=units["IE"], name_en="Reads of encyclopedia articles"
    )
    MeasurementFactory(indicator=indicator, unit=units["IDI"], period=period("2025"))
    ProgressReportFactory(
        state=ReportState.SUBMITTED,
        created_by=personas.idi_reporter,
        submitted_by=personas.idi_reporter,
    )
    Comment.post(
        by=personas.rector,
        goal=res3,
        body="What is the plan?",
        mention=[units["IDI"]],
        unit=units["IDI"],
        period=period("2025"),
    )
    job = Job.objects.create(
        kind=JobKind.IMPORT_MEASUREMENTS,
        created_by=personas.idi_reporter,
        payload={"format": "csv"},
        upload=b"code,value\n",
        upload_name="values.csv",
        state=JobState.FAILED,
        errors=[{"row": 2, "message": "Unknown indicator code."}],
    )
    AccessToken.issue(
        user=personas.idi_reporter,
        name="Scripts",
        scope="read",
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    pillar = Pillar.objects.filter(area__code="RES").order_by("pk").first()
    report = f"/units/IDI/reports/2025/{res3.pk}/"
    common = [
        "/",
        "/strategy/",
        f"/strategy/{res3.area.strategy.code}/",
        "/account/settings/",
        "/account/tokens/",
        "/api/v1/docs/",
        "/password/change/",
        "/data/",
    ]
    return {
        "rector": [
            *common,
            "/my-unit/",
            "/units/NTNU/",
            report,
            f"/goals/{res3.pk}/comments/",
            "/dashboard/",
            "/dashboard/completeness/",
            "/dashboard/area/RES/",
            f"/dashboard/area/RES/pillar/{pillar.code}/",
            "/dashboard/area/RES/goal/RES-3/",
            "/dashboard/unit/IDI/",
            "/dashboard/exceptions/",
            f"/dashboard/indicator/{indicator.pk}/",
            "/dashboard/board-report/",
            f"/indicators/{ie_indicator.pk}/targets/",
        ],
        "idi-reporter": [
            *common,
            "/my-unit/",
            "/units/IDI/",
            report,
            "/units/IDI/values/",
            "/units/IDI/indicators/new/",
            f"/jobs/{job.pk}/",
        ],
        "admin": [
            *ADMIN_PAGES,
            f"/admin/goals/developmentgoal/{res3.pk}/change/",
            f"/admin/indicators/indicator/{indicator.pk}/change/",
        ],
    }


def problems_of(page, *, axe: bool = True) -> list[str]:
    found = []
    if axe:
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]
    measured = page.evaluate(MEASURE)
    if measured["scroll"] > measured["inner"]:
        found.append(f"scrolls sideways: {measured['scroll']} px, {measured['wide']}")
    return found


@pytest.mark.parametrize("username", ["rector", "idi-reporter", "admin"])
def test_every_page_passes_axe_and_fits_the_screen_in_both_languages(
    browser, live_server, demo, username
):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list[str]] = {}

    def look_at_every(paths: list[str]) -> None:
        for language in LANGUAGES:
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                for path in paths:
                    response = page.goto(live_server.url + path)
                    page.wait_for_load_state("load")
                    where = f"{language} {width} {path}"
                    if response is None or response.status >= 400:
                        found[where] = [f"status {response and response.status}"]
                        continue
                    audit = (language, width) in AXE_IN and path not in THIRD_PARTY
                    problems = problems_of(page, axe=audit)
                    shown_in = page.locator("html").get_attribute("lang")
                    if shown_in != language and path not in ENGLISH_ONLY:
                        problems.append(f"the page says it is in {shown_in!r}")
                    if problems:
                        found[where] = problems
                screenshot(page, f"every-page-{username}-{language}-{width}")

    if username == "rector":
        look_at_every(["/login/"])  # the same for everyone, before logging in
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(page, live_server, username)
    look_at_every(demo[username])
    context.close()
    assert not found, "\n".join(f"{where}: {problems}" for where, problems in found.items())


def test_every_page_outside_the_admin_is_visited_or_said_to_be_no_page(demo):
    visited = {
        resolve(path.split("?")[0]).view_name
        for username in ("rector", "idi-reporter")
        for path in demo[username]
    }
    names = {r.name for r in all_routes() if not r.in_admin and not r.name.startswith("api:")}
    names |= {"api:docs", "api:tokens", "api:token_revoke"}
    assert not names - visited - set(NOT_PAGES) - {"login"}, sorted(
        names - visited - set(NOT_PAGES)
    )
