"""Linked Data, vocabulary documents and the HTML pages, on a real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from neaspec_kg.serve.testing import ServerProcess, make_build, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/neaspec/"
STATEMENT = "/id/meeting/som-27/statement/15-jp"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERIES = {
    "statements-by-state": "# title: Statements by member state\n# description: who spoke, how often\n"
    "PREFIX nea: <https://w3id.org/neaspec/ontology#>\nSELECT ?state (COUNT(?s) AS ?n) WHERE { ?s nea:speaker ?state } GROUP BY ?state\n",
    "meetings": "# title: Meetings\n# description: every session\nSELECT ?m WHERE { ?m a <https://w3id.org/neaspec/ontology#Meeting> }\n",
}


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    env = prepare_site(tmp_path_factory.mktemp("site"), [FIXTURES / "server_dataset.trig"],
                       shapes=FIXTURES / "server_shapes.trig", queries=QUERIES)
    with ServerProcess(env=env) as srv, httpx.Client(base_url=srv.url, timeout=10) as client:
        yield client


def test_resource_page_for_browsers(http):
    r = http.get(STATEMENT, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "Statement of Japan at SOM-27 (para 15)" in html
    assert 'href="/id/state/jp">Japan</a>' in html  # outgoing link, labelled, local
    assert "marine protected areas network" in html  # the source paragraph's text
    assert 'href="http://metadata.un.org/sdg/14"' in html and "Goal 14: Life below water" in html
    assert 'href="/ontology#Statement"' in html


def test_links_both_ways(http):
    html = http.get("/id/state/jp", headers={"Accept": BROWSER}).text
    assert 'href="/id/meeting/som-27/statement/15-jp"' in html  # incoming
    assert 'href="http://www.wikidata.org/entity/Q17"' in html


@pytest.mark.parametrize(
    "accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                   ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]
)
def test_resource_as_rdf(http, accept, fmt):
    r = http.get(STATEMENT, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.text, format=fmt)
    s = URIRef(BASE + STATEMENT.lstrip("/"))
    assert (s, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
            URIRef(BASE + "id/meeting/som-27/report/en/para/15")) in g


def test_unknown_iri_is_404(http):
    r = http.get("/id/state/xx", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and "id/state/xx" in r.text
    r = http.get("/id/state/xx", headers={"Accept": BROWSER})
    assert r.status_code == 404 and "Not found" in r.text
    assert http.get("/graph/nope").status_code == 404


def test_head_and_etag_on_resources(http):
    head = http.head("/id/state/jp", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    etag = http.get("/id/state/jp", headers={"Accept": "text/turtle"}).headers["etag"]
    assert http.get("/id/state/jp", headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code == 304


def test_paragraph_page_shows_its_text(http):
    html = http.get("/id/meeting/som-27/report/en/para/16", headers={"Accept": BROWSER}).text
    assert "Amur tiger and snow leopard" in html


def test_named_graph_dereferences(http):
    r = http.get("/graph/curated", headers={"Accept": "application/n-triples"})
    g = Graph().parse(data=r.text, format="nt")
    assert len(g) == 6
    html = http.get("/graph/report/som-27", headers={"Accept": BROWSER}).text
    assert "Twenty-seventh Meeting" in html


def test_ontology_served_as_html_and_rdf(http):
    html = http.get("/ontology", headers={"Accept": BROWSER}).text
    assert 'id="Meeting"' in html and "A session of the Senior Officials Meeting." in html
    assert 'id="speaker"' in html and 'href="#MemberState"' in html  # range links to its class
    g = Graph().parse(data=http.get("/ontology", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(BASE + "ontology#Meeting"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Meeting", lang="en")) in g


def test_shapes_served(http):
    g = Graph().parse(data=http.get("/shapes", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(BASE + "shapes#MeetingShape"), URIRef("http://www.w3.org/ns/shacl#targetClass"),
            URIRef(BASE + "ontology#Meeting")) in g
    assert 'id="MeetingShape"' in http.get("/shapes", headers={"Accept": BROWSER}).text


def test_home_page(http):
    html = http.get("/").text
    assert 'id="triple-count">60<' in html
    assert "Statement" in html and "Statements by member state" in html
    assert 'href="/query?example=statements-by-state"' in html


def test_query_page_without_cdn(http):
    html = http.get("/query?example=meetings").text
    assert "Statements by member state" in html and "SELECT ?m WHERE" in html
    assert "http://" not in html.split("<main id=\"main\">")[0].replace('data-base="https://w3id.org/neaspec/"', "")
    assert 'src="/static/query.js"' in html and "//cdn" not in html
    assert http.get("/static/query.js").status_code == 200


def test_no_examples_folder_is_fine(tmp_path):
    env = prepare_site(tmp_path, [FIXTURES / "server_dataset.trig"])
    with ServerProcess(env=env) as srv:
        html = httpx.get(srv.url + "/query", timeout=30).text
        assert 'id="no-examples"' in html and "SELECT ?class" in html


def test_serve_without_a_build_says_what_to_do(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "neaspec_kg.cli", "serve", "--port", "1"], capture_output=True,
                         text=True, env={**__import__("os").environ, "NEASPEC_KG_BUILD_DIR": str(tmp_path)}, timeout=60)
    assert out.returncode == 1 and "neaspec-kg build" in out.stderr


def test_serve_on_a_half_copied_store_says_so_in_a_line(tmp_path):
    """A replica's --store on a folder that is not a whole store (a copy that did not finish) is
    one line and exit code 1 (it was a 40-line traceback and 3); two copies of one store without
    build.json report one release id (it hung on the folder's path)."""
    import shutil
    import subprocess
    import sys

    from neaspec_kg.settings import load_settings
    from neaspec_kg.store.release import locate_release

    def serve(store: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "neaspec_kg.cli", "serve", "--port", "1", "--store", str(store)],
                              capture_output=True, text=True, timeout=60,
                              env={**__import__("os").environ, "NEASPEC_KG_BUILD_DIR": str(tmp_path)})

    (tmp_path / "half" / "store").mkdir(parents=True)
    out = serve(tmp_path / "half" / "store")
    assert out.returncode == 1 and "not a whole graph store" in out.stderr and "Traceback" not in out.stderr
    missing = serve(tmp_path / "nowhere" / "store")
    assert missing.returncode == 1 and "--store names the store/ folder" in missing.stderr
    release = make_build([FIXTURES / "server_dataset.trig"], tmp_path / "build")
    for name in ("a", "b"):
        shutil.copytree(release / "store", tmp_path / name / "store")
    ids = {locate_release(load_settings(), tmp_path / name / "store").release for name in ("a", "b")}
    assert len(ids) == 1
