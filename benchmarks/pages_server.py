"""First views of the pages for people through our server, on the 30-session graph.

Starts ``neaspec-kg serve`` on the synthetic store (benchmarks/generate.py) with the default
settings, twice: with the pages made ahead (``NEASPEC_KG_WARM_PAGES``, the default) and without;
waits until every query worker answers from memory (and, when on, the pages are made), then asks
for each page once (the first view after a start) and again (a repeat), over plain HTTP on
loopback, one connection per request. Server time as the client sees it, in milliseconds.

    .venv/bin/python benchmarks/pages_server.py [--scale 30] [--out benchmarks/results/x.md]
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import ensure_scale

from neaspec_kg.serve.testing import ServerProcess

PAGES = ["/", "/commitments", "/commitments?sdg=13", "/id/meeting/som-27", "/id/meeting/som-12", "/id/state/mn",
         "/id/state/ru", "/id/concept/programme-area/air-pollution",
         "/id/concept/programme-area/biodiversity-nature-conservation", "/search?q=air+pollution"]
UNCACHED = urlencode({"query": "ASK { FILTER(RAND() >= 0) }"})


def get(port: int, path: str, method: str = "GET", body: str | None = None) -> tuple[float, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Accept": "text/html"} if body is None else {"Content-Type": "application/x-www-form-urlencoded"}
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    data = connection.getresponse().read()
    connection.close()
    return (time.perf_counter() - started) * 1000, data


def steady(server: ServerProcess, ahead: bool, rounds: int = 1200) -> float:
    started = time.perf_counter()
    for _ in range(rounds):  # bounded: 1200 x 0.1 s
        health = json.loads(get(server.port, "/health")[1])
        if health["workers_in_memory"] >= health["workers"] and (health.get("pages_ready") or not ahead):
            break
        get(server.port, "/sparql", "POST", UNCACHED)
        time.sleep(0.1)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scale", type=int, default=30)
    args.add_argument("--out", type=Path)
    opts = args.parse_args(argv)
    scale = ensure_scale(opts.scale)
    times: dict[bool, dict[str, tuple[float, float]]] = {}
    waited: dict[bool, float] = {}
    for ahead in (True, False):
        env = {"NEASPEC_KG_WARM_PAGES": str(ahead).lower()}
        with ServerProcess(store=scale.folder / "store", env=env) as server:
            waited[ahead] = steady(server, ahead)
            times[ahead] = {p: (get(server.port, p)[0], get(server.port, p)[0]) for p in PAGES}
    lines = [f"# First views of the pages through the server, {scale.meta.get('sessions')} sessions",
             "", "Default settings (answer cache on), one connection per request; ms as the client sees it. "
             f"Steady after {waited[True]:.1f} s with the pages made ahead, {waited[False]:.1f} s without.", "",
             "| page | made ahead: first view | repeat | not made ahead: first view | repeat |",
             "|---|---:|---:|---:|---:|"]
    for p in PAGES:
        lines.append(f"| `{p}` | {times[True][p][0]:.1f} | {times[True][p][1]:.1f} | "
                     f"{times[False][p][0]:.1f} | {times[False][p][1]:.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if opts.out:
        opts.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
