"""The pages for people in headless Chromium, on the build of the repository's data, offline.

A new user starts from the home page and answers the issue's five questions in at most three
clicks each, without SPARQL; axe-core (vendored from npm, tests/vendor) finds no serious or
critical accessibility violation on any of the pages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from neaspec_kg.serve.testing import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


class Clicks:
    """Counts the clicks of a user (each a link or button followed to a new page state)."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def click(self, locator) -> None:
        locator.first.click()
        self.page.wait_for_load_state("load")
        self.n += 1


@pytest.fixture(scope="module")
def page(built):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (Debian package 'chromium'; `make system-deps` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the python 'playwright' package is not installed")
    with ServerProcess(store=built.folder / "store") as srv, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(base_url=srv.url)
        outside: list[str] = []

        def only_loopback(route):
            if route.request.url.startswith(srv.url):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_loopback)
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        pg.outside = outside
        pg.csp = []  # what the Content-Security-Policy blocked (it must block nothing of ours)
        pg.on("console", lambda m: pg.csp.append(m.text) if "Content Security Policy" in m.text else None)
        pg.browser_, pg.server_url = browser, srv.url
        yield pg
        context.close()
        browser.close()


def test_who_chaired_som27(page):
    page.goto("/")
    user = Clicks(page)
    user.click(page.locator("ol.timeline a", has_text="SOM-27"))
    row = page.locator("#officers tr", has_text="Chair").filter(has_not_text="Vice")
    assert "ZHOU Jun" in row.inner_text() and "China" in row.inner_text()
    user.click(row.locator("a.src"))  # where the report says so: the words are highlighted
    assert "ZHOU Jun" in page.locator("mark#span").inner_text()
    assert user.n <= 3 and page.outside == []


def test_what_mongolia_committed_to(page):
    page.goto("/")
    user = Clicks(page)
    user.click(page.locator("#countries a", has_text="Mongolia"))
    table = page.locator("#commitments table").inner_text()
    assert "Protected area" in table and "30" in table and "2030" in table
    page.wait_for_function("() => !!Chart.getChart(document.getElementById('chart-commitments'))")
    assert user.n <= 3 and page.outside == []


def test_what_was_decided_on_air_pollution_session_by_session(page):
    page.goto("/")
    user = Clicks(page)
    user.click(page.locator("#areas a", has_text="Air Pollution"))
    assert page.locator("h1").inner_text() == "Air Pollution"
    heading = page.locator("#decisions h3", has_text="SOM-27")
    assert heading.count() == 1
    items = heading.locator("xpath=following-sibling::ul[1]").inner_text()
    assert "welcomed" in items and "air pollution" in items
    page.wait_for_function("() => !!Chart.getChart(document.getElementById('chart-decisions'))")
    assert user.n <= 3 and page.outside == []


def test_which_species_the_project_funded_by_russia_covers(page):
    page.goto("/")
    user = Clicks(page)
    user.click(page.locator("#areas a", has_text="Biodiversity and Nature Conservation"))
    row = page.locator("#projects tr", has_text="Russian Federation")
    assert "Black-faced Spoonbill" in row.inner_text() and "Hooded Crane" in row.inner_text()
    assert user.n <= 3


def test_which_commitments_serve_sdg13(page):
    page.goto("/")
    user = Clicks(page)
    user.click(page.locator("a", has_text="Commitments and reported progress"))
    page.select_option("select[name=sdg]", "13")
    user.click(page.locator("form.filters button"))
    rows = page.locator("table.data tbody tr")
    assert rows.count() >= 3
    for i in range(rows.count()):
        assert "13." in rows.nth(i).locator("td").nth(7).inner_text()
    assert user.n <= 3 and page.outside == []


def test_search_from_the_box_on_every_page(page):
    page.goto("/id/state/mn")
    page.fill("#site-q", "spoonbill")
    page.press("#site-q", "Enter")
    page.wait_for_selector("ol li a.hit")
    assert page.locator("mark").count() > 0
    page.locator(".facets a", has_text="decision").first.click()
    page.wait_for_selector("ol li a.hit")
    kinds = page.locator("ol li .tag").all_inner_texts()
    assert "decision" in kinds and "report paragraph" not in kinds


def test_query_page_runs_once_per_click_and_keeps_the_query_in_the_url(page):
    page.goto("/query")
    page.fill("#query", "SELECT ?m ?start WHERE { ?m a nea:Meeting ; nea:sessionNumber 27 ; schema:startDate ?start }")
    page.click("#run")
    page.click("#run", force=True)
    page.wait_for_selector("table.results tbody tr")
    page.wait_for_function("() => document.querySelector('table.results a').textContent.startsWith('SOM-27')")
    assert page.locator("table.results").count() == 1
    assert page.locator("table.results tbody tr").count() == 1
    cells = page.locator("table.results tbody td").all_inner_texts()
    assert cells[1] == "12 Dec 2024" and "@en" not in " ".join(cells)
    assert "query=SELECT" in page.url
    page.click("#copy-curl")
    assert "--data-urlencode 'query=PREFIX nea:" in page.locator("#curl").inner_text()


PAGES = ["/", "/id/meeting/som-27", "/id/state/mn", "/id/concept/programme-area/air-pollution",
         "/id/concept/programme-area/biodiversity-nature-conservation", "/commitments", "/search?q=air+pollution",
         "/id/meeting/som-27/report/en/para/15/span/44-71", "/query",
         "/id/meeting/som-27/decision/9-4", "/dataset"]  # the generic page and the dataset page: the same frame


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_accessibility_violation(page, path):
    # axe is injected as a script of the page: the test's own context lets it past the CSP.
    context = page.browser_.new_context(base_url=page.server_url, bypass_csp=True)
    try:
        checked = context.new_page()
        checked.goto(path)
        checked.wait_for_load_state("networkidle")
        checked.add_script_tag(path=str(AXE))
        found = checked.evaluate("async () => (await axe.run(document)).violations"
                                 ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))")
    finally:
        context.close()
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{path}: {bad}"


def test_no_page_breaks_the_content_security_policy(page):
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.csp == []
