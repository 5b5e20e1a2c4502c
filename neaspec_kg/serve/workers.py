"""A small pool of query worker processes, each with the store open read-only.

oxigraph cannot cancel a running query, so every query runs in a worker process that the
server can kill when the wall-clock limit passes; a fresh worker replaces it in the
background while the other workers keep serving. The exchange with a worker is one framed
message each way over a Unix socket pair, read without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from neaspec_kg.serve import guard
from neaspec_kg.serve.engine import Answer, QueryJob
from neaspec_kg.serve.worker import FRAME

log = logging.getLogger("neaspec_kg.serve")


class QueryTimeout(RuntimeError):
    pass


class PoolBusy(RuntimeError):
    pass


class WorkerFailed(RuntimeError):
    pass


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    jobs: int = 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.writer.close()


def default_size() -> int:
    """Oxigraph workers per web process: two, so that one long query never holds up the rest
    (most queries are answered by the columnar engine in the web process itself)."""
    return 2


class WorkerPool:
    def __init__(self, store_path: Path, size: int, prefixes: dict[str, str] | None = None, start_timeout_s: float = 60):
        self.store_path = Path(store_path)
        self.size = size
        self.prefixes = prefixes or {}
        self.start_timeout_s = start_timeout_s
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._respawns: set[asyncio.Task] = set()
        self.killed = 0
        self.answered = 0  # jobs the workers answered (health)
        self.closed = False

    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for w in workers:
            self._idle.put_nowait(w)

    async def _spawn(self) -> _Worker:
        parent, child = socket.socketpair()
        cmd = [
            sys.executable, "-m", "neaspec_kg.serve.worker",
            "--fd", str(child.fileno()), "--store", str(self.store_path), "--prefixes", json.dumps(self.prefixes),
        ]
        env = dict(os.environ)
        process = subprocess.Popen(cmd, pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL)
        child.close()
        reader, writer = await asyncio.open_unix_connection(sock=parent, limit=1 << 20)
        worker = _Worker(process, reader, writer)
        try:
            header, _ = await asyncio.wait_for(_read_frame(reader), self.start_timeout_s)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            worker.kill()
            raise WorkerFailed(f"query worker did not start: {exc!r}") from exc
        if not header.get("ready"):
            worker.kill()
            raise WorkerFailed(f"query worker could not open the store: {header.get('error')}")
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        threading_wait(worker.process)
        if self.closed:
            return

        async def respawn() -> None:
            for attempt in range(3):
                try:
                    self._idle.put_nowait(await self._spawn())
                    return
                except WorkerFailed as exc:
                    log.error("respawn failed (attempt %d): %s", attempt + 1, exc)
                    await asyncio.sleep(0.5)

        task = asyncio.get_running_loop().create_task(respawn())
        self._respawns.add(task)
        task.add_done_callback(self._respawns.discard)

    async def run(self, job: QueryJob, timeout_s: float, limit_s: float | None = None) -> Answer:
        """Run ``job`` on an idle worker; ``timeout_s`` covers waiting for a worker and running
        (``limit_s``: the limit to name in the message, when part of it was spent elsewhere)."""
        limit_s = timeout_s if limit_s is None else limit_s
        deadline = time.monotonic() + timeout_s
        try:
            if self._idle.empty():
                worker = await asyncio.wait_for(self._idle.get(), timeout_s)
            else:
                worker = self._idle.get_nowait()
        except TimeoutError:
            raise PoolBusy(
                f"all {self.size} query workers stayed busy for {limit_s:g} s; try again later"
            ) from None
        return await self._exchange(worker, job, deadline, limit_s, counted=True)

    async def run_if_idle(self, job: QueryJob, timeout_s: float) -> Answer | None:
        """Run ``job`` on a worker that is idle now, else None at once (no waiting): for timing a
        query that has an answer elsewhere. A worker stopped at ``timeout_s`` is replaced but not
        counted in ``killed`` (no client's query was stopped)."""
        if self._idle.empty():
            return None
        return await self._exchange(self._idle.get_nowait(), job, time.monotonic() + timeout_s, timeout_s, counted=False)

    async def _exchange(self, worker: _Worker, job: QueryJob, deadline: float, limit_s: float, counted: bool) -> Answer:
        try:
            payload = json.dumps(job.to_dict()).encode()
            worker.writer.write(FRAME.pack(len(payload), 0) + payload)
            async with asyncio.timeout_at(asyncio.get_running_loop().time() + max(0.001, deadline - time.monotonic())):
                header, body = await _read_frame(worker.reader)
        except TimeoutError:
            if counted:
                self.killed += 1
            self._replace(worker)
            raise QueryTimeout(TIMEOUT_MESSAGE.format(limit=limit_s)) from None
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self._replace(worker)
            raise WorkerFailed(f"the query worker stopped unexpectedly ({exc!r})") from exc
        except BaseException:  # cancelled mid-exchange: the worker's state is unknown
            self._replace(worker)
            raise
        worker.jobs += 1
        self.answered += 1
        self._idle.put_nowait(worker)
        return Answer(
            status=header["status"], body=body, content_type=header["content_type"],
            format=header.get("format"), form=header.get("form"), cost_s=header.get("seconds"),
        )

    async def close(self) -> None:
        self.closed = True
        for task in list(self._respawns):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
            threading_wait(worker.process)
        self._all.clear()


TIMEOUT_MESSAGE = ("the query ran longer than the limit of {limit:g} s and was stopped; "
                   "narrow it (LIMIT, more specific patterns) or run it on the data dump")


class QueryRunner:
    """Where a query runs: the columnar engine in this process, else oxigraph, in a worker process
    (killed at the deadline). See neaspec_kg.vector for which queries are which.

    A query whose cost is unknown (first sighting in this process) or was over ``INLINE_S`` last
    time runs off the event loop: a columnar query on a small thread pool (the engine stops itself
    at the deadline), an oxigraph query in a worker process. A query that took less runs on the
    event loop, oxigraph's in this process's own read-only store: the same text on the same release
    costs the same again, and the hand-offs cost more than they save. Measured on the 30x benchmark
    mix (one web process, 2 cores): 2.56 ms of CPU per request when only columnar queries under
    1 ms ran inline, 1.81 ms when all did (numpy hands the GIL back and forth between the pool's
    threads and the event loop, a futex round trip each time); a CONSTRUCT of 2.2 ms cost 1 ms more
    in a worker than in this process; at 400x, 17.2-17.9 ms per request with a 20 ms limit, 16.5-17.0
    ms with 250 ms. Every inline run is timed again, and one that took longer goes back off the loop
    the next time, so another client of the same process waits about ``INLINE_S`` (at most half the
    time limit) behind such a query. A query with no cost on record never runs inline: one stopped
    at the time limit, one the columnar engine only put off (auto mode, first sighting), and a
    federated one (SERVICE, when allowed): another endpoint's speed is not ours to count on.

    Which engine: see :meth:`_columnar_first`. In auto mode both costs come without extra work:
    oxigraph answers a simple query at its first sighting, the columnar engine at its second (which
    plans it) and third; a cheap ASK is then timed once more in oxigraph in this process
    (:meth:`_oxigraph_unmeasured`), since a worker's first answer is a cold one. Measured on the 30x graph (one process, no HTTP): an ASK of three triple
    patterns costs 0.17 ms in the columnar engine (its fixed cost of planning lookup and writing)
    and 0.06 ms in oxigraph; a GROUP BY 2.1 ms against 17.8 ms.
    """

    INLINE_S = 0.1
    REMEMBERED = 4096  # queries whose last cost is kept, per engine (16-byte digests)
    CLOSE = 10.0  # costs this near may swap places when measured again
    REMEASURE = 32
    REMEASURE_MAX = 4096
    MEASURE_BELOW_S = 0.01  # an ASK the columnar engine answers faster: is oxigraph faster still?
    MEASURE_LIMIT_S = 0.25  # what timing oxigraph may add to one request, at most
    MEASURE_LEFT_S = 1.0  # timed only by a request with this much of its time limit left

    def __init__(self, pool: WorkerPool | None, columnar=None, known_graphs: frozenset[str] = frozenset(), threads: int = 2,
                 store=None, prefixes: dict[str, str] | None = None):
        import concurrent.futures

        self.pool = pool
        self.columnar = columnar
        self.known_graphs = known_graphs
        self.store = store  # oxigraph, read-only: the cheap queries columnar declines run here
        self.prefixes = prefixes
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="columnar")
        self._costs: dict[bytes, float] = {}
        self._oxigraph_costs: dict[bytes, float] = {}
        self._runs: dict[bytes, tuple[int, int]] = {}  # (runs since, runs between) remeasures
        self._timed_here: dict[bytes, bool] = {}  # queries oxigraph answered in this process
        self._measuring: set[bytes] = set()  # keys a worker is timing now

    async def run(self, job: QueryJob, timeout_s: float) -> Answer:
        from neaspec_kg.vector import QueryTimedOut

        deadline = time.monotonic() + timeout_s
        inline_s = min(self.INLINE_S, timeout_s / 2)
        key = _cost_key(job)
        if self._oxigraph_unmeasured(key, job):
            known = self._oxigraph_costs.get(key)
            if known is not None and known < inline_s:
                return self._oxigraph(key, job)  # a worker answered it fast; now timed here
            if known is None and self.pool is not None:
                answer = await self._measure_oxigraph(key, job, deadline)
                if answer is not None:
                    return answer
        if self._columnar_first(key, job):
            try:
                if self._costs.get(key, inline_s) < inline_s:
                    answer = self._columnar(key, job, deadline)
                else:
                    loop = asyncio.get_running_loop()
                    answer = await loop.run_in_executor(self._threads, self._columnar, key, job, deadline)
            except QueryTimedOut:
                self.pool.killed += 1
                raise QueryTimeout(TIMEOUT_MESSAGE.format(limit=timeout_s)) from None
            if answer is not None:
                return answer
        if self.store is not None and self._oxigraph_costs.get(key, inline_s) < inline_s:
            return self._oxigraph(key, job)  # slower this time: a worker's again
        answer = await self.pool.run(job, max(0.001, deadline - time.monotonic()), timeout_s)
        if answer.cost_s is not None and answer.status == 200 and not (job.service_allow and _federated(job.query)):
            self._remember(self._oxigraph_costs, key, answer.cost_s)
        return answer

    def run_here(self, job: QueryJob) -> Answer:
        """What :meth:`run` answers, computed in this thread without a time limit or hand-offs,
        with the same choice of engine: the benchmark's in-process ceiling (our stack minus HTTP)."""
        key = _cost_key(job)
        if self._oxigraph_unmeasured(key, job):
            return self._oxigraph(key, job)
        if self._columnar_first(key, job):
            answer = self._columnar(key, job, float("inf"))
            if answer is not None:
                return answer
        return self._oxigraph(key, job)

    def _oxigraph_unmeasured(self, key: bytes, job: QueryJob) -> bool:
        """True for a query the columnar engine answers in under ``MEASURE_BELOW_S``, whose
        answer cannot differ between the engines (``VectorEngine.interchangeable``), and that
        oxigraph has not answered in this process yet: oxigraph answers it once here (or first
        in a worker, when no cost of it is known), so that ``_columnar_first`` chooses between
        two warm costs. A worker's cost alone misleads: its first answer to a query in a fresh
        process can take ten times the next, beyond ``CLOSE``, and would never be measured again."""
        if self.store is None or self.columnar is None or key in self._timed_here:
            return False
        columnar = self._costs.get(key)
        return (columnar is not None and columnar < self.MEASURE_BELOW_S
                and self.columnar.interchangeable(job.query, job.base_iri))

    async def _measure_oxigraph(self, key: bytes, job: QueryJob, deadline: float) -> Answer | None:
        """Oxigraph's first answer to ``job``, from a worker (it can be stopped) within
        ``MEASURE_LIMIT_S``; None, and oxigraph never chosen for it, when it takes longer.
        Measured only on a worker idle now, by one request at a time, and by a request with
        ``MEASURE_LEFT_S`` of its time limit left: the columnar engine has the answer at hand,
        so no request waits for a worker or spends its time limit on timing (None: another time)."""
        if key in self._measuring or deadline - time.monotonic() < self.MEASURE_LEFT_S:
            return None
        self._measuring.add(key)
        try:
            answer = await self.pool.run_if_idle(job, self.MEASURE_LIMIT_S)
            if answer is None:
                return None  # every worker busy
        except (QueryTimeout, WorkerFailed):
            answer = None
        finally:
            self._measuring.discard(key)
        if answer is None or answer.status != 200 or answer.cost_s is None:
            self._remember(self._oxigraph_costs, key, float("inf"))
            self._remember(self._timed_here, key, True)  # not again
            return None
        self._remember(self._oxigraph_costs, key, answer.cost_s)
        return answer

    def _columnar_first(self, key: bytes, job: QueryJob) -> bool:
        """Try the columnar engine first, unless both engines answered this query, oxigraph (in
        this process) was faster, and its answer cannot differ from the columnar engine's
        (``VectorEngine.interchangeable``: an ASK without zero-length paths, LIMIT, SAMPLE or
        GROUP_CONCAT inside), so a client never sees the answer to one request change.

        When the two costs are within ``CLOSE`` of each other, the other engine answers the
        ``REMEASURE``-th run, then after twice as many runs, and so on up to every
        ``REMEASURE_MAX``-th: a cost measured cold (oxigraph's first answer, in a fresh worker
        process, can take ten times its next) or under load is corrected, at a vanishing cost."""
        if self.columnar is None:
            return False
        oxigraph, columnar = self._oxigraph_costs.get(key), self._costs.get(key)
        if self.store is None or oxigraph is None or columnar is None:
            return True
        if not self.columnar.interchangeable(job.query, job.base_iri):
            return True
        faster = columnar <= oxigraph
        if max(columnar, oxigraph) < self.CLOSE * min(columnar, oxigraph):
            runs, every = self._runs.get(key, (0, self.REMEASURE))
            if runs + 1 >= every:
                self._remember(self._runs, key, (0, min(2 * every, self.REMEASURE_MAX)))
                return not faster
            self._remember(self._runs, key, (runs + 1, every))
        return faster

    def _oxigraph(self, key: bytes, job: QueryJob) -> Answer:
        """Oxigraph's answer from this process's store, timed."""
        from neaspec_kg.serve.engine import run_query

        started = time.perf_counter()
        answer = run_query(self.store, job, self.known_graphs, self.prefixes)
        self._remember(self._timed_here, key, True)
        if answer.status == 200:
            self._remember(self._oxigraph_costs, key, time.perf_counter() - started)
        else:
            self._oxigraph_costs.pop(key, None)
        return answer

    def _columnar(self, key: bytes, job: QueryJob, deadline: float) -> Answer | None:
        from neaspec_kg.serve.engine import answer_columnar
        from neaspec_kg.vector import QueryTimedOut

        if time.monotonic() > deadline:  # waited for a thread the whole time: busy, not slow
            raise PoolBusy("the query engine stayed busy for the whole time limit; try again later")
        planned = self.columnar.has_plan(job.query, job.base_iri)
        started = time.perf_counter()
        try:
            answer = answer_columnar(job, self.known_graphs, self.columnar, deadline)
        except QueryTimedOut:
            self._costs.pop(key, None)  # stopped at the limit: never inline again
            raise
        # A query the engine answered from its plan, or declined for good, costs the same again.
        # Its first answer also paid for parsing and planning (2-8 ms with rdflib's parser), which
        # says little about the next and would mislead the choice of engine: no cost yet, as for a
        # query only put off (auto mode, first sighting). Such a query runs off the event loop once
        # more, like any query of unknown cost.
        if (answer is not None and (planned or answer.status != 200)) or (answer is None and self._declined_for_good(job)):
            self._remember(self._costs, key, time.perf_counter() - started)
        return answer

    def _declined_for_good(self, job: QueryJob) -> bool:
        if job.default_graphs is not None or job.named_graphs is not None:
            return True
        if self.columnar.declined_reason(job.query, job.base_iri) is not None:
            return True
        try:  # a dataset clause or SERVICE: the columnar engine never sees these (the check is remembered)
            found = guard.inspect(job.query)
        except guard.QueryRefused:
            return False
        return found.has_dataset or bool(found.services)

    def _remember(self, memory: dict, key: bytes, value) -> None:
        if len(memory) >= self.REMEMBERED and key not in memory:
            memory.clear()
        memory[key] = value

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        await self.pool.close()


def _federated(query: str) -> bool:
    """True when the query calls SERVICE (another endpoint's speed is not ours to count on)."""
    try:
        return bool(guard.inspect(query).services)
    except guard.QueryRefused:
        return True


def _cost_key(job: QueryJob) -> bytes:
    """What decides a query's cost, as a 16-byte digest (the memory stays small whatever the
    size of the requests): text, base IRI, format, protocol dataset."""
    graphs = tuple(job.default_graphs) if job.default_graphs is not None else None
    named = tuple(job.named_graphs) if job.named_graphs is not None else None
    what = (job.query, job.base_iri, job.format, job.accept, job.format_param, graphs, named)
    if len(job.query) <= guard.REMEMBERED_QUERY_CHARS:
        return _digest_remembered(what)
    return _digest(what)


def _digest(what: tuple) -> bytes:
    return hashlib.blake2b(repr(what).encode("utf-8", "surrogatepass"), digest_size=16).digest()


_digest_remembered = functools.lru_cache(maxsize=1024)(_digest)  # clients repeat their requests


async def _read_frame(reader: asyncio.StreamReader) -> tuple[dict, bytes]:
    head_len, body_len = FRAME.unpack(await reader.readexactly(FRAME.size))
    header = json.loads(await reader.readexactly(head_len))
    body = await reader.readexactly(body_len) if body_len else b""
    return header, body


def threading_wait(process: subprocess.Popen) -> None:
    """Reap a killed worker without blocking the event loop."""
    import threading

    threading.Thread(target=process.wait, daemon=True).start()
