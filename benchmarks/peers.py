"""The engines under test, each started on 127.0.0.1 (a free port), one at a time.

* ``neaspec-kg``      our server: ``neaspec-kg serve --store <scale>/store`` (answer cache off unless asked)
* ``oxigraph``        Oxigraph's own server (PyPI ``oxigraph``): ``serve-read-only`` on a store made
                      by its bulk loader (``oxigraph load``) from ``peers.nq``
* ``virtuoso``        Virtuoso Open Source 7 (Debian): an ini of our own in ``work/`` bound to
                      127.0.0.1, ``ResultSetMaxRows``/``MaxQueryExecutionTime`` lifted, data loaded
                      with ``ld_dir``/``rdf_loader_run``; queried by form POST with
                      ``default-graph-uri`` = the union graph (7.2.5 hangs on direct POST)
* ``rdflib-endpoint`` (PyPI) its own CLI on ``dataset.nq`` (an rdflib Dataset with default union)
* ``floor``           a constant-answer FastAPI route on the same uvicorn stack as ours (HTTP floor)

The in-process engine (no HTTP) is not a server: see ``run.py``. Each running peer records its
start-up (spawn until the first correct answer) and the peak RSS of its process tree.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PROJECT_BIN = REPO / ".venv" / "bin"
PEERS_BIN = HERE / "work" / "venv" / "bin"
UNION_GRAPH = "urn:neaspec-bench:union"
READY_QUERY = "ASK { ?s ?p ?o }"
UNCACHED_QUERY = "ASK { FILTER(RAND() >= 0) }"  # never answered from our answer cache
READY_LIMIT_S = 900.0


class PeerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- memory of a process tree ------------------------------------------------------------------------
def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class RssSampler:
    """Peak RSS (sum over the process tree), sampled every 0.2 s in a thread."""

    def __init__(self, pid: int, every_s: float = 0.2):
        self.pid, self.every = pid, every_s
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(5)
        return self.peak_kb / 1024


# --- a tiny keep-alive SPARQL client (stdlib, low overhead) ----------------------------------------
ACCEPT = {"SELECT": "application/sparql-results+json", "ASK": "application/sparql-results+json",
          "GRAPH": "application/n-triples"}


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]


class Client:
    def __init__(self, host: str, port: int, path: str, extra: dict[str, str] | None = None, timeout: float = 300):
        self.host, self.port, self.path, self.extra, self.timeout = host, port, path, extra or {}, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def form(self, query: str) -> bytes:
        return urlencode({"query": query, **self.extra}).encode()

    def post(self, query: str, accept: str) -> Reply:
        body = self.form(query)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        for attempt in (1, 2):
            try:
                self.conn.request("POST", self.path, body, headers)
                resp = self.conn.getresponse()
                data = resp.read()
                return Reply(resp.status, data, {k.lower(): v for k, v in resp.getheaders()})
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


# --- running peers -------------------------------------------------------------------------------------
@dataclass
class Running:
    name: str
    port: int
    path: str
    process: subprocess.Popen | None
    startup_s: float
    sampler: RssSampler | None
    extra_form: dict[str, str] = field(default_factory=dict)
    log: Path | None = None
    stop_hook: object = None
    warm_s: float | None = None  # ours: until every query worker answers from memory

    def client(self, timeout: float = 300) -> Client:
        return Client("127.0.0.1", self.port, self.path, self.extra_form, timeout)

    def stop(self) -> float:
        """Stop the peer; returns its peak RSS in MiB (plus what a stop hook returns: the store
        behind a server in backend mode)."""
        peak = self.sampler.stop() if self.sampler else 0.0
        if callable(self.stop_hook):
            with contextlib.suppress(Exception):
                extra = self.stop_hook()
                peak += extra if isinstance(extra, float) else 0.0
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        return peak


def _spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)


def _wait_ready(name: str, process: subprocess.Popen, port: int, path: str, extra: dict[str, str],
                started: float, log: Path, limit_s: float = READY_LIMIT_S) -> float:
    """Seconds from spawn until the endpoint answers an ASK correctly (polled every 20 ms)."""
    deadline = started + limit_s
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise PeerError(f"{name} exited with {process.returncode} before it was ready; see {log}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            c = Client("127.0.0.1", port, path, extra, timeout=5)
            try:
                r = c.post(READY_QUERY, ACCEPT["ASK"])
            finally:
                c.close()
            if r.status == 200 and b"true" in r.body:
                return time.perf_counter() - started
        time.sleep(0.02)
    raise PeerError(f"{name} was not ready within {limit_s:.0f} s; see {log}")


class Peer:
    name = "peer"
    path = "/sparql"

    def available(self) -> str | None:
        """None when the peer can run here, else why not."""
        return None

    def prepare(self, scale, say=print) -> None:
        """Load the scale's data the peer's own way (cached under the scale's folder)."""

    def command(self, scale, port: int) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def extra_form(self) -> dict[str, str]:
        return {}

    def start(self, scale, say=print) -> Running:
        port = free_port()
        cmd, env = self.command(scale, port)
        return self._launch(cmd, port, scale.folder / "logs" / f"{self.name}.log", env=env)

    def _launch(self, cmd: list[str], port: int, log: Path, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> Running:
        """Spawn, sample memory, wait until it answers; a peer that never gets ready is stopped."""
        started = time.perf_counter()
        process = _spawn(cmd, log, env, cwd=cwd)
        sampler = RssSampler(process.pid)
        try:
            ready = _wait_ready(self.name, process, port, self.path, self.extra_form(), started, log)
        except BaseException:
            Running(self.name, port, self.path, process, 0, sampler).stop()
            raise
        return Running(self.name, port, self.path, process, ready, sampler, self.extra_form(), log)


class Ours(Peer):
    name = "neaspec-kg"

    def __init__(self, cache_bytes: int = 0, label: str | None = None):
        self.cache_bytes = cache_bytes
        if label:
            self.name = label

    def command(self, scale, port):
        env = {"NEASPEC_KG_ANSWER_CACHE_BYTES": str(self.cache_bytes), "NEASPEC_KG_QUERY_TIMEOUT": "300"}
        return [str(PROJECT_BIN / "neaspec-kg"), "serve", "--host", "127.0.0.1", "--port", str(port),
                "--store", str(scale.store)], env

    def start(self, scale, say=print) -> Running:
        """Ready when it answers (from the on-disk store); then wait until every query worker
        answers from its copy in memory and the pages are made ahead (/health), so that the runs
        measure the steady state."""
        running = super().start(scale, say)
        started, deadline = time.perf_counter(), time.perf_counter() + 120
        client = running.client(timeout=30)
        try:
            while time.perf_counter() < deadline:
                with contextlib.closing(http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)) as c:
                    c.request("GET", "/health")
                    health = json.loads(c.getresponse().read())
                if health.get("workers_in_memory", 0) >= health.get("workers", 0) and health.get("pages_ready", True):
                    running.warm_s = running.startup_s + time.perf_counter() - started
                    return running
                client.post(UNCACHED_QUERY, ACCEPT["ASK"])  # a worker answers it, whatever the cache
                time.sleep(0.05)
        finally:
            client.close()
        say(f"  {self.name}: query workers not answering from memory after 120 s; measuring anyway")
        return running


class OxigraphServer(Peer):
    name = "oxigraph"
    path = "/query"

    def available(self):
        return None if (PEERS_BIN / "oxigraph").exists() else "oxigraph CLI missing (benchmarks/setup.sh)"

    def location(self, scale) -> Path:
        return scale.folder / "oxigraph"

    def prepare(self, scale, say=print):
        done = self.location(scale) / ".loaded"
        if done.is_file():
            return
        shutil.rmtree(self.location(scale), ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([str(PEERS_BIN / "oxigraph"), "load", "--location", str(self.location(scale)),
                        "--file", str(scale.peers_nq)], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([str(PEERS_BIN / "oxigraph"), "optimize", "--location", str(self.location(scale))],
                       check=True, stdout=subprocess.DEVNULL)
        done.write_text(f"{time.perf_counter() - t:.1f}\n")
        say(f"  oxigraph: bulk-loaded {scale.peers_nq.name} in {time.perf_counter() - t:.0f} s")

    def command(self, scale, port):
        # No --timeout-s: with it, oxigraph 0.5.13 starts a "SPARQL evaluation timeout" thread per
        # query that lives for the whole timeout; under sustained load thread creation fails
        # ("Resource temporarily unavailable", HTTP 500) and the server then aborts.
        return [str(PEERS_BIN / "oxigraph"), "serve-read-only", "--location", str(self.location(scale)),
                "--bind", f"127.0.0.1:{port}"], {}


class RdflibEndpoint(Peer):
    name = "rdflib-endpoint"
    path = "/"

    def available(self):
        return None if (PEERS_BIN / "rdflib-endpoint").exists() else "rdflib-endpoint missing (benchmarks/setup.sh)"

    def command(self, scale, port):
        return [str(PEERS_BIN / "rdflib-endpoint"), "serve", str(scale.dataset), "--host", "127.0.0.1",
                "--port", str(port)], {}


class Floor(Peer):
    name = "floor"

    def command(self, scale, port):
        return [str(PROJECT_BIN / "python"), str(HERE / "floor.py"), "--port", str(port)], {}


VIRTUOSO_INI = """\
; Written by benchmarks/peers.py for one benchmark scale; loopback only.
[Database]
DatabaseFile        = {dir}/virtuoso.db
ErrorLogFile        = {dir}/virtuoso.log
LockFile            = {dir}/virtuoso.lck
TransactionFile     = {dir}/virtuoso.trx
xa_persistent_file  = {dir}/virtuoso.pxa
ErrorLogLevel       = 7
FileExtend          = 200
MaxCheckpointRemap  = 2000
Striping            = 0
TempStorage         = TempDatabase

[TempDatabase]
DatabaseFile        = {dir}/virtuoso-temp.db
TransactionFile     = {dir}/virtuoso-temp.trx
MaxCheckpointRemap  = 2000
Striping            = 0

[Parameters]
ServerPort          = 127.0.0.1:{sql_port}
LiteMode            = 0
DisableUnixSocket   = 1
DisableTcpSocket    = 0
MaxClientConnections = 64
CheckpointInterval  = 0
O_DIRECT            = 0
CaseMode            = 2
MaxStaticCursorRows = 5000
AllowOSCalls        = 0
DirsAllowed         = ., {data_dir}, /usr/share/virtuoso-opensource-7/vad
ThreadCleanupInterval = 0
ThreadThreshold     = 10
ResourcesCleanupInterval = 0
SingleCPU           = 0
VADInstallDir       = /usr/share/virtuoso-opensource-7/vad/
MaxMemPoolSize      = 200000000
MaxQueryMem         = 2G
VectorSize          = 1000
MaxVectorSize       = 1000000
AdjustVectorSize    = 0
ThreadsPerQuery     = 2
AsyncQueueMaxThreads = 10
; about 2.6 GB of 8 kB buffers: the 400x graph fits in memory
NumberOfBuffers     = 340000
MaxDirtyBuffers     = 250000

[HTTPServer]
ServerPort          = 127.0.0.1:{http_port}
ServerRoot          = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 48
DavRoot             = DAV
EnabledDavVSP       = 0
HTTPProxyEnabled    = 0
TempASPXDir         = 0
ServerThreads       = 48
MaxKeepAlives       = 48
KeepAliveTimeout    = 30
HTTPThreadSize      = 280000
HttpPrintWarningsInOutput = 0
Charset             = UTF-8
EnabledGzipContent  = 0

[Client]
SQL_PREFETCH_ROWS   = 100
SQL_PREFETCH_BYTES  = 16000
SQL_QUERY_TIMEOUT   = 0
SQL_TXN_TIMEOUT     = 0

[SPARQL]
; stock settings cap answers at 10,000 rows and return partial ("anytime") answers after 60 s
ResultSetMaxRows           = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
MaxSortedTopRows           = 100000000
DeferInferenceRulesInit    = 0
"""


class Virtuoso(Peer):
    name = "virtuoso"
    binary = "virtuoso-t"
    isql = "isql-vt"

    def available(self):
        missing = [b for b in (self.binary, self.isql) if not shutil.which(b)]
        return f"{', '.join(missing)} missing (benchmarks/setup.sh)" if missing else None

    def extra_form(self):
        return {"default-graph-uri": UNION_GRAPH}

    def folder(self, scale) -> Path:
        return scale.folder / "virtuoso"

    def _ini(self, scale, sql_port: int, http_port: int) -> Path:
        folder = self.folder(scale)
        folder.mkdir(parents=True, exist_ok=True)
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=folder, data_dir=scale.folder, sql_port=sql_port, http_port=http_port))
        return ini

    def _isql(self, port: int, sql: str, timeout: float) -> str:
        done = subprocess.run([self.isql, f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"], capture_output=True,
                              text=True, timeout=timeout, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise PeerError(f"virtuoso isql failed on {sql!r}: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    def prepare(self, scale, say=print):
        folder = self.folder(scale)
        if (folder / ".loaded").is_file():
            return
        shutil.rmtree(folder, ignore_errors=True)
        sql_port, http_port = free_port(), free_port()
        ini = self._ini(scale, sql_port, http_port)
        log = scale.folder / "logs" / "virtuoso-load.log"
        t = time.perf_counter()
        process = _spawn([self.binary, "-f", "-c", str(ini)], log, cwd=folder)
        running = Running("virtuoso-load", http_port, self.path, process, 0, None)
        try:
            self._wait_sql(sql_port, process, log)
            self._isql(sql_port, f"ld_dir('{scale.folder}', '{scale.peers_nq.name}', '{UNION_GRAPH}');", 60)
            self._isql(sql_port, "rdf_loader_run();", 3600)
            self._isql(sql_port, "checkpoint;", 600)
            out = self._isql(sql_port, "SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST;", 60)
            if "NULL" not in out.split("ll_error")[-1] and "ll_error" in out:
                say(f"  virtuoso: load list says {out.strip()[-300:]}")
        finally:
            with contextlib.suppress(Exception):
                self._isql(sql_port, "shutdown;", 120)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(120)
            running.stop()
        (folder / ".loaded").write_text(f"{time.perf_counter() - t:.1f}\n")
        say(f"  virtuoso: loaded {scale.peers_nq.name} with rdf_loader_run in {time.perf_counter() - t:.0f} s")

    def _wait_sql(self, port: int, process: subprocess.Popen, log: Path, limit_s: float = 300) -> None:
        deadline = time.perf_counter() + limit_s
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise PeerError(f"virtuoso exited with {process.returncode}; see {log}")
            with contextlib.suppress(socket.error), socket.create_connection(("127.0.0.1", port), timeout=1):
                try:
                    self._isql(port, "status();", 30)
                    return
                except (PeerError, subprocess.TimeoutExpired):
                    pass
            time.sleep(0.2)
        raise PeerError(f"virtuoso SQL port not ready within {limit_s:.0f} s; see {log}")

    def start(self, scale, say=print) -> Running:
        sql_port, port = free_port(), free_port()
        ini = self._ini(scale, sql_port, port)
        running = self._launch([self.binary, "-f", "-c", str(ini)], port, scale.folder / "logs" / "virtuoso.log",
                               cwd=self.folder(scale))
        running.stop_hook = lambda: self._isql(sql_port, "shutdown;", 120)
        return running


class OursOverVirtuoso(Virtuoso):
    """Our server in backend mode (`serve --backend`) in front of a Virtuoso into which
    `neaspec-kg load --into` loaded the scale's release; memory is both trees together."""

    name = "neaspec-kg+virtuoso"
    path = "/sparql"

    def extra_form(self):
        return {}

    def folder(self, scale) -> Path:
        return scale.folder / "virtuoso-backend"

    def prepare(self, scale, say=print):
        self.folder(scale).mkdir(parents=True, exist_ok=True)
        current = scale.folder / "backend-build" / "current"  # the build folder `load` reads
        if not current.exists():
            current.parent.mkdir(parents=True, exist_ok=True)
            current.symlink_to(scale.folder)

    def _env(self, scale, port: int) -> dict[str, str]:
        url = f"http://127.0.0.1:{port}"
        return {"NEASPEC_KG_BUILD_DIR": str(scale.folder / "backend-build"), "NEASPEC_KG_BACKEND_URL": url + "/sparql",
                "NEASPEC_KG_BACKEND_GSP_URL": url + "/sparql-graph-crud-auth",
                "NEASPEC_KG_BACKEND_UPDATE_URL": url + "/sparql-auth", "NEASPEC_KG_BACKEND_USER": "dba",
                "NEASPEC_KG_BACKEND_PASSWORD": "dba", "NEASPEC_KG_ANSWER_CACHE_BYTES": "0",
                "NEASPEC_KG_QUERY_TIMEOUT": "300"}

    def start(self, scale, say=print) -> Running:
        store = Virtuoso.start(self, scale, say)
        env = self._env(scale, store.port)
        loaded = self.folder(scale) / ".loaded"
        try:
            if not loaded.is_file():
                t = time.perf_counter()
                subprocess.run([str(PROJECT_BIN / "neaspec-kg"), "load", "--into", env["NEASPEC_KG_BACKEND_URL"]],
                               env={**os.environ, **env}, check=True, timeout=3600, stdout=subprocess.DEVNULL)
                loaded.write_text(f"{time.perf_counter() - t:.1f}\n")
                say(f"  {self.name}: load --into Virtuoso took {time.perf_counter() - t:.0f} s")
            port = free_port()
            cmd = [str(PROJECT_BIN / "neaspec-kg"), "serve", "--host", "127.0.0.1", "--port", str(port)]
            running = self._launch(cmd, port, scale.folder / "logs" / f"{self.name}.log", env=env)
        except BaseException:
            store.stop()
            raise
        running.startup_s += store.startup_s
        running.stop_hook = store.stop
        return running


PEERS = {"neaspec-kg": Ours, "oxigraph": OxigraphServer, "virtuoso": Virtuoso, "rdflib-endpoint": RdflibEndpoint,
         "floor": Floor, "neaspec-kg+virtuoso": OursOverVirtuoso}


if __name__ == "__main__":  # manual check: python benchmarks/peers.py <peer> <scale>
    sys.path.insert(0, str(HERE))
    from generate import ensure_scale

    peer = PEERS[sys.argv[1]]()
    scale = ensure_scale(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    peer.prepare(scale)
    run = peer.start(scale)
    print(json.dumps({"peer": peer.name, "port": run.port, "startup_s": round(run.startup_s, 3)}))
    c = run.client()
    r = c.post("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", ACCEPT["SELECT"])
    print(r.status, r.body[:300])
    c.close()
    print("peak MiB", run.stop())
