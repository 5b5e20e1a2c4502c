"""Faults under load: a killed query worker loses no request; a killed web process is replaced.

Real servers on loopback, clients bounded in count and time, processes found by their parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from neaspec_kg.serve.testing import ClientLoad, ServerProcess, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"
# Slow enough (tens of ms on the fixture) that a worker is likely busy when it is killed.
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(?c != ?f) }"


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _query_workers(web_pid: int) -> list[int]:
    return [p for p in _children(web_pid) if "neaspec_kg.store.worker" in _cmdline(p) and "resource_tracker" not in _cmdline(p)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return prepare_site(tmp_path_factory.mktemp("faults"), [FIXTURES / "server_dataset.trig"])


def test_a_killed_query_worker_loses_no_request(site):
    with ServerProcess(env={**site, "NEASPEC_KG_QUERY_WORKERS": "2", "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}) as server:
        workers = _query_workers(server.process.pid)
        assert len(workers) == 2
        with ClientLoad(server.url, QUERY, clients=4, keep_alive=True) as load:
            time.sleep(1)
            os.kill(workers[0], signal.SIGKILL)
            time.sleep(2)
        assert len(load.results) > 20
        failed = [r for r in load.results if r != 200]
        assert failed == [], f"{len(failed)} of {len(load.results)} failed: {sorted(set(map(str, failed)))[:3]}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_query_workers(server.process.pid)) != 2:
            time.sleep(0.2)
        replaced = _query_workers(server.process.pid)
        assert len(replaced) == 2 and workers[0] not in replaced


def test_a_killed_web_process_is_replaced_and_the_others_keep_answering(site):
    with ServerProcess(env={**site, "NEASPEC_KG_WEB_WORKERS": "2", "NEASPEC_KG_QUERY_WORKERS": "1"}) as server:
        web = [p for p in _children(server.process.pid) if "resource_tracker" not in _cmdline(p)]
        assert len(web) == 2
        with ClientLoad(server.url, QUERY, clients=4, keep_alive=False) as load:
            time.sleep(1)
            os.kill(web[0], signal.SIGKILL)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                now = [p for p in _children(server.process.pid) if "resource_tracker" not in _cmdline(p)]
                if len(now) == 2 and web[0] not in now:
                    break
                time.sleep(0.2)
            assert web[0] not in now and len(now) == 2, "the killed web process was not replaced"
            settled = len(load.results)
            time.sleep(3)
        failed = [r for r in load.results if r != 200]
        # Only requests the killed process held can fail (one per client at most); none after that.
        assert len(failed) <= 4, sorted(set(map(str, failed)))[:3]
        assert all(r == 200 for r in load.results[settled + 4:])


def test_a_query_worker_killed_while_idle_does_not_stop_the_endpoint(site):
    """A worker that ends while idle (as under the out-of-memory killer) is replaced when the
    next query finds it ended, and the next queries are answered."""
    import httpx

    with ServerProcess(env={**site, "NEASPEC_KG_QUERY_WORKERS": "2", "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}) as server, \
            httpx.Client(base_url=server.url, timeout=60) as client:
        ask = {"query": "ASK { FILTER(RAND() >= 0) }"}
        assert client.post("/sparql", data=ask).status_code == 200
        os.kill(_query_workers(server.process.pid)[0], signal.SIGKILL)
        time.sleep(1)  # no query runs meanwhile: the worker was idle
        statuses = [client.post("/sparql", data=ask).status_code for _ in range(10)]
        health = client.get("/health").json()
    assert statuses == [200] * 10 and health["workers_replaced"] >= 1


def test_health_says_unavailable_while_no_query_worker_can_start(tmp_path):
    """A replica whose workers cannot start again (its release folder gone) answers every query
    503: its /health says so too (503, the reason), so a load balancer's check takes it out, and
    says ok again once workers start."""
    import shutil

    import httpx

    from neaspec_kg.serve.testing import make_build

    release = make_build([FIXTURES / "server_dataset.trig"], tmp_path / "build")
    with ServerProcess(store=release / "store", env={"NEASPEC_KG_BUILD_DIR": str(tmp_path / "build"),
                                                     "NEASPEC_KG_QUERY_WORKERS": "1"}) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/health").json()["status"] == "ok"
        moved = tmp_path / "moved"
        shutil.move(release, moved)
        for pid in _query_workers(server.process.pid):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (health := client.get("/health")).status_code == 200:
            time.sleep(0.2)
        assert health.status_code == 503 and health.json()["status"] == "unavailable", health.text
        assert "starts failed" in health.json()["reason"] and health.json()["workers_alive"] == 0
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 503
        log = server.peek_log().decode(errors="replace")
        assert "cannot open the release's store" in log and "Traceback" not in log, log[-2000:]
        shutil.move(moved, release)  # the folder is back: the next start (after its wait) succeeds
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (health := client.get("/health")).status_code == 503:
            time.sleep(0.3)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
