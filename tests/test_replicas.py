"""Many readers (docs/deploy.md): identical read-only servers of one release behind nginx, and a
blue/green switch to a new release under load with no failed request.

Real parts: two `neaspec-kg serve --store` replicas per colour on loopback ports, Debian's nginx
(installed by scripts/system-deps.sh) in front with the configuration the deploy guide gives,
a client load bounded in count and time.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from neaspec_kg.serve.testing import ClientLoad, ServerProcess, free_port, make_build

FIXTURES = Path(__file__).parent / "fixtures"
DEPLOY = Path(__file__).resolve().parent.parent / "docs" / "deploy"
EXTRA = """<https://w3id.org/neaspec/graph/extra> {
  <https://w3id.org/neaspec/id/state/xx> <http://www.w3.org/2000/01/rdf-schema#label> "Added by the green release"@en .
}
"""
EXAMPLE_ADDRESSES = ["10.0.0.11:8000", "10.0.0.12:8000", "10.0.0.21:8000", "10.0.0.22:8000"]  # blue, then green
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                                reason="nginx (Debian nginx-light) is not installed: make test installs it")


class Nginx:
    """nginx in the foreground with the deploy guide's configuration, on loopback."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        (folder / "logs").mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def write(self, blue: list[int], green: list[int]) -> None:
        text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
        for example, port in zip(EXAMPLE_ADDRESSES, blue + green, strict=True):
            assert f"server {example} " in text, example
            text = text.replace(f"server {example} ", f"server 127.0.0.1:{port} ")
        text = (text.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
                .replace("/var/run/nginx.pid", str(self.folder / "nginx.pid")))
        (self.folder / "nginx.conf").write_text(text, encoding="utf-8")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [_nginx(), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-e", str(self.folder / "logs" / "error.log"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start:\n" + (self.folder / "logs" / "error.log").read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _nginx() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _replicas(store: Path, env: dict[str, str], n: int) -> list[ServerProcess]:
    return [ServerProcess(store=store, env=env).start() for _ in range(n)]


def test_blue_green_switch_behind_nginx_fails_no_request(tmp_path):
    """The balancer's configuration never changes: blue ports are its primary servers, green ports
    its backups. Green starts on the new release; blue stops; every request that would have
    reached a stopping blue replica is passed to green (proxy_next_upstream). No client
    connection is ever closed, so no client sees a failure."""
    build_dir = tmp_path / "build"
    blue = make_build([FIXTURES / "server_dataset.trig"], build_dir)
    extra = tmp_path / "extra.trig"
    extra.write_text(EXTRA, encoding="utf-8")
    green = make_build([FIXTURES / "server_dataset.trig", extra], build_dir)
    env = {"NEASPEC_KG_BUILD_DIR": str(build_dir), "NEASPEC_KG_QUERY_WORKERS": "1"}
    nginx = Nginx(tmp_path / "nginx", free_port())
    blues = _replicas(blue / "store", env, 2)
    green_ports = [free_port(), free_port()]
    greens: list[ServerProcess] = []
    try:
        nginx.write([s.port for s in blues], green_ports)
        nginx.start()
        url = f"http://127.0.0.1:{nginx.port}"
        assert httpx.get(url + "/health", timeout=30).json()["release"] == blue.name
        with ClientLoad(url, COUNT) as load:
            time.sleep(1)
            # A 503 of every blue replica (these builds have no search index) passes the request on to
            # green, stopped: nginx must not hold that against the replicas (it once marked them all
            # down for 2 s, and the switch that followed failed requests with "no live upstreams").
            assert httpx.get(url + "/search", params={"q": "x"}, timeout=30).status_code == 502
            greens = [ServerProcess(store=green / "store", env=env, port=p).start() for p in green_ports]
            assert {httpx.get(s.url + "/health", timeout=30).json()["release"] for s in greens} == {green.name}
            assert httpx.get(url + "/health", timeout=30).json()["release"] == blue.name  # green waits as backup
            assert httpx.get(url + "/search", params={"q": "x"}, timeout=30).status_code == 503
            for s in blues:
                s.stop()
            time.sleep(1)
        failed = [r for r in load.results if r != 200]
        assert len(load.results) > 50
        assert failed == [], f"{len(failed)} of {len(load.results)} requests failed: {sorted(set(map(str, failed)))[:5]}"
        assert {httpx.get(url + "/health", timeout=30).json()["release"] for _ in range(10)} == {green.name}
    finally:
        nginx.stop()
        for s in blues + greens:
            s.stop()
