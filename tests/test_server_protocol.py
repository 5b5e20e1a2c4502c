"""SPARQL 1.1 Protocol on a real server: SPARQLWrapper, rdflib's SPARQLStore and raw HTTP;
formats, content negotiation, HEAD, gzip, ETag/304, CORS, service description."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, N3, RDFXML, TURTLE, XML, SPARQLWrapper

from neaspec_kg.serve.testing import ServerProcess, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/neaspec/"
JP = BASE + "id/state/jp"
MEETING = BASE + "id/meeting/som-27"
COUNT_STATEMENTS = "PREFIX nea: <https://w3id.org/neaspec/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?s a nea:Statement }"
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = prepare_site(tmp_path_factory.mktemp("site"), [FIXTURES / "server_dataset.trig"])
    with ServerProcess(env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


# --- clients ------------------------------------------------------------------------
def test_sparqlwrapper_select_json(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(COUNT_STATEMENTS)
    sw.setReturnFormat(JSON)
    result = sw.query().convert()
    assert result["results"]["bindings"][0]["n"]["value"] == "2"


def test_sparqlwrapper_select_xml_and_post(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setMethod("POST")
    sw.setQuery(LABELS)
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    literals = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert "Japan" in literals and "Mongolia" in literals


def test_sparqlwrapper_construct_and_describe(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(f"DESCRIBE <{JP}>")
    sw.setReturnFormat(TURTLE)
    data = sw.query().convert()
    g = Graph().parse(data=data, format="turtle")
    assert (URIRef(JP), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Japan", lang="en")) in g
    sw.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{JP}> AS ?s) ?s ?p ?o }}")
    sw.setReturnFormat(XML)  # RDF/XML for graph forms
    g2 = sw.query().convert()
    assert len(g2) == 3


def test_sparqlwrapper_ask(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(f"ASK {{ <{JP}> ?p ?o }}")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(server):
    store = SPARQLStore(server.url + "/sparql")
    g = Graph(store=store)
    rows = list(g.query(LABELS))
    assert (URIRef(JP), Literal("Japan", lang="en")) in [(r.s, r.label) for r in rows]
    assert bool(g.query(f"ASK {{ <{MEETING}> ?p ?o }}").askAnswer)
    built = g.query(f"CONSTRUCT WHERE {{ <{MEETING}> ?p ?o }}").graph
    assert (URIRef(MEETING), URIRef(BASE + "ontology#sessionNumber"), Literal(27)) in built


# --- raw protocol ---------------------------------------------------------------------
def test_three_ways_to_send_a_query_agree(http):
    get = http.get("/sparql", params={"query": COUNT_STATEMENTS})
    form = http.post("/sparql", data={"query": COUNT_STATEMENTS})
    direct = http.post("/sparql", content=COUNT_STATEMENTS, headers={"Content-Type": "application/sparql-query"})
    for r in (get, form, direct):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "2"


@pytest.mark.parametrize(
    "accept,expected",
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("text/turtle, text/csv;q=0.5", "text/csv"),  # a graph type cannot answer SELECT
        ("text/*;q=0.3, application/sparql-results+xml;q=0.2", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ],
)
def test_select_conneg(http, accept, expected):
    r = http.get("/sparql", params={"query": LABELS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in r.headers["vary"]
    assert "Japan" in r.text


def test_csv_and_tsv_content(http):
    r = http.get("/sparql", params={"query": LABELS, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["s", "label"] and [JP, "Japan"] in rows
    r = http.get("/sparql", params={"query": LABELS, "format": "tsv"})
    lines = r.text.splitlines()
    assert lines[0] == "?s\t?label"
    assert f'<{JP}>\t"Japan"@en' in lines


@pytest.mark.parametrize(
    "accept,expected,parse_as",
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/n-quads", "application/n-quads", "nquads"),
        ("application/trig", "application/trig", "trig"),
        ("application/sparql-results+json, text/turtle;q=0.5", "text/turtle", "turtle"),  # DESCRIBE is a graph
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_describe_conneg(http, accept, expected, parse_as):
    r = http.get("/sparql", params={"query": f"DESCRIBE <{JP}>"}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    g = Graph().parse(data=r.text, format=parse_as)
    assert (URIRef(JP), URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"), URIRef("http://www.wikidata.org/entity/Q17")) in g


def test_406_when_nothing_fits(http):
    r = http.get("/sparql", params={"query": LABELS}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    r = http.get("/sparql", params={"query": LABELS, "format": "turtle"})
    assert r.status_code == 406


def test_format_parameter_beats_accept(http):
    r = http.get("/sparql", params={"query": f"DESCRIBE <{JP}>", "format": "json"}, headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert any(node.get("@id") == JP for node in r.json())


def test_head_gzip_etag_304(http):
    params = {"query": LABELS}
    head = http.head("/sparql", params=params)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("application/sparql-results+json")
    r = http.get("/sparql", params=params, headers={"Accept-Encoding": "gzip"})
    etag = r.headers["etag"]
    assert etag.startswith('"') and etag == http.get("/sparql", params=params).headers["etag"]  # equal bytes
    raw = httpx.get(str(r.request.url), headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert raw.headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(raw.read()) if raw.content[:2] == b"\x1f\x8b" else raw.content)["results"]
    again = http.get("/sparql", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = http.get("/sparql", params=params, headers={"If-None-Match": etag, "Accept": "text/csv"})
    assert other.status_code == 200  # a different representation has another tag


def test_nondeterministic_queries_have_no_etag(http):
    r = http.get("/sparql", params={"query": "SELECT (RAND() AS ?r) {}"})
    assert r.status_code == 200 and "etag" not in r.headers


def test_cors_open_without_credentials(http):
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    pre = http.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


def test_protocol_dataset(http):
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    r = http.get("/sparql", params={"query": q, "named-graph-uri": BASE + "graph/curated"})
    graphs = [b["g"]["value"] for b in r.json()["results"]["bindings"]]
    assert graphs == [BASE + "graph/curated"]
    q2 = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = int(http.get("/sparql", params={"query": q2}).json()["results"]["bindings"][0]["n"]["value"])
    curated = int(http.get("/sparql", params={"query": q2, "default-graph-uri": BASE + "graph/curated"})
                  .json()["results"]["bindings"][0]["n"]["value"])
    assert union == 60 and curated == 6
    from_clause = f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/curated> WHERE {{ ?s ?p ?o }}"
    assert http.get("/sparql", params={"query": from_clause}).json()["results"]["bindings"][0]["n"]["value"] == "6"


def test_service_description(http):
    r = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(str(http.base_url).rstrip("/") + "/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in g
    assert (endpoint, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in g
    assert (endpoint, URIRef(sd + "feature"), URIRef(sd + "BasicFederatedQuery")) not in g
    names = set(g.objects(None, URIRef(sd + "name")))
    assert URIRef(BASE + "graph/report/som-27") in names and len(names) == 5
    formats = set(g.objects(endpoint, URIRef(sd + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_TSV") in formats
    as_jsonld = http.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    browser = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html") and 'id="query-form"' in browser.text


def test_result_row_cap(tmp_path_factory):
    env = prepare_site(tmp_path_factory.mktemp("capped"), [FIXTURES / "server_dataset.trig"])
    env["NEASPEC_KG_MAX_ROWS"] = "5"
    with ServerProcess(env=env) as srv:
        r = httpx.get(srv.url + "/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 400 and "more than 5 rows" in r.text
        ok = httpx.get(srv.url + "/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 5"}, timeout=30)
        assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 5


def test_relative_iris_resolve_against_the_endpoint_and_the_host_header_is_never_used(http, server):
    query = "SELECT (<rel> AS ?x) WHERE {}"
    r = http.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.text.splitlines()[1] == f"{server.url}/rel"
    for host in ("a b", "evil.example/path", "evil.example:8080"):  # the public base comes from settings
        r = http.get("/sparql", params={"query": query}, headers={"Accept": "text/csv", "Host": host})
        assert r.status_code == 200 and r.text.splitlines()[1] == f"{server.url}/rel", host
        sd = http.get("/sparql", headers={"Accept": "text/turtle", "Host": host})
        assert sd.status_code == 200 and "evil" not in sd.text and f"<{server.url}/sparql>" in sd.text


def test_get_without_a_query_parameter_is_the_service_description(http):
    r = http.get("/sparql", params={"notaquery": "1"}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "sd:Service" in r.text


@pytest.mark.parametrize(
    "query,accept,expected",
    [
        (f"DESCRIBE <{JP}>", "application/*", "application/n-triples"),  # not Turtle via application/x-turtle
        (LABELS, "text/*", "text/csv"),  # not the XML results via text/xml
        (f"DESCRIBE <{JP}>", "application/*;q=0.5, text/html;q=0.1", "application/n-triples"),
    ],
)
def test_a_wildcard_selects_a_type_in_its_range(http, query, accept, expected):
    r = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("return_format,expected", [(RDFXML, "application/rdf+xml"), (N3, "text/turtle")])
def test_sparqlwrapper_graph_formats_it_asks_for_by_format_and_accept(server, return_format, expected):
    """SPARQLWrapper sends ``format=rdf+xml`` (or ``n3``) beside an Accept header that it can be met by."""
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(f"DESCRIBE <{JP}>")
    sw.setReturnFormat(return_format)
    result = sw.query()
    assert result.response.headers["content-type"].split(";")[0] == expected


def test_an_unknown_format_value_with_a_type_in_accept_is_answered_in_that_type(http):
    r = http.get("/sparql", params={"query": LABELS, "format": "nonsense"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = http.get("/sparql", params={"query": LABELS, "format": "nonsense"})  # Accept */*: say what went wrong
    assert r.status_code == 406 and "nonsense" in r.text


@pytest.mark.parametrize("accept_encoding,gzipped", [("gzip", True), ("GZIP", True), ("*", True),
                                                     ("gzip;q=0, identity", False), ("*;q=0", False), ("br", False)])
def test_gzip_only_where_the_client_accepts_it(server, accept_encoding, gzipped):
    r = httpx.get(server.url + "/sparql", params={"query": LABELS}, headers={"Accept-Encoding": accept_encoding},
                  timeout=30)
    assert r.status_code == 200 and (r.headers.get("content-encoding") == "gzip") is gzipped


def test_the_same_bytes_in_two_types_have_two_etags(http):
    query = {"query": f"CONSTRUCT WHERE {{ <{JP}> ?p ?o }}"}
    nt = http.get("/sparql", params=query, headers={"Accept": "application/n-triples"})
    nq = http.get("/sparql", params=query, headers={"Accept": "application/n-quads"})
    assert nt.content == nq.content and nt.headers["etag"] != nq.headers["etag"]
    again = http.get("/sparql", params=query, headers={"Accept": "application/n-quads", "If-None-Match": nt.headers["etag"]})
    assert again.status_code == 200


def test_if_none_match_compares_weakly_and_takes_a_star(http):
    etag = http.get("/sparql", params={"query": LABELS}).headers["etag"]
    for tag in ("*", "W/" + etag, f'"other", {etag}'):
        assert http.get("/sparql", params={"query": LABELS}, headers={"If-None-Match": tag}).status_code == 304, tag


def test_the_service_description_counts_the_default_graph_and_keeps_its_etag(http):
    first = http.get("/sparql", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=first.text, format="turtle")
    sd, void = "http://www.w3.org/ns/sparql-service-description#", "http://rdfs.org/ns/void#"
    default_graph = next(g.objects(None, URIRef(sd + "defaultGraph")))
    counted = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert int(g.value(default_graph, URIRef(void + "triples"))) == int(counted["results"]["bindings"][0]["n"]["value"])
    again = http.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_options_says_the_methods_and_head_works_on_health(http):
    r = http.options("/sparql")
    assert r.status_code == 204 and r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    r = http.request("TRACE", "/sparql")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    r = http.options("/health")
    assert r.status_code == 204 and "GET" in r.headers["allow"] and "OPTIONS" in r.headers["allow"]
    assert http.head("/health").status_code == 200


def test_codepoint_escapes_count_anywhere_in_the_query(http):
    r = http.get("/sparql", params={"query": "\\u0053ELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert r.status_code == 200, r.text
