"""The server describes the dataset (VoID, DCAT-AP, schema.org) and offers the published release."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import httpx
import pytest
from pyoxigraph import DefaultGraph, RdfFormat, parse
from rdflib import Graph
from rdflib.namespace import DCAT, RDF, VOID

from neaspec_kg.publish import publish
from neaspec_kg.serve.testing import ServerProcess, make_build
from neaspec_kg.settings import Settings


@pytest.fixture(scope="module")
def published_server(built, release):
    """A real server on the real build, with one release published from that build."""
    build_dir = built.folder.parent.parent
    dist, result = release.folder.parent.parent, release
    env = {"NEASPEC_KG_BUILD_DIR": str(build_dir), "NEASPEC_KG_DIST_DIR": str(dist), "NEASPEC_KG_QUERY_WORKERS": "1"}
    server = ServerProcess(env=env).start()
    yield server, result
    server.stop()


def test_well_known_void_describes_the_served_graph(published_server, built):
    server, _ = published_server
    r = httpx.get(server.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    dataset = next(d for d in g.subjects(RDF.type, VOID.Dataset) if (d, VOID.subset, None) in g)
    assert int(g.value(dataset, VOID.triples)) == built.triples
    graph_subsets = {s for s in g.objects(dataset, VOID.subset) if (s, RDF.type, VOID.Linkset) not in g}
    assert len(graph_subsets) == len(built.graphs)  # one subset per named graph, besides the linksets
    assert any(True for _ in g.subjects(RDF.type, VOID.Linkset))  # Wikidata, GBIF, SDG KOS linksets


def test_dataset_page_lists_the_release_and_serves_dcat(published_server):
    server, result = published_server
    page = httpx.get(server.url + "/dataset", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and f'href="/releases/{result.version}/"' in page.text
    assert "A Knowledge Organization System for the United Nations Sustainable Development Goals" in page.text
    dcat = Graph().parse(data=httpx.get(server.url + "/dataset", headers={"Accept": "application/ld+json"},
                                        timeout=30).text,
                         format="json-ld")
    assert any(True for _ in dcat.subjects(RDF.type, DCAT.Catalog))
    assert any(True for _ in dcat.subjects(RDF.type, DCAT.DataService))
    downloads = {str(o) for o in dcat.objects(None, DCAT.downloadURL)}
    assert any(u.endswith("dumps/neaspec-kg.nq.gz") for u in downloads)


def test_release_files_download_and_match_their_checksums(published_server):
    server, result = published_server
    sums = httpx.get(f"{server.url}/releases/{result.version}/SHA256SUMS", timeout=30).text
    line = next(line for line in sums.splitlines() if line.endswith("dumps/neaspec-kg.nq.gz"))
    import hashlib

    body = httpx.get(f"{server.url}/releases/{result.version}/dumps/neaspec-kg.nq.gz", timeout=30).content
    assert hashlib.sha256(body).hexdigest() == line.split()[0]


def test_home_page_carries_schema_org_dataset(published_server):
    server, _ = published_server
    html = httpx.get(server.url + "/", headers={"Accept": "text/html"}, timeout=30).text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert block, "no JSON-LD on the home page"
    data = json.loads(block.group(1))
    assert data["@type"] == "Dataset" and data["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert data["distribution"], "the published release's downloads are listed"


def test_void_refuses_html_only_clients(published_server):
    server, _ = published_server
    r = httpx.get(server.url + "/.well-known/void", headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406


def test_latest_release_redirects_to_the_newest_version(published_server):
    server, result = published_server
    r = httpx.get(server.url + "/releases/latest/dumps/neaspec-kg.trig", timeout=30)
    assert r.status_code == 302 and r.headers["location"] == f"/releases/{result.version}/dumps/neaspec-kg.trig"
    assert httpx.get(server.url + r.headers["location"], timeout=30).text.startswith("@prefix")


def test_a_release_published_while_serving_is_seen_without_a_restart(built, copy_of_release, tmp_path):
    """A new `publish` while the server runs: /releases/latest/ and /dataset follow it at once."""
    build_dir = built.folder.parent.parent
    dist, first = copy_of_release  # published from this build
    env = {"NEASPEC_KG_BUILD_DIR": str(build_dir), "NEASPEC_KG_DIST_DIR": str(dist), "NEASPEC_KG_QUERY_WORKERS": "1"}
    with ServerProcess(env=env) as server:
        assert httpx.get(server.url + "/releases/latest/",
                         timeout=30).headers["location"] == f"/releases/{first.version}/"
        assert f'href="/releases/{first.version}/"' in httpx.get(server.url + "/dataset", headers={"Accept": "text/html"},
                                                                 timeout=30).text
        other_build = tmp_path / "other-build"  # another build: a new release, as a new report would give
        make_build([Path(__file__).parent / "fixtures" / "server_dataset.trig"], other_build)
        second = publish(Settings(build_dir=other_build), dist, released=date(2026, 12, 1))
        assert second.version != first.version
        r = httpx.get(server.url + "/releases/latest/", timeout=30)
        assert r.status_code == 302 and r.headers["location"] == f"/releases/{second.version}/"
        page = httpx.get(server.url + "/dataset", headers={"Accept": "text/html"}, timeout=30).text
        assert f'href="/releases/{second.version}/"' in page and f'href="/releases/{first.version}/"' in page


def test_the_build_keeps_the_facts_the_descriptions_state(built, tmp_path):
    """The build counts the dataset's facts once (facts.json beside the store; the server read
    every quad for them at its first /dataset or home page: 8-10 s at 30 sessions); what it
    keeps is what the store gives, and a file that does not read as facts is counted again."""
    import pyoxigraph

    from neaspec_kg.publish.metadata import FACTS_FILE, dataset_facts, read_facts

    graphs = json.loads((built.folder / "build.json").read_text())["graphs"]
    counted = dataset_facts(pyoxigraph.Store.read_only(str(built.folder / "store")), graphs)
    kept = read_facts(built.folder / FACTS_FILE)
    assert kept == counted and kept.triples > 0 and kept.links
    # VoID's property partitions count the triples of the named graphs, as void:triples does (the
    # default graph, their union, was counted too: every partition about twice its size)
    assert sum(kept.properties.values()) == kept.triples == sum(graphs.values())
    damaged = tmp_path / FACTS_FILE
    damaged.write_text('{"triples": 1}')
    assert read_facts(damaged) is None and read_facts(tmp_path / "absent.json") is None


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
@pytest.mark.parametrize("accept,parse_as", [("application/n-quads", RdfFormat.N_QUADS), ("application/trig", RdfFormat.TRIG)])
def test_the_descriptions_in_n_quads_and_trig_are_their_default_graph(published_server, path, accept, parse_as):
    server, _ = published_server
    r = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept), r.text[:200]
    quads = list(parse(r.content, format=parse_as))
    assert quads and all(isinstance(q.graph_name, DefaultGraph) for q in quads)


def test_a_release_folder_without_its_slash_is_a_redirect_under_the_public_url(published_server):
    server, result = published_server
    for path in (f"/releases/{result.version}", "/releases/latest"):
        r = httpx.get(server.url + path, headers={"Host": "evil.example"}, timeout=30)
        assert r.status_code == 308 and r.headers["location"] == f"{server.url}{path}/", (path, r.headers)


def test_a_compressed_dump_is_sent_as_gzip(published_server):
    server, result = published_server
    r = httpx.head(f"{server.url}/releases/{result.version}/dumps/neaspec-kg.nq.gz", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in r.headers  # the file is the gzip, not an N-Quads answer compressed on the way


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.browser
def test_the_release_search_page_runs_when_this_server_serves_it(published_server):
    """The release's static search (SQLite compiled to WebAssembly) in Chromium, served from
    /releases: the pages' Content-Security-Policy must let WebAssembly compile there."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (Debian package 'chromium'; `make system-deps` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the python 'playwright' package is not installed")
    server, result = published_server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/releases/{result.version}/search.html?q=air+pollution")
        page.wait_for_function("() => document.body.dataset.search")
        state, hits = page.evaluate("document.body.dataset.search"), page.locator("section.hits li[data-iri]").count()
        browser.close()
    assert state == "done" and hits > 0, state
