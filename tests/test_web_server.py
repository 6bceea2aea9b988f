"""The workspace inside a real `airflow api-server`: nothing without an Airflow login, and an analyst's first
minutes in a real browser (Debian's Chromium driven by Playwright): log in through Airflow's login page, search a
name in another script, open a story, then an entity, then the feeds.

One server for the whole module. Screenshots of every page are kept under `.artifacts/screenshots/` (gitignored)
so a person can look at what the browser showed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests import airflow_server, workspace_data

workspace_db = workspace_data.workspace_db  # the module-scoped fixture

SCREENSHOTS = Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots"
CHROMIUM_NAMES = ("chromium", "chromium-browser")


@pytest.fixture(scope="module")
def server(workspace_db, tmp_path_factory) -> Iterator[str]:
    with airflow_server.api_server(workspace_db[0], tmp_path_factory.mktemp("airflow-home")) as base:
        yield base


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed: `make test` installs it (apt-get install chromium)")


@pytest.mark.slow
def test_pages_answer_only_behind_an_airflow_login(server):
    for path in ("/nkru/", "/nkru/stories?q=Shoigu", "/nkru/stories/1", "/nkru/entities/1", "/nkru/feeds"):
        anonymous = httpx.get(server + path, timeout=30)
        assert anonymous.status_code == 401 and "Shoigu" not in anonymous.text, path
        assert anonymous.headers["www-authenticate"] == "Bearer"
    browser = httpx.get(f"{server}/nkru/", headers={"Accept": "text/html,application/xhtml+xml"}, timeout=30)
    assert browser.status_code == 303 and "/auth/login" in browser.headers["location"]
    assert "Shoigu" not in browser.text
    forged = httpx.get(f"{server}/nkru/", headers={"Authorization": "Bearer not.a.token"}, timeout=30)
    assert forged.status_code == 401 and "Shoigu" not in forged.text

    token = airflow_server.token(server)
    with_header = httpx.get(f"{server}/nkru/", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert with_header.status_code == 200, with_header.text[:500]
    assert "Sergei Shoigu" in with_header.text and "data:image/png;base64," in with_header.text
    with_cookie = httpx.get(f"{server}/nkru/feeds", cookies={"_token": token}, timeout=60)
    assert with_cookie.status_code == 200 and "3 failing: cannot resolve host" in with_cookie.text
    missing = httpx.get(f"{server}/nkru/stories/999999", cookies={"_token": token}, timeout=60)
    assert missing.status_code == 404


@pytest.mark.slow
def test_an_entity_is_reached_by_any_spelling(server, workspace_db):
    token = airflow_server.token(server)
    found = httpx.get(f"{server}/nkru/entity", params={"name": "Шойгу"}, cookies={"_token": token}, timeout=60)
    assert found.status_code == 303
    assert found.headers["location"] == f"/nkru/entities/{workspace_db[1].entity_ids['Sergei Shoigu']}"
    unknown = httpx.get(f"{server}/nkru/entity", params={"name": "Shoygu"}, cookies={"_token": token}, timeout=60)
    assert unknown.status_code == 404 and "Closest names: Sergei Shoigu" in unknown.text


@pytest.mark.slow
def test_plugin_adds_a_navigation_entry(server):
    token = airflow_server.token(server)
    response = httpx.get(f"{server}/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    plugin = next(p for p in response.json()["plugins"] if p["name"] == "nkru")
    view = plugin["external_views"][0]
    assert view["name"] == "North Korea–Russia" and view["href"] == "/nkru/" and view["destination"] == "nav"
    assert plugin["fastapi_apps"][0]["url_prefix"] == "/nkru"
    assert httpx.get(f"{server}/api/v2/plugins", timeout=30).status_code == 401


@pytest.mark.slow
def test_an_analyst_finds_a_story_by_a_name_in_another_script_and_follows_it(server, workspace_db):
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ws = workspace_db[1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(30_000)

            # Not logged in: Airflow's own login page, then back to the workspace.
            page.goto(f"{server}/nkru/")
            expect(page.get_by_label("Username")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "0-airflow-login.png")
            page.get_by_label("Username").fill(airflow_server.USER)
            page.get_by_label("Password").fill(airflow_server.PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{server}/nkru/")
            expect(page.get_by_role("heading", name="North Korea–Russia")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "1-overview.png", full_page=True)

            # The same page inside Airflow's own UI, from its navigation entry.
            page.goto(f"{server}/plugin/nkru")
            framed = page.frame_locator("iframe[title='North Korea–Russia']")
            expect(framed.get_by_role("heading", name="North Korea–Russia")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "1-inside-airflow-ui.png")
            page.goto(f"{server}/nkru/")

            # Search a Latin-script name in Cyrillic from the box in the header.
            page.get_by_role("searchbox", name="Search stories").fill("Шойгу")
            page.get_by_role("searchbox", name="Search stories").press("Enter")
            page.wait_for_url(f"{server}/nkru/stories?q={quote('Шойгу')}")
            expect(page.locator("#result-count")).to_contain_text("2 stories match")
            results = page.locator("#stories")
            expect(results).to_contain_text(workspace_data.VISIT)
            expect(results).to_contain_text("Shoigu meets arms industry chiefs")
            page.screenshot(path=SCREENSHOTS / "2-search-shoigu.png", full_page=True)

            # Narrow to German with the filter form.
            page.locator("select[name=lang]").select_option("de")
            page.get_by_role("button", name="Search").click()
            expect(page.locator("#result-count")).to_contain_text("1 story matches")

            # Open the story: every outlet, who was first, how long the others took.
            page.get_by_role("link", name=workspace_data.VISIT).click()
            page.wait_for_url(f"{server}/nkru/stories/{ws.story_ids[workspace_data.VISIT]}")
            expect(page.get_by_text("TASS was first")).to_be_visible()
            outlets = page.locator("#outlets")
            for name, behind in (("Yonhap", "+1 h 15 min"), ("DPA", "+2 h 50 min")):
                expect(outlets.get_by_role("row").filter(has_text=name).first).to_contain_text(behind)
            expect(page.locator("#articles")).to_contain_text("Шойгу прибыл в Пхеньян")
            expect(page.locator("#alerts")).to_contain_text("military-cooperation")
            page.screenshot(path=SCREENSHOTS / "3-story.png", full_page=True)

            # Follow the entity: its timeline, company, stories and spellings.
            page.locator("#entities").get_by_role("link", name="Sergei Shoigu").click()
            page.wait_for_url(f"{server}/nkru/entities/{ws.entity_ids['Sergei Shoigu']}")
            expect(page.get_by_role("img", name="Relevant articles naming Sergei Shoigu per week")).to_be_visible()
            expect(page.locator("#spellings")).to_contain_text("Шойгу")
            expect(page.locator("#named-with")).to_contain_text("Kim Jong Un")
            expect(page.locator("#rising")).to_contain_text("Rising")
            page.screenshot(path=SCREENSHOTS / "4-entity.png", full_page=True)

            # And the feeds: failures summed up by reason.
            page.get_by_role("link", name="Feeds").click()
            expect(page.get_by_text("3 failing: cannot resolve host")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "5-feeds.png", full_page=True)
        finally:
            browser.close()
