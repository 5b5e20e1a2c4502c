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
    env.update({"NEASPEC_KG_QUERY_TIMEOUT": "1.5", "NEASPEC_KG_MAX_REQUEST_BYTES": "20000"})
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
    assert r.status_code == 400 and "not a graph of this dataset" in r.text


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
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(http.get, "/sparql", params={"query": SLOW})
        time.sleep(0.3)
        fast_times = []
        for _ in range(5):
            t = time.monotonic()
            fast = http.get("/sparql", params={"query": "SELECT ?l { <https://w3id.org/neaspec/id/state/jp> "
                                                         "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"})
            fast_times.append(time.monotonic() - t)
            assert fast.status_code == 200 and "Japan" in fast.text
        r = slow.result(timeout=30)
    elapsed = time.monotonic() - started
    assert r.status_code == 504
    assert "1.5 s" in r.text and "stopped" in r.text
    assert elapsed < 10
    assert max(fast_times) < 1.0
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


def test_bounded_describe_is_recognised_only_without_where_or_dataset():
    """The fast path (no worker) is only for DESCRIBE of constant IRIs: bounded cost."""
    from neaspec_kg.serve.guard import is_bounded_describe

    assert is_bounded_describe("PREFIX neaid: <https://w3id.org/neaspec/id/>\nDESCRIBE neaid:x <https://a/b>")
    for unbounded in ("DESCRIBE ?s WHERE { ?s ?p ?o }", "DESCRIBE <a> WHERE { }",
                      "DESCRIBE <a> FROM <file:///etc/passwd>", "SELECT * { ?s ?p ?o }",
                      "DESCRIBE <a> SERVICE <http://127.0.0.1/> { }"):
        assert not is_bounded_describe(unbounded), unbounded


COLUMNAR_SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                 "FILTER(STRLEN(CONCAT(STR(?a), STR(?c), STR(?f), STR(?i))) > 0) }")  # ~1 s on the fixture


def test_columnar_engine_stops_at_the_time_limit(tmp_path):
    """A query the columnar engine runs in the web process is stopped at its deadline (504);
    the web process keeps answering others meanwhile."""
    env = prepare_site(tmp_path, [FIXTURES / "server_dataset.trig"])
    env.update({"NEASPEC_KG_QUERY_TIMEOUT": "0.3", "NEASPEC_KG_ENGINE": "columnar", "NEASPEC_KG_WEB_WORKERS": "1"})
    fast_query = "SELECT ?l { <https://w3id.org/neaspec/id/state/jp> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    with ServerProcess(env=env) as srv, httpx.Client(base_url=srv.url, timeout=20) as client, ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        slow = pool.submit(client.get, "/sparql", params={"query": COLUMNAR_SLOW})
        time.sleep(0.1)
        fast = client.get("/sparql", params={"query": fast_query})
        assert fast.status_code == 200 and "Japan" in fast.text
        r = slow.result(timeout=30)
        assert r.status_code == 504 and "0.3 s" in r.text and "stopped" in r.text
        assert time.monotonic() - started < 5
        assert client.get("/health").json()["killed_queries"] == 1


def test_cheap_oxigraph_queries_run_in_the_web_process_slow_ones_stay_killable(tmp_path):
    """A query the columnar engine declines goes to a worker process; once it has been answered
    there in under QueryRunner.INLINE_S, the web process answers it itself (the same answer). A
    query that outran the time limit is never run in the web process: it is stopped again."""
    env = prepare_site(tmp_path, [FIXTURES / "server_dataset.trig"])
    env.update({"NEASPEC_KG_QUERY_TIMEOUT": "1", "NEASPEC_KG_WEB_WORKERS": "1"})
    construct = "CONSTRUCT { ?s <http://example.org/label> ?l } WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    with ServerProcess(env=env) as srv, httpx.Client(base_url=srv.url, timeout=20) as client:
        before = client.get("/health").json()["worker_answers"]
        answers = [client.get("/sparql", params={"query": construct}, headers={"Accept": "application/n-triples"})
                   for _ in range(3)]
        assert [a.status_code for a in answers] == [200] * 3
        assert "Japan" in answers[0].text and answers[1].text == answers[0].text == answers[2].text
        assert client.get("/health").json()["worker_answers"] == before + 1
        for attempt in (1, 2):  # run in the web process, this one would hold it far past the limit
            started = time.monotonic()
            r = client.get("/sparql", params={"query": CONSTRUCT_SLOW})
            assert r.status_code == 504 and time.monotonic() - started < 5, r.text
            health = client.get("/health").json()
            assert health["killed_queries"] == attempt and health["worker_answers"] == before + 1


CONSTRUCT_SLOW = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?p ?q ?r }"
PUT_OFF_SLOW = ("SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                "FILTER(STRLEN(CONCAT(STR(?a), STR(?c), STR(?f), STR(?i))) > 0) } LIMIT 1")


def test_a_query_put_off_by_the_columnar_engine_is_first_evaluated_off_the_event_loop(tmp_path):
    """In auto mode a plain-looking query goes to oxigraph at its first sighting (fast here:
    LIMIT 1 streams) and to the columnar engine at its second, where this one takes about a
    second: that first columnar run has no cost on record, so it runs on a thread and the web
    process keeps answering meanwhile."""
    env = prepare_site(tmp_path, [FIXTURES / "server_dataset.trig"])
    env.update({"NEASPEC_KG_QUERY_TIMEOUT": "5", "NEASPEC_KG_WEB_WORKERS": "1"})
    fast_query = "SELECT ?l { <https://w3id.org/neaspec/id/state/jp> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    with ServerProcess(env=env) as srv, httpx.Client(base_url=srv.url, timeout=20) as client, \
            httpx.Client(base_url=srv.url, timeout=20) as other, ThreadPoolExecutor(1) as pool:
        assert client.get("/sparql", params={"query": PUT_OFF_SLOW}).status_code == 200
        assert other.get("/sparql", params={"query": fast_query}).status_code == 200
        slow = pool.submit(client.get, "/sparql", params={"query": PUT_OFF_SLOW})
        time.sleep(0.2)
        started = time.monotonic()
        fast = other.get("/sparql", params={"query": fast_query})
        waited = time.monotonic() - started
        assert fast.status_code == 200 and "Japan" in fast.text
        assert waited < 0.5, f"the fast query waited {waited:.2f} s behind the columnar one"
        assert not slow.done(), "the columnar run was expected to take about a second"
        assert slow.result(timeout=30).status_code in (200, 504)


def test_allowed_federated_queries_always_run_in_a_killable_worker(tmp_path):
    """A SERVICE call, when the allow-list opens it, is never answered in the web process, however
    fast the other endpoint was: its speed is not the server's to count on."""
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
            before = client.get("/health").json()["worker_answers"]
            for _ in range(6):  # the first calls take over 0.1 s (connecting); then about 1 ms
                r = client.get("/sparql", params={"query": f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"})
                assert r.status_code == 200 and "from afar" in r.text, r.text
            assert len(hits) == 6
            assert client.get("/health").json()["worker_answers"] == before + 6
    finally:
        remote.shutdown()


def test_a_query_stopped_on_the_event_loop_is_not_run_there_again(tmp_path):
    """A query that once ran fast (so it runs on the event loop) and is then stopped at the time
    limit loses its cost on record: its next run is off the event loop again."""
    import asyncio

    from neaspec_kg.serve.engine import QueryJob
    from neaspec_kg.serve.workers import QueryRunner, QueryTimeout, WorkerPool, _cost_key
    from neaspec_kg.vector import VectorEngine

    env = prepare_site(tmp_path, [FIXTURES / "server_dataset.trig"])
    store = Path(env["NEASPEC_KG_BUILD_DIR"]) / "current" / "store"
    runner = QueryRunner(WorkerPool(store, 1), VectorEngine.open(store, "columnar"))  # the pool is never started
    job = QueryJob(COLUMNAR_SLOW)
    runner._costs[_cost_key(job)] = 0.0  # as if it had been answered fast before
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        asyncio.run(runner.run(job, 0.2))
    assert time.monotonic() - started < 0.9  # stopped by the engine's own deadline check, on the loop
    assert _cost_key(job) not in runner._costs
