"""The store seam against a real existing store: Oxigraph server (PyPI `oxigraph`, test extra),
started on 127.0.0.1 by this module and stopped by pid. `neaspec-kg load --into` loads a build
and checks it; `neaspec-kg serve --backend` answers from it behind the same guard."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ServerProcess, free_port, make_build

FIXTURES = Path(__file__).parent / "fixtures"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
EXTRA = """<https://w3id.org/neaspec/graph/extra> {
  <https://w3id.org/neaspec/id/state/xx> <http://www.w3.org/2000/01/rdf-schema#label> "Added by the second release"@en .
}
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

pytestmark = pytest.mark.skipif(not OXIGRAPH.exists() and shutil.which("oxigraph") is None,
                                reason="the oxigraph server (PyPI 'oxigraph', in the test extra) is not installed")


def _start_oxigraph(location: Path) -> tuple[subprocess.Popen, str]:
    """Oxigraph server on a free loopback port, answering; another port if the one picked was
    taken first (by the other test process), and a failure, not a hang, if it never answers."""
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    for _ in range(3):
        port = free_port()
        process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=2)
                return process, url
            except httpx.HTTPError:
                time.sleep(0.1)
        process.kill()
        process.wait(15)
    pytest.fail(f"oxigraph server did not answer on a loopback port (store {location})")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    process, url = _start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "store")
    yield url
    process.terminate()
    process.wait(15)


def _env(url: str, build_dir: Path) -> dict[str, str]:
    return {"NEASPEC_KG_BUILD_DIR": str(build_dir), "NEASPEC_KG_BACKEND_URL": url + "/query",
            "NEASPEC_KG_BACKEND_GSP_URL": url + "/store", "NEASPEC_KG_BACKEND_UPDATE_URL": url + "/update",
            "NEASPEC_KG_FOLLOW_INTERVAL_S": "0.5"}


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neaspec_kg.cli", *args], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=300)


def _load(url: str, build_dir: Path) -> subprocess.CompletedProcess:
    return _cli("load", "--into", url + "/query", env=_env(url, build_dir))


@pytest.fixture(scope="module")
def loaded(oxigraph, tmp_path_factory):
    build_dir = tmp_path_factory.mktemp("build")
    target = make_build([FIXTURES / "server_dataset.trig"], build_dir)
    done = _load(oxigraph, build_dir)
    assert done.returncode == 0, done.stderr
    assert f"release {target.name}" in done.stdout and "checked" in done.stdout
    return build_dir, target


@pytest.fixture(scope="module")
def embedded(loaded):
    build_dir, target = loaded
    with ServerProcess(store=target / "store", env={"NEASPEC_KG_BUILD_DIR": str(build_dir)}) as srv:
        yield srv


@pytest.fixture(scope="module")
def backend(oxigraph, loaded):
    build_dir, _ = loaded
    with ServerProcess(env={**_env(oxigraph, build_dir), "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}) as srv:
        yield srv


@pytest.mark.parametrize(("query", "accept"), [
    (COUNT, "text/csv"),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", "text/csv"),
    ("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l", "application/sparql-results+json"),
    ("ASK { ?s a <https://w3id.org/neaspec/ontology#Meeting> }", "application/sparql-results+json"),
    ("DESCRIBE <https://w3id.org/neaspec/id/state/jp>", "application/n-triples"),
])
def test_the_backend_answers_as_the_embedded_store_does(embedded, backend, query, accept):
    ours = httpx.post(embedded.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
    theirs = httpx.post(backend.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
    assert ours.status_code == theirs.status_code == 200, theirs.text
    assert ours.headers["content-type"] == theirs.headers["content-type"]
    if accept == "application/n-triples":
        assert sorted(ours.text.splitlines()) == sorted(theirs.text.splitlines())
    else:
        assert ours.content == theirs.content


def test_pages_and_refusals_through_the_backend(backend):
    page = httpx.get(backend.url + "/id/state/jp", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "Japan" in page.text
    assert httpx.get(backend.url + "/id/state/nowhere", headers={"Accept": "text/turtle"},
                     timeout=30).status_code == 404
    update = httpx.post(backend.url + "/sparql", data={"query": "INSERT DATA { <a:a> <a:b> <a:c> }"}, timeout=30)
    assert update.status_code == 403 and "read-only" in update.text
    service = httpx.post(backend.url + "/sparql", data={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
                         timeout=30)
    assert service.status_code == 403
    health = httpx.get(backend.url + "/health", timeout=30).json()
    assert health["store"] == "remote"


def test_the_row_cap_holds_through_the_backend(oxigraph, loaded):
    build_dir, _ = loaded
    with ServerProcess(env={**_env(oxigraph, build_dir), "NEASPEC_KG_MAX_ROWS": "5"}) as srv:
        r = httpx.post(srv.url + "/sparql", data={"query": "SELECT * { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 400 and "more than 5 rows" in r.text


def test_a_new_load_switches_readers_and_a_failed_one_keeps_the_release(oxigraph, loaded, backend, tmp_path):
    build_dir, first = loaded
    before = httpx.post(backend.url + "/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30).text
    # A failed load: a Graph Store endpoint that is not there. The store keeps its release.
    env = {**_env(oxigraph, build_dir), "NEASPEC_KG_BACKEND_GSP_URL": oxigraph + "/no-such-endpoint",
           "NEASPEC_KG_BACKEND_PASSWORD": "s3cret-never-shown"}
    failed = _cli("load", "--into", oxigraph + "/query", env=env)
    assert failed.returncode == 1 and "previous release is left in place" in failed.stderr
    assert "s3cret-never-shown" not in failed.stderr + failed.stdout
    assert httpx.get(backend.url + "/health", timeout=30).json()["release"] == first.name
    # A second release, loaded: the running backend server takes it up.
    extra = tmp_path / "extra.trig"
    extra.write_text(EXTRA, encoding="utf-8")
    second = make_build([FIXTURES / "server_dataset.trig", extra], build_dir)
    done = _load(oxigraph, build_dir)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and httpx.get(backend.url + "/health",
                                                    timeout=30).json()["release"] != second.name:
        time.sleep(0.2)
    assert httpx.get(backend.url + "/health", timeout=30).json()["release"] == second.name
    after = httpx.post(backend.url + "/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30).text
    assert int(after.split()[-1]) == int(before.split()[-1]) + 1
    graphs = httpx.post(backend.url + "/sparql", data={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "text/csv"}, timeout=30).text
    assert "graph/extra" in graphs and "staging" not in graphs and "graph/serving" not in graphs


def test_serve_without_a_loaded_release_says_so(oxigraph, tmp_path):
    other, url = _start_oxigraph(tmp_path / "empty-store")
    try:
        run = _cli("serve", "--port", str(free_port()), "--backend", url + "/query", env={})
        assert run.returncode == 1 and "holds no release" in run.stderr and "Traceback" not in run.stderr
    finally:
        other.terminate()
        other.wait(15)


def test_a_dump_with_a_triple_on_two_lines_loads_and_counts_it_once(oxigraph, tmp_path):
    build_dir = tmp_path / "build"
    target = make_build([FIXTURES / "server_dataset.trig"], build_dir, release="twice0000001")
    dump = target / "dataset.nq"
    lines = dump.read_bytes().splitlines(keepends=True)
    dump.write_bytes(b"".join(lines + lines[: len(lines) // 2]))  # as concatenated per-session files have
    done = _load(oxigraph, build_dir)
    assert done.returncode == 0, done.stderr
    count = httpx.post(oxigraph + "/query", data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } "
                                                        "FILTER(!STRSTARTS(STR(?g), 'urn:') && !CONTAINS(STR(?g), '/graph/serving') "
                                                        "&& !CONTAINS(STR(?g), '/graph/default')) }"},
                       headers={"Accept": "text/csv"}, timeout=30).text
    assert f"{len(lines):,} triples" in done.stdout and int(count.split()[-1]) == len(lines)


FOUR_PATTERNS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # millions of rows, sent steadily


def test_an_answer_the_store_sends_steadily_is_cut_off_at_the_time_limit(oxigraph, loaded):
    """The time limit holds for the whole answer, not each read of it (rows arriving steadily used
    to be read for ever, into memory); and past the byte limit the answer is refused as it arrives."""
    build_dir, _ = loaded
    env = {**_env(oxigraph, build_dir), "NEASPEC_KG_MAX_ROWS": "1000000000", "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}
    with ServerProcess(env={**env, "NEASPEC_KG_QUERY_TIMEOUT": "1",
                            "NEASPEC_KG_BACKEND_MAX_ANSWER_BYTES": str(1 << 40)}) as srv:
        r = httpx.post(srv.url + "/sparql", data={"query": FOUR_PATTERNS}, timeout=30)
        assert r.status_code == 504 and "within 1 s" in r.text
        assert httpx.get(srv.url + "/health", timeout=30).json()["killed_queries"] == 1
        # A query the engine takes long to plan is checked in a worker process, stopped at the limit:
        # the web process answers others meanwhile (it once planned on its event loop, for minutes).
        slow = "SELECT * WHERE { " + " ".join(f"?s{n} <urn:p> ?o{n} ." for n in range(2000)) + " }"
        r = httpx.post(srv.url + "/sparql", data={"query": slow}, timeout=60)
        assert r.status_code == 504 and "checked within 1 s" in r.text, r.text
        assert httpx.get(srv.url + "/health", timeout=30).status_code == 200
    with ServerProcess(env={**env, "NEASPEC_KG_BACKEND_MAX_ANSWER_BYTES": "100000"}) as srv:
        r = httpx.post(srv.url + "/sparql", data={"query": FOUR_PATTERNS}, timeout=30)
        assert r.status_code == 400 and "larger than 100000 bytes" in r.text


@pytest.mark.parametrize("query", [
    "SELECT (<urn:my-function>(1) AS ?y) WHERE { }",  # a function the engine does not have
    "SELECT * WHERE { ?s ?p }",  # a syntax error, said as the embedded store says it
    'SELECT (xsd:integer("1") AS ?x) WHERE { }',  # an undeclared prefix
    "define input:default-graph-uri <urn:private> SELECT * WHERE { ?s ?p ?o }",  # Virtuoso's pragma
    "ASK { ?s ?p }",
])
def test_what_the_engine_refuses_the_backend_refuses_alike(embedded, backend, query):
    ours = httpx.post(embedded.url + "/sparql", data={"query": query}, timeout=30)
    theirs = httpx.post(backend.url + "/sparql", data={"query": query}, timeout=30)
    assert ours.status_code == theirs.status_code == 400 and ours.content == theirs.content, theirs.text


def test_a_whole_graph_search_and_health_through_the_backend(tmp_path):
    """A graph larger than one look-up (10,000 quads) is served whole; search answers from the
    build folder of the release loaded; /health says 503 once the store stops answering."""
    from neaspec_kg.search import build_search_index

    big = tmp_path / "big.nq"
    big.write_text("".join(f'<https://w3id.org/neaspec/id/x/{n}> <urn:p> "{n}" <https://w3id.org/neaspec/graph/big> .\n'
                           for n in range(10_050)), encoding="utf-8")
    build_dir = tmp_path / "build"
    target = make_build([FIXTURES / "server_dataset.trig", big], build_dir)
    build_search_index(target / "store", target / "search.sqlite")
    store, url = _start_oxigraph(tmp_path / "store")
    try:
        assert _load(url, build_dir).returncode == 0
        with ServerProcess(env=_env(url, build_dir)) as srv:
            graph = httpx.get(srv.url + "/graph/big", headers={"Accept": "application/n-triples"}, timeout=30)
            assert graph.status_code == 200 and len(graph.text.splitlines()) == 10_050
            # The graph's page lists the same first 500 resources as the embedded store's, and says so.
            with ServerProcess(store=target / "store", env={"NEASPEC_KG_BUILD_DIR": str(build_dir)}) as embedded:
                pages = [httpx.get(s.url + "/graph/big", headers={"Accept": "text/html"}, timeout=30).text
                         for s in (srv, embedded)]
            starts = [page.index("<h2>Resources described") for page in pages]
            lists = [page[start:page.index("</ul>", start)] for page, start in zip(pages, starts, strict=True)]
            assert lists[0] == lists[1] and "The first 500 in the order of their IRIs" in lists[0]
            assert lists[0].count("<li>") == 500 and 'href="/id/x/0"' in lists[0] and 'href="/id/x/9999"' not in lists[0]
            found = httpx.get(srv.url + "/api/search", params={"q": "Japan"}, timeout=30)
            assert found.status_code == 200 and found.json()["total"] >= 1, found.text
            assert httpx.get(srv.url + "/health", timeout=30).status_code == 200
            store.terminate()
            store.wait(15)
            health = httpx.get(srv.url + "/health", timeout=30)
            assert health.status_code == 503 and health.json()["status"] == "unavailable"
            assert "cannot answer" in health.json()["reason"]
    finally:
        store.kill()
        store.wait(15)


STAGED = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:neaspec-kg:staging:')) }"


def test_load_leaves_no_staged_graph_and_says_what_is_wrong_in_a_line(tmp_path):
    """Staged graphs left by a load that was killed or could not drop them go with the next load; a
    missing build, a password in the URL and options that exclude each other are said in a line."""
    store, url = _start_oxigraph(tmp_path / "store")
    try:
        build_dir = tmp_path / "build"
        release = make_build([FIXTURES / "server_dataset.trig"], build_dir).name
        left = httpx.put(url + "/store", params={"graph": f"urn:neaspec-kg:staging:{release}:urn:x"},
                         content=b"<urn:a> <urn:b> <urn:c> .", headers={"Content-Type": "application/n-triples"})
        assert left.status_code in (201, 204)
        failed = _cli("load", "--into", url + "/query",
                      env={**_env(url, build_dir), "NEASPEC_KG_BACKEND_UPDATE_URL": url + "/query"})  # no updates there
        assert failed.returncode == 1 and "Traceback" not in failed.stderr  # its staged graphs cannot be dropped
        assert _load(url, build_dir).returncode == 0  # drops them, and the one a killed load left
        staged = httpx.post(url + "/query", data={"query": STAGED}, headers={"Accept": "text/csv"}).text
        assert staged.split() == ["g"], staged
    finally:
        store.terminate()
        store.wait(15)
    nothing = _cli("load", "--into", url + "/query", env=_env(url, tmp_path / "no-build"))
    assert nothing.returncode == 1 and "no build to load" in nothing.stderr and "Traceback" not in nothing.stderr
    secret = _cli("load", "--into", f"http://dba:S3KRIT-pw@127.0.0.1:{free_port()}/query", env=_env(url, build_dir))
    assert secret.returncode == 1 and "cannot be reached" in secret.stderr and "S3KRIT" not in secret.stderr
    for args in (["--backend", ""], ["--backend", url + "/query", "--store", str(tmp_path / "store")]):
        run = _cli("serve", "--port", str(free_port()), *args, env={})
        assert run.returncode == 2 and "--backend" in run.stderr and "Traceback" not in run.stderr
