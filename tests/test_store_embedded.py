"""The embedded store's copy in memory: made from the release's dump as the build made the
on-disk store, checked against it, and used by the query workers once complete; a dump that
does not match is reported and the workers keep answering from the on-disk store."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from neaspec_kg.serve.testing import ServerProcess, make_build
from neaspec_kg.store.embedded import MemoryCopyError, memory_copy

FIXTURES = Path(__file__).parent / "fixtures"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LIST_ITEMS = "SELECT ?item ?value WHERE { ?item <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?value } ORDER BY ?item"
EMPTY_GRAPH = "https://w3id.org/neaspec/graph/empty-for-test"
# A list, as the UN SDG KOS has (skos:memberList): blank nodes the copy must keep as the store has them.
WITH_LIST = """<https://w3id.org/neaspec/graph/list-for-test> {
  <https://w3id.org/neaspec/id/x> <http://www.w3.org/2004/02/skos/core#memberList> ("c" "a" "b" "d" "e") . }"""


@pytest.fixture
def build(tmp_path) -> Path:
    listed = tmp_path / "list.trig"
    listed.write_text(WITH_LIST, encoding="utf-8")
    return make_build([FIXTURES / "server_dataset.trig", listed], tmp_path / "build")


def _default_graph(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_the_copy_in_memory_holds_exactly_the_default_graph_of_the_release(build):
    disk = ox.Store.read_only(str(build / "store"))
    memory = memory_copy(disk, build / "dataset.nq")
    assert set(memory) == _default_graph(disk) and list(disk.named_graphs())
    assert not list(memory.named_graphs()), "named graphs are read from the on-disk store"


def test_two_copies_and_the_store_hold_the_same_blank_nodes(build):
    disk = ox.Store.read_only(str(build / "store"))
    first, second = memory_copy(disk, build / "dataset.nq"), memory_copy(disk, build / "dataset.nq")
    assert any(isinstance(q.subject, ox.BlankNode) for q in _default_graph(disk))
    assert set(first) == set(second) == _default_graph(disk)


def test_a_store_whose_blank_nodes_differ_from_its_dump_is_not_copied(tmp_path, build):
    older = ox.Store(str(tmp_path / "older"))  # as older builds made it: bulk_load names blank nodes anew
    older.bulk_load(path=str(build / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    older.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    older.flush()
    with pytest.raises(MemoryCopyError, match="blank nodes are not the store's"):
        memory_copy(older, build / "dataset.nq")


def test_a_dump_that_differs_from_the_store_is_refused_with_both_counts(build):
    dump = build / "dataset.nq"
    lines = dump.read_bytes().splitlines(keepends=True)
    dump.write_bytes(b"".join(lines[:-3]))
    with pytest.raises(MemoryCopyError, match=r"dataset\.nq: gives \d+ triples in the default graph, the release's store holds \d+"):
        memory_copy(ox.Store.read_only(str(build / "store")), dump)


def _health_after_queries(server: ServerProcess, until_in_memory: bool, rounds: int = 200) -> dict:
    """Ask queries (bounded) until /health says every worker answers from memory, or rounds run out."""
    health: dict = {}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for _ in range(rounds):
            reply = client.post("/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"})
            assert reply.status_code == 200
            health = client.get("/health").json()
            if until_in_memory and health["workers_in_memory"] == health["workers"]:
                break
            time.sleep(0.05)
    return health


def test_the_query_workers_answer_from_memory_with_the_same_answers(build):
    env = {"NEASPEC_KG_BUILD_DIR": str(build.parent.parent), "NEASPEC_KG_QUERY_WORKERS": "2",
           "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}
    with ServerProcess(store=build / "store", env={**env, "NEASPEC_KG_STORE_IN_MEMORY": "false"}) as disk_only:
        health = _health_after_queries(disk_only, until_in_memory=False, rounds=5)
        assert health["workers_in_memory"] == 0
        on_disk = [httpx.post(disk_only.url + "/sparql", data={"query": q}, headers={"Accept": "text/csv"},
                              timeout=30).content
                   for q in (COUNT, LIST_ITEMS)]
    with ServerProcess(store=build / "store", env=env) as server:
        health = _health_after_queries(server, until_in_memory=True)
        assert health["workers_in_memory"] == 2
        in_memory = [httpx.post(server.url + "/sparql", data={"query": q}, headers={"Accept": "text/csv"},
                                timeout=30).content
                     for q in (COUNT, LIST_ITEMS) for _ in range(2)]  # twice: both workers, as far as can be
    assert in_memory == [on_disk[0], on_disk[0], on_disk[1], on_disk[1]] and int(on_disk[0].split()[1]) > 0
    assert on_disk[1].count(b"\n") == 6  # a header and the five items, in the store's order


def test_a_worker_whose_copy_fails_says_so_and_answers_from_disk(build):
    dump = build / "dataset.nq"
    dump.write_bytes(dump.read_bytes() + b"<https://w3id.org/neaspec/id/x> <https://w3id.org/neaspec/id/p> \"extra\" .\n")
    env = {"NEASPEC_KG_BUILD_DIR": str(build.parent.parent), "NEASPEC_KG_QUERY_WORKERS": "1",
           "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}
    with ServerProcess(store=build / "store", env=env) as server:
        deadline = time.monotonic() + 60
        while b"keeps answering from the on-disk store" not in server.peek_log() and time.monotonic() < deadline:
            _health_after_queries(server, until_in_memory=False, rounds=1)
        health = _health_after_queries(server, until_in_memory=False, rounds=3)
        log = server.peek_log().decode(errors="replace")
    assert "dataset.nq: gives" in log and health["workers_in_memory"] == 0


PAGES = ("/", "/commitments", "/id/meeting/som-27", "/id/state/jp")


def test_the_pages_read_by_the_query_workers_are_the_pages_read_from_disk(build):
    """The pages' own SELECTs run in the query workers (from their copies in memory once made):
    every page is byte for byte the page a server answering only from disk gives."""
    env = {"NEASPEC_KG_BUILD_DIR": str(build.parent.parent), "NEASPEC_KG_QUERY_WORKERS": "2",
           "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}
    html = {"Accept": "text/html"}
    with ServerProcess(store=build / "store", env={**env, "NEASPEC_KG_STORE_IN_MEMORY": "false"}) as disk_only:
        on_disk = [httpx.get(disk_only.url + path, headers=html, timeout=30) for path in PAGES]
    with ServerProcess(store=build / "store", env=env) as server:
        assert _health_after_queries(server, until_in_memory=True)["workers_in_memory"] == 2
        in_memory = [httpx.get(server.url + path, headers=html, timeout=30) for path in PAGES]
    assert [r.status_code for r in on_disk] == [200] * len(PAGES)
    assert [r.content for r in in_memory] == [r.content for r in on_disk]
    assert b"Japan" in on_disk[3].content and b"SOM-27" in on_disk[2].content


LIST_GRAPH = "https://w3id.org/neaspec/graph/list-for-test"
# Queries that read named graphs: from the copy in memory (the default graph alone) they would
# find nothing, so each must be answered from the on-disk store, which holds every graph.
NAMED_GRAPH_READS = [
    {"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"},
    {"query": "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"},  # the empty graph too
    {"query": f"select ?v where{{graph<{LIST_GRAPH}>{{?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?v}}}}"
              " order by ?v"},
    {"query": f"SELECT (COUNT(*) AS ?n) FROM <{LIST_GRAPH}> WHERE {{ ?s ?p ?o }}"},
    {"query": f"SELECT (COUNT(*) AS ?n) FROM NAMED <{EMPTY_GRAPH}> WHERE {{ GRAPH ?g {{ }} }}"},
    {"query": "PREFIX graph: <https://w3id.org/neaspec/graph/> # a named graph by its prefixed name\n"
              "SELECT DISTINCT ?s WHERE { GRAPH graph:list-for-test { ?s ?p ?o } }"},
    {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": LIST_GRAPH},
    {"query": "SELECT ?g WHERE { GRAPH ?g { } }", "named-graph-uri": EMPTY_GRAPH},
]


def test_queries_that_read_named_graphs_are_answered_from_every_graph(tmp_path, build):
    """A worker holding its copy of the default graph gives every query that reads named graphs
    (GRAPH, FROM, FROM NAMED, the protocol's dataset) the answer a server on disk alone gives."""
    release = tmp_path / "release"  # the fixture's release, with an empty named graph in its store
    release.mkdir()
    writable = ox.Store(str(release / "store"))
    writable.bulk_extend(ox.Store.read_only(str(build / "store")))
    writable.add_graph(ox.NamedNode(EMPTY_GRAPH))
    writable.flush()
    del writable
    for name in ("dataset.nq", "build.json"):
        (release / name).write_bytes((build / name).read_bytes())
    env = {"NEASPEC_KG_BUILD_DIR": str(build.parent.parent), "NEASPEC_KG_QUERY_WORKERS": "1",
           "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}
    store = release / "store"
    csv = {"Accept": "text/csv"}
    with ServerProcess(store=store, env={**env, "NEASPEC_KG_STORE_IN_MEMORY": "false"}) as disk_only:
        on_disk = [httpx.post(disk_only.url + "/sparql", data=form, headers=csv,
                              timeout=30) for form in NAMED_GRAPH_READS]
    with ServerProcess(store=store, env=env) as server:
        assert _health_after_queries(server, until_in_memory=True)["workers_in_memory"] == 1
        in_memory = [httpx.post(server.url + "/sparql", data=form, headers=csv,
                                timeout=30) for form in NAMED_GRAPH_READS]
    assert [r.status_code for r in on_disk] == [200] * len(NAMED_GRAPH_READS)
    assert [r.text for r in in_memory] == [r.text for r in on_disk]
    assert EMPTY_GRAPH in on_disk[1].text and on_disk[2].text.splitlines()[1:] == list("abcde")
    assert on_disk[3].text.split() == ["n", "11"] and on_disk[7].text.split() == ["g", EMPTY_GRAPH]


@pytest.mark.parametrize(("query", "named"), [
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("select * where{graph<urn:g>{?s ?p ?o}}", True),
    ("SELECT * FROM NAMED <urn:g> WHERE { ?s ?p ?o }", True),
    ("SELECT * WHERE { ?s ?p ?o.GRAPH ?g {?s ?p ?o}}", True),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?a<?b)GRAPH ?g {?x ?y ?z} }", True),  # `<` is not an IRI here
    ("SELECT * WHERE { ?s <http://x/(a)#b> ?o . GRAPH ?g { ?s ?p ?o } }", True),  # `#` inside an IRI
    ("SELECT * WHERE { ?s ex:a\\' ?o . GRAPH ?g { ?s ?p ?o } ?s ex:b\\' ?o }", True),  # `'` in names
    ("SELECT * WHERE { ?s ?p ?o }#x\nGRAPH", True),  # a `#` after no space: in doubt
    ("SELECT * WHERE { ?s graphx:p ?o }", True),  # a prefix holding the word: in doubt
    ("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT * WHERE { ?s prov:wasDerivedFrom ?o }", False),
    ("SELECT * WHERE { ?s :wasDerivedFrom ?o }", False),
    ("SELECT ?graph WHERE { ?graph ?p 'from the report' } # graphs from here", False),
    ("SELECT * WHERE { ?s ?p <https://w3id.org/neaspec/graph/som-27> }", False),
    ('SELECT * WHERE { ?s ?p """a\nGRAPH\n""" }', False),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?a<?b||?c>?d) }", False),
])
def test_a_query_that_may_read_named_graphs_is_told_from_one_that_reads_the_default_graph(query, named):
    from neaspec_kg.store import guard

    assert guard.may_read_named_graphs(query) is named


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_row_cap_is_exact_when_values_hold_the_row_markers(fmt):
    """The engine's writer is stopped by counting row markers; values that hold a marker
    (``},{``, a line break) must neither pass an answer over the cap nor refuse one under it."""
    from neaspec_kg.errors import TooManyRows
    from neaspec_kg.store.results import ENGINE_FORMATS, select_answer

    store = ox.Store()
    for i in range(20):
        value = "a },{ b\r\n c },{" if i < 10 else f"v{i}"
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"), ox.Literal(value)))
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    with pytest.raises(TooManyRows):
        select_answer(fmt, store.query(query), lambda: store.query(query), 19)
    for limit in (20, 1000):
        body = select_answer(fmt, store.query(query), lambda: store.query(query), limit)
        assert body == store.query(query).serialize(format=ENGINE_FORMATS[fmt])


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_row_cap_counts_rows_across_the_writers_chunks(fmt):
    """An answer of many chunks: one row over the cap is refused, an answer at the cap is whole."""
    from neaspec_kg.errors import TooManyRows
    from neaspec_kg.store.results import select_answer

    values = " ".join(f'"row {i}"' for i in range(3000))
    query = f"SELECT ?n WHERE {{ VALUES ?n {{ {values} }} }}"
    store = ox.Store()
    with pytest.raises(TooManyRows):
        select_answer(fmt, store.query(query), lambda: store.query(query), 2999)
    assert select_answer(fmt, store.query(query), lambda: store.query(query), 3000).count(b"row ") == 3000


def test_a_query_worker_loads_the_guards_parser_as_it_starts(build):
    """The first query naming FROM or SERVICE (prov:wasDerivedFrom is enough) would otherwise pay
    for importing rdflib's SPARQL parser, about half a second, in every new worker."""
    import subprocess
    import sys

    script = (
        "import sys, threading\n"
        "from neaspec_kg.store.worker import Worker\n"
        "assert 'rdflib.plugins.sparql.parser' not in sys.modules\n"
        f"Worker({str(build / 'store')!r}, None, {{}})\n"
        "for t in threading.enumerate():\n"
        "    if t.name == 'guard-warm-up':\n"
        "        t.join(60)\n"
        "print('rdflib.plugins.sparql.parser' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "True"
