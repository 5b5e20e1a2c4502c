"""A query worker process: answers one job at a time, read from its stdin, written to its stdout.

Started by ``neaspec_kg.store.workers`` as ``python -m neaspec_kg.store.worker STORE DUMP``
(DUMP ``-``: no copy in memory), with the prefixes as JSON on the first line of stdin. A frame
is a 4-byte big-endian length and a pickle: ``(kind, argument)`` in, ``(ok, value)`` out.
The worker ends when its stdin closes (its web process stopped or retired it).

It answers from the release's on-disk store as soon as it has started, and meanwhile copies
the release into memory on a thread of its own (measured at 30 sessions: about 2-4 s and
190 MB; queries then run about 3x faster); once the copy is complete and checked it answers
from memory. Jobs are answered on a thread with a large native stack, so that a deep
query is refused or answered, never a crash (``guard.check_shape`` checks the limits first).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import struct
import sys
import threading
from pathlib import Path

from pyoxigraph import Store

from neaspec_kg.select import Row, select_rows
from neaspec_kg.store import fill_store, guard
from neaspec_kg.store.answer import Answer, QueryJob, known_graphs_of, run_query

log = logging.getLogger("neaspec_kg.store")
QUERY_STACK_BYTES = 256 << 20  # measured: a DESCRIBE of 10,000 IRIs or 5,000 nested groups fit
HEADER = struct.Struct(">I")


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


class Worker:
    """What one worker process holds: the store it answers from, and its query thread."""

    def __init__(self, store_path: str, dump_path: str | None, prefixes: dict[str, str]):
        disk = Store.read_only(store_path)
        self.answering = (disk, False)  # (store, from memory): replaced in one assignment
        self.known = known_graphs_of(disk)
        self.prefixes = prefixes
        threading.Thread(target=guard.warm, name="guard-warm-up", daemon=True).start()
        if dump_path:
            threading.Thread(target=self._copy_into_memory, args=(disk, Path(dump_path)), daemon=True).start()

    def _copy_into_memory(self, disk: Store, dump: Path) -> None:
        try:
            memory = memory_copy(disk, dump)
        except (OSError, ValueError, SyntaxError, MemoryCopyError) as exc:
            log.error("query worker %d keeps answering from the on-disk store: %s", os.getpid(), exc)
            return
        self.answering = (memory, True)  # the next query reads it; one running goes on

    def query(self, job: QueryJob) -> Answer:
        store, in_memory = self.answering
        answer = run_query(store, job, self.known, self.prefixes)
        answer.worker = (os.getpid(), in_memory)
        return answer

    def select(self, query: str) -> list[Row]:
        """A page's own SELECT (fixed, shallow: no query thread needed)."""
        return select_rows(self.answering[0], query)

    def ready(self, _: object = None) -> bool:
        """True once this worker answers from its copy in memory (False: from the on-disk store)."""
        return self.answering[1]


def serve(worker: Worker, jobs, answers) -> None:
    """Answer frames from ``jobs`` until it closes; a failing job is answered with its error."""
    handlers = {"query": worker.query, "select": worker.select, "ready": worker.ready}
    while header := jobs.read(HEADER.size):
        kind, argument = pickle.loads(jobs.read(HEADER.unpack(header)[0]))
        try:
            reply = (True, handlers[kind](argument))
        except Exception as exc:  # noqa: BLE001 - a worker outlives every job; the caller raises it
            reply = (False, exc)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(HEADER.pack(len(data)) + data)
        answers.flush()


def main(argv: list[str]) -> None:
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # frames go to the real stdout; a stray print goes to stderr
    jobs = sys.stdin.buffer
    prefixes = json.loads(jobs.readline())
    store_path, dump = argv
    worker = Worker(store_path, None if dump == "-" else dump, prefixes)
    threading.stack_size(QUERY_STACK_BYTES)  # jobs are answered on a thread with a large stack
    answering = threading.Thread(target=serve, args=(worker, jobs, answers), name="answering")
    answering.start()
    answering.join()


if __name__ == "__main__":
    main(sys.argv[1:])
