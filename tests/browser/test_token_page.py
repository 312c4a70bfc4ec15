from __future__ import annotations

from tests.browser.conftest import assert_accessible, log_in, screenshot


def test_a_reporter_creates_copies_and_revokes_a_token(page, live_server, personas):
    log_in(page, live_server, "idi-reporter")
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_label("Name").fill("Power BI")
    page.get_by_label("Scope").select_option("write")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("vk_")
    assert_accessible(page)
    screenshot(page, "token-created")

    response = page.request.get(
        f"{live_server.url}/api/v1/units/", headers={"Authorization": f"Bearer {token}"}
    )
    assert [u["code"] for u in response.json()["results"]] == ["IDI"]

    page.goto(f"{live_server.url}/account/tokens/")
    assert token not in page.content()
    page.get_by_role("button", name="Revoke Power BI").click()
    page.wait_for_load_state()
    assert "is revoked" in page.content()
    assert page.get_by_role("cell", name="Revoked").is_visible()
    response = page.request.get(
        f"{live_server.url}/api/v1/units/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 401


def test_the_api_docs_render_under_the_strict_csp(page, live_server, personas):
    log_in(page, live_server, "rector")
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.get_by_text("/api/v1/measurements/bulk/").first.wait_for()
    screenshot(page, "api-docs")
