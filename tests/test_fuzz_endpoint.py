"""Property-based fuzz of /sparql (hypothesis): generated queries get, over HTTP, the answer
pyoxigraph gives when run directly on the same dataset, and no input gets a 5xx.

The direct answer runs on the build's own store (its default graph is the union the build
materializes), through nothing of ours but the comparison: bindings as sets of rows (rows in
order when the query has ORDER BY over every projected variable), or the boolean.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import QueryBoolean, Store

from neaspec_kg.serve.testing import ServerProcess, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"
PREFIXES = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX nea: <https://w3id.org/neaspec/ontology#> "
            "PREFIX neaid: <https://w3id.org/neaspec/id/> PREFIX schema: <http://schema.org/> ")
PREDICATES = ["rdfs:label", "a", "nea:speaker", "schema:text", "?p", "rdfs:label|rdfs:comment", "nea:speaker/rdfs:label"]
OBJECTS = ["?o", "?l", "nea:Meeting", "\"Japan\"@en", "<https://w3id.org/neaspec/id/state/jp>"]
FILTERS = ["", "FILTER(isLiteral(?o))", "FILTER(CONTAINS(STR(?o), \"a\"))", "FILTER(LANG(?o) = \"en\")",
           "FILTER(STRLEN(STR(?s)) > 10)", "FILTER(?o != ?s)", "FILTER(REGEX(STR(?o), \"^[A-Z]\", \"i\"))"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    env = prepare_site(tmp_path_factory.mktemp("fuzz"), [FIXTURES / "server_dataset.trig"])
    env["NEASPEC_KG_QUERY_WORKERS"] = "1"
    with ServerProcess(env=env) as server:
        store = Store.read_only(str(Path(env["NEASPEC_KG_BUILD_DIR"]) / "current" / "store"))
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client, store


@st.composite
def select_queries(draw) -> str:
    triples = []
    for _ in range(draw(st.integers(1, 3))):
        p = draw(st.sampled_from(PREDICATES))
        o = draw(st.sampled_from(OBJECTS))
        triples.append(f"?s {p} {o} .")
    body = " ".join(triples)
    if draw(st.booleans()):
        body += " OPTIONAL { ?s rdfs:comment ?c }"
    filter_ = draw(st.sampled_from(FILTERS))
    if "?o" in filter_ and "?o" not in body:
        filter_ = ""
    variables = sorted({v for v in ("?s", "?o", "?l", "?p", "?c") if v in body})
    kind = draw(st.sampled_from(["plain", "distinct", "count", "ordered", "ask"]))
    if kind == "ask":
        return f"{PREFIXES} ASK {{ {body} {filter_} }}"
    if kind == "count":
        return f"{PREFIXES} SELECT (COUNT(*) AS ?n) WHERE {{ {body} {filter_} }}"
    head = " ".join(variables)
    if kind == "ordered":
        limit = draw(st.integers(1, 20))
        return f"{PREFIXES} SELECT {head} WHERE {{ {body} {filter_} }} ORDER BY {head} LIMIT {limit}"
    return f"{PREFIXES} SELECT {'DISTINCT ' if kind == 'distinct' else ''}{head} WHERE {{ {body} {filter_} }}"


def _direct(store: Store, query: str):
    result = store.query(query)
    if isinstance(result, QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return [tuple(str(row[n]) if row[n] is not None else None for n in names) for row in result]


def _over_http(client: httpx.Client, query: str):
    r = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, (r.status_code, r.text[:300], query)
    data = r.json()
    if "boolean" in data:
        return data["boolean"]
    names = data["head"]["vars"]
    return [tuple(_term(b.get(n)) for n in names) for b in data["results"]["bindings"]]


def _term(binding: dict | None) -> str | None:
    if binding is None:
        return None
    value = binding["value"]
    if binding["type"] == "uri":
        return f"<{value}>"
    if binding["type"] == "bnode":
        return f"_:{value}"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if "xml:lang" in binding:
        return f'"{escaped}"@{binding["xml:lang"]}'
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=select_queries())
def test_answers_over_http_equal_pyoxigraphs_own(site, query):
    client, store = site
    direct, served = _direct(store, query), _over_http(client, query)
    if isinstance(direct, bool) or " ORDER BY " in query:
        assert served == direct, query
    else:
        assert sorted(served, key=repr) == sorted(direct, key=repr), query


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("SELECTWHER{}()<>?\"'#.:;*/\\ aseu0123\n\t") + ["\ud7ff", "é"]),
                    max_size=200))
def test_no_text_gets_a_5xx(site, text):
    client, _ = site
    for r in (client.get("/sparql", params={"query": text}), client.post("/sparql", content=text.encode("utf-8"),
                                                                       headers={"Content-Type": "application/sparql-query"})):
        assert r.status_code < 500, (r.status_code, r.text[:200], text)
