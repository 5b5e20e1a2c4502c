"""The remote store against a real Virtuoso Open Source 7 (Debian `virtuoso-opensource`, installed by
scripts/system-deps.sh), started on 127.0.0.1 with an ini of this module and stopped by pid:
`load --into` through its digest-authenticated Graph Store endpoint, then `serve --backend`
answers as the embedded store does."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ServerProcess, free_port, make_build

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "dba"  # Virtuoso's initial dba password, in a database made by this test alone
INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 8
[SPARQL]
; the stock settings cap answers at 10,000 rows and give partial answers after a time limit
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""

pytestmark = pytest.mark.skipif(shutil.which("virtuoso-t") is None,
                                reason="Virtuoso (Debian virtuoso-opensource) is not installed: make test installs it")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    (folder / "virtuoso.ini").write_text(INI.format(dir=folder, sql_port=free_port(), http_port=http_port))
    process = subprocess.Popen(["virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("Virtuoso did not start:\n" + (folder / "virtuoso.log").read_text(errors="replace")[-2000:])
    yield url
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _env(url: str, build_dir: Path, password: str = PASSWORD) -> dict[str, str]:
    return {"NEASPEC_KG_BUILD_DIR": str(build_dir), "NEASPEC_KG_BACKEND_URL": url + "/sparql",
            "NEASPEC_KG_BACKEND_GSP_URL": url + "/sparql-graph-crud-auth",
            "NEASPEC_KG_BACKEND_UPDATE_URL": url + "/sparql-auth",
            "NEASPEC_KG_BACKEND_USER": "dba", "NEASPEC_KG_BACKEND_PASSWORD": password}


def _load(env: dict[str, str]) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run([sys.executable, "-m", "neaspec_kg.cli", "load", "--into", env["NEASPEC_KG_BACKEND_URL"]],
                          env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=300)


def test_load_and_serve_from_virtuoso_as_from_the_embedded_store(virtuoso, tmp_path):
    build_dir = tmp_path / "build"
    (tmp_path / "blank.trig").write_text(BLANK_NODES)
    target = make_build([FIXTURES / "server_dataset.trig", tmp_path / "blank.trig"], build_dir)
    wrong = _load(_env(virtuoso, build_dir, password="not-the-password-xyz"))
    assert wrong.returncode == 1 and "credentials" in wrong.stderr
    assert "not-the-password-xyz" not in wrong.stderr + wrong.stdout
    done = _load(_env(virtuoso, build_dir))
    assert done.returncode == 0 and f"release {target.name}" in done.stdout, done.stderr
    queries = [("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv"),
               ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", "text/csv"),
               ("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l",
                "application/sparql-results+json")]
    with ServerProcess(store=target / "store", env={"NEASPEC_KG_BUILD_DIR": str(build_dir)}) as ours, \
            ServerProcess(env={**_env(virtuoso, build_dir), "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}) as backend:
        assert httpx.get(backend.url + "/health", timeout=30).json()["release"] == target.name
        for query, accept in queries:
            a = httpx.post(ours.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
            b = httpx.post(backend.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
            assert a.status_code == b.status_code == 200 and a.content == b.content, (query, b.text[:300])
        page = httpx.get(backend.url + "/id/state/jp", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "Japan" in page.text
        refused = httpx.post(backend.url + "/sparql", data={"query": "DROP GRAPH <https://w3id.org/neaspec/graph/x>"},
                             timeout=30)
        assert refused.status_code == 403
        _answers_as_the_embedded_store(ours, backend)
        _refuses_the_stores_own_extensions(ours, backend, virtuoso)


BLANK_NODES = """<https://w3id.org/neaspec/graph/blank> {
  <https://w3id.org/neaspec/id/state/jp> <https://w3id.org/neaspec/ontology#note> [ <https://w3id.org/neaspec/ontology#text> "a note"@en ] .
}
"""


def _answers_as_the_embedded_store(ours: ServerProcess, backend: ServerProcess) -> None:
    """Virtuoso's blank node labels (``nodeID://...``) and its ASK answers (a variable __ASK_RETVAL)
    are read as what they are; relative IRIs resolve against this server, not the store."""
    cases = [("ASK { ?s a <https://w3id.org/neaspec/ontology#Meeting> }", "application/sparql-results+json"),
             ("ASK { <urn:nothing> ?p ?o }", "application/sparql-results+json"),
             ("ASK { <urn:nothing> ?p ?o }", "application/sparql-results+xml"),
             ("SELECT ?l WHERE { ?s <https://w3id.org/neaspec/ontology#note> ?b . ?b ?p ?l FILTER(isBlank(?b)) }",
              "text/csv"),
             ("SELECT ?x WHERE { BIND(<relative> AS ?x) }", "text/csv")]
    for query, accept in cases:
        a = httpx.post(ours.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
        b = httpx.post(backend.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
        expected = a.content.replace(ours.url.encode(), backend.url.encode())  # each resolves against its own URL
        assert a.status_code == b.status_code == 200 and b.content == expected, (query, a.text[:300], b.text[:300])
    blank = httpx.post(backend.url + "/sparql", headers={"Accept": "application/sparql-results+json"}, timeout=30,
                       data={"query": "SELECT ?b WHERE { ?s <https://w3id.org/neaspec/ontology#note> ?b }"})
    assert blank.status_code == 200 and blank.json()["results"]["bindings"][0]["b"]["type"] == "bnode", blank.text
    for path in ("/", "/graph/blank", "/dataset"):
        page = httpx.get(backend.url + path, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200, (path, page.text[:300], backend.peek_log().decode()[-3000:])


def _refuses_the_stores_own_extensions(ours: ServerProcess, backend: ServerProcess, virtuoso: str) -> None:
    """A graph outside the release stays unread: Virtuoso's ``define`` pragmas and its functions
    (``bif:``) are refused as the embedded store refuses them, before the store sees them."""
    private = httpx.put(virtuoso + "/sparql-graph-crud-auth", params={"graph": "urn:private:hr"},
                        content=b'<urn:x:payroll> <urn:x:salary> "SECRET-4711" .',
                        headers={"Content-Type": "application/n-triples"}, auth=httpx.DigestAuth("dba", PASSWORD),
                        timeout=30)
    assert private.status_code in (200, 201, 204), private.text
    for query in ("define input:default-graph-uri <urn:private:hr> SELECT * WHERE { ?s <urn:x:salary> ?o }",
                  'PREFIX b: <bif:> SELECT (b:sys_stat("st_dbms_ver") AS ?v) WHERE { }',
                  'SELECT (<bif:sys_stat>("st_dbms_ver") AS ?v) WHERE { }'):
        a = httpx.post(ours.url + "/sparql", data={"query": query}, timeout=30)
        b = httpx.post(backend.url + "/sparql", data={"query": query}, timeout=30)
        assert a.status_code == b.status_code == 400 and a.content == b.content, (query, b.text[:300])
        assert "SECRET" not in b.text and "07.20" not in b.text
    # Forms the engine's planner accepts (it drops what it never evaluates; a prefix split off the
    # name) but that would run in the store: refused by reading the query's IRIs.
    for query in ('SELECT * WHERE { BIND(<bif:signal>("22023", <bif:sys_stat>("st_dbms_ver")) AS ?y) FILTER(?nope) }',
                  'PREFIX b: <bi> SELECT (b:f:sys_stat("st_dbms_ver") AS ?v) WHERE { FILTER(false) }',
                  'PREFIX bif: <bif:> SELECT * WHERE { ?s ?p ?o . ?o bif:contains "Japan" }'):
        b = httpx.post(backend.url + "/sparql", data={"query": query}, timeout=30)
        assert b.status_code == 400 and "one store's own" in b.text and "07.20" not in b.text, (query, b.text)
    # A query with a BASE of its own (Virtuoso takes one), and a comment inside its prologue.
    for query, accept in (("BASE <http://example.org/> SELECT (<x> AS ?i) WHERE { }", "text/csv"),
                          ("PREFIX # a comment\n x: <urn:x> ASK { }", "application/sparql-results+json")):
        a = httpx.post(ours.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
        b = httpx.post(backend.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)
        assert a.status_code == b.status_code == 200 and a.content == b.content, (query, b.text)
    # What the store cannot answer (the embedded store answers this with an unbound row) says why.
    failed = httpx.post(backend.url + "/sparql", data={"query": "SELECT (year(?nothing) AS ?y) WHERE { }"}, timeout=30)
    assert failed.status_code == 502 and "needs a datetime" in failed.text, failed.text
