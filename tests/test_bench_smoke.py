"""Smoke run of the benchmark harness (benchmarks/run.py): 1x graph, our server and the
in-process engine only, a few seconds. The full benchmark is `make bench`, not part of the tests."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_bench_module(name: str):
    """benchmarks/<name>.py, imported as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"bench_{name}"] = module
    spec.loader.exec_module(module)
    return module


def test_harness_produces_a_table_with_equal_answer_sizes(built, tmp_path, capsys):
    run = _load_bench_module("run")
    concurrency = "1,8" if shutil.which("wrk") else "none"  # wrk comes with benchmarks/setup.sh
    out = tmp_path / "results"
    code = run.main([
        "--scales", "1", "--peers", "neaspec-kg,in-process", "--duration", "1", "--concurrency", concurrency,
        "--reps", "3", "--budget", "0.05", "--soak", "0", "--pairs", "1", "--no-setup",
        "--out", str(out), "--work", str(tmp_path / "work"), "--real-build", str(built.folder),
    ])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| engine | ready s | peak MiB |" in printed
    assert "Every engine returned the same answer size for every query." in printed

    (md,) = out.glob("*-1x.md")
    (raw_path,) = out.glob("*-1x.json")
    assert "\n| neaspec-kg | " in md.read_text() and "\n| in-process | " in md.read_text()
    raw = json.loads(raw_path.read_text())
    engines = {e["engine"]: e for e in raw["engines"]}
    assert set(engines) == {"neaspec-kg", "in-process"}
    queries = [q["name"] for q in raw["queries"]]
    assert len(queries) >= 10
    for engine in engines.values():
        assert engine["errors"] == {}, engine["errors"]
        assert set(engine["sizes"]) == set(queries)
        assert all(engine["p50_ms"][q] > 0 for q in queries)
    assert engines["neaspec-kg"]["sizes"] == engines["in-process"]["sizes"]
    # the real SOM-27 graph: the meeting has facts, SOM-28 was planned in Mongolia
    assert int(engines["neaspec-kg"]["sizes"]["01-lookup-meeting"]) > 10
    assert engines["neaspec-kg"]["sizes"]["13-ask-plan"] == "true"
    assert raw["mismatches"] == []
    if concurrency != "none":
        assert all(float(v) > 0 for v in engines["neaspec-kg"]["rps"].values())
        pairs = raw["pairs"]  # one round of ours and the in-process ceiling, alternately
        assert len(pairs["ours"]) == len(pairs["in_process"]) == len(pairs["ratios"]) == 1
        assert pairs["ratio"] == pairs["ours"][0] / pairs["in_process"][0] > 0
        assert "Paired rounds at c=8" in md.read_text()
    else:
        assert raw["pairs"] is None


def test_documented_queries_script_tells_same_reordered_and_different_answers(built, tmp_path, capsys):
    """benchmarks/documented.py is how a rewritten query is shown to answer as before: its
    check must tell a byte-identical answer from one in another order and from another answer."""
    documented = _load_bench_module("documented")
    saved = tmp_path / "answers"
    args = ["--dataset", str(built.folder / "dataset.nq"), "--runs", "1", "--only", "sessions,table-decisions"]
    assert documented.main([*args, "--save-answers", str(saved)]) == 0
    assert documented.main([*args, "--compare", str(saved)]) == 0
    printed = capsys.readouterr().out
    assert "| sessions | " in printed and "| table-decisions | " in printed
    assert "0 answers not byte-identical" in printed

    sessions = json.loads((saved / "sessions.json").read_bytes())
    rows = sessions["results"]["bindings"]
    assert len(rows) >= 28  # one row per session of the real build
    sessions["results"]["bindings"] = rows[::-1]
    (saved / "sessions.json").write_text(json.dumps(sessions))
    decisions = json.loads((saved / "table-decisions.json").read_bytes())
    decisions["results"]["bindings"] = decisions["results"]["bindings"][1:]
    (saved / "table-decisions.json").write_text(json.dumps(decisions))
    assert documented.main([*args, "--compare", str(saved)]) == 1
    printed = capsys.readouterr().out
    assert "| sessions | " in printed and "same rows, other order" in printed
    assert "DIFFERENT: " in printed and "2 answers not byte-identical" in printed
