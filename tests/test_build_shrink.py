"""A build whose report gives far fewer paragraphs or facts than in the last good build stops,
keeps the last good build and says why, unless the user accepts the loss (--accept-shrink FILE)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import damaged_forms as damaged
from conftest import ROOT, SOM27
from neaspec_kg.build import BuildError, run_build
from neaspec_kg.cli import main
from neaspec_kg.extract import extract_all
from neaspec_kg.report.structure import parse_report_text
from neaspec_kg.settings import Settings
from neaspec_kg.shrink import ShrinkError, check_shrink, report_counts


@pytest.fixture(scope="module")
def last_good(built) -> dict:
    return json.loads((built.folder / "build.json").read_text())


def _extraction(text: str, curated, name: str = "som27-report.txt"):
    return extract_all(parse_report_text(text, name, curated), curated)


def test_the_build_summary_keeps_each_reports_counts(last_good, curated, som27):
    counts = last_good["report_counts"]["som-27"]
    assert counts == report_counts(extract_all(som27, curated))
    assert counts["file"] == "som27-report.txt" and counts["paragraphs"] == 65 and counts["facts"] > 100


def test_a_truncated_report_fails_with_the_comparison(last_good, curated):
    truncated = _extraction(damaged.truncated(SOM27.read_text(encoding="utf-8")), curated)
    with pytest.raises(ShrinkError) as err:
        check_shrink([truncated], last_good)
    message = str(err.value)
    old = last_good["report_counts"]["som-27"]
    assert "som27-report.txt (SOM-27): 40 paragraphs and " in message
    assert f"against {old['paragraphs']} paragraphs and {old['facts']} facts" in message
    assert "38% of the paragraphs lost" in message and "last good build, which is kept" in message
    assert "--accept-shrink som27-report.txt" in message


def test_a_report_matched_by_session_whatever_its_file_name(last_good, curated):
    truncated = _extraction(damaged.truncated(SOM27.read_text(encoding="utf-8")), curated, "som27-report.pdf")
    with pytest.raises(ShrinkError, match=r"^.*\n  som27-report\.pdf \(SOM-27\).*read from som27-report\.txt"):
        check_shrink([truncated], last_good)


def test_an_accepted_or_small_loss_passes(last_good, curated):
    text = SOM27.read_text(encoding="utf-8")
    truncated = _extraction(damaged.truncated(text), curated)
    [note] = check_shrink([truncated], last_good, accept=["data/reports/som27-report.txt"])
    assert note.endswith("(accepted with --accept-shrink)")
    assert check_shrink([_extraction(damaged.without_paragraph(text, 30), curated)], last_good) == []
    assert check_shrink([truncated], None) == []  # no last good build: nothing to compare with


def _repo_with_last_good_build(tmp_path: Path, last_good: dict) -> Settings:
    root = tmp_path / "repo"
    for part in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    good = tmp_path / "build" / "builds" / last_good["release"]
    good.mkdir(parents=True)
    (good / "build.json").write_text(json.dumps(last_good))
    (tmp_path / "build" / "current").symlink_to(good)
    return Settings(root=root, build_dir=tmp_path / "build")


def test_the_build_stops_and_keeps_the_last_good_build(tmp_path, last_good):
    settings = _repo_with_last_good_build(tmp_path, last_good)
    report = settings.data_dir / "reports" / "som27-report.txt"
    report.write_text(damaged.truncated(report.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(BuildError, match=r"som27-report\.txt \(SOM-27\): 40 paragraphs"):
        run_build(settings, progress=False, out=lambda _t: None)
    assert settings.current_build.resolve().name == last_good["release"]
    assert [p.name for p in (settings.build_dir / "builds").iterdir()] == [last_good["release"]]


@pytest.mark.slow
def test_accept_shrink_on_the_command_line_builds(tmp_path, last_good, monkeypatch, capsys):
    settings = _repo_with_last_good_build(tmp_path, last_good)
    report = settings.data_dir / "reports" / "som27-report.txt"
    report.write_text(damaged.truncated(report.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setenv("NEASPEC_KG_ROOT", str(settings.root))
    monkeypatch.setenv("NEASPEC_KG_BUILD_DIR", str(settings.build_dir))
    assert main(["build", "--quiet"]) == 1
    assert "--accept-shrink som27-report.txt" in capsys.readouterr().err
    assert main(["build", "--quiet", "--accept-shrink", "som27-report.txt"]) == 0
    assert "(accepted with --accept-shrink)" in capsys.readouterr().err
    summary = json.loads((settings.current_build / "build.json").read_text())
    assert summary["report_counts"]["som-27"]["paragraphs"] == 40  # the new baseline
