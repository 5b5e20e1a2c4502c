"""The static site of a release: every page and RDF file beside it, links that work from a
folder and from a sub-path of a web host (link check), and a headless-chromium walk."""

from __future__ import annotations

import functools
import html
import http.server
import posixpath
import re
import shutil
import threading
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph
import pytest

from neaspec_kg.namespaces import BASE
from neaspec_kg.publish import publish
from neaspec_kg.publish.site import page_path, resource_iris
from neaspec_kg.settings import Settings

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
    text = som27.read_text()
    assert "<h1 id=\"label\">" in text and f"<code>{BASE}id/meeting/som-27</code>" in text
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


def _walk(page, start: str) -> None:
    page.goto(start)
    assert "release 2026.11.24" in page.locator("h1").inner_text()
    page.locator("#browse a", has_text="graph/report/som-27").click()
    page.wait_for_load_state()
    assert page.url.endswith("graph/report/som-27/index.html")
    page.locator("a", has_text="SOM-27").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/index.html") and "/id/" in page.url
    page.goto(page.url.split("/id/")[0] + "/id/meeting/som-27/index.html")
    assert page.locator("h1#label").inner_text().startswith("SOM-27")
    page.locator("#outgoing a", has_text="Beijing").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("id/place/beijing/index.html")
    assert "Beijing" in page.locator("h1#label").inner_text()
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
