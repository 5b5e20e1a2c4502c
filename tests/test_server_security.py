"""Read-only and safe by default: no updates, no file reads, no network, bounded time and size."""

from __future__ import annotations

import http.server as http_server
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ServerProcess, free_port, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = prepare_site(tmp_path_factory.mktemp("site"), [FIXTURES / "server_dataset.trig"])
    # Two workers whatever the machine (the time-limit test needs one beside the stopped one); a limit
    # well above a cold worker's first query (about 0.5 s), which the slow query never meets.
    env.update({"NEASPEC_KG_QUERY_TIMEOUT": "4", "NEASPEC_KG_QUERY_WORKERS": "2",
                "NEASPEC_KG_MAX_REQUEST_BYTES": "20000"})
    with ServerProcess(env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=20) as client:
        yield client


@pytest.fixture()
def listener():
    """A loopback HTTP server that records every request it gets (it must get none)."""
    hits: list[str] = []

    class Handler(http_server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    srv = http_server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/sparql", hits
    srv.shutdown()


def test_from_file_is_refused(http):
    r = http.get("/sparql", params={"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"})
    assert r.status_code == 400
    assert "file:///etc/passwd" in r.text and "not a graph of this dataset" in r.text
    assert "root:" not in r.text
    r = http.get("/sparql", params={"query": "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert r.status_code == 400 and "FROM NAMED" in r.text
    r = http.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "file:///etc/passwd"})
    assert r.status_code == 400 and "default-graph-uri <file:///etc/passwd> is not a graph of this dataset" in r.text
    r = http.get("/sparql", params={"query": "ASK {}", "named-graph-uri": "http://127.0.0.1:1/g"})
    assert r.status_code == 400 and "named-graph-uri <http://127.0.0.1:1/g> is not a graph of this dataset" in r.text


def test_service_is_refused_and_never_called(http, listener):
    url, hits = listener
    for query in (
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",  # escapes are expanded before parsing
        f"PREFIX x: <{url}> SELECT * WHERE {{ service x: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER(?a<1)SERVICE?svc#>\n{{ }} VALUES ?svc {{ <{url}> }} }}",
    ):
        r = http.get("/sparql", params={"query": query})
        assert r.status_code == 403, (query, r.text)
        assert "SERVICE" in r.text
    time.sleep(0.2)
    assert hits == []


def test_words_service_and_from_in_literals_are_fine(http):
    r = http.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("service from the meeting" AS ?x) }'})
    assert r.status_code == 200 and "service from the meeting" in r.text


@pytest.mark.parametrize(
    "method,kwargs",
    [
        ("GET", {"params": {"update": "CLEAR ALL"}}),
        ("POST", {"data": {"update": "LOAD <file:///etc/passwd>"}}),
        ("POST", {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}),
        ("POST", {"data": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}),
        ("POST", {"content": "LOAD <file:///etc/passwd>", "headers": {"Content-Type": "application/sparql-query"}}),
    ],
)
def test_updates_are_refused(http, method, kwargs):
    r = http.request(method, "/sparql", **kwargs)
    assert r.status_code == 403
    assert "read-only" in r.text
    count = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert count.json()["results"]["bindings"][0]["n"]["value"] == "60"


def test_syntax_error_is_400_with_the_parser_message(http):
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "syntax error" in r.text and "1:" in r.text


def test_oversized_requests(http):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000
    r = http.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "20000 bytes" in r.text
    r = http.get("/sparql", params={"query": big})
    assert r.status_code == 414


def test_wrong_methods_and_media_types(http):
    assert http.put("/sparql", content="ASK {}").status_code == 405
    r = http.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/sparql-query" in r.text
    r = http.post("/sparql", content="ASK {}".encode("utf-16"),
                  headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert r.status_code == 415


def test_timeout_kills_the_query_and_others_are_served(http, server):
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(http.get, "/sparql", params={"query": SLOW})
        time.sleep(0.3)
        for _ in range(5):
            fast = http.get("/sparql", params={"query": "SELECT ?l { <https://w3id.org/neaspec/id/state/jp> "
                                                         "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"})
            assert fast.status_code == 200 and "Japan" in fast.text
        assert not slow.done(), "the slow query ended before the fast ones were answered beside it"
        r = slow.result(timeout=60)
    assert r.status_code == 504
    assert "4 s" in r.text and "stopped" in r.text
    health = http.get("/health").json()
    assert health["killed_queries"] >= 1
    # the pool is whole again: both workers answer
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answers = [http.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(4)]
        if answers == [200] * 4:
            break
        time.sleep(0.1)
    assert answers == [200] * 4


def test_allowed_federated_queries_are_answered(tmp_path):
    """A SERVICE call that the allow-list opens is made (to a loopback endpoint of the test), every time."""
    hits: list[str] = []

    class Endpoint(http_server.BaseHTTPRequestHandler):
        def _answer(self):
            hits.append(self.path)
            if self.command == "POST":
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"from afar"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args):
            pass

    remote = http_server.ThreadingHTTPServer(("127.0.0.1", free_port()), Endpoint)
    threading.Thread(target=remote.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{remote.server_address[1]}/sparql"
    env = prepare_site(tmp_path, [FIXTURES / "server_dataset.trig"])
    env.update({"NEASPEC_KG_SERVICE_ALLOW": url, "NEASPEC_KG_WEB_WORKERS": "1"})
    try:
        with ServerProcess(env=env) as srv, httpx.Client(base_url=srv.url, timeout=20) as client:
            for _ in range(6):  # the first calls take over 0.1 s (connecting); then about 1 ms
                r = client.get("/sparql", params={"query": f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"})
                assert r.status_code == 200 and "from afar" in r.text, r.text
            assert len(hits) == 6
    finally:
        remote.shutdown()


def test_a_query_checked_once_is_not_parsed_again():
    """The safety check parses a query naming FROM or SERVICE (even inside prov:wasDerivedFrom)
    with rdflib, 15-65 ms for the documented queries; a worker remembers the finding per text,
    and a refusal is never remembered as a pass."""
    from neaspec_kg.errors import QueryRefused
    from neaspec_kg.store import guard

    text = "SELECT ?d WHERE { ?d <http://www.w3.org/ns/prov#wasDerivedFrom> ?p }"
    assert guard.inspect(text) is guard.inspect(text)
    assert not guard.inspect(text).has_dataset and guard.inspect(text).services == []
    broken = "SELECT * FROM <g> WHERE { ?s ?p"
    for _ in range(2):
        with pytest.raises(QueryRefused, match="could not be verified"):
            guard.inspect(broken)
    # Long texts are checked anew (remembering them could hold gigabytes); the answer is the same.
    long = text + "\n" + "#" * guard.REMEMBERED_TEXT_CHARS
    assert guard.inspect(long) is not guard.inspect(long) and guard.inspect(long) == guard.inspect(text)


def test_the_shape_check_refuses_a_deep_query_every_time_it_comes():
    from neaspec_kg.errors import QueryTooLarge
    from neaspec_kg.store import guard

    deep = "SELECT * WHERE " + "{" * 70 + "}" * 70
    for _ in range(2):
        with pytest.raises(QueryTooLarge):
            guard.check_shape(deep, 64, 1000)
    guard.check_shape("SELECT * WHERE { ?s ?p ?o }", 64, 1000)


def test_the_safety_check_parses_on_two_threads_at_once_without_refusing_a_valid_query():
    """rdflib's parser is not thread-safe; the guard's parse runs beside the worker's warm-up."""
    from concurrent.futures import ThreadPoolExecutor

    from neaspec_kg.store import guard

    def check(n: int) -> list[str]:
        text = f"SELECT * FROM NAMED <urn:g{n}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} # {n}"
        return guard.inspect(text).from_named

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(check, range(200)))
    assert found == [[f"urn:g{n}"] for n in range(200)]
