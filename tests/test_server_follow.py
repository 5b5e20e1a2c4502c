"""A running server takes up a new build of build/current without a restart, and keeps
answering from the old one when the new one cannot be served (neaspec_kg.serve.supervisor)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ServerProcess, make_build, prepare_site

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


def _web_processes(server: ServerProcess) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


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
        old_pids = set(_web_processes(server))
        assert len(old_pids) == 2
        statuses: list[int] = []
        done = threading.Event()

        def ask_all_along() -> None:  # a new connection each time, as a script without a session does
            while not done.is_set() and len(statuses) < 20_000:
                r = httpx.get(server.url + "/sparql", params={"query": COUNT}, timeout=10)
                statuses.append(r.status_code)

        client = threading.Thread(target=ask_all_along)
        client.start()
        try:
            time.sleep(0.5)
            make_build([FIXTURES / "server_dataset.trig", extra], build_dir)
            assert _wait_for(lambda: _release(server.url) != first, 60), "the new build was not taken up"
            time.sleep(0.5)
        finally:
            done.set()
            client.join(30)
        assert _count(server.url) == before + 2
        assert _wait_for(lambda: set(_web_processes(server)).isdisjoint(old_pids) and len(_web_processes(server)) == 2, 30), \
            "the old web processes were not stopped"
        assert len(statuses) > 10 and set(statuses) == {200}, f"answers during the switch: {sorted(set(statuses))}"
    assert b"now serving release" in server.log


def test_a_build_that_cannot_be_served_leaves_the_old_one_answering(site, tmp_path):
    env, build_dir = site
    with ServerProcess(env={**env, "NEASPEC_KG_WEB_WORKERS": "1"}) as server:
        first, before = _release(server.url), _count(server.url)
        broken = build_dir / "builds" / "broken"
        (broken / "store").mkdir(parents=True)  # a store folder oxigraph cannot open
        (build_dir / "current").unlink()
        (build_dir / "current").symlink_to(Path("builds") / "broken")
        time.sleep(4)  # the supervisor looks every second; the new web process fails at once
        assert _release(server.url) == first and _count(server.url) == before
        extra = tmp_path / "extra.trig"
        extra.write_text(EXTRA, encoding="utf-8")
        make_build([FIXTURES / "server_dataset.trig", extra], build_dir)  # a good build after the bad one
        assert _wait_for(lambda: _release(server.url) != first, 60)
        assert _count(server.url) == before + 2
    assert b"did not start" in server.log


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
