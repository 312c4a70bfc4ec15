"""The Content-Security-Policy holds on every page: a crawl as the rector, a reporter and an
administrator (the nav links and drill-downs from each page) reports no violation."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import log_in

# Runs in every page before its own scripts, through the DevTools protocol (not inline script).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber);
});
"""
# Links not to follow: they end the session, switch language or change data on GET.
SKIP = ("/logout", "/i18n/", "/delete/", "/admin/logout", "/password/change")
PAGES_PER_PERSONA = 40


def violations(page) -> list[str]:
    """The page's violations so far. The events are queued as tasks: a timer queued after them
    runs after them, so those of the loaded page are all in (no wait for the network to idle,
    half a second a page; no page here loads anything after its load event)."""
    return page.evaluate(
        "() => new Promise(done => setTimeout(() => done(window.__cspViolations || []), 0))"
    )


def crawl(page, live_server, start: str, limit: int = PAGES_PER_PERSONA) -> dict[str, list[str]]:
    """Breadth-first over same-site links; every page's violations by URL."""
    origin = urlsplit(live_server.url).netloc
    queue, seen, found = [start], set(), {}
    broken: list[tuple[int, str]] = []
    page.on("response", lambda r: broken.append((r.status, r.url)) if r.status >= 400 else None)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        page.goto(url)  # returns at the load event
        found[path] = violations(page) + [f"{status} {url}" for status, url in broken]
        broken.clear()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            target = urlsplit(urljoin(url, href))
            if target.netloc == origin and not any(s in target.path for s in SKIP):
                queue.append(target._replace(fragment="").geturl())
    return found


@pytest.fixture
def csp_page(page):
    page.add_init_script(LISTEN)
    return page


@pytest.mark.parametrize("username", ["rector", "idi-reporter", "admin"])
def test_no_page_reports_a_csp_violation(csp_page, live_server, personas, username):
    log_in(csp_page, live_server, username)
    found = crawl(csp_page, live_server, live_server.url + "/")
    assert len(found) >= 2, found.keys()
    assert not {path: v for path, v in found.items() if v}


def test_the_login_pages_report_no_csp_violation(csp_page, live_server, db):
    for path in ("/login/", "/admin/login/"):
        csp_page.goto(live_server.url + path)
        assert violations(csp_page) == [], path


@pytest.mark.urls("tests.ops.urls")
def test_the_crawl_catches_a_violation_as_soon_as_the_page_has_loaded(
    browser, live_server, personas
):
    """The crawl reads the violations at the load event: a page that breaks the policy is
    caught there, not only after the network has been idle for a while. (A page of its own:
    the `page` fixture fails on the console error the violation also logs.)"""
    page = browser.new_page()
    page.add_init_script(LISTEN)
    log_in(page, live_server, "rector")
    found = crawl(page, live_server, live_server.url + "/test/inline-style/", limit=1)
    page.close()
    assert [v.split(" blocked ")[0] for v in found["/test/inline-style/"]] == ["style-src-attr"]


@pytest.mark.urls("tests.ops.urls")
def test_plotly_draws_a_chart_without_eval_or_inline_style(csp_page, live_server, personas):
    log_in(csp_page, live_server, "rector")
    csp_page.goto(live_server.url + "/test/chart/")
    csp_page.wait_for_selector("body[data-chart=drawn]")
    csp_page.locator("#chart .nsewdrag").hover()  # the hover label is drawn
    assert csp_page.locator("#chart .main-svg").count() >= 1
    assert csp_page.locator("#chart .modebar").count() == 1
    assert not violations(csp_page), "\n".join(violations(csp_page))
