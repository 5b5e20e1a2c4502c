"""The query worker processes of a web process, driven from its event loop.

Each worker (``neaspec_kg.store.worker``) is an asyncio subprocess answering one job at a
time: the loop writes a job to its stdin and reads the answer from its stdout. A job past its
time limit is stopped by killing its worker (oxigraph cannot cancel a running query); a
worker that ends, however it ends, is replaced by a new one.

Written here, not with a pool library: with pebble (used until 2026-12), every query crossed
two threads of the web process (its task and result handlers) and back to the loop, and at
1 session that hand-off cost the web process, the bottleneck there, about as much CPU as the
HTTP request itself (benchmarks/results/2026-12-02-1x.md: 710 q/s, against 1,631 q/s for
answers from the cache). asyncio's own subprocess pipes need no thread and no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import pickle
import struct
import sys

from neaspec_kg.errors import Busy

log = logging.getLogger("neaspec_kg.store")
HEADER = struct.Struct(">I")
READ_LIMIT = 16 << 20  # bytes the pipe reader buffers before it waits for the loop to take them


class WorkerEnded(RuntimeError):
    """The worker ended while it held the job (killed from outside, out of memory, a crash)."""


class JobTimeout(RuntimeError):
    """The job ran past its limit; its worker was ended."""


class _Process:
    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.pid = process.pid
        self.ended = False  # known ended before the loop has seen its exit status

    async def call(self, kind: str, argument: object, timeout_s: float) -> object:
        data = pickle.dumps((kind, argument), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(HEADER.pack(len(data)) + data)
            async with asyncio.timeout(timeout_s):  # no task of its own, unlike wait_for in 3.11
                header = await self.process.stdout.readexactly(HEADER.size)
                reply = await self.process.stdout.readexactly(HEADER.unpack(header)[0])
        except (BrokenPipeError, ConnectionResetError, asyncio.IncompleteReadError) as exc:
            self.kill()
            raise WorkerEnded(f"query worker {self.pid} ended") from exc
        except TimeoutError:
            self.kill()
            raise JobTimeout from None
        except asyncio.CancelledError:  # the caller went away: stop the work too
            self.kill()
            raise
        ok, value = pickle.loads(reply)
        if not ok:
            raise value
        return value

    @property
    def alive(self) -> bool:
        return not self.ended and self.process.returncode is None

    def kill(self) -> None:
        self.ended = True
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    def close(self) -> None:
        """Let it end on its own: it reads the end of its stdin once its job is done."""
        with contextlib.suppress(RuntimeError, OSError):
            self.process.stdin.close()


class Workers:
    """``size`` worker processes over one release; ``run`` gives a job to the next idle one."""

    def __init__(self, size: int, store_path: str, dump_path: str | None, prefixes: dict[str, str]):
        self.size = size
        self._args = [store_path, dump_path or "-"]
        self._prefixes = json.dumps(prefixes).encode() + b"\n"
        self._idle: asyncio.Queue[_Process] = asyncio.Queue()
        self._all: set[_Process] = set()
        self._closing = False
        self.replaced = 0

    async def start(self) -> None:
        await asyncio.gather(*(self._start_one() for _ in range(self.size)))

    async def _start_one(self) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "neaspec_kg.store.worker", *self._args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=READ_LIMIT)
        process.stdin.write(self._prefixes)
        worker = _Process(process)
        self._all.add(worker)
        self._idle.put_nowait(worker)

    @property
    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._all if w.alive)

    async def run(self, kind: str, argument: object, timeout_s: float, wait_s: float) -> object:
        """The worker's answer; :class:`JobTimeout` past ``timeout_s`` of running, :class:`Busy`
        past ``wait_s`` of waiting for an idle worker, :class:`WorkerEnded` if it ended."""
        worker = await self._next_idle(wait_s)
        try:
            return await worker.call(kind, argument, timeout_s)
        finally:
            self._release(worker)

    async def _next_idle(self, wait_s: float) -> _Process:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:  # bounded: each dead worker taken is replaced, and the wait has a deadline
            try:
                async with asyncio.timeout_at(deadline):
                    worker = await self._idle.get()
            except TimeoutError:
                raise Busy("every query worker of this server stayed busy; try again in a moment") from None
            if worker.alive:
                return worker
            self._release(worker)  # it ended while idle: a new one takes its place

    def _release(self, worker: _Process) -> None:
        if worker.alive and not self._closing:
            self._idle.put_nowait(worker)
            return
        self._all.discard(worker)
        if not worker.alive and not self._closing:
            self.replaced += 1
            asyncio.get_running_loop().create_task(self._start_one())
        elif worker.alive:
            worker.close()

    def close(self, *, kill: bool) -> None:
        """Stop taking jobs; idle workers end now, busy ones when their job is done (``kill``: now)."""
        self._closing = True
        while not self._idle.empty():
            self._idle.get_nowait().close()
        if kill:
            for worker in self._all:
                worker.kill()
            self._all.clear()
