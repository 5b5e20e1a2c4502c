"""The static site of a release: every page and RDF file beside it, the pages for people as the
server shows them, links that work from a folder and from a sub-path of a web host (link check),
and a headless-chromium walk."""

from __future__ import annotations

import base64
import csv
import functools
import html
import http.server
import io
import json
import posixpath
import re
import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode

import httpx
import pyoxigraph
import pytest

from neaspec_kg.namespaces import BASE
from neaspec_kg.publish.people import commitments_file
from neaspec_kg.publish.search_page import write_search_page
from neaspec_kg.publish.site import page_path, resource_iris
from neaspec_kg.search import SQL, WORD_PATTERN
from neaspec_kg.serve.testing import ServerProcess

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LINK = re.compile(r'(?:href|src)="([^"]*)"')
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--allow-file-access-from-files"]


@pytest.fixture(scope="module")
def site(release):
    """The site of the session's release of the repository's build (conftest); read only here."""
    return release.folder


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
    broken, rooted, checked, anchors = [], [], 0, {}
    for page in pages:
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
            elif "#" in link and resolved.suffix == ".html":  # the fragment lands on an element of the page
                if resolved not in anchors:
                    anchors[resolved] = set(re.findall(r'\bid="([^"]+)"', resolved.read_text(encoding="utf-8")))
                if unquote(link.split("#", 1)[1]) not in anchors[resolved]:
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
    served = httpx.get(f"{server.url}/{path}", headers={"Accept": "text/html"}, timeout=30).text
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


def test_the_search_box_of_every_page_leads_to_the_search_page_with_the_servers_sql(site):
    for page in ("index.html", "id/meeting/som-27/index.html", "id/meeting/som-27/decision/9-4/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        box = re.search(r'<form class="searchbox".*?</form>', text, re.S).group(0)
        action = re.search(r'action="([^"]*)"', box).group(1)
        assert (site / page).parent.joinpath(action).resolve() == (site / "search.html").resolve(), page
        assert "disabled" not in box, page
    search_page = (site / "search.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r'<script type="application/json" id="search-config">(.*?)</script>',
                                  search_page, re.S).group(1))
    assert config["sql"] == SQL, "the page runs the statements of neaspec_kg.search, not a copy"
    scripts = re.findall(r'<script src="([^"]*)"', search_page)
    assert all((site / s).is_file() for s in scripts) and "search.sqlite.js" in scripts
    shipped = (site / "search.sqlite.js").read_text(encoding="ascii")
    encoded = re.search(r'NEASPEC_SEARCH_DB = "([A-Za-z0-9+/=]*)"', shipped).group(1)
    assert base64.b64decode(encoded)[:16] == b"SQLite format 3\x00", "the release's search.sqlite, as base64"
    assert (site / "assets/vendor/sqlite3.LICENSE.md").is_file()


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


def _static_search(page, url: str) -> dict:
    """The static search page's results at ``url``: what a reader sees, in order."""
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.search")
    assert page.evaluate("document.body.dataset.search") == "done", page.locator("#search-results").inner_text()
    hits = page.locator("section.hits li[data-iri]")
    return {
        "heading": page.locator("#h-hits").inner_text(),
        "hits": [{"iri": li.get_attribute("data-iri"), "title": li.locator("a.hit").inner_text(),
                  "snippet_html": li.locator("p.snippet").inner_html(), "href": li.locator("a.hit").get_attribute("href")}
                 for li in hits.all()],
        "facets": {h3.inner_text(): [li.inner_text() for li in h3.locator("xpath=following-sibling::ul[1]/li").all()]
                   for h3 in page.locator("aside.facets h3").all()},
    }


def _served_search(server, params: dict) -> dict:
    found = httpx.get(f"{server.url}/api/search", params=params, timeout=30).json()
    facets = {name[0].upper() + name[1:]: [f"{v['value']} {v['count']}" for v in values]
              for name, values in found["facets"].items() if values}
    return {"total": found["total"], "hits": found["hits"], "facets": facets}


@pytest.mark.browser
@pytest.mark.parametrize("words", ["air pollution", "spoonbill", "Mongolia cold weather", "dust and sandstorms"])
def test_static_search_from_a_folder_answers_as_the_servers_api(browser_page, site, server, words):
    """The same SQLite FTS5 index and SQL in the browser (from file://) and on the server: the same
    top results in the same order, with the same titles, snippets and facet counts."""
    shown = _static_search(browser_page, (site / "search.html").as_uri() + "?" + urlencode({"q": words}))
    served = _served_search(server, {"q": words, "limit": 20})
    assert served["hits"], words
    assert [h["iri"] for h in shown["hits"]] == [h["iri"] for h in served["hits"]]
    assert [h["title"] for h in shown["hits"]] == [h["title"] for h in served["hits"]]
    # the DOM writes the page's &#x27; back as ': compared as text, with the <mark>s
    assert ([html.unescape(h["snippet_html"]) for h in shown["hits"]]
            == [html.unescape(h["snippet_html"]) for h in served["hits"]])
    assert shown["heading"].startswith(f"{served['total']} result")
    assert shown["facets"] == served["facets"]
    first = shown["hits"][0]["href"]
    assert (site / first.split("#")[0]).is_file(), "a hit links to its page in the site"
    assert browser_page.outside == []


@pytest.mark.browser
def test_static_search_says_when_nothing_is_found(browser_page, site):
    shown = _static_search(browser_page, (site / "search.html").as_uri() + "?q=qqzzxxkv")
    assert shown["hits"] == [] and shown["heading"] == "0 results"
    assert "Nothing found" in browser_page.locator("section.hits").inner_text()
    punctuation = _static_search(browser_page, (site / "search.html").as_uri() + "?q=%3B%3B+%22")
    assert punctuation["hits"] == [] and punctuation["heading"] == "0 results"


@pytest.mark.browser
def test_static_search_facets_narrow_the_results(browser_page, site, server):
    """Following a facet link keeps only the results with that value, as the server's facet does;
    "remove" brings every result back."""
    start = (site / "search.html").as_uri() + "?q=air+pollution"
    everything = _static_search(browser_page, start)
    decisions = next(v for v in everything["facets"]["Kind"] if v.startswith("decision "))
    with browser_page.expect_navigation():
        browser_page.locator("aside.facets a", has_text="decision").first.click()
    browser_page.wait_for_function("() => document.body.dataset.search")
    narrowed = _static_search(browser_page, browser_page.url)
    served = _served_search(server, {"q": "air pollution", "kind": "decision", "limit": 20})
    assert [h["iri"] for h in narrowed["hits"]] == [h["iri"] for h in served["hits"]]
    assert served["hits"] and all(h["kind"] == "decision" for h in served["hits"])
    assert narrowed["heading"].startswith(decisions.split()[-1] + " result")
    assert narrowed["facets"]["Kind"] == [f"decision ({decisions.split()[-1]}) remove"]
    assert len(narrowed["hits"]) < len(everything["hits"]) or narrowed["heading"] != everything["heading"]
    with browser_page.expect_navigation():
        browser_page.locator("aside.facets a", has_text="remove").click()
    assert _static_search(browser_page, browser_page.url)["heading"] == everything["heading"]


@pytest.mark.browser
def test_static_search_pages_through_the_results_as_the_server_does(browser_page, site, server):
    """"Next results" and "Previous results" in the site go through the ranked hits a page at a time,
    the same pages as the server's API (it showed the first page only)."""
    first = _static_search(browser_page, (site / "search.html").as_uri() + "?q=air+pollution&kind=decision&limit=3")
    served = [_served_search(server, {"q": "air pollution", "kind": "decision", "limit": 3, "offset": n}) for n in (0, 3)]
    assert [h["iri"] for h in first["hits"]] == [h["iri"] for h in served[0]["hits"]]
    assert first["heading"] == f"{served[0]['total']} results, the first 3 shown" and served[0]["total"] > 6
    assert browser_page.locator("a[rel=prev]").count() == 0
    with browser_page.expect_navigation():
        browser_page.locator("a[rel=next]").click()
    second = _static_search(browser_page, browser_page.url)
    assert [h["iri"] for h in second["hits"]] == [h["iri"] for h in served[1]["hits"]]
    assert second["heading"] == f"{served[1]['total']} results, 4–6 shown"
    assert browser_page.locator("section.hits ol").get_attribute("start") == "4"
    assert "kind=decision" in browser_page.url and "limit=3" in browser_page.url, "the facet and the limit are kept"
    with browser_page.expect_navigation():
        browser_page.locator("a[rel=prev]").click()
    assert _static_search(browser_page, browser_page.url)["hits"] == first["hits"]
    assert "offset" not in browser_page.url


def _paging(html_or_page) -> dict:
    """The heading, the list's start and the Previous/Next links (their parameters) of a search page."""
    if isinstance(html_or_page, str):
        text = html_or_page
        heading = html.unescape(re.search(r'<h2 id="h-hits">(.*?)</h2>', text).group(1))
        start = re.search(r'<ol(?: start="(\d+)")?>', text.split('id="h-hits"')[1]).group(1)
        nothing = m.group(1) if (m := re.search(r'<li class="nothing">([^<]*)</li>', text)) else None
        links = {rel: html.unescape(m.group(1)) if (m := re.search(rf'<a href="([^"]+)" rel="{rel}">', text)) else None
                 for rel in ("prev", "next")}
    else:
        heading = html_or_page.locator("#h-hits").inner_text()
        start = html_or_page.locator("section.hits ol").get_attribute("start")
        empty = html_or_page.locator("section.hits li.nothing")
        nothing = empty.inner_text() if empty.count() else None
        links = {rel: (html_or_page.locator(f"a[rel={rel}]").get_attribute("href")
                       if html_or_page.locator(f"a[rel={rel}]").count() else None) for rel in ("prev", "next")}
    return {"heading": heading, "start": start, "nothing": nothing,
            **{rel: parse_qs(link.split("?", 1)[1]) if link else None for rel, link in links.items()}}


@pytest.mark.browser
@pytest.mark.parametrize("params", [
    "q=air+pollution&kind=decision&limit=3", "q=air+pollution&kind=decision&limit=3&offset=3",
    "q=air+pollution&limit=-1&offset=5", "q=air+pollution&offset=100000", "q=air+pollution&offset=10000000000000000000000", "q=air+pollution&limit=7&offset=100000",
    "q=qqzzxxkv&offset=20", "q=%3B%3B&offset=20",
])
def test_static_search_pages_as_the_servers_search_page(browser_page, site, server, params):
    """The same heading, list start and Previous/Next links as /search, for every kind of page: the
    first, a later one, a limit out of range, past the last result (Previous leads to the last page),
    nothing found, and no words to search for."""
    served = _paging(httpx.get(f"{server.url}/search?{params}", timeout=30).text)
    _static_search(browser_page, (site / "search.html").as_uri() + "?" + params)
    assert _paging(browser_page) == served
    if "offset=1000" in params:
        total, step = int(served["heading"].split()[0]), 7 if "limit=7" in params else 20
        assert served["prev"]["offset"] == [str(total - step)] and served["next"] is None, "back to the last page"
        assert served["nothing"] == f"This page is past the last of the {total} results."


@pytest.mark.browser
def test_static_search_over_http_from_a_sub_path_and_from_the_box_of_a_page(browser_page):
    browser_page.goto(browser_page.host + "id/meeting/som-27/index.html")
    browser_page.locator("form.searchbox input[name=q]").fill("spoonbill")
    with browser_page.expect_navigation():
        browser_page.locator("form.searchbox button").click()
    assert browser_page.url.startswith(browser_page.host + "search.html?q=spoonbill")
    shown = _static_search(browser_page, browser_page.url)
    assert shown["hits"] and all("<mark>" in h["snippet_html"] for h in shown["hits"])
    assert browser_page.outside == []


@pytest.mark.browser
def test_the_search_pages_words_are_pythons_words(browser_page, site):
    """match_expression's words (Python's \\w+) and the page's (its RegExp) are the same words."""
    samples = ["air-pollution", "Ulaanbaatar's cold", "café naïve", "蒙古国 Монголия", "CO₂ 2°C ½ x²", "a_b 3.5"]
    browser_page.goto((site / "search.html").as_uri())
    pattern = json.loads(re.search(r'id="search-config">(.*?)</script>', (site / "search.html").read_text(), re.S)
                         .group(1))["word_pattern"]
    found = browser_page.evaluate("([p, xs]) => xs.map((x) => x.match(new RegExp(p, 'gu')) || [])", [pattern, samples])
    assert found == [WORD_PATTERN.findall(x) for x in samples]


@pytest.mark.browser
def test_no_serious_or_critical_accessibility_violation_on_the_static_search_page(browser_page, site):
    _static_search(browser_page, (site / "search.html").as_uri() + "?q=air+pollution&kind=decision")
    browser_page.add_script_tag(path=str(AXE))
    found = browser_page.evaluate("async () => (await axe.run(document)).violations"
                                  ".map(v => ({id: v.id, impact: v.impact, help: v.help}))")
    assert [v for v in found if v["impact"] in ("serious", "critical")] == []


def test_a_build_without_a_search_index_gets_one_made_from_the_releases_store(store, built, tmp_path):
    """A build made before search was, or by hand, still publishes a search: its store is indexed."""
    written = write_search_page(tmp_path, tmp_path / "no-such.sqlite", lambda text, page: text, store)
    assert written == ["search.html", "search.sqlite.js"]
    encoded = re.search(r'NEASPEC_SEARCH_DB = "([A-Za-z0-9+/=]*)"', (tmp_path / "search.sqlite.js").read_text()).group(1)
    (tmp_path / "made.sqlite").write_bytes(base64.b64decode(encoded))
    with closing(sqlite3.connect(tmp_path / "made.sqlite")) as made, closing(sqlite3.connect(built.folder / "search.sqlite")) as ours:
        query = "SELECT iri, kind, title FROM doc ORDER BY id"
        assert made.execute(query).fetchall() == ours.execute(query).fetchall() != []
