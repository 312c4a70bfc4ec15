"""Playwright driving Debian's Chromium against pytest-django's live server.

Every page a test visits can be checked with `assert_accessible(page)` (axe-core, injected from
node_modules) and saved with `screenshot(page, name)` into test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

if not os.environ.get("CI") and not (Path(CHROMIUM).exists() and AXE.exists()):
    # Locally without Chromium or axe-core the browser tests cannot run; CI always has both
    # (make install-test installs them) and fails loudly if they are missing.
    pytestmark = pytest.mark.skipif(True, reason="needs /usr/bin/chromium and npm's axe-core")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# Pages whose 4xx status is the point of a test (a refused single sign-on): Chromium reports
# their status as "Failed to load resource", which is no error of the page.
EXPECTED_4XX = ("/oidc/callback/",)


def _is_error(msg, url: str) -> bool:
    if msg.type != "error":
        return False
    expected = msg.text.startswith(
        "Failed to load resource: the server responded with a status of 4"
    )
    return not (expected and any(path in url for path in EXPECTED_4XX))


@pytest.fixture
def page(page):
    """A page that fails the test on any console error or uncaught exception."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(f"{msg.text} ({page.url})") if _is_error(msg, page.url) else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    assert not errors, f"console errors: {errors}"


def log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def assert_accessible(page) -> None:
    """axe-core finds no violations (WCAG 2.1 A/AA and best practices) on the page as shown."""
    # Evaluated through the DevTools protocol: a <script> tag would be inline script, which the
    # Content-Security-Policy rightly blocks.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert not violations, "\n".join(violations)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    shutil.rmtree(ARTIFACTS / "browser", ignore_errors=True)
