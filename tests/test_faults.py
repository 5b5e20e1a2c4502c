"""Faults under load: a killed query worker loses no request; a killed web process is replaced.

Real servers on loopback, clients bounded in count and time, processes found by their parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ServerProcess, prepare_site

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
    return [p for p in _children(web_pid) if "spawn_main" in _cmdline(p) and "resource_tracker" not in _cmdline(p)]


class Load:
    def __init__(self, url: str, clients: int, keep_alive: bool):
        self.url, self.keep_alive, self.results, self.done = url, keep_alive, [], threading.Event()
        self.threads = [threading.Thread(target=self._ask) for _ in range(clients)]

    def _ask(self) -> None:
        started = time.monotonic()
        client = httpx.Client(timeout=30) if self.keep_alive else None
        try:
            while not self.done.is_set() and len(self.results) < 20_000 and time.monotonic() - started < 90:
                try:
                    get = client.get if client else httpx.get
                    r = get(self.url + "/sparql", params={"query": QUERY}, timeout=30)
                    self.results.append(r.status_code)
                except httpx.HTTPError as exc:
                    self.results.append(f"{type(exc).__name__}: {exc}")
        finally:
            if client:
                client.close()

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for t in self.threads:
            t.join(60)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return prepare_site(tmp_path_factory.mktemp("faults"), [FIXTURES / "server_dataset.trig"])


def test_a_killed_query_worker_loses_no_request(site):
    with ServerProcess(env={**site, "NEASPEC_KG_QUERY_WORKERS": "2", "NEASPEC_KG_ANSWER_CACHE_BYTES": "0"}) as server:
        workers = _query_workers(server.process.pid)
        assert len(workers) == 2
        with Load(server.url, clients=4, keep_alive=True) as load:
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
        with Load(server.url, clients=4, keep_alive=False) as load:
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
