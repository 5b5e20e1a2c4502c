"""Records of past sessions (data/curated/history -> neaspec_kg.history -> graph/records):
bad cells are reported with file and line, facts keep their sources, previews assert nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from neaspec_kg import iris
from neaspec_kg.curated import Curated, CuratedDataError
from neaspec_kg.history import load_history
from neaspec_kg.namespaces import NEA, SCHEMA
from neaspec_kg.rdf import records_graph

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph(curated):
    return records_graph(curated)


def _data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_record_names_known_sources(curated):
    history = load_history(curated)
    keys = {s.key for s in history.sources}
    records = [*history.hostings, *history.chairs, *history.attendance, *history.decisions, *history.events,
               *history.follow_ups]
    assert records and all(r.sourced.sources and set(r.sourced.sources) <= keys for r in records)
    assert all(s.url.startswith(("http://", "https://")) for s in history.sources)


def test_iri_patterns_of_records():
    assert str(iris.record_decision(22, 2)).endswith("/id/meeting/som-22/decision/r2")
    assert str(iris.record_statement(27, "attendance-kp-absent")).endswith("/id/meeting/som-27/record/attendance-kp-absent")
    assert str(iris.source_document("neaspec-som22")).endswith("/id/source/neaspec-som22")
    assert str(iris.follow_up("som-17-mpa-network")).endswith("/id/follow-up/som-17-mpa-network")
    assert str(iris.named_graph("records")).endswith("/graph/records")


def test_a_decision_read_from_a_page_has_its_page_and_confidence(graph):
    decision = iris.record_decision(22, 2)  # SOM-22 endorsed the Terms of Reference of NEACAP
    assert (decision, RDF.type, NEA.Decision) in graph
    assert (decision, PROV.wasGeneratedBy, iris.meeting(22)) in graph
    assert (decision, NEA.decisionObject, iris.document("neacap-terms-of-reference")) in graph
    page = iris.source_document("neaspec-som22")
    assert (decision, PROV.wasDerivedFrom, page) in graph
    assert (page, SCHEMA.url, URIRef("https://www.neaspec.org/content/neaspec-22nd-senior-officials-meeting")) in graph
    assert (decision, NEA.confidence, iris.concept("confidence", "official-page")) in graph


def test_a_preview_is_no_proof_of_attendance(graph):
    korea = iris.state("kr")
    assert not any(graph.triples((iris.meeting(13), SCHEMA.attendee, None)))
    assert (iris.meeting(13), NEA.expectedAttendee, korea) not in graph  # described, never asserted
    statement = iris.record_statement(13, "attendance-kr-expected")
    assert (statement, RDF.subject, iris.meeting(13)) in graph and (statement, RDF.object, korea) in graph
    assert (statement, NEA.confidence, iris.concept("confidence", "preview-only")) in graph


def test_an_absence_is_asserted_with_its_sources(graph):
    assert (iris.meeting(27), NEA.absentee, iris.state("kp")) in graph
    statement = iris.record_statement(27, "attendance-kp-absent")
    assert {o for o in graph.objects(statement, PROV.wasDerivedFrom)} == {
        iris.source_document("korea-kr-som27"), iris.source_document("tvtoday-som27")}


def test_a_follow_up_links_the_report_plan_to_the_later_session(graph):
    node = iris.follow_up("som-27-plan-som-28")
    assert (node, NEA.followsUp, iris.plan(27, 9, "")) in graph
    assert (node, NEA.followedUpAt, iris.meeting(28)) in graph
    assert (node, NEA.followUpOutcome, iris.concept("follow-up-outcome", "done")) in graph


@pytest.mark.parametrize("table, old, new, message", [
    ("decisions.csv", "neaspec-som22 ; kplus-som22", "neaspec-som22 ; no-such-page",
     "sources: 'no-such-page' is not a known source"),
    ("decisions.csv", "22,2,endorsed", "22,2,blessed", "verb 'blessed' is not a known decision verb"),
    ("attendance.csv", "27,Japan,attended", "27,Japan,maybe", "status 'maybe' is not a known attendance status"),
    ("attendance.csv", "9,China,attended,neaspec-som9,official-page", "9,China,attended,neaspec-som9,sure",
     "confidence 'sure' is not a known confidence"),
    ("follow-ups.csv", "som-17-mpa-network,17,r4", "som-17-mpa-network,19,r1",
     "a follow-up must be at a later session than SOM-19, not SOM-18"),
    ("follow-ups.csv", "som-19-strategic-plan,19,r6", "som-19-strategic-plan,19,r99",
     "SOM-19 has no decision record r99"),
    ("sources.csv", "http://www.un.org/documents/ga/docs/S-19/plenary/as19-16.htm", "www.un.org/as19-16",
     "url 'www.un.org/as19-16' is not an http(s) URL"),
])
def test_bad_cell_names_file_and_line(tmp_path, table, old, new, message):
    data = _data_copy(tmp_path)
    path = data / "curated" / "history" / table
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if old in text)
    _edit(path, old, new)
    with pytest.raises(CuratedDataError) as error:
        load_history(Curated(data))
    assert f"{table}, line {line}: " in str(error.value) and message in str(error.value)
