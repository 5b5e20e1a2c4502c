"""What a build keeps per report (neaspec_kg.build_cache): an unchanged report is neither
re-extracted nor re-validated; a changed report or shape is; a damaged cache entry is said and
rebuilt, never trusted. And validation split per report graph (neaspec_kg.validate_split) finds
exactly what validating the union of the graphs finds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from conftest import ROOT
from neaspec_kg.build import BuildError, make_dataset, run_build
from neaspec_kg.build_cache import ReportCache
from neaspec_kg.curated import Curated
from neaspec_kg.namespaces import NEA, SCHEMA
from neaspec_kg.settings import Settings
from neaspec_kg.validate import Finding, validate_dataset, validate_graph

REPORT = "som27-report.txt"


def _repo(tmp_path: Path) -> Settings:
    root = tmp_path / "repo"
    for part in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    return Settings(root=root, build_dir=tmp_path / "build")


def _build(settings: Settings) -> list[str]:
    lines: list[str] = []
    run_build(settings, force=True, progress=True, out=lines.append)
    return lines


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> tuple[Settings, list[str]]:
    settings = _repo(tmp_path_factory.mktemp("cache"))
    return settings, _build(settings)


def _copy(first_build, tmp_path: Path) -> Settings:
    """The repository and build (with its cache) of the first build, to change one thing in."""
    settings, _ = first_build
    shutil.copytree(settings.root, tmp_path / "repo")
    shutil.copytree(settings.build_dir, tmp_path / "build", symlinks=True)
    (tmp_path / "build" / "current").unlink()
    return Settings(root=tmp_path / "repo", build_dir=tmp_path / "build")


@pytest.mark.slow
def test_building_twice_reuses_the_unchanged_report(first_build):
    settings, lines = first_build
    assert f"{REPORT}: extracted and validated" in lines
    release = json.loads((settings.current_build / "build.json").read_text())["release"]
    again = _build(settings)
    assert f"{REPORT}: unchanged, reused" in again
    assert any("1 unchanged, reused" in line for line in again)
    # The same graph as when it was extracted and validated.
    assert json.loads((settings.current_build / "build.json").read_text())["release"] == release


@pytest.mark.slow
def test_a_changed_report_is_extracted_and_validated_again(first_build, tmp_path):
    settings = _copy(first_build, tmp_path)
    report = settings.data_dir / "reports" / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert f"{REPORT}: extracted and validated" in _build(settings)


@pytest.mark.slow
def test_a_stricter_shape_is_checked_on_an_unchanged_report(first_build, tmp_path):
    settings = _copy(first_build, tmp_path)
    shapes = settings.shapes_dir / "neaspec.ttl"
    text = shapes.read_text(encoding="utf-8")
    old = 'sh:path nea:actorText ; sh:name "actor as printed" ;\n    sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:minLength 1 ;'
    assert old in text
    shapes.write_text(text.replace(old, old.replace("sh:minLength 1", "sh:maxLength 2")), encoding="utf-8")
    with pytest.raises(BuildError, match=r"(?s)violates the SHACL shapes.*A decision needs exactly one actor as printed"):
        _build(settings)


@pytest.mark.slow
def test_a_damaged_validation_entry_is_said_and_validated_again(first_build, tmp_path):
    settings = _copy(first_build, tmp_path)
    entry = settings.build_dir / "cache" / "reports" / f"{REPORT}.validation"
    raw = bytearray(entry.read_bytes())
    raw[-2] ^= 0x01  # one bit of the payload
    entry.write_bytes(bytes(raw))
    lines = _build(settings)
    assert f"{REPORT}: cache entry {REPORT}.validation is damaged (checksum mismatch); rebuilding it" in lines
    assert f"{REPORT}: unchanged, extraction reused; validated again" in lines
    assert f"{REPORT}: unchanged, reused" in _build(settings)  # and the rebuilt entry is good


# --- the cache entries alone ------------------------------------------------------------------
def _entry_cache(tmp_path: Path, said: list[str]) -> ReportCache:
    return ReportCache(tmp_path / "cache", "signature-1", said.append)


FINDING = Finding("Violation", "https://w3id.org/neaspec/id/x", "x", "text", "A message.", "shapes:X", "", "")


def test_an_entry_reads_back_only_under_its_own_key(tmp_path):
    said: list[str] = []
    cache = _entry_cache(tmp_path, said)
    cache.keep_validation(REPORT, "key-1", [FINDING])
    assert cache.validation(REPORT, "key-1") == [FINDING]
    assert cache.validation(REPORT, "key-2") is None  # another report text or context: not an error
    assert said == []


@pytest.mark.parametrize("damage", ["header", "payload", "truncated"])
def test_a_damaged_entry_is_never_trusted(tmp_path, damage):
    said: list[str] = []
    cache = _entry_cache(tmp_path, said)
    cache.keep_validation(REPORT, "key-1", [FINDING])
    entry = cache.entry(REPORT, "validation")
    raw = entry.read_bytes()
    head, _, payload = raw.partition(b"\n")
    entry.write_bytes({"header": b"{not json\n" + payload, "payload": head + b"\n" + payload.replace(b"A message", b"B message"),
                       "truncated": raw[: len(raw) - 5]}[damage])
    assert cache.validation(REPORT, "key-1") is None
    assert len(said) == 1 and said[0].startswith(f"{REPORT}: cache entry {REPORT}.validation is damaged"), said


def test_a_damaged_extraction_entry_is_extracted_again(tmp_path):
    said: list[str] = []
    cache = _entry_cache(tmp_path, said)
    source = tmp_path / REPORT
    source.write_text("text", encoding="utf-8")
    cache._write(REPORT, "extraction", cache.source_key(source), b"not a pickle")
    assert cache.extraction(source) is None
    assert said == [f"{REPORT}: cache entry unreadable (UnpicklingError); extracting again"]


# --- split validation = validation of the union ----------------------------------------------
@pytest.mark.slow
def test_split_validation_finds_what_the_union_validation_finds(curated):
    settings = Settings(root=ROOT)
    dataset, _, _ = make_dataset(settings, Curated(settings.data_dir))
    report = next(g for g in dataset.graphs() if "/graph/report/" in str(g.identifier))
    paragraph = next(report.subjects(NEA.paragraphNumber, Literal(5)))
    report.remove((paragraph, SCHEMA.text, None))  # a report node: Paragraph-text
    curated_graph = dataset.graph(URIRef("https://w3id.org/neaspec/graph/curated"))
    meeting = URIRef("https://w3id.org/neaspec/id/meeting/som-3")
    assert (meeting, RDF.type, NEA.Meeting) in curated_graph
    curated_graph.add((meeting, NEA.sessionNumber, Literal(4)))  # a curated node: two session numbers
    union = Graph()
    for graph in dataset.graphs():
        union += graph
    whole = validate_graph(union, settings)
    split = validate_dataset(dataset, settings)
    assert not split.conforms and not whole.conforms
    assert {f.shape for f in split.violations} >= {"shapes:Paragraph-text", "shapes:Meeting-sessionNumber"}
    assert sorted(set(split.findings), key=repr) == sorted(set(whole.findings), key=repr)
