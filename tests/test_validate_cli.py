"""`neaspec-kg validate FILE...`: exit codes and a report a person can read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
CLI = Path(sys.executable).parent / "neaspec-kg"


def run(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), "validate", *map(str, files)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_conforming_file_exits_0():
    result = run(FIXTURES / "context.ttl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "conforms: every node satisfies the shapes"


def test_violation_exits_1_and_names_node_property_message_value_and_source():
    result = run(FIXTURES / "context.ttl", FIXTURES / "commitment_by_unknown_state.ttl")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("does NOT conform: 1 violation")
    assert ("VIOLATION: A commitment or reported progress is made by exactly one State "
            "(nea:committedBy must be a nea:State described in the graph).") in out
    assert "shape shapes:CommittedBy, property committed by (nea:committedBy)" in out
    # the focus node by label and IRI, the dangling value, the source paragraph
    assert "- China: commitment 3 (SOM-27) <https://w3id.org/neaspec/id/meeting/som-27/commitment/16-3>" in out
    assert "value: <https://w3id.org/neaspec/id/state/xx> (not described in the graph)" in out
    assert "from: paragraph 16 <https://w3id.org/neaspec/id/meeting/som-27/report/en/para/16>" in out


def test_sparql_constraint_message_carries_the_values():
    result = run(FIXTURES / "context.ttl", FIXTURES / "meeting_end_before_start.ttl")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("VIOLATION: An event cannot end before it starts: schema:startDate 2023-11-24 is after "
            "schema:endDate 2023-11-23.") in result.stdout
    assert "shape shapes:Event-startBeforeEnd" in result.stdout
    assert "- SOM-26 <https://w3id.org/neaspec/id/meeting/som-26>" in result.stdout


def test_fixture_alone_reports_its_defect_among_the_dangling_links():
    """Without the context, the fixture's links dangle: each is reported, the defect too."""
    result = run(FIXTURES / "commitment_without_provenance.ttl")
    assert result.returncode == 1
    assert "An extracted fact needs provenance: prov:wasDerivedFrom a paragraph or section" in result.stdout
    assert "property source (prov:wasDerivedFrom)" in result.stdout
    assert "value: <https://w3id.org/neaspec/id/state/cn> (not described in the graph)" in result.stdout


def test_warnings_only_exit_0_and_are_listed():
    result = run(FIXTURES / "context.ttl", FIXTURES / "taxon_without_identifiers.ttl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("conforms, with remarks to review: 1 warning")
    assert "WARNING: Review: this taxon has no Wikidata or GBIF identifier yet" in result.stdout
    assert "- Black-faced Spoonbill (Platalea minor) <https://w3id.org/neaspec/id/taxon/platalea-minor>" in result.stdout


def test_missing_and_unparsable_files_exit_1(tmp_path):
    missing = run(tmp_path / "nope.ttl")
    assert missing.returncode == 1
    assert "VIOLATION: file not found\n  - nope.ttl <" in missing.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    result = run(broken)
    assert result.returncode == 1
    assert "cannot parse" in result.stdout and "broken.ttl" in result.stdout
