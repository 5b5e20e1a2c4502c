"""A query worker process: answers one job at a time, read from its stdin, written to its stdout.

Started by ``neaspec_kg.store.workers`` as ``python -m neaspec_kg.store.worker STORE DUMP PARENT``
(DUMP ``-``: no copy in memory; PARENT: the web process's pid), with the prefixes as JSON on the first line of stdin. A frame
is a 4-byte big-endian length and a pickle: ``(kind, argument)`` in, ``(ok, value)`` out.
The worker ends when its stdin closes (its web process stopped or retired it), or when its
web process ends; signals sent to the whole process group (Ctrl-C, ``systemctl stop``) are
left to the web process, which stops its workers itself.

It answers from the release's on-disk store as soon as it has started, and meanwhile copies
the release's default graph into memory on a thread of its own; once the copy is complete and
checked, every query that reads the default graph alone (nearly all) is answered from memory,
about 3x faster, and a query that may read named graphs still from the on-disk store. Jobs are
answered on a thread with a large native stack, so that a deep query is refused or answered,
never a crash (``guard.check_shape`` checks the limits first).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import struct
import sys
import threading
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Store, parse

from neaspec_kg.select import Row, select_rows
from neaspec_kg.store import guard
from neaspec_kg.store.answer import Answer, QueryJob, check_for_store, known_graphs_of, run_query

log = logging.getLogger("neaspec_kg.store")
QUERY_STACK_BYTES = 256 << 20  # measured: a DESCRIBE of 10,000 IRIs or 5,000 nested groups fit
HEADER = struct.Struct(">I")


class MemoryCopyError(RuntimeError):
    """The release's dump does not give the default graph of its store (the copy is not used)."""


def memory_copy(disk: Store, dump: Path) -> Store:
    """The release's default graph in memory: the dump's triples with their graphs dropped,
    which is the union of the named graphs that the build made the on-disk store's default
    graph (``fill_store``). A query that may read named graphs is answered from the on-disk
    store (``guard.may_read_named_graphs``), so the copy holds half the quads.

    Checked against the store: the same number of triples in the default graph, the same
    triples with blank nodes (a store of an older build named them at random). Counted with
    SPARQL, which lets the worker's queries run meanwhile (``len`` would hold the interpreter)."""
    memory = default_graph_copy(dump)
    expected, found = _count(disk), _count(memory)
    if found != expected:
        raise MemoryCopyError(f"{dump}: gives {found} triples in the default graph, "
                              f"the release's store holds {expected}")
    if _blank_triples(memory) != _blank_triples(disk):
        raise MemoryCopyError(f"{dump}: its blank nodes are not the store's (a store made by an older build): "
                              "rebuild with `neaspec-kg build --force`")
    return memory


def default_graph_copy(dump: Path) -> Store:
    """A store in memory holding the dump's triples, their graphs dropped, in its default graph."""
    quads = parse(path=str(dump), format=RdfFormat.N_QUADS)  # keeps the dump's blank node labels
    memory = Store()
    memory.bulk_extend(Quad(q.subject, q.predicate, q.object) for q in quads)
    return memory


COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BLANK_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"


def _count(store: Store) -> int:
    return int(next(iter(store.query(COUNT_TRIPLES)))[0].value)


def _blank_triples(store: Store) -> set[tuple]:
    return {tuple(str(term) for term in row) for row in store.query(BLANK_TRIPLES)}


class Worker:
    """What one worker process holds: its stores (on disk; in memory once copied), its query thread."""

    def __init__(self, store_path: str, dump_path: str | None, prefixes: dict[str, str]):
        self.disk = Store() if store_path == "-" else Store.read_only(store_path)  # "-": none (checks only)
        self.memory: Store | None = None  # the default graph, once copied and checked
        self.known = known_graphs_of(self.disk)
        self.prefixes = prefixes
        threading.Thread(target=guard.warm, name="guard-warm-up", daemon=True).start()
        if dump_path:
            threading.Thread(target=self._copy_into_memory, args=(Path(dump_path),), daemon=True).start()

    def _copy_into_memory(self, dump: Path) -> None:
        try:
            memory = memory_copy(self.disk, dump)
        except (OSError, ValueError, SyntaxError, MemoryCopyError) as exc:
            log.error("query worker %d keeps answering from the on-disk store: %s", os.getpid(), exc)
            return
        self.memory = memory  # the next query reads it; one running goes on

    def _store_for(self, query: str, names_dataset: bool = False) -> Store:
        """The copy in memory, unless the query may read a named graph or names its own dataset."""
        memory = self.memory
        if memory is None or names_dataset or guard.may_read_named_graphs(query):
            return self.disk
        return memory

    def query(self, job: QueryJob) -> Answer:
        store = self._store_for(job.query, job.names_dataset)
        answer = run_query(store, job, self.known, self.prefixes)
        answer.worker = (os.getpid(), self.memory is not None)
        return answer

    def select(self, query: str) -> list[Row]:
        """A page's own SELECT (fixed, shallow: no query thread needed)."""
        return select_rows(self._store_for(query), query)

    def ready(self, _: object = None) -> bool:
        """True once this worker has its copy in memory (False: it answers from the on-disk store)."""
        return self.memory is not None


def serve(worker: Worker, jobs, answers) -> None:
    """Answer frames from ``jobs`` until it closes; a failing job is answered with its error."""
    handlers = {"query": worker.query, "select": worker.select, "ready": worker.ready,
                "check": lambda job_and_graphs: check_for_store(worker.disk, *job_and_graphs)}
    while header := jobs.read(HEADER.size):
        kind, argument = pickle.loads(jobs.read(HEADER.unpack(header)[0]))
        try:
            reply = (True, handlers[kind](argument))
        except Exception as exc:  # noqa: BLE001 - a worker outlives every job; the caller raises it
            reply = (False, exc)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(HEADER.pack(len(data)) + data)
        answers.flush()


def end_with_parent(parent: int, sig: signal.Signals) -> None:
    """Have the kernel send this process ``sig`` when ``parent`` (the process that started it)
    ends, however it ends (Linux; elsewhere nothing is done)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent ended before that took effect
        os.kill(os.getpid(), sig)


def _owned_by_web_process(parent: int) -> None:
    """``systemctl stop`` (its default kill mode) signals every process of the server at once; a
    worker, in a session of its own, is spared Ctrl-C but not that. The web process stops its
    workers itself (a busy one is killed), so a worker ignores SIGINT and SIGTERM: it would
    otherwise end with a traceback and be logged as a crash. It never outlives its web process
    (a job it holds could run on unbounded)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    end_with_parent(parent, signal.SIGKILL)


def main(argv: list[str]) -> None:
    store_path, dump, parent = argv
    _owned_by_web_process(int(parent))
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # frames go to the real stdout; a stray print goes to stderr
    jobs = sys.stdin.buffer
    prefixes = json.loads(jobs.readline())
    try:
        worker = Worker(store_path, None if dump == "-" else dump, prefixes)
    except OSError as exc:  # its web process logs that it ended as it started, and starts another later
        print(f"query worker {os.getpid()}: cannot open the release's store: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    started = pickle.dumps((True, None), protocol=pickle.HIGHEST_PROTOCOL)
    answers.write(HEADER.pack(len(started)) + started)  # the first frame: the store is open
    answers.flush()
    threading.stack_size(QUERY_STACK_BYTES)  # jobs are answered on a thread with a large stack
    answering = threading.Thread(target=serve, args=(worker, jobs, answers), name="answering")
    answering.start()
    answering.join()


if __name__ == "__main__":
    main(sys.argv[1:])
