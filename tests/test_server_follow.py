"""A running server takes up a new build of build/current without a restart, and keeps
answering from the old one when the new one cannot be served (neaspec_kg.serve.state)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ServerProcess, answers_health, make_build, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
EXTRA = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/neaspec/graph/extra> {
  <https://w3id.org/neaspec/id/state/xx> rdfs:label "Added by the second build"@en .
  <https://w3id.org/neaspec/id/state/yy> rdfs:label "Also added"@en .
}
"""


def _count(url: str) -> int:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"},
                  timeout=10)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _release(url: str) -> str:
    return httpx.get(url + "/health", timeout=10).json()["release"]


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (web processes, their query workers, helpers)."""
    found, todo = [], [pid]
    while todo and len(found) < 200:
        out = subprocess.run(["pgrep", "-P", str(todo.pop())], capture_output=True, text=True).stdout
        children = [int(p) for p in out.split()]
        found += children
        todo += children
    return found


class Asking:
    """A client asking all along, a new connection each time (as a script without a session
    does); ``answers`` holds each status code, or the error a request ended with."""

    def __init__(self, url: str, keep_alive: bool = False):
        self.url, self.answers, self.done = url, [], threading.Event()
        self.keep_alive = keep_alive
        self.thread = threading.Thread(target=self._ask)

    def _ask(self) -> None:
        client = httpx.Client(timeout=10) if self.keep_alive else None  # one connection, reused
        while not self.done.is_set() and len(self.answers) < 20_000:
            try:
                get = client.get if client else httpx.get
                self.answers.append(get(self.url + "/sparql", params={"query": COUNT}, timeout=10).status_code)
            except httpx.HTTPError as exc:
                self.answers.append(f"{type(exc).__name__}: {exc}")
        if client:
            client.close()

    def __enter__(self) -> Asking:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        # At least MIN_ANSWERS before it stops (bounded: 60 s), however slowly a busy machine answers.
        _wait_for(lambda: len(self.answers) >= MIN_ANSWERS, 60)
        self.done.set()
        self.thread.join(30)
        assert not self.thread.is_alive()

    def all_answered(self) -> bool:
        return len(self.answers) >= MIN_ANSWERS and set(self.answers) == {200}


MIN_ANSWERS = 11


@pytest.fixture
def site(tmp_path):
    env = prepare_site(tmp_path / "site", [FIXTURES / "server_dataset.trig"])
    return env, Path(env["NEASPEC_KG_BUILD_DIR"])


def test_a_new_build_is_taken_up_while_clients_are_answered(site, tmp_path):
    env, build_dir = site
    extra = tmp_path / "extra.trig"
    extra.write_text(EXTRA, encoding="utf-8")
    with ServerProcess(env={**env, "NEASPEC_KG_WEB_WORKERS": "2"}) as server:
        first, before = _release(server.url), _count(server.url)
        with Asking(server.url) as asking, Asking(server.url, keep_alive=True) as kept:
            time.sleep(0.5)
            make_build([FIXTURES / "server_dataset.trig", extra], build_dir)
            assert _wait_for(lambda: server.peek_log().count(b"now serving release") == 2, 60), \
                "the new build was not taken up by both web processes"
            time.sleep(0.5)
        # every web process answers from the new release (new connections reach either)
        assert {_release(server.url) for _ in range(20)} == {_release(server.url)} != {first}
        assert _count(server.url) == before + 2
        assert asking.all_answered(), f"answers during the switch: {sorted(set(map(str, asking.answers)))}"
        assert kept.all_answered(), f"keep-alive answers during the switch: {sorted(set(map(str, kept.answers)))}"


def test_a_build_that_cannot_be_served_leaves_the_old_one_answering(site, tmp_path):
    env, build_dir = site
    with ServerProcess(env={**env, "NEASPEC_KG_WEB_WORKERS": "1"}) as server:
        first, before = _release(server.url), _count(server.url)
        broken = build_dir / "builds" / "broken"
        (broken / "store").mkdir(parents=True)  # a store folder oxigraph cannot open
        (broken / "build.json").write_text('{"release": "broken"}')
        with Asking(server.url) as asking:
            (build_dir / "current").unlink()
            (build_dir / "current").symlink_to(Path("builds") / "broken")
            assert _wait_for(lambda: b"cannot be served" in server.peek_log(), 30)
            time.sleep(1.5)  # looked at again (every second), and left alone
        assert _release(server.url) == first and _count(server.url) == before
        assert asking.all_answered(), f"answers while the bad build was tried: {sorted(set(map(str, asking.answers)))}"
        assert server.peek_log().count(b"cannot be served") == 1
        # The same folder built again, properly this time, is tried again.
        extra = tmp_path / "extra.trig"
        extra.write_text(EXTRA, encoding="utf-8")
        shutil.rmtree(broken / "store")
        make_build([FIXTURES / "server_dataset.trig", extra], build_dir, release="broken")
        assert _wait_for(lambda: _release(server.url) == "broken", 60)
        assert _count(server.url) == before + 2


@pytest.mark.parametrize("web_workers", ["1", "2"])
def test_no_process_outlives_a_killed_server(site, web_workers):
    env, _ = site
    with ServerProcess(env={**env, "NEASPEC_KG_WEB_WORKERS": web_workers, "NEASPEC_KG_QUERY_WORKERS": "2"}) as server:
        assert _count(server.url) > 0  # the query workers are up
        web = _descendants(server.process.pid)
        assert len(web) >= 2
        server.process.kill()
        server.process.wait(10)

        def gone() -> bool:
            return not any(Path(f"/proc/{pid}").exists() and b"zombie" not in _status(pid) for pid in web)

        assert _wait_for(gone, 15), "processes outlived the killed server"
        assert not answers_health(server.port), "the port still answers"


@pytest.mark.parametrize(("sig", "web_workers"), [(signal.SIGINT, "1"), (signal.SIGTERM, "1"), (signal.SIGINT, "2")])
def test_a_server_whose_process_group_is_signalled_stops_cleanly(site, sig, web_workers):
    """Ctrl-C on `make serve`, `systemctl stop` (its default kill mode) and `timeout` signal
    every process of the server at once: it stops as the signal asks (uvicorn ends by the same
    signal once it shut down), every process of it ends, and it logs no worker crash. Signalled
    as soon as every query worker is up, while the pages are still being made ahead."""
    env, _ = site
    env = {**env, "NEASPEC_KG_WEB_WORKERS": web_workers, "NEASPEC_KG_QUERY_WORKERS": "2", "NEASPEC_KG_WARM_PAGES": "true"}
    with ServerProcess(env=env) as server:
        def workers() -> list[int]:
            return [pid for pid in _descendants(server.process.pid) if b"neaspec_kg.store.worker" in _cmdline(pid)]

        assert _wait_for(lambda: len(workers()) == 2 * int(web_workers), 60)
        everyone = _descendants(server.process.pid)
        os.killpg(server.process.pid, sig)
        assert server.process.wait(30) in (0, -sig)
        assert _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() and b"zombie" not in _status(pid)
                                         for pid in everyone), 15)
        server.stop()  # its log read to the end
        log = server.log.decode(errors="replace")
        for crash in ("Traceback", "KeyboardInterrupt", "ended while answering", "ended as it started", "not made ahead"):
            assert crash not in log, log


ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.mark.parametrize(("grace", "signals"), [("1", [signal.SIGTERM]), ("60", [signal.SIGINT, signal.SIGINT])])
def test_a_query_still_running_when_the_server_stops_gets_a_503_to_retry(site, grace, signals):
    """Past its grace time, or at a second Ctrl-C, a stopping server cuts off the requests still
    running: the client is told to try again (503, which docs/deploy/nginx.conf retries on another
    replica), not a 500, and the log shows no traceback (uvicorn's, or Starlette's failed shutdown)."""
    env, _ = site
    env = {**env, "NEASPEC_KG_WEB_WORKERS": "1", "NEASPEC_KG_QUERY_WORKERS": "1", "NEASPEC_KG_WARM_PAGES": "false",
           "NEASPEC_KG_STORE_IN_MEMORY": "false", "NEASPEC_KG_SHUTDOWN_GRACE_S": grace}
    with ServerProcess(env=env) as server:
        assert _count(server.url) > 0
        worker = next(pid for pid in _descendants(server.process.pid) if b"neaspec_kg.store.worker" in _cmdline(pid))
        idle = _cpu_ticks(worker)
        replies: list[httpx.Response | Exception] = []

        def ask() -> None:
            try:
                replies.append(httpx.post(server.url + "/sparql", data={"query": ENDLESS}, timeout=60))
            except httpx.HTTPError as exc:
                replies.append(exc)

        asking = threading.Thread(target=ask)
        asking.start()
        assert _wait_for(lambda: _cpu_ticks(worker) > idle + 20, 30), "the query never ran"
        for sig in signals:
            server.process.send_signal(sig)
            time.sleep(0.5)
        asking.join(60)
        assert server.process.wait(30) in (0, -signals[-1])
        assert _wait_for(lambda: not Path(f"/proc/{worker}").exists() or b"zombie" in _status(worker), 15)
        server.stop()
    reply = replies[0]
    assert isinstance(reply, httpx.Response), reply
    assert reply.status_code == 503 and reply.headers["retry-after"] == "1", (reply.status_code, reply.text)
    assert "stopping" in reply.text
    assert "Traceback" not in server.log.decode(errors="replace")


def _cpu_ticks(pid: int) -> int:
    """User and system CPU time of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _status(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes().lower()
    except OSError:
        return b"zombie"


def test_a_server_on_an_explicit_store_stays_on_it(site, tmp_path):
    env, build_dir = site
    store = (build_dir / "current" / "store").resolve()
    with ServerProcess(store=store, env=env) as server:
        first = _release(server.url)
        extra = tmp_path / "extra.trig"
        extra.write_text(EXTRA, encoding="utf-8")
        make_build([FIXTURES / "server_dataset.trig", extra], build_dir)
        time.sleep(3)
        assert _release(server.url) == first
