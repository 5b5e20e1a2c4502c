"""Build benchmark: `neaspec-kg build` on 1, 10 and 30 reports of SOM-27's size and on one report
of 1,000 paragraphs, each in a fresh copy of the repository's sources (benchmarks/work/build/).

The reports are made from the SOM-27 text (benchmarks/reports.py: session, years and names
varied). Each case is one cold build (fresh folder: no per-report cache) and then one warm build
(``--force`` again: every report unchanged, so its extraction and validation are reused); the
time of each stage comes from the build's own progress lines. Usage::

    .venv/bin/python benchmarks/build.py [--cases 1,10,30,long] [--out benchmarks/results/build.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports import long_report, session_copy  # noqa: E402

from neaspec_kg.build import run_build  # noqa: E402
from neaspec_kg.settings import Settings  # noqa: E402

WORK = Path(__file__).resolve().parent / "work" / "build"


def prepare(case: str, work: Path = WORK) -> Settings:
    """A copy of the sources whose data/reports/ holds the case's reports."""
    root = work / f"case-{case}"
    shutil.rmtree(root, ignore_errors=True)
    for part in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    reports = root / "data" / "reports"
    text = (reports / "som27-report.txt").read_text(encoding="utf-8")
    (reports / "som27-report.txt").unlink()
    if case == "long":
        (reports / "som27-report.txt").write_text(long_report(text, 1000), encoding="utf-8")
    else:
        # The real SOM-27 text and N-1 copies as sessions 29, 30, ...: sessions that
        # data/curated/meetings.csv does not know, so no copy contradicts its dates and venues.
        (reports / "som27-report.txt").write_text(text, encoding="utf-8")
        for n in range(29, 29 + int(case) - 1):
            (reports / f"som{n}-report.txt").write_text(session_copy(text, n), encoding="utf-8")
    return Settings(root=root, build_dir=root / "build")


def run_case(case: str, work: Path = WORK) -> dict:
    settings = prepare(case, work)
    row: dict = {"case": case, "reports": len(list((settings.data_dir / "reports").iterdir()))}
    for kind in ("cold", "warm"):
        lines: list[str] = []
        cpu = _cpu()
        started = time.perf_counter()
        result = run_build(settings, force=True, progress=True, out=lines.append)
        seconds = time.perf_counter() - started
        # CPU seconds of this process and of the validation workers (less sensitive to a shared machine).
        row.update({"triples": result.triples, f"seconds_{kind}": round(seconds, 2),
                    f"cpu_seconds_{kind}": round(_cpu() - cpu, 2),
                    f"stages_{kind}": _stages(lines, seconds),
                    f"reused_{kind}": sum(line.endswith(": unchanged, reused") for line in lines)})
    return row


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _stages(lines: list[str], total: float) -> dict[str, float]:
    """Stage durations from the progress lines ``[  12.3s] step ...``."""
    marks = [(float(m.group(1)), m.group(2)) for line in lines
             if (m := re.match(r"^\[\s*([\d.]+)s\] (.*?)(?: \.\.\.)?$", line.splitlines()[0]))]
    out: dict[str, float] = {}
    for (t, name), (t_next, _) in zip(marks, [*marks[1:], (total, "")]):
        name = "validating" if name.startswith("validating") else name
        out[name] = round(out.get(name, 0.0) + t_next - t, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default="1,10,30,long")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = []
    for case in args.cases.split(","):
        row = run_case(case)
        results.append(row)
        for kind in ("cold", "warm"):
            print(f"{case:>5} {kind}: {row['reports']} report(s), {row['triples']:,} triples, "
                  f"{row[f'seconds_{kind}']:.1f} s ({row[f'cpu_seconds_{kind}']:.1f} s CPU), {row[f'reused_{kind}']} reused  "
                  + ", ".join(f"{k} {v:.1f}" for k, v in row[f"stages_{kind}"].items()), flush=True)
    by_case = {r["case"]: r["seconds_cold"] for r in results}
    if "1" in by_case and "30" in by_case:
        print(f"30 reports / 1 report (cold): {by_case['30'] / by_case['1']:.1f}x (target at most 30x)")
    if args.out:
        args.out.write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
