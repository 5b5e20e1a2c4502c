"""The web pages in a real headless browser (Debian's chromium driven by playwright), offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from neaspec_kg.serve.testing import ServerProcess, prepare_site

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
QUERIES = {
    "labels": "# title: Labels of member states\n# description: names\n"
    "SELECT ?state ?label WHERE { ?state a <https://w3id.org/neaspec/ontology#MemberState> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label\n",
}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (Debian package 'chromium'; `make system-deps` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the python 'playwright' package is not installed")
    env = prepare_site(tmp_path_factory.mktemp("site"), [FIXTURES / "server_dataset.trig"], queries=QUERIES)
    with ServerProcess(env=env) as srv, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(base_url=srv.url)
        outside: list[str] = []

        def only_loopback(route):  # the pages must work with no internet access
            if route.request.url.startswith(srv.url):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_loopback)
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        pg.outside = outside
        yield pg
        context.close()
        browser.close()


def test_query_page_runs_an_example(page):
    page.goto("/query")
    page.get_by_role("button", name="Labels of member states").click()
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(1).inner_text().startswith("Japan")
    assert "2 rows" in page.locator("#status").inner_text()
    href = page.locator("a.download[data-format='csv']").get_attribute("href")
    assert href.startswith("/sparql?query=") and href.endswith("format=csv")
    assert page.outside == []


def test_query_page_typed_query_and_error(page):
    page.goto("/query")
    page.fill("#query", "SELECT * WHERE { ?s ?p }")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert "400" in page.locator("#error").inner_text() and "syntax error" in page.locator("#error").inner_text()
    page.fill("#query", "ASK { ?s a <https://w3id.org/neaspec/ontology#Meeting> }")
    page.click("#run")
    page.wait_for_selector("p.boolean")
    assert page.locator("p.boolean").inner_text() == "true"


def test_query_page_never_links_a_javascript_iri(page):
    page.goto("/query")
    page.fill("#query", 'SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <https://w3id.org/neaspec/id/state/jp> } }')
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    hrefs = [a.get_attribute("href") for a in page.locator("table.results a").all()]
    assert hrefs == ["/id/state/jp"]
    assert "javascript:alert(1)" in page.locator("table.results").inner_text()


def test_download_in_each_format(page):
    page.goto("/query?example=labels")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    for fmt, needle in (("csv", "Japan"), ("tsv", '"Japan"@en'), ("json", '"xml:lang":"en"'), ("xml", "<literal")):
        href = page.locator(f"a.download[data-format='{fmt}']").get_attribute("href")
        body = page.request.get(href).text()
        assert needle in body, fmt


def test_home_and_resource_pages_navigate(page):
    page.goto("/")
    assert page.locator("#triple-count").inner_text() == "60"
    page.goto("/id/state/jp")
    assert page.locator("h1#label").inner_text() == "Japan"
    page.locator("#incoming a", has_text="Statement of Japan").click()
    page.wait_for_url("**/id/meeting/som-27/statement/15-jp")
    assert "marine protected areas" in page.locator("#sources").inner_text()
    assert page.outside == []
