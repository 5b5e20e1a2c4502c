"""The query worker processes of a web process, driven from its event loop.

Each worker (``neaspec_kg.store.worker``) is a subprocess answering one job at a time: the
loop writes a job to its stdin and reads the answer from its stdout. A job past its time limit
is stopped by killing its worker (oxigraph cannot cancel a running query); a worker that ends,
however it ends, is replaced by a new one. Workers that end as they start (a store they cannot
open, a broken interpreter) are started again after a wait that doubles each time, up to
``BACKOFF_MAX_S``, and while none is alive a job is refused at once with the reason.

Workers run in a session of their own, so that a signal to the server's process group (Ctrl-C)
reaches the web process alone, which stops them; the kernel ends a worker when the thread that
started it ends (``worker.end_with_parent``), so the thread running the pool's event loop must
outlive the pool (a server's main thread does).

A worker's answer is read in the event loop's I/O callback (``pipe_data_received``), and the
next waiting job is written to the worker there, before the answer goes on to its request:
handing the worker on only once the request's task had resumed left it idle meanwhile, while
the loop ran other requests (1 session, 8 clients, alternating runs on one machine: 1,309-1,384
q/s before, 1,617-1,747 after; 30 sessions: 296-323 before, 307-340 after).

Written here, not with a pool library: with pebble (used until 2026-12), every query crossed
two threads of the web process (its task and result handlers) and back to the loop, and at
1 session that hand-off cost the web process, the bottleneck there, about as much CPU as the
HTTP request itself (benchmarks/results/2026-12-02-1x.md: 710 q/s, against 1,631 q/s for
answers from the cache). asyncio's own subprocess pipes need no thread and no lock per query (Python
3.11's child watcher keeps one idle thread per worker, waiting for its exit).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import pickle
import struct
import sys

from neaspec_kg.errors import Busy

HEADER = struct.Struct(">I")
BACKOFF_FIRST_S = 0.5  # the wait before starting again after a worker ended as it started
BACKOFF_MAX_S = 30.0
log = logging.getLogger("neaspec_kg.store")


class WorkerEnded(RuntimeError):
    """The worker ended while it held the job (killed from outside, out of memory, a crash)."""


class JobTimeout(RuntimeError):
    """The job ran past its limit; its worker was ended."""


def frame(kind: str, argument: object) -> bytes:
    data = pickle.dumps((kind, argument), protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


class Stopping(Busy):
    """The pool was closed: the server stops, or serves a newer release."""


def stopping() -> Stopping:
    return Stopping("the query workers of this release are stopping; try again in a moment")


def _fail(answer: asyncio.Future, exc: BaseException) -> None:
    if not answer.done():
        answer.set_exception(exc)


class _Job:
    __slots__ = ("data", "timeout_s", "answer", "timer")

    def __init__(self, data: bytes, timeout_s: float, answer: asyncio.Future):
        self.data, self.timeout_s, self.answer = data, timeout_s, answer
        self.timer: asyncio.TimerHandle | None = None  # waiting: the wait's limit; running: the time limit


class _Process(asyncio.SubprocessProtocol):
    """One worker process, and the job it runs."""

    def __init__(self, pool: Workers):
        self.pool = pool
        self.transport: asyncio.SubprocessTransport | None = None
        self.pid = 0
        self.job: _Job | None = None
        self.ended = False  # killed, or known ended before its exit status is in
        self.stopped = False  # killed or closed by the pool
        self.started = False  # said it opened its store (its first frame)
        self._buffer = bytearray()

    def connection_made(self, transport) -> None:
        self.transport, self.pid = transport, transport.get_pid()

    @property
    def alive(self) -> bool:
        return not self.ended and self.transport.get_returncode() is None

    def start(self, job: _Job) -> None:
        self.job = job
        self.transport.get_pipe_transport(0).write(job.data)
        job.timer = asyncio.get_running_loop().call_later(job.timeout_s, self._timed_out)

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= HEADER.size:
            end = HEADER.size + HEADER.unpack_from(self._buffer)[0]
            if len(self._buffer) < end:
                return
            reply = bytes(self._buffer[HEADER.size:end])
            del self._buffer[:end]
            if not self.started:  # the first frame says the worker started; answers follow
                self.started, self.pool.failed_starts = True, 0
                continue
            job, self.job = self.job, None
            self.pool.release(self)  # the next job first: this worker is not left waiting for the loop
            if job is not None:
                job.timer.cancel()
                if not job.answer.done():
                    job.answer.set_result(reply)

    def process_exited(self) -> None:
        self.ended = True
        job, self.job = self.job, None
        if job is not None:
            job.timer.cancel()
            _fail(job.answer, WorkerEnded(f"query worker {self.pid} ended"))
        self.pool.ended(self)

    def _timed_out(self) -> None:
        job, self.job = self.job, None
        if job is not None:
            _fail(job.answer, JobTimeout())
        self.kill()

    def kill(self) -> None:
        self.ended = self.stopped = True
        with contextlib.suppress(ProcessLookupError):
            self.transport.kill()

    def close(self) -> None:
        """Let it end on its own: it reads the end of its stdin once its job is done."""
        self.stopped = True
        with contextlib.suppress(RuntimeError, OSError):
            self.transport.get_pipe_transport(0).close()


class Workers:
    """``size`` worker processes over one release; ``run`` gives a job to the next idle one."""

    def __init__(self, size: int, store_path: str, dump_path: str | None, prefixes: dict[str, str]):
        self.size = size
        self._args = [store_path, dump_path or "-"]
        self._prefixes = json.dumps(prefixes).encode() + b"\n"
        self._idle: collections.deque[_Process] = collections.deque()
        self._waiting: collections.deque[_Job] = collections.deque()
        self._all: set[_Process] = set()
        self._closing = False
        self.replacing: set[asyncio.Task] = set()  # replacements under way
        self.replaced = 0
        self.failed_starts = 0  # starts in a row that failed (0 once a worker says it started)

    async def start(self) -> None:
        await asyncio.gather(*(self._start_one() for _ in range(self.size)))

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        _, worker = await loop.subprocess_exec(
            lambda: _Process(self), sys.executable, "-m", "neaspec_kg.store.worker", *self._args, str(os.getpid()),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None, start_new_session=True)
        worker.transport.get_pipe_transport(0).write(self._prefixes)
        if worker.alive:  # one that already ended was replaced by ``ended``
            self._all.add(worker)
            self.release(worker)

    async def _replace(self) -> None:
        while True:
            if self.failed_starts:  # bounded: one start per wait, however long the cause lasts
                await asyncio.sleep(self._backoff_s())
                if not self._needed():
                    return
            try:
                return await self._start_one()
            except OSError as exc:  # no process could be started (out of memory, of descriptors)
                self._start_failed(f"a query worker could not be started in place of one that ended ({exc})")

    def _start_failed(self, what: str) -> None:
        self.failed_starts += 1
        log.error("%s; %d remain; the next starts in %g s", what, len(self.pids), self._backoff_s())
        if not self.pids and self.failed_starts >= self.size:
            while self._waiting:  # none would take them: they would wait out their limit
                _fail(self._waiting.popleft().answer, self._cannot_start())

    def _backoff_s(self) -> float:
        return min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** min(self.failed_starts - 1, 16)) if self.failed_starts else 0.0

    def _cannot_start(self) -> Busy:
        return Busy(f"the query workers of this server cannot start ({self.failed_starts} starts in a row failed; "
                    "the server's log has their error); try again later")

    def _needed(self) -> bool:
        return not self._closing or any(not job.answer.done() for job in self._waiting)

    @property
    def closing(self) -> bool:
        return self._closing

    @property
    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._all if w.alive)

    async def run(self, kind: str, argument: object, timeout_s: float, wait_s: float) -> object:
        """The worker's answer; :class:`JobTimeout` past ``timeout_s`` of running, :class:`Busy`
        past ``wait_s`` of waiting for an idle worker, :class:`WorkerEnded` if it ended."""
        if self._closing and not any(w.alive and w.job for w in self._all):
            raise stopping()  # retired and no worker busy: none would take it, it would wait out its limit
        if self.failed_starts >= self.size and not self.pids:
            raise self._cannot_start()
        loop = asyncio.get_running_loop()
        job = _Job(frame(kind, argument), timeout_s, loop.create_future())
        worker = self._take_idle()
        if worker is not None:
            worker.start(job)
        else:
            busy = Busy("every query worker of this server stayed busy; try again in a moment")
            job.timer = loop.call_later(wait_s, _fail, job.answer, busy)
            self._waiting.append(job)
        try:
            reply = await job.answer
        except asyncio.CancelledError:  # the caller went away: stop the work too
            running = next((w for w in self._all if w.job is job), None)
            if running is not None:
                running.kill()
            raise
        ok, value = pickle.loads(reply)
        if not ok:
            raise value
        return value

    def _take_idle(self) -> _Process | None:
        while self._idle:
            worker = self._idle.popleft()
            if worker.alive:  # one that ended while idle is replaced by ``ended``
                return worker
        return None

    def release(self, worker: _Process) -> None:
        """A worker that answered takes the next waiting job (also after ``close(kill=False)``: the
        jobs that came before it are answered), or waits idle."""
        if not worker.alive:
            return
        while self._waiting:
            job = self._waiting.popleft()
            if not job.answer.done():  # not given up (past its wait, or its caller gone)
                job.timer.cancel()
                worker.start(job)
                return
        if self._closing:
            worker.close()
        else:
            self._idle.append(worker)

    def ended(self, worker: _Process) -> None:
        """A worker ended, however it ended: a new one takes its place (after ``close(kill=False)``
        too while jobs queued before it wait, or they would wait out their limit)."""
        self._all.discard(worker)
        if not worker.started and not worker.stopped:
            self._start_failed(f"query worker {worker.pid} ended as it started "
                               f"(exit code {worker.transport.get_returncode()})")
        if self._needed():
            self.replaced += 1
            task = asyncio.get_running_loop().create_task(self._replace())
            self.replacing.add(task)
            task.add_done_callback(self.replacing.discard)

    def close(self, *, kill: bool) -> None:
        """Stop taking jobs; idle workers end now, busy ones when their job is done (``kill``: now,
        and the jobs running or queued fail as :class:`Busy`)."""
        self._closing = True
        while self._idle:
            self._idle.popleft().close()
        if not kill:
            return
        for worker in list(self._all):
            if worker.job is not None:  # the server stops: no worker crashed, the job is not retried
                _fail(worker.job.answer, stopping())
            worker.kill()
        while self._waiting:
            _fail(self._waiting.popleft().answer, stopping())
