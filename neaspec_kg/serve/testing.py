"""Helpers to run the real server in tests and benchmarks: a build folder from a TriG file,
and a ``neaspec-kg serve`` subprocess on a free loopback port with bounded start/stop waits.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from neaspec_kg.folders import swap_symlink
from neaspec_kg.store import write_store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def make_build(sources: list[Path], build_dir: Path, release: str | None = None) -> Path:
    """Write ``build_dir/builds/<release>/{store,dataset.nq,build.json}`` and the ``current`` link.

    Follows the build contract (the real build is ``neaspec_kg.build``); ``sources`` are TriG
    or N-Quads files, or N-Triples loaded into a graph named by ``<file>.graph`` beside them.
    """
    quads: list[ox.Quad] = []
    for path in sources:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        quads.extend(ox.parse(path=str(path), format=fmt))
    nq = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    release = release or hashlib.sha256(nq).hexdigest()[:12]
    target = build_dir / "builds" / release
    target.mkdir(parents=True, exist_ok=True)
    (target / "dataset.nq").write_bytes(nq)
    write_store(target / "dataset.nq", target / "store")
    graphs = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
    classes = Counter(q.object.value for q in quads if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode))
    info = {
        "release": release,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graphs": dict(graphs),
        "classes": dict(classes),
        "triples": len(quads),
        "warnings": [],
    }
    (target / "build.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    swap_symlink(build_dir / "current", target)
    return target


class _PortTaken(RuntimeError):
    """The server could not listen on its port: another process took it first."""


def free_port() -> int:
    """A loopback port free now, below the kernel's ephemeral range: a port from that range (what
    ``bind(0)`` gives) may be handed to another process, or to an outgoing connection, before the
    server started on it binds it; one below it only to a process that picks it as this does."""
    low = _ephemeral_low()
    for _ in range(200):
        port = random.randrange(10_000, low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # that range is full: any free port
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ephemeral_low() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32_768  # Linux's default
    return max(low, 10_001)


class ServerProcess:
    """``neaspec-kg serve`` in a subprocess (a session of its own); ``url`` once ``start()`` returns.

    Its output is read all along (``peek_log()``; ``log`` once stopped), so a talkative server
    never blocks on a full pipe."""

    def __init__(self, store: Path | None = None, env: dict[str, str] | None = None, port: int | None = None):
        self.store = store
        self.env = env or {}
        self._port_given = port is not None
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._stopped = False
        self._dist: str | None = None  # an empty dist/ of its own, unless the env names one
        self._output: list[bytes] = []
        self._reader: threading.Thread | None = None

    @property
    def log(self) -> bytes:
        return self.peek_log()

    def peek_log(self) -> bytes:
        return b"".join(list(self._output))

    def start(self, timeout_s: float = 30) -> ServerProcess:
        """Start the server and wait until it answers /health. A port picked here may be taken by
        another process (another test file) before the server binds it: then up to two other ports
        are tried."""
        for attempt in (1, 2, 3):
            try:
                return self._start(timeout_s)
            except _PortTaken:
                if self._port_given or attempt == 3:
                    raise
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"
        raise AssertionError("unreachable")

    def _start(self, timeout_s: float) -> ServerProcess:
        cmd = [sys.executable, "-m", "neaspec_kg.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.store is not None:
            cmd += ["--store", str(self.store)]
        # Pages are made when asked for unless a test asks for them ahead (NEASPEC_KG_WARM_PAGES);
        # the releases published in the checkout's dist/ are not this server's.
        if "NEASPEC_KG_DIST_DIR" not in self.env and self._dist is None:
            self._dist = tempfile.mkdtemp(prefix="neaspec-kg-test-dist-")
        dist = {"NEASPEC_KG_DIST_DIR": self._dist} if self._dist else {}
        env = {**os.environ, "NEASPEC_KG_WARM_PAGES": "false", **dist, **self.env}
        self._output = []
        self.process = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._stopped = False
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reader.join(5)
                log = self.log.decode(errors="replace")
                if "cannot listen on" in log or "address already in use" in log:  # ours, or uvicorn's
                    raise _PortTaken(log)
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{log}")
            if self._ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout_s} s:\n{self.log.decode(errors='replace')}")

    def _read(self, stream) -> None:
        for line in iter(stream.readline, b""):
            self._output.append(line)

    def _ready(self) -> bool:
        """Our server answers /health. Not before it said "serving" (its port check passed): until
        then a /health on the port would be another server's."""
        return any(line.startswith(b"serving ") for line in list(self._output)) and answers_health(self.port)

    def stop(self, timeout_s: float = 25) -> None:
        """SIGTERM, and after ``timeout_s`` (uvicorn allows requests under way 10 s)
        SIGKILL to the whole session, so that no process of the server is left behind."""
        if self.process is None or self._stopped:  # once: its process group id may be reused after
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the session is still there
        except ProcessLookupError:
            pass
        self.process.wait(10)
        self._stopped = True
        if self._reader is not None:
            self._reader.join(10)
        if self._dist is not None:
            shutil.rmtree(self._dist, ignore_errors=True)
            self._dist = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def answers_health(port: int) -> bool:
    """Some server on 127.0.0.1:``port`` answers /health with 200."""
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/health")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def prepare_site(tmp: Path, sources: list[Path], shapes: Path | None = None, queries: dict[str, str] | None = None) -> dict[str, str]:
    """A build plus a project root (ontology/, shapes/, queries/) in ``tmp``; returns the env to serve it.

    The ontology file is the ``graph/ontology`` graph of ``sources``, as the build would publish it.
    """
    build_dir = tmp / "build"
    target = make_build(sources, build_dir)
    root = tmp / "root"
    for name in ("ontology", "shapes", "queries", "data"):
        (root / name).mkdir(parents=True, exist_ok=True)
    store = ox.Store.read_only(str(target / "store"))
    base = os.environ.get("NEASPEC_KG_BASE_IRI", "https://w3id.org/neaspec/")
    ontology = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(base + "graph/ontology"))]
    if ontology:
        (root / "ontology" / "ontology.ttl").write_bytes(ox.serialize(ontology, format=ox.RdfFormat.TURTLE))
    if shapes is not None:
        (root / "shapes" / "shapes.ttl").write_bytes(shapes.read_bytes())
    for name, text in (queries or {}).items():
        (root / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
    return {"NEASPEC_KG_BUILD_DIR": str(build_dir), "NEASPEC_KG_ROOT": str(root)}


class ClientLoad:
    """``clients`` threads asking ``query`` of ``url``/sparql until stopped, bounded in count and
    time; ``results`` holds each status code, or the error a request ended with. With
    ``keep_alive`` each client reuses one connection (as a browser or a script with a session)."""

    def __init__(self, url: str, query: str, clients: int = 4, keep_alive: bool = True,
                 max_requests: int = 20_000, max_seconds: float = 120):
        import httpx

        self._httpx = httpx
        self.url, self.query, self.keep_alive = url, query, keep_alive
        self.max_requests, self.max_seconds = max_requests, max_seconds
        self.results: list = []
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._ask) for _ in range(clients)]

    def _ask(self) -> None:
        httpx = self._httpx
        started = time.monotonic()
        client = httpx.Client(timeout=30) if self.keep_alive else None
        try:
            while (not self.done.is_set() and len(self.results) < self.max_requests
                   and time.monotonic() - started < self.max_seconds):
                try:
                    get = client.get if client else httpx.get
                    self.results.append(get(self.url + "/sparql", params={"query": self.query}, timeout=30).status_code)
                except httpx.HTTPError as exc:
                    self.results.append(f"{type(exc).__name__}: {exc}")
        finally:
            if client:
                client.close()

    def failed(self) -> list:
        return [r for r in self.results if r != 200]

    def __enter__(self) -> ClientLoad:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for t in self.threads:
            t.join(60)
