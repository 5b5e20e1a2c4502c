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


def test_the_copy_in_memory_holds_exactly_the_quads_and_graphs_of_the_release(build):
    disk = ox.Store.read_only(str(build / "store"))
    memory = memory_copy(disk, build / "dataset.nq")
    assert set(memory) == set(disk)
    assert set(memory.named_graphs()) == set(disk.named_graphs())
    default = [q for q in memory.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    assert default, "the union of the named graphs is the default graph, as in the on-disk store"


def test_two_copies_and_the_store_hold_the_same_blank_nodes(build):
    disk = ox.Store.read_only(str(build / "store"))
    first, second = memory_copy(disk, build / "dataset.nq"), memory_copy(disk, build / "dataset.nq")
    assert any(isinstance(q.subject, ox.BlankNode) for q in disk)
    assert set(first) == set(second) == set(disk)


def test_a_store_whose_blank_nodes_differ_from_its_dump_is_not_copied(tmp_path, build):
    older = ox.Store(str(tmp_path / "older"))  # as older builds made it: bulk_load names blank nodes anew
    older.bulk_load(path=str(build / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    older.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    older.flush()
    with pytest.raises(MemoryCopyError, match="blank nodes are not the store's"):
        memory_copy(older, build / "dataset.nq")


def test_an_empty_named_graph_of_the_release_is_kept(tmp_path, build):
    writable = ox.Store(str(tmp_path / "copy"))
    writable.bulk_extend(ox.Store.read_only(str(build / "store")))
    writable.add_graph(ox.NamedNode(EMPTY_GRAPH))
    writable.flush()
    memory = memory_copy(writable, build / "dataset.nq")
    assert ox.NamedNode(EMPTY_GRAPH) in set(memory.named_graphs())


def test_a_dump_that_differs_from_the_store_is_refused_with_both_counts(build):
    dump = build / "dataset.nq"
    lines = dump.read_bytes().splitlines(keepends=True)
    dump.write_bytes(b"".join(lines[:-3]))
    with pytest.raises(MemoryCopyError, match=r"dataset\.nq: gives \d+ quads, the release's store holds \d+"):
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
        on_disk = [httpx.post(disk_only.url + "/sparql", data={"query": q}, headers={"Accept": "text/csv"}).content
                   for q in (COUNT, LIST_ITEMS)]
    with ServerProcess(store=build / "store", env=env) as server:
        health = _health_after_queries(server, until_in_memory=True)
        assert health["workers_in_memory"] == 2
        in_memory = [httpx.post(server.url + "/sparql", data={"query": q}, headers={"Accept": "text/csv"}).content
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
        on_disk = [httpx.get(disk_only.url + path, headers=html) for path in PAGES]
    with ServerProcess(store=build / "store", env=env) as server:
        assert _health_after_queries(server, until_in_memory=True)["workers_in_memory"] == 2
        in_memory = [httpx.get(server.url + path, headers=html) for path in PAGES]
    assert [r.status_code for r in on_disk] == [200] * len(PAGES)
    assert [r.content for r in in_memory] == [r.content for r in on_disk]
    assert b"Japan" in on_disk[3].content and b"SOM-27" in on_disk[2].content


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
