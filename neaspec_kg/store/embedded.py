"""The embedded store: one release of the graph in pyoxigraph, read-only.

The web process holds the release's on-disk store for bounded look-ups (Linked Data pages,
labels); every SPARQL query runs in a pool of worker processes, because oxigraph cannot
cancel a running query: a query past the time limit is stopped by ending its worker, and
pebble (a well-kept pool library) starts a new one in its place. A worker runs each query on
a thread with a large native stack, so that a deep query is refused or answered, never a
crash (see ``guard.check_shape`` for the limits checked before that).

A worker answers from the on-disk store as soon as it has started, and meanwhile copies the
release into memory on a thread of its own (measured at 30 sessions: about 2-4 s and 190 MB;
queries then run about 3x faster); once the copy is complete and checked it answers from
memory. So a restart is ready at once and fast soon after, and a worker that replaces a
killed one does the same.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pebble
from pyoxigraph import Quad, Store

from neaspec_kg.errors import Busy, QueryTimeout, RequestError
from neaspec_kg.select import store_select
from neaspec_kg.store import fill_store
from neaspec_kg.store.answer import Answer, QueryJob, error, known_graphs_of, run_query
from neaspec_kg.store.release import Release

log = logging.getLogger("neaspec_kg.store")
QUERY_STACK_BYTES = 256 << 20  # measured: a DESCRIBE of 10,000 IRIs or 5,000 nested groups fit
QUEUED_PER_WORKER = 16  # queries waiting per worker before the pool says "busy" (503)


class MemoryCopyError(RuntimeError):
    """The release's dump does not give the same quads as its store (the copy is not used)."""


def memory_copy(disk: Store, dump: Path) -> Store:
    """The release in memory, made from its dump as the build made the on-disk store
    (``fill_store``), and checked against that store: the same number of quads, the same
    quads with blank nodes (a store of an older build named them at random), the same named
    graphs (empty ones too: they are part of the dataset). Counted with SPARQL, which lets
    the worker's queries run meanwhile (``len`` would hold the interpreter)."""
    memory = fill_store(Store(), dump)
    for graph in disk.named_graphs():
        memory.add_graph(graph)
    expected, found = _count(disk), _count(memory)
    if found != expected:
        raise MemoryCopyError(f"{dump}: gives {found} quads, the release's store holds {expected}")
    if _blank_quads(memory) != _blank_quads(disk):
        raise MemoryCopyError(f"{dump}: its blank nodes are not the store's (a store made by an older build): "
                              "rebuild with `neaspec-kg build --force`")
    return memory


ALL_QUADS = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
COUNT_QUADS = f"SELECT (COUNT(*) AS ?n) WHERE {{ {ALL_QUADS} }}"
BLANK_QUADS = f"SELECT ?s ?p ?o ?g WHERE {{ {ALL_QUADS} FILTER(isBlank(?s) || isBlank(?o)) }}"


def _count(store: Store) -> int:
    return int(next(iter(store.query(COUNT_QUADS)))[0].value)


def _blank_quads(store: Store) -> set[tuple]:
    return {tuple(str(term) for term in row) for row in store.query(BLANK_QUADS)}


# --- inside a worker process --------------------------------------------------------------------
_worker: dict = {}


def _start_worker(store_path: str, dump_path: str | None, prefixes: dict[str, str]) -> None:
    store = Store.read_only(store_path)
    _worker.update(answering=(store, False), known=known_graphs_of(store), prefixes=prefixes)
    if dump_path:
        threading.Thread(target=_copy_into_memory, args=(store, Path(dump_path)), daemon=True).start()
    threading.stack_size(QUERY_STACK_BYTES)  # for the query thread, made at the first query
    _worker["thread"] = concurrent.futures.ThreadPoolExecutor(1)


def _copy_into_memory(disk: Store, dump: Path) -> None:
    try:
        memory = memory_copy(disk, dump)
    except (OSError, ValueError, SyntaxError, MemoryCopyError) as exc:
        log.error("query worker %d keeps answering from the on-disk store: %s", os.getpid(), exc)
        return
    _worker["answering"] = (memory, True)  # the next query reads it; one running goes on


def _answer(job: QueryJob) -> Answer:
    store, in_memory = _worker["answering"]
    answer = _worker["thread"].submit(run_query, store, job, _worker["known"], _worker["prefixes"]).result()
    answer.worker = (os.getpid(), in_memory)
    return answer


def _ready() -> bool:
    """True once this worker answers from its copy in memory (False: from the on-disk store)."""
    return _worker["answering"][1]


# --- in the web process ---------------------------------------------------------------------------
class EmbeddedStore:
    """A release served from pyoxigraph in this process and in ``workers`` query processes."""

    kind = "embedded"

    def __init__(self, release: Release, *, workers: int = 0, in_memory: bool = False,
                 prefixes: dict[str, str] | None = None):
        self.release = release
        self.store = Store.read_only(str(release.store_path))
        self.known_graphs = known_graphs_of(self.store)
        # The pages' own fixed SELECT queries run here, not in a worker; answers are remembered
        # for the life of this release (neaspec_kg.select).
        self.select = store_select(self.store)
        self.workers = workers or os.cpu_count() or 1
        self.pending = 0
        self.timeouts = 0
        self.crashes = 0
        self.pool_restarts = 0
        self._from_memory: dict[int, bool] = {}  # worker pid -> its last answer came from memory
        self._stopping = False
        dump = str(release.dump_path) if in_memory and release.dump_path else None
        if in_memory and dump is None:
            log.warning("serve: release %s has no dataset.nq beside its store; query workers answer from disk",
                        release.release)
        self._initargs = (str(release.store_path), dump, prefixes or {})
        self._pool = self._new_pool()

    def _new_pool(self) -> pebble.ProcessPool:
        return pebble.ProcessPool(max_workers=self.workers, initializer=_start_worker, initargs=self._initargs,
                                  context=multiprocessing.get_context("spawn"))  # no fork of a process with threads

    def _schedule(self, function, args: tuple = (), timeout: float | None = None) -> concurrent.futures.Future:
        """``pool.schedule``, with a new pool when the old one broke: pebble gives up on its pool when
        a worker ends while idle (killed by an operator or the kernel's out-of-memory killer), and
        would refuse every later query."""
        try:
            return self._pool.schedule(function, args=args, timeout=timeout)
        except RuntimeError as exc:
            if self._stopping:
                raise Busy("this release is being replaced; try again in a moment") from exc
            log.error("the query worker pool stopped working (%s); starting a new one", exc)
            self.pool_restarts += 1
            self._from_memory.clear()
            broken, self._pool = self._pool, self._new_pool()
            threading.Thread(target=_stop_pool, args=(broken,), daemon=True).start()
            return self._pool.schedule(function, args=args, timeout=timeout)

    def graph_sizes(self) -> dict[str, int]:
        if self.release.graphs:
            return dict(self.release.graphs)
        from pyoxigraph import NamedNode

        return {g: sum(1 for _ in self.store.quads_for_pattern(None, None, None, NamedNode(g)))
                for g in sorted(self.known_graphs)}

    def quads_for_pattern(self, s=None, p=None, o=None, g=None) -> Iterator[Quad]:
        return self.store.quads_for_pattern(s, p, o, g)

    def __iter__(self) -> Iterator[Quad]:
        return iter(self.store)

    async def ready(self, timeout_s: float = 120) -> None:
        """Wait until a worker holds the release (it answers a first question)."""
        future = self._schedule(_ready, timeout=timeout_s)
        await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)

    async def query(self, job: QueryJob, timeout_s: float) -> Answer:
        """The answer to ``job``; :class:`QueryTimeout` past ``timeout_s`` (its worker is ended).

        A worker that ends while answering (killed from outside, out of memory) costs the query
        one more try on another worker; a query that ends a second worker is refused."""
        if self.pending >= self.workers * QUEUED_PER_WORKER:
            raise Busy(f"{self.pending} queries are waiting for this server; try again in a moment")
        self.pending += 1
        try:
            for attempt in (1, 2):
                try:
                    return await self._run(job, timeout_s)
                except pebble.ProcessExpired as exc:
                    self.crashes += 1
                    self._from_memory.clear()
                    log.error("a query worker ended while answering (exit code %s, attempt %d); a new one "
                              "replaces it", exc.exitcode, attempt)
            raise RequestError("the query engine could not answer this query (its process ended twice); "
                               "a simpler or smaller query may work", 500)
        finally:
            self.pending -= 1

    @property
    def workers_in_memory(self) -> int:
        """How many workers answered last from their copy in memory (shown by /health)."""
        return sum(self._from_memory.values())

    async def _run(self, job: QueryJob, timeout_s: float) -> Answer:
        future = self._schedule(_answer, args=(job,), timeout=timeout_s)
        try:
            # The pool's limit counts from the start of the run; this one also bounds the wait.
            answer = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout_s * 2 + 5)
        except (TimeoutError, concurrent.futures.TimeoutError):
            future.cancel()
            self._from_memory.clear()  # a worker was replaced (which one is the pool's business)
            self.timeouts += 1
            raise QueryTimeout(f"the query did not finish within {timeout_s:g} s, the limit of this endpoint; "
                               "it was stopped") from None
        except asyncio.CancelledError:
            future.cancel()  # the client went away: stop the work too
            raise
        if answer.worker:
            self._from_memory[answer.worker[0]] = answer.worker[1]
        return answer

    def close(self) -> None:
        """Stop the workers: queued queries are dropped, running ones are ended."""
        self._stopping = True
        _stop_pool(self._pool)

    def retire(self) -> None:
        """Let the queries under way finish, then stop the workers (used after a release switch)."""
        self._stopping = True
        self._pool.close()
        threading.Thread(target=self._pool.join, daemon=True).start()


def _stop_pool(pool: pebble.ProcessPool) -> None:
    pool.stop()
    pool.join(10)


__all__ = ["EmbeddedStore", "MemoryCopyError", "error", "memory_copy"]
