"""Server time of the pages for people on a synthetic graph of 30 sessions (benchmarks/generate.py).

Each page is produced in-process as the server produces it (the pages router through
FastAPI's TestClient; resource pages by ``render_resource_page`` over the embedded store),
``--rounds`` times, twice: with the select() answer cache off (every query runs: the first
request of a page after a start) and on (the server's setting: later requests); medians and
95th percentiles in milliseconds. The pages' queries read the release's on-disk store, or with
``--memory`` its copy in memory, which is what the server's query workers answer them from. The
target of issue 19 is under 100 ms per page. Results go to stdout and, with ``--out``, to a
Markdown file.

    .venv/bin/python benchmarks/pages.py [--scale 30] [--rounds 30] [--out benchmarks/results/x.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pyoxigraph
from fastapi import FastAPI
from fastapi.testclient import TestClient
from generate import ensure_scale

from neaspec_kg.namespaces import BASE
from neaspec_kg.pages import pages_router, render_resource_page
from neaspec_kg.search import build_search_index
from neaspec_kg.select import store_select
from neaspec_kg.store.embedded import memory_copy

ROUTES = ["/", "/commitments", "/commitments?sdg=13", "/commitments.csv", "/search?q=air+pollution",
          "/search?q=spoonbill&kind=decision", "/api/search?q=air+pollution"]
RESOURCES = ["id/meeting/som-27", "id/meeting/som-12", "id/state/mn", "id/state/ru",
             "id/concept/programme-area/air-pollution", "id/concept/programme-area/biodiversity-nature-conservation",
             "id/meeting/som-27/report/en/para/15/span/44-71"]


def timed(fn, rounds: int) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scale", type=int, default=30)
    args.add_argument("--rounds", type=int, default=30)
    args.add_argument("--out", type=Path)
    args.add_argument("--memory", action="store_true", help="the pages' queries read a copy in memory")
    opts = args.parse_args(argv)
    scale = ensure_scale(opts.scale)
    store = pyoxigraph.Store.read_only(str(scale.folder / "store"))
    if opts.memory:
        store = memory_copy(store, scale.folder / "dataset.nq")
    index = scale.folder / "search.sqlite"
    t = time.perf_counter()
    docs = build_search_index(store, index)
    built_s = time.perf_counter() - t
    selects = {"uncached": store_select(store, cache_size=0), "cached": store_select(store)}
    clients = {}
    for name, select in selects.items():
        app = FastAPI()
        app.include_router(pages_router(select, index))
        clients[name] = TestClient(app)
    lines = [f"# Page server time, {scale.meta.get('sessions')} sessions ({scale.meta.get('union_triples', 0):,} triples)",
             "", f"The pages' queries read the release's {'copy in memory' if opts.memory else 'on-disk store'}.",
             "", f"Search index: {docs:,} documents, built in {built_s:.1f} s. {opts.rounds} rounds per page.", "",
             "| page | uncached median ms | uncached p95 ms | cached median ms | cached p95 ms |",
             "|---|---:|---:|---:|---:|"]
    for route in ROUTES:
        cells = []
        for name, client in clients.items():
            def get(route=route, client=client):
                r = client.get(route)
                assert r.status_code == 200, (route, r.status_code, r.text[:200])
            cells += timed(get, opts.rounds)
        lines.append(f"| `{route}` | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    for path in RESOURCES:
        cells = []
        for name, select in selects.items():
            def render(path=path, select=select):
                assert render_resource_page(BASE + path, select) is not None, path
            cells += timed(render, opts.rounds)
        lines.append(f"| `/{path}` | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if opts.out:
        opts.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
