"""The embedded store: one release of the graph in pyoxigraph, read-only.

The web process holds the release's on-disk store for bounded look-ups (Linked Data pages,
labels); every SPARQL query, and every SELECT of the pages, runs in a query worker process
(``store.worker``, driven by ``store.workers``), because oxigraph cannot cancel a running
query: a query past the time limit is stopped by ending its worker, and a new one takes its
place. A worker answers from the on-disk store at once and from a checked copy of the release's
default graph in memory as soon as it has made one (queries that read named graphs stay on
disk), so a restart is ready at once and fast soon after.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import Iterator
from functools import lru_cache

from pyoxigraph import NamedNode, Quad, Store

from neaspec_kg.errors import Busy, QueryTimeout, RequestError
from neaspec_kg.namespaces import PREFIX_IRIS
from neaspec_kg.select import Row
from neaspec_kg.store.answer import Answer, QueryJob, known_graphs_of
from neaspec_kg.store.release import Release
from neaspec_kg.store.worker import MemoryCopyError, memory_copy
from neaspec_kg.store.workers import JobTimeout, WorkerEnded, Workers, stopping

log = logging.getLogger("neaspec_kg.store")
QUEUED_PER_WORKER = 16  # queries waiting per worker before the server says "busy" (503)


class EmbeddedStore:
    """A release served from pyoxigraph in this process and in ``workers`` query processes."""

    kind = "embedded"

    def __init__(self, release: Release, *, workers: int = 0, in_memory: bool = False, page_timeout_s: float = 30):
        self.release = release
        self.store = Store.read_only(str(release.store_path))
        self.known_graphs = known_graphs_of(self.store)
        # The pages' own SELECT queries run in the workers too (from memory: about 3x faster than
        # the on-disk store here, and stopped past the limit); answers are remembered for the life
        # of this release, as neaspec_kg.select does.
        self.page_timeout_s = page_timeout_s
        self.select = lru_cache(maxsize=512)(self._select_on_worker)
        self.pending = 0
        self.timeouts = 0
        self.crashes = 0
        self._from_memory: dict[int, bool] = {}  # worker pid -> it held its copy in memory at its last answer
        dump = str(release.dump_path) if in_memory and release.dump_path else None
        if in_memory and dump is None:
            log.warning("serve: release %s has no dataset.nq beside its store; query workers answer from disk",
                        release.release)
        self.pool = Workers(workers or os.cpu_count() or 1, str(release.store_path), dump, PREFIX_IRIS)
        self._loop: asyncio.AbstractEventLoop | None = None

    def graph_sizes(self) -> dict[str, int]:
        if self.release.graphs:
            return dict(self.release.graphs)
        return {g: sum(1 for _ in self.store.quads_for_pattern(None, None, None, NamedNode(g)))
                for g in sorted(self.known_graphs)}

    def quads_for_pattern(self, s=None, p=None, o=None, g=None) -> Iterator[Quad]:
        return self.store.quads_for_pattern(s, p, o, g)

    def __iter__(self) -> Iterator[Quad]:
        return iter(self.store)

    async def ready(self, timeout_s: float = 120) -> None:
        """Start the workers and wait until one holds the release (it answers a first question)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            await self.pool.start()
        await self.pool.run("ready", None, timeout_s, timeout_s)

    async def query(self, job: QueryJob, timeout_s: float) -> Answer:
        """The answer to ``job``; :class:`QueryTimeout` past ``timeout_s`` (its worker is ended).

        A worker that ends while answering (killed from outside, out of memory) costs the query
        one more try on another worker; a query that ends a second worker is refused."""
        if self.pending >= self.pool.size * QUEUED_PER_WORKER:
            raise Busy(f"{self.pending} queries are waiting for this server; try again in a moment")
        self.pending += 1
        try:
            answer = await self._run("query", job, timeout_s)
        finally:
            self.pending -= 1
        if answer.worker:
            self._from_memory[answer.worker[0]] = answer.worker[1]
        return answer

    async def _run(self, kind: str, argument: object, timeout_s: float):
        for attempt in (1, 2):
            try:
                return await self.pool.run(kind, argument, timeout_s, timeout_s + 5)
            except WorkerEnded as exc:
                self.crashes += 1
                log.error("%s while answering (attempt %d); a new one replaces it", exc, attempt)
            except JobTimeout:
                self.timeouts += 1
                raise QueryTimeout(f"the query did not finish within {timeout_s:g} s, the limit of this endpoint; "
                                   "it was stopped") from None
        raise RequestError("the query engine could not answer this query (its process ended twice); "
                           "a simpler or smaller query may work", 500)

    def _select_on_worker(self, query: str) -> list[Row]:
        """Run by a page's route thread (or the pages' warm-up), which waits for the worker's rows.
        While the server stops, the loop may close or cancel the job: that is :class:`Stopping` too."""
        if self._loop is None:
            raise Busy("this release is not served yet; try again in a moment")
        try:
            running = asyncio.run_coroutine_threadsafe(self._run("select", query, self.page_timeout_s), self._loop)
            return running.result()
        except (RuntimeError, concurrent.futures.CancelledError) as exc:
            if self.pool.closing or self._loop.is_closed():
                raise stopping() from exc
            raise

    def health(self) -> dict[str, int]:
        """The query workers as /health reports them: how many, how many held their copy in memory
        at their last answer, queries stopped at the limit, workers that ended while answering,
        workers started in place of one that ended (stopped at the limit, killed, crashed), and
        workers in a row that ended as they started."""
        alive = set(self.pool.pids)
        self._from_memory = {pid: in_memory for pid, in_memory in self._from_memory.items() if pid in alive}
        facts = {"workers": self.pool.size, "workers_alive": len(alive),
                 "workers_in_memory": sum(self._from_memory.values()), "killed_queries": self.timeouts,
                 "worker_crashes": self.crashes, "workers_replaced": self.pool.replaced,
                 "workers_failed_starts": self.pool.failed_starts}
        if not alive and self.pool.failed_starts >= self.pool.size:  # as the pool refuses queries: none can start
            facts["unavailable"] = (f"no query worker is running and the last {self.pool.failed_starts} starts "
                                    "failed (the server's log has their error)")
        return facts

    def close(self) -> None:
        """Stop the workers: queued queries are dropped, running ones are ended (on the loop)."""
        if self._loop is not None:
            self.pool.close(kill=True)

    def retire(self) -> None:
        """Let the queries under way finish, then stop the workers (after a release switch; on the loop)."""
        if self._loop is not None:
            self.pool.close(kill=False)


__all__ = ["EmbeddedStore", "MemoryCopyError", "memory_copy"]
