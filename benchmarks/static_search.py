"""The search page of the static site of a release in headless Chromium: the bytes it adds to the
site and the time to the first result (issue 19).

The site is opened from a folder (file://) and from a local web host (http, loopback), a new
browser context per round (nothing cached), for a few searches; the page itself reports the time
from navigation to results drawn, the time to open the index (engine and database decoded from
their scripts) and the query's. ``--scale N`` swaps in the search index of the synthetic graph of
N times the real sessions (benchmarks/generate.py), to see how size and time grow.

    .venv/bin/python benchmarks/static_search.py dist/latest [--scale 30] [--rounds 5] [--out results/x.md]
"""

from __future__ import annotations

import argparse
import base64
import functools
import gzip
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from playwright.sync_api import sync_playwright

from neaspec_kg.publish.search_page import SEARCH_DB_SCRIPT, SEARCH_PAGE
from neaspec_kg.search import build_search_index

ADDED = [SEARCH_PAGE, SEARCH_DB_SCRIPT, "assets/search.js", "assets/vendor/sqlite3.js",
         "assets/vendor/sqlite3-wasm.js", "assets/vendor/sqlite3.LICENSE.md"]
WORDS = ["air pollution", "spoonbill", "Mongolia commitment", "dust and sandstorms", "qqzzxxkv"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def with_scaled_index(site: Path, factor: int, work: Path) -> Path:
    """A copy of the search page and its scripts with the index of the synthetic graph."""
    from generate import ensure_scale

    scale = ensure_scale(factor, say=lambda *_: None, keep=True)
    db = work / "search.sqlite"
    build_search_index(scale.folder / "store", db)
    for name in ADDED:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site / name, work / name)
    (work / "assets/pages.css").write_bytes((site / "assets/pages.css").read_bytes())
    (work / SEARCH_DB_SCRIPT).write_text('var NEASPEC_SEARCH_DB = "%s";\n' % base64.b64encode(db.read_bytes()).decode())
    return work


def sizes(site: Path) -> list[tuple[str, int, int]]:
    return [(name, (site / name).stat().st_size, len(gzip.compress((site / name).read_bytes(), 6))) for name in ADDED]


def timings(page, url: str) -> dict[str, int]:
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.search", timeout=60_000)
    data = page.evaluate("({...document.body.dataset})")
    assert data["search"] == "done", data
    return {k: int(data[k]) for k in ("searchMs", "openMs", "queryMs")}


def run(site: Path, rounds: int) -> dict[str, list[dict[str, int]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bases = {"file://": site.resolve().as_uri() + "/", "http": f"http://127.0.0.1:{server.server_port}/"}
    found: dict[str, list[dict[str, int]]] = {b: [] for b in bases}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
            for _ in range(rounds):
                for how, base in bases.items():
                    for words in WORDS:
                        context = browser.new_context(device_scale_factor=1)
                        found[how].append(timings(context.new_page(), f"{base}{SEARCH_PAGE}?{urlencode({'q': words})}"))
                        context.close()
            browser.close()
    finally:
        server.shutdown()
    return found


def report(site: Path, found: dict, label: str) -> str:
    lines = [f"# Static site search, {label}", "", "| file | bytes | gzip -6 |", "| --- | ---: | ---: |"]
    rows = sizes(site)
    lines += [f"| {n} | {b:,} | {g:,} |" for n, b, g in rows]
    lines += [f"| **added** | **{sum(r[1] for r in rows):,}** | **{sum(r[2] for r in rows):,}** |", "",
              f"Time in ms, {len(WORDS)} searches x rounds, a new Chromium context each (median / p95):", "",
              "| opened from | to first result | open the index | query |", "| --- | ---: | ---: | ---: |"]
    for how, runs in found.items():
        cells = []
        for key in ("searchMs", "openMs", "queryMs"):
            values = sorted(r[key] for r in runs)
            cells.append(f"{statistics.median(values):.0f} / {values[int(0.95 * (len(values) - 1))]:.0f}")
        lines.append(f"| {how} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", type=Path, help="a release's folder (dist/latest)")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site if args.scale == 1 else with_scaled_index(args.site, args.scale, Path(tmp))
        text = report(site, run(site, args.rounds), f"{args.scale}x (Chromium headless, 1x device scale)")
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
