"""Time the documented queries (queries/*.rq) in process, on an in-memory store of a build.

    .venv/bin/python benchmarks/documented.py                      # 30x (benchmarks/work/scale-30), slowest of 10
    .venv/bin/python benchmarks/documented.py --scale 1            # the repository's own build (build/current)
    .venv/bin/python benchmarks/documented.py --dataset PATH.nq --runs 20 --only table-decisions
    .venv/bin/python benchmarks/documented.py --save-answers DIR   # each answer as SPARQL JSON, for --compare
    .venv/bin/python benchmarks/documented.py --compare DIR        # same answers as those saved? (exit 1 if not)

The store is what a query worker answers from once its copy in memory is made: a pyoxigraph
``Store()`` holding the release's default graph (``neaspec_kg.store.worker.default_graph_copy``);
a query that may read named graphs runs on a store of every graph (``fill_store``), as a worker
answers it from the on-disk store. Each query runs once to warm up, then ``--runs`` times; a run
is the evaluation and the SPARQL JSON serialization of the whole answer (pyoxigraph's own writer), so the time is
the engine's, without HTTP. The table gives the slowest and the median run, the median CPU time
of the run (steadier than the wall clock when other work shares the cores) and the rows.

``--writer server`` writes SELECT answers as the server does: the engine's writer, counting the
rows against the cap as it writes (the same bytes; since 2026-12-02 the server has no writer of
its own).

``--compare`` checks that every query gives the same answer as the saved one, byte for byte
(same rows, same order); a query whose rows are the same in another order is reported as such.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

TARGET_MS = 100.0


def open_memory_store(dataset: Path):
    """The release's default graph in memory, as a query worker holds it (neaspec_kg.store.worker)."""
    from neaspec_kg.store.worker import default_graph_copy

    return default_graph_copy(dataset)


def open_whole_store(dataset: Path):
    """Every graph of the release in memory: for a query that may read named graphs, which a
    query worker answers from the on-disk store holding them all."""
    from neaspec_kg.store import fill_store

    return fill_store(pyoxigraph.Store(), dataset)


def answer_bytes(store, text: str, writer: str = "oxigraph") -> bytes:
    """The whole answer as SPARQL JSON (booleans too); graphs as N-Triples. ``writer="server"``
    writes SELECT answers as the server does (neaspec_kg.store.results: the engine's writer,
    stopped at the row cap)."""
    result = store.query(text)
    if isinstance(result, pyoxigraph.QueryTriples):
        return result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
    if writer == "server" and isinstance(result, pyoxigraph.QuerySolutions):
        from neaspec_kg.store.results import select_answer

        return select_answer("json", result, lambda: store.query(text), 100_000)
    return result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)


def time_query(store, text: str, runs: int, writer: str = "oxigraph") -> tuple[list[float], list[float], bytes]:
    """Wall-clock and CPU milliseconds of each run (the CPU time of this thread, in which
    pyoxigraph evaluates: on a shared machine it is the steadier of the two), and the answer."""
    body = answer_bytes(store, text, writer)  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        answer_bytes(store, text, writer)
        times.append(1000 * (time.perf_counter() - started))
        cpu.append(1000 * (time.thread_time() - started_cpu))
    return times, cpu, body


def rows_of(body: bytes) -> list[str]:
    """The rows of a SPARQL JSON answer (each as canonical JSON), or the lines of N-Triples."""
    if not body.lstrip().startswith(b"{"):
        return [line for line in body.decode("utf-8").splitlines() if line.strip()]
    data = json.loads(body)
    if "boolean" in data:
        return [str(data["boolean"])]
    return [json.dumps(b, sort_keys=True) for b in data["results"]["bindings"]]


def compare(name: str, body: bytes, saved: Path) -> str:
    """'same', 'same rows, other order', or what differs."""
    path = saved / f"{name}.json"
    if not path.is_file():
        return "no saved answer"
    before = path.read_bytes()
    if before == body:
        return "same"
    old, new = rows_of(before), rows_of(body)
    if Counter(old) == Counter(new):
        return "same rows, other order"
    return f"DIFFERENT: {len(old)} rows before, {len(new)} now, {len(set(old) ^ set(new))} rows differ"


def dataset_of(args) -> Path:
    if args.dataset:
        return Path(args.dataset)
    from generate import ensure_scale, real_build

    if args.scale == 1:
        return real_build() / "dataset.nq"
    return ensure_scale(args.scale, keep=True).dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=30, help="1 = build/current; N = benchmarks/work/scale-N")
    parser.add_argument("--dataset", help="an N-Quads dump instead of --scale")
    parser.add_argument("--queries", default=str(REPO / "queries"), help="folder of .rq files")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", help="comma-separated query names (file stems)")
    parser.add_argument("--writer", choices=("oxigraph", "server"), default="oxigraph",
                        help="JSON writer of SELECT answers: the engine's, or the server's (neaspec_kg.store.results)")
    parser.add_argument("--save-answers", metavar="DIR")
    parser.add_argument("--compare", metavar="DIR")
    args = parser.parse_args(argv)

    from neaspec_kg.namespaces import rebase
    from neaspec_kg.store.guard import may_read_named_graphs

    dataset = dataset_of(args)
    started = time.perf_counter()
    store = open_memory_store(dataset)
    print(f"{dataset}: loaded in memory in {time.perf_counter() - started:.1f} s; {args.runs} runs after one "
          "warm-up: the slowest and the median (wall clock) and the median CPU time, ms")
    only = set(args.only.split(",")) if args.only else None
    paths = [p for p in sorted(Path(args.queries).glob("*.rq")) if only is None or p.stem in only]
    if only and len(paths) != len(only):
        raise SystemExit(f"no such queries in {args.queries}: {sorted(only - {p.stem for p in paths})}")
    if args.save_answers:
        Path(args.save_answers).mkdir(parents=True, exist_ok=True)
    print("| query | slowest | median | CPU | rows |" + (" answer |" if args.compare else ""))
    print("|---|---|---|---|---|" + ("---|" if args.compare else ""))
    over, differ = [], []
    whole = None
    for path in paths:
        text = rebase(path.read_text(encoding="utf-8"))
        on = store
        if may_read_named_graphs(text):  # a worker answers it from the on-disk store, which holds every graph
            on = whole = whole or open_whole_store(dataset)
        times, cpu, body = time_query(on, text, args.runs, args.writer)
        worst = max(times)
        line = (f"| {path.stem} | {worst:.1f} | {statistics.median(times):.1f} | {statistics.median(cpu):.1f} "
                f"| {len(rows_of(body))} |")
        if args.compare:
            verdict = compare(path.stem, body, Path(args.compare))
            line += f" {verdict} |"
            if verdict != "same":
                differ.append(path.stem)
        print(line, flush=True)
        if worst >= TARGET_MS:
            over.append(f"{path.stem} {worst:.0f} ms")
        if args.save_answers:
            (Path(args.save_answers) / f"{path.stem}.json").write_bytes(body)
    print(f"\n{len(over)} of {len(paths)} at or over {TARGET_MS:.0f} ms" + (f": {', '.join(over)}" if over else ""))
    if args.compare:
        print(f"{len(differ)} answers not byte-identical to {args.compare}" + (f": {', '.join(differ)}" if differ else ""))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
