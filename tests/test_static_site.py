"""The static site of a release: every page and RDF file beside it, the pages for people as the
server shows them, links that work from a folder and from a sub-path of a web host (link check),
and a headless-chromium walk."""

from __future__ import annotations

import csv
import functools
import html
import http.server
import io
import posixpath
import re
import shutil
import threading
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import httpx
import pyoxigraph
import pytest

from neaspec_kg.namespaces import BASE
from neaspec_kg.publish import publish
from neaspec_kg.publish.people import commitments_file
from neaspec_kg.publish.site import page_path, resource_iris
from neaspec_kg.serve.testing import ServerProcess
from neaspec_kg.settings import Settings

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LINK = re.compile(r'(?:href|src)="([^"]*)"')
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--allow-file-access-from-files"]


@pytest.fixture(scope="module")
def site(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    return publish(Settings(build_dir=built.folder.parent.parent), out, released=date(2026, 11, 24)).folder


def test_every_described_resource_has_a_page_and_rdf(site, store):
    iris = resource_iris(store)
    assert len(iris) > 500
    for iri in iris:
        page = site / page_path(iri)
        assert page.is_file(), iri
        for ext in ("ttl", "nt", "jsonld"):
            assert page.with_name(f"index.{ext}").is_file(), (iri, ext)
    som27 = site / "id/meeting/som-27/index.html"
    assert "<h1>SOM-27: Senior Officials Meeting 27</h1>" in som27.read_text(), "a session has its page for people"
    decision = (site / "id/meeting/som-27/decision/9-4/index.html").read_text()
    assert f"<code>{BASE}id/meeting/som-27/decision/9-4</code>" in decision, "other IRIs keep the generic page"
    triples = list(pyoxigraph.parse(path=str(som27.with_name("index.ttl")), format=pyoxigraph.RdfFormat.TURTLE))
    assert any(t.predicate.value == "https://w3id.org/neaspec/ontology#sessionNumber" and t.object.value == "27"
               for t in triples)


def test_no_root_relative_links_and_no_broken_local_links(site):
    """Every link is relative (works from file:// and from /any/sub/path/) and resolves to
    a file of the release; links outside the release are absolute http(s) IRIs."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 500
    broken, rooted, checked = [], [], 0
    for page in pages:
        if page.name == "ontology.html":
            continue  # pyLODE's page: only in-page anchors and absolute IRIs
        for raw in LINK.findall(page.read_text(encoding="utf-8")):
            link = html.unescape(raw)
            if link.startswith(BASE) and (local := page_path(link)) and (site / local).is_file():
                rooted.append((page.relative_to(site), link))  # a page of the site, reached through the web
                continue
            if link.startswith(("http://", "https://", "mailto:", "#", "data:")):
                continue
            if link.startswith("/"):
                rooted.append((page.relative_to(site), link))
                continue
            target = unquote(link.split("#", 1)[0].split("?", 1)[0])
            resolved = Path(posixpath.normpath(posixpath.join(str(page.parent), target)))
            checked += 1
            if not resolved.is_file():
                broken.append((str(page.relative_to(site)), link))
    assert rooted == []
    assert broken == []
    assert checked > 5000


def _main_text(page: str) -> str:
    """The words of a page's <main>, without its markup (links differ: relative in the site)."""
    main = re.search(r"<main[^>]*>(.*)</main>", page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _links(page: Path) -> list[Path]:
    """The files of the site that a page's links lead to."""
    out = []
    for raw in LINK.findall(page.read_text(encoding="utf-8")):
        link = html.unescape(raw)
        if not link.startswith(("http://", "https://", "#", "mailto:", "data:")):
            out.append(Path(posixpath.normpath(posixpath.join(str(page.parent), unquote(link.split("#")[0])))))
    return out


@pytest.fixture(scope="module")
def server(built):
    with ServerProcess(store=built.folder / "store", env={"NEASPEC_KG_QUERY_WORKERS": "1"}) as srv:
        yield srv


@pytest.mark.parametrize("path", ["id/meeting/som-27", "id/state/mn"])
def test_the_pages_for_people_say_what_the_server_says(site, server, path):
    """A session's and a State's page in the site hold the words of the server's page for them."""
    served = httpx.get(f"{server.url}/{path}", headers={"Accept": "text/html"}).text
    static = (site / path / "index.html").read_text(encoding="utf-8")
    assert _main_text(static) == _main_text(served)
    assert {"id/meeting/som-27": "ZHOU Jun", "id/state/mn": "Protected area"}[path] in _main_text(static)


def test_the_pages_for_people_link_to_files_of_the_site(site):
    home = site / "index.html"
    text = home.read_text(encoding="utf-8")
    assert 'href="id/meeting/som-27/index.html"' in text and 'href="id/state/mn/index.html"' in text
    assert 'href="commitments/index.html"' in text and 'href="release.html"' in text
    assert (site / "assets/pages.css") in _links(home)
    som27 = site / "id/meeting/som-27/index.html"
    targets = _links(som27)
    assert all(t.is_file() for t in targets), [t for t in targets if not t.is_file()]
    spans = [t for t in targets if "/para/15/span/" in str(t)]
    marked = [re.search(r'<mark id="span">(.*?)</mark>', t.read_text(encoding="utf-8"), re.S) for t in spans]
    assert any(m and "ZHOU Jun" in m.group(1) for m in marked), "the chair's span, highlighted"
    mongolia = site / "id/state/mn/index.html"
    assert site / "assets/vendor/chart.umd.min.js" in _links(mongolia), "the chart library ships with the site"
    csv_file = site / commitments_file({"state": "Mongolia"}, "csv")
    assert csv_file in _links(mongolia)
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    assert rows and {r["state"] for r in rows} == {"Mongolia"}


def test_the_commitments_page_and_its_filters_are_files(site):
    page = site / "commitments/index.html"
    text = page.read_text(encoding="utf-8")
    assert "<h1>Commitments and reported progress</h1>" in text
    sdg13 = site / commitments_file({"sdg": "13"}, "html")
    assert sdg13 in _links(page), "each choice of a filter is a page of its own"
    rows = re.findall(r"<tr>.*?</tr>", sdg13.read_text(encoding="utf-8"), re.S)[1:]
    assert rows and all("13." in r for r in rows)
    every = list(csv.DictReader(io.StringIO((site / "commitments.csv").read_text(encoding="utf-8"))))
    assert len(every) == text.count("<tr>") - 1, "the CSV holds the rows of the table (and its header row)"


def test_the_static_search_box_says_search_needs_the_server(site):
    for page in ("index.html", "id/meeting/som-27/index.html", "id/meeting/som-27/decision/9-4/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        box = re.search(r'<form class="searchbox".*?</form>', text, re.S).group(0)
        assert "Search needs the server" in box and "disabled" in box and "action=" not in box, page


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser_page(site, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (Debian package 'chromium'; `make system-deps` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the python 'playwright' package is not installed")
    # the release under a sub-path of a web host: http://127.0.0.1:PORT/mirror/neaspec/
    docroot = tmp_path_factory.mktemp("host")
    (docroot / "mirror").mkdir()
    (docroot / "mirror" / "neaspec").symlink_to(site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(docroot)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context()
        outside: list[str] = []

        def local_only(route):  # the site must work with no server and no internet
            url = route.request.url
            if url.startswith(("file://", f"http://127.0.0.1:{server.server_port}/")):
                return route.continue_()
            outside.append(url)
            return route.abort()

        context.route("**/*", local_only)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.outside = outside
        page.host = f"http://127.0.0.1:{server.server_port}/mirror/neaspec/"
        yield page
        context.close()
        browser.close()
    server.shutdown()


def _follow(page, locator) -> None:
    """Click a link and wait for the page it leads to (not the one it leaves)."""
    with page.expect_navigation():
        locator.click()


def _walk(page, start: str) -> None:
    page.goto(start)
    _follow(page, page.locator("ol.timeline a", has_text="SOM-27"))
    assert page.url.endswith("id/meeting/som-27/index.html")
    row = page.locator("#officers tr", has_text="Chair").filter(has_not_text="Vice")
    assert "ZHOU Jun" in row.inner_text()
    _follow(page, row.locator("a.src"))
    assert "ZHOU Jun" in page.locator("mark#span").inner_text()
    _follow(page, page.locator("header a.brand"))
    _follow(page, page.locator("#countries a", has_text="Mongolia"))
    assert page.url.endswith("id/state/mn/index.html")
    page.wait_for_function("() => typeof Chart !== 'undefined'"
                           " && !!Chart.getChart(document.getElementById('chart-commitments'))")
    _follow(page, page.locator("nav[aria-label=Main] a", has_text="Dataset"))
    assert page.url.endswith("/release.html")
    assert "release 2026.11.24" in page.locator("h1").inner_text()
    page.locator("#browse a", has_text="graph/report/som-27").click()
    page.wait_for_load_state()
    assert page.url.endswith("graph/report/som-27/index.html")
    page.locator("a", has_text="SOM-27").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/index.html") and "/id/" in page.url
    page.goto(page.url.split("/id/")[0] + "/id/meeting/som-27/decision/9-4/index.html")
    assert page.locator("h1#label").inner_text().startswith("SOM-27 para 9")
    page.locator("#outgoing a", has_text="took note").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("id/concept/decision-verb/took-note/index.html")
    assert "took note" in page.locator("h1#label").inner_text()
    turtle = page.locator("p.formats a", has_text="Turtle").get_attribute("href")
    assert turtle == "index.ttl"


@pytest.mark.browser
def test_site_browses_from_a_folder(browser_page, site):
    _walk(browser_page, (site / "index.html").as_uri())
    assert browser_page.outside == []


@pytest.mark.browser
def test_site_browses_from_a_sub_path_of_a_web_host(browser_page):
    _walk(browser_page, browser_page.host + "index.html")
    assert browser_page.outside == []


@pytest.mark.browser
@pytest.mark.parametrize("path", ["index.html", "id/meeting/som-27/index.html", "commitments/index.html",
                                  "id/meeting/som-27/decision/9-4/index.html"])
def test_no_serious_or_critical_accessibility_violation_from_a_folder(browser_page, site, path):
    """axe-core (vendored from npm, tests/vendor) on the static pages, opened from file://."""
    browser_page.goto((site / path).as_uri())
    browser_page.wait_for_load_state("load")
    browser_page.add_script_tag(path=str(AXE))
    found = browser_page.evaluate("async () => (await axe.run(document)).violations"
                                  ".map(v => ({id: v.id, impact: v.impact, help: v.help}))")
    assert [v for v in found if v["impact"] in ("serious", "critical")] == [], path
