"""The columnar engine (neaspec_kg.vector) on a small graph: its answers equal oxigraph's on
the same data, it declines what it does not implement (oxigraph answers those), and it stops
at its deadline. The W3C evaluation tests run through it in test_columnar_w3c.py."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from neaspec_kg.vector import QueryTimedOut, VectorEngine
from neaspec_kg.vector.index import build_index, ensure_index, load_index, vector_dir
from neaspec_kg.vector.results import select_json, select_rows

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "columnar_engine.ttl"
PREFIX = "PREFIX ex: <http://example.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " \
         "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    return s


@pytest.fixture(scope="module")
def engine(store, tmp_path_factory) -> VectorEngine:
    out = tmp_path_factory.mktemp("vector") / "vector"
    build_index(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), out)
    return VectorEngine(load_index(out), mode="columnar")


def _rows(variables, rows) -> list[tuple]:
    return [tuple(str(t) if t is not None else None for t in row) for row in rows]


def both(store, engine, query: str):
    """(columnar rows, oxigraph rows) or booleans; the columnar engine must have answered."""
    query = PREFIX + query
    solved = engine.solve(query)
    assert solved is not None, f"declined: {engine.declined_reason(query)}"
    expected = store.query(query)
    if isinstance(solved, bool):
        return solved, bool(expected)
    assert solved.variables == [v.value for v in expected.variables]
    return _rows(solved.variables, select_rows(solved, 10**6)), _rows(None, ([s[v] for v in expected.variables] for s in expected))


SAME_AS_OXIGRAPH = {
    "bgp join": "SELECT ?d ?s WHERE { ?d a ex:Decision ; ex:at ?s . ?s ex:number 1 }",
    "lookup by subject": "SELECT ?p ?o WHERE { ex:d1 ?p ?o }",
    "constant the graph lacks": "SELECT ?d WHERE { ?d ex:at ex:nowhere }",
    "repeated variable": "SELECT ?x WHERE { ?x ex:partOf ?x }",
    "optional": "SELECT ?d ?w WHERE { ?d a ex:Decision OPTIONAL { ?d ex:weight ?w } }",
    "optional with filter": "SELECT ?d ?w WHERE { ?d a ex:Decision OPTIONAL { ?d ex:weight ?w FILTER(?w > 2) } }",
    "join on an optional variable": "SELECT ?s ?h ?l WHERE { ?s a ex:Session OPTIONAL { ?s ex:host ?h } "
                                    "OPTIONAL { ?h rdfs:label ?l } }",
    "numeric filter skips ill-typed": "SELECT ?d WHERE { ?d ex:weight ?w FILTER(?w >= 2) }",
    "not equal keeps other kinds": "SELECT ?d ?w WHERE { ?d ex:weight ?w FILTER(?w != 2) }",
    "regex case-insensitive": 'SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "spoonbill", "i")) }',
    "regex with metacharacters": 'SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "^(noted|NOTED) the [Ss]")) }',
    "contains lcase str": 'SELECT ?d WHERE { ?d rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "noted")) }',
    "lang and datatype": "SELECT ?x ?lang ?dt WHERE { ?x rdfs:label ?l BIND(LANG(?l) AS ?lang) BIND(DATATYPE(?l) AS ?dt) }",
    "not exists": "SELECT ?s WHERE { ?s a ex:Session FILTER NOT EXISTS { ?d ex:at ?s ; ex:verb ex:approved } }",
    "exists": "SELECT ?s WHERE { ?s a ex:Session FILTER EXISTS { ?d ex:at ?s ; ex:verb ex:requested } }",
    "minus": "SELECT ?d WHERE { ?d a ex:Decision MINUS { ?d ex:verb ex:noted } }",
    "union": "SELECT ?x WHERE { { ?x ex:host ex:cn } UNION { ?x ex:verb ex:approved } }",
    "values": "SELECT ?d ?v WHERE { VALUES ?v { ex:noted ex:requested } ?d ex:verb ?v }",
    "bind arithmetic": "SELECT ?d ?x WHERE { ?d ex:weight ?w BIND(?w * 2 + 1 AS ?x) }",
    "if coalesce in": "SELECT ?d ?x WHERE { ?d a ex:Decision OPTIONAL { ?d ex:weight ?w } "
                      "BIND(COALESCE(IF(?w IN (2, 3.5), \"listed\", \"other\"), \"none\") AS ?x) }",
    "year": "SELECT ?s ?y WHERE { ?s ex:start ?d BIND(YEAR(?d) AS ?y) }",
    "date comparison": 'SELECT ?s WHERE { ?s ex:start ?d FILTER(?d > "2021-01-01"^^xsd:date) }',
    "date not equal to a number": "SELECT ?s WHERE { ?s ex:start ?d FILTER(?d != 2020) }",
    "decimal against double": "SELECT ?d WHERE { ?d ex:weight ?w FILTER(?w > 1.5E0 && ?w != 3.5) }",
    "order by number then key": "SELECT ?d ?w WHERE { ?d ex:weight ?w } ORDER BY ?w ?d",
    "regex end of text": 'SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "report$")) }',
    "regex dot and classes": 'SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "^[a-z]+ed .*s[a-z]+$")) }',
    "strafter": 'SELECT ?d ?rest WHERE { ?d rdfs:label ?l BIND(STRAFTER(?l, "the ") AS ?rest) }',
    "group count": "SELECT ?s (COUNT(?d) AS ?n) WHERE { ?d ex:at ?s } GROUP BY ?s",
    "count distinct having": "SELECT ?v (COUNT(DISTINCT ?s) AS ?n) WHERE { ?d ex:verb ?v ; ex:at ?s } "
                             "GROUP BY ?v HAVING (COUNT(DISTINCT ?s) > 1)",
    "count over nothing": "SELECT (COUNT(*) AS ?n) WHERE { ?d ex:at ex:nowhere }",
    "min max with an error": "SELECT ?s (MIN(?w) AS ?lo) (MAX(?w) AS ?hi) WHERE { ?d ex:at ?s OPTIONAL { ?d ex:weight ?w } } GROUP BY ?s",
    "sum avg": "SELECT (SUM(?n) AS ?total) (AVG(?n) AS ?mean) WHERE { ?s ex:number ?n }",
    "order desc limit offset": "SELECT ?d ?l WHERE { ?d a ex:Decision ; rdfs:label ?l } ORDER BY DESC(?l) ?d LIMIT 2 OFFSET 1",
    "order by an aggregate": "SELECT ?s (COUNT(?d) AS ?n) WHERE { ?d ex:at ?s } GROUP BY ?s ORDER BY DESC(?n) ?s",
    "distinct keeps order": "SELECT DISTINCT ?v WHERE { ?d ex:verb ?v } ORDER BY ?v",
    "path one or more": "SELECT ?x ?y WHERE { ?x ex:partOf+ ?y }",
    "path zero or more from a constant": "SELECT ?y WHERE { ex:cn ex:partOf* ?y }",
    "path inverse sequence": "SELECT ?s ?l WHERE { ?s ex:host/^ex:host/rdfs:label ?l }",
    "path alternative": "SELECT ?x ?y WHERE { ?x ex:host|ex:partOf ?y }",
    "path to a constant": "SELECT ?x WHERE { ?x ex:partOf+ ex:universe }",
    "blank node in the data": "SELECT ?v ?u WHERE { ex:d1 ex:quantity [ ex:value ?v ; ex:unit ?u ] }",
    "subquery": "SELECT ?s ?n WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { ?d ex:at ?s } GROUP BY ?s } FILTER(?n > 1) }",
}


@pytest.mark.parametrize("name", sorted(SAME_AS_OXIGRAPH))
def test_same_answers_as_oxigraph(store, engine, name):
    got, expected = both(store, engine, SAME_AS_OXIGRAPH[name])
    if "ORDER BY" in SAME_AS_OXIGRAPH[name]:
        assert got == expected
    else:
        assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_answers_are_right_not_only_alike(store, engine):
    got, _ = both(store, engine, "SELECT ?s (COUNT(?d) AS ?n) WHERE { ?d ex:at ?s } GROUP BY ?s ORDER BY ?s")
    assert got == [("<http://example.org/s1>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
                   ("<http://example.org/s2>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
                   ("<http://example.org/s3>", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>')]
    got, _ = both(store, engine, "SELECT ?y WHERE { ex:cn ex:partOf+ ?y } ORDER BY ?y")
    assert got == [("<http://example.org/asia>",), ("<http://example.org/universe>",), ("<http://example.org/world>",)]
    assert both(store, engine, "ASK { ex:s3 ex:host ?h }") == (False, False)
    assert both(store, engine, "ASK { ?d ex:verb ex:requested }") == (True, True)


def test_select_star_lists_the_variables_in_scope_as_oxigraph(store, engine):
    for query in ("SELECT * WHERE { ?zeta ex:at ?alpha . ?zeta ex:verb ?mid }",
                  "SELECT * WHERE { ?x a ex:Session MINUS { ?y a ex:Decision } }",
                  "SELECT * WHERE { ?s a ex:Session FILTER NOT EXISTS { ?s ex:host ?h } }",
                  "SELECT * WHERE { ?s a ex:Session OPTIONAL { ?s ex:nothing ?never } }"):
        solved = engine.solve(PREFIX + query)
        assert solved.variables == [v.value for v in store.query(PREFIX + query).variables], query


def test_json_results(engine):
    solved = engine.solve(PREFIX + 'SELECT ?d ?l WHERE { ?d ex:verb ex:requested ; rdfs:label ?l }')
    body = select_json(solved, 100).decode()
    assert body == ('{"head":{"vars":["d","l"]},"results":{"bindings":[{"d":{"type":"uri","value":"http://example.org/d4"},'
                    '"l":{"type":"literal","value":"requested a study","xml:lang":"en"}}]}}')


@pytest.mark.parametrize("query, reason", [
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "ConstructQuery"),
    ("DESCRIBE ex:d1", "DescribeQuery"),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "Graph"),
    ("SELECT ?h WHERE { ?s ex:number ?n BIND(MD5(STR(?n)) AS ?h) }", "MD5"),
    ("SELECT ?s WHERE { ?s a ex:Session FILTER NOT EXISTS { ?d ex:at ?s FILTER(?d != ?s) } }", "EXISTS over a pattern"),
    ('SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "\\\\p{Lu}")) }', "REGEX escape"),
    ('SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "\\\\w+")) }', "REGEX escape"),
    ('SELECT ?d WHERE { ?d rdfs:label ?l FILTER(REGEX(?l, "(?i)noted")) }', "(?...)"),
    ("ASK { ?s a ex:Session FILTER(false) }", "constant condition"),
    ("SELECT ?x WHERE { ?d ex:weight ?w BIND(?w / 3 AS ?x) }", "decimal division"),
    ("SELECT ?x ?y WHERE { ?x ex:partOf* ?y }", "zero-length path between two free variables"),
    ("SELECT * WHERE { ?s ?p ?o ", "rdflib cannot parse"),
    ('SELECT ?s WHERE { ?s ex:number "01"^^xsd:integer }', "typed literal constant"),
    ('SELECT ?s WHERE { VALUES ?n { "1.0"^^xsd:decimal } ?s ex:number ?n }', "typed literal constant"),
])
def test_declines_what_it_does_not_implement(engine, query, reason):
    assert engine.solve(PREFIX + query) is None
    assert reason in engine.declined_reason(PREFIX + query)


def test_auto_mode_parses_from_the_second_sighting(engine):
    auto = VectorEngine(engine.index, mode="auto")
    query = PREFIX + "SELECT ?d WHERE { ?d ex:verb ex:noted }"
    assert auto.solve(query) is None  # first sighting: oxigraph answers, no parse
    assert auto.solve(query) is not None
    assert auto.answered == 1


def test_auto_mode_takes_heavy_shapes_at_once(engine):
    auto = VectorEngine(engine.index, mode="auto")
    assert auto.solve(PREFIX + "SELECT ?s (COUNT(?d) AS ?n) WHERE { ?d ex:at ?s } GROUP BY ?s") is not None
    assert auto.solve(PREFIX + "SELECT ?y WHERE { ex:cn ex:partOf+ ?y }") is not None


def test_stops_at_its_deadline(engine):
    query = PREFIX + "SELECT ?a ?b ?c WHERE { ?a ?p ?b . ?b ?q ?c . ?c ?r ?a }"
    with pytest.raises(QueryTimedOut):
        engine.solve(query, deadline=time.monotonic() - 1)


def test_unknown_mode_is_refused(engine):
    with pytest.raises(ValueError, match="engine mode"):
        VectorEngine(engine.index, mode="fast")


def test_index_is_written_for_an_older_store(tmp_path):
    store_dir = tmp_path / "store"
    s = ox.Store(str(store_dir))
    s.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    s.flush()
    del s
    assert not vector_dir(store_dir).exists()
    assert ensure_index(store_dir)
    index = load_index(vector_dir(store_dir))
    assert index.triples == sum(1 for _ in ox.Store.read_only(str(store_dir)).quads_for_pattern(None, None, None))
    assert ensure_index(store_dir)  # already there: nothing rewritten
    assert not (tmp_path / "vector.tmp").exists()
