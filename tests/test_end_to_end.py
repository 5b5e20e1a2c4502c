"""End to end: build the graph from data/ and ask it, in SPARQL, questions answered in the report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from neaspec_kg.build import KEEP_BUILDS, BuildError, _prune, run_build
from neaspec_kg.namespaces import sparql_prologue
from neaspec_kg.store.release import hold
from neaspec_kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def select(store, query: str) -> list[dict[str, str]]:
    solutions = store.query(sparql_prologue() + query)
    names = [v.value for v in solutions.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]


def test_who_chaired_som27(store):
    rows = select(store, """
        SELECT ?name ?state WHERE {
          ?o a nea:OfficeHolding ; nea:electedAt neaid:meeting\\/som-27 ;
             org:role neaid:concept\\/role\\/chair ; org:member/schema:name ?name ;
             nea:onBehalfOf/skos:prefLabel ?state }""")
    assert rows == [{"name": "ZHOU Jun", "state": "China"}]


def test_officers_of_som27(store):
    rows = select(store, """
        SELECT ?role ?name ?state WHERE {
          ?o nea:electedAt neaid:meeting\\/som-27 ; org:role/skos:prefLabel ?role ;
             org:member/schema:name ?name ; nea:onBehalfOf/skos:prefLabel ?state } ORDER BY ?role""")
    assert [(r["role"], r["name"], r["state"]) for r in rows] == [
        ("Chair", "ZHOU Jun", "China"),
        ("Rapporteur", "TSOGZOLMAA Nanjaa", "Mongolia"),
        ("Vice-Chair", "CHO Gye Yeon", "Republic of Korea"),
    ]


def test_which_delegations_attended(store):
    rows = select(store, """
        SELECT ?state WHERE { neaid:meeting\\/som-27 schema:attendee ?d .
                              ?d a nea:Delegation ; nea:delegationOf/skos:prefLabel ?state } ORDER BY ?state""")
    assert [r["state"] for r in rows] == ["China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation"]


def test_project_funded_by_russian_federation_and_its_species(store):
    rows = select(store, """
        SELECT ?title ?name WHERE {
          ?p a nea:Project ; schema:funder neaid:state\\/ru ; dct:title ?title ;
             nea:targetsTaxon/dwc:scientificName ?name } ORDER BY ?name""")
    birds = "Connectivity Conservation for Habitats of Flagship Migratory Birds in North-East Asia"
    assert [r["name"] for r in rows if r["title"] == birds] == ["Antigone vipio", "Grus monacha", "Platalea minor"]


def test_what_korea_committed_to_for_2030(store):
    rows = select(store, """
        SELECT ?measure ?value ?unit WHERE {
          ?c a nea:Commitment ; nea:committedBy neaid:state\\/kr ; nea:targetYear ?y ;
             nea:measure/skos:notation ?measure ; nea:targetValue [ schema:value ?value ; schema:unitText ?unit ] .
          FILTER(STR(?y) = "2030") }""")
    assert {(r["measure"], float(r["value"]), r["unit"]) for r in rows} == {("ghg-emissions", 40.0, "percent")}


def test_decisions_on_each_programme_area(store):
    rows = select(store, """
        SELECT ?area (COUNT(?d) AS ?n) (GROUP_CONCAT(DISTINCT ?verb; separator=",") AS ?verbs) WHERE {
          ?d a nea:Decision ; nea:programmeArea ?a ; nea:decisionVerb/skos:notation ?verb ;
             prov:wasGeneratedBy neaid:meeting\\/som-27 .
          ?a skos:notation ?area } GROUP BY ?area""")
    by_area = {r["area"]: set(r["verbs"].split(",")) for r in rows}
    for area in ("air-pollution", "biodiversity-nature-conservation", "marine-protected-areas",
                 "low-carbon-cities", "desertification-land-degradation"):
        assert by_area[area] & {"adopted", "approved"}, f"no adoption/approval recorded for {area}"
    assert "approved" in by_area["air-pollution"]


def test_every_extracted_fact_has_a_quoted_source_span(store):
    rows = select(store, """
        SELECT (COUNT(?x) AS ?missing) WHERE {
          VALUES ?type { nea:Decision nea:Statement nea:Commitment nea:Progress nea:OfficeHolding }
          GRAPH ?g { ?x a ?type } FILTER (CONTAINS(STR(?g), "/graph/report/"))
          FILTER NOT EXISTS { ?a oa:hasBody ?x ; oa:hasTarget/oa:hasSelector/oa:exact ?q } }""")
    assert rows[0]["missing"] == "0"


def test_every_fact_read_from_a_web_page_names_a_source_document_with_its_url(store):
    """The records graph (data/curated/history) states facts of past sessions; each has a page."""
    rows = select(store, """
        SELECT (COUNT(?x) AS ?n) (SUM(IF(EXISTS { ?x prov:wasDerivedFrom/schema:url ?u }, 0, 1)) AS ?missing) WHERE {
          GRAPH <https://w3id.org/neaspec/graph/records> { ?x nea:confidence ?c } }""")
    assert int(rows[0]["n"]) > 100 and rows[0]["missing"] == "0"


def test_heading_defects_are_in_the_graph_as_quality_issues(store, built):
    rows = select(store, """SELECT ?m WHERE { ?i a dqv:QualityAnnotation ; nea:warningCode "heading-session-mismatch" ;
                                                 rdfs:comment ?m }""")
    rows = [r for r in rows if r["m"].startswith("som27-report.txt,")]  # SOM-27's: another report may have its own
    assert len(rows) == 2 and any("TWENTY-SIXTH" in r["m"] for r in rows)
    assert any("TWENTY-SIXTH" in w for w in json.loads((built.folder / "build.json").read_text())["warnings"])


def test_facts_go_to_session_27_despite_wrong_heading(store):
    # What the SOM-27 report states (its own graph): nothing goes to SOM-26, everything to SOM-27.
    rows = select(store, """SELECT ?session (COUNT(?d) AS ?n) WHERE {
        GRAPH <https://w3id.org/neaspec/graph/report/som-27> { ?d a nea:Decision ; prov:wasGeneratedBy ?m }
        ?m dct:identifier ?session } GROUP BY ?session""")
    assert [r["session"] for r in rows] == ["SOM-27"] and int(rows[0]["n"]) >= 60


def test_build_summary(built):
    summary = json.loads((built.folder / "build.json").read_text())
    assert summary["triples"] == sum(summary["graphs"].values()) > 5000
    report_graph = next(g for g in summary["graphs"] if g.endswith("graph/report/som-27"))
    assert summary["paragraphs_with_facts"][report_graph] >= 60
    assert (built.folder / "dataset.nq").stat().st_size > 0


def _copy_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for part in ("data", "ontology", "shapes", "queries", "neaspec_kg"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_failed_build_keeps_last_good_build(tmp_path):
    root = _copy_repo(tmp_path)
    settings = Settings(root=root, build_dir=tmp_path / "build")
    good = run_build(settings, progress=False, out=lambda _t: None)
    current = settings.current_build.resolve()
    assert current == good.folder
    # Damage the report: truncated right after its title block, before paragraph 1.
    report = root / "data" / "reports" / "som27-report.txt"
    text = report.read_text(encoding="utf-8")
    report.write_text(text[: text.index("\n1. The Twenty-seventh")], encoding="utf-8")
    with pytest.raises(BuildError, match=r"som27-report.txt.*numbered paragraphs"):
        run_build(settings, progress=False, out=lambda _t: None)
    assert settings.current_build.resolve() == current
    assert (current / "store").is_dir() and (current / "build.json").is_file()
    assert not list((tmp_path / "build" / "builds").glob(".staging-*"))


def test_unchanged_sources_do_not_rebuild(tmp_path):
    root = _copy_repo(tmp_path)
    settings = Settings(root=root, build_dir=tmp_path / "build")
    first = run_build(settings, progress=False, out=lambda _t: None)
    second = run_build(settings, progress=False, out=lambda _t: None)
    assert not first.skipped and second.skipped and second.release == first.release


def test_a_rebuild_of_the_same_release_leaves_its_store_in_place(tmp_path):
    """A server may be answering from it: same quads, same store; only the summary is rewritten."""
    root = _copy_repo(tmp_path)
    settings = Settings(root=root, build_dir=tmp_path / "build")
    first = run_build(settings, progress=False, out=lambda _t: None)
    store_files = {p: p.stat().st_ino for p in (first.folder / "store").iterdir()}
    (first.folder / "build.json").write_text(json.dumps({**json.loads((first.folder / "build.json").read_text()),
                                                         "built_at": "earlier"}))
    again = run_build(settings, force=True, progress=False, out=lambda _t: None)
    assert again.folder == first.folder and settings.current_build.resolve() == first.folder
    assert {p: p.stat().st_ino for p in (first.folder / "store").iterdir()} == store_files
    assert json.loads((first.folder / "build.json").read_text())["built_at"] != "earlier"
    assert not list((tmp_path / "build" / "builds").glob(".staging-*"))


def test_pruning_spares_the_release_a_server_holds(tmp_path):
    builds = tmp_path / "builds"
    for age, name in enumerate("abcde"):
        (builds / name).mkdir(parents=True)
        os.utime(builds / name, (1_000_000 + age, 1_000_000 + age))
    fd = hold(builds / "a")  # the oldest, still served
    try:
        _prune(builds, keep=builds / "e")
        # KEEP_BUILDS: e (the new one) and the two newest others stay; b goes; a is held
        assert KEEP_BUILDS == 3 and sorted(p.name for p in builds.iterdir()) == ["a", "c", "d", "e"]
    finally:
        os.close(fd)
    _prune(builds, keep=builds / "e")
    assert sorted(p.name for p in builds.iterdir()) == ["c", "d", "e"]


def test_same_sources_give_byte_identical_dump(built, tmp_path):
    again = run_build(Settings(build_dir=tmp_path / "b"), force=True, progress=False, out=lambda _t: None)
    assert (again.folder / "dataset.nq").read_bytes() == (built.folder / "dataset.nq").read_bytes()


def test_sessions_named_in_the_report_are_the_series_entries(store):
    rows = select(store, """
        SELECT DISTINCT ?session WHERE {
          ?p a doco:Paragraph ; schema:mentions ?m . ?m a nea:Meeting ; dct:identifier ?session ;
             schema:superEvent neaid:series\\/som } ORDER BY ?session""")
    assert [r["session"] for r in rows] == ["SOM-26", "SOM-27", "SOM-28"]


def test_report_of_a_session_not_yet_in_meetings_csv_builds(tmp_path):
    """Next year's report goes in before meetings.csv knows the session (README step 2 before 4)."""
    root = _copy_repo(tmp_path)
    report = root / "data" / "reports" / "som27-report.txt"
    text = report.read_text(encoding="utf-8").replace("Twenty-seventh Senior Officials Meeting (SOM) of NEASPEC",
                                                      "Twenty-ninth Senior Officials Meeting (SOM) of NEASPEC")
    text = text.replace("REPORT OF THE TWENTY-SEVENTH", "REPORT OF THE TWENTY-NINTH")
    # The SOM-27 report stays: other sources (the records of data/curated/history) link to it.
    (root / "data" / "reports" / "som29-report.txt").write_text(text, encoding="utf-8")
    settings = Settings(root=root, build_dir=tmp_path / "build")
    result = run_build(settings, progress=False, out=lambda _t: None)
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(result.folder / "store"))
    rows = select(store, """SELECT ?note ?prev WHERE { neaid:meeting\\/som-29 a nea:Meeting ; skos:editorialNote ?note ;
                                                        nea:previousSession/dct:identifier ?prev }""")
    assert rows == [{"note": "Known from its report (data/reports); data/curated/meetings.csv has no row for it yet.",
                     "prev": "SOM-28"}]
    assert select(store, """SELECT ?n WHERE { ?o nea:electedAt neaid:meeting\\/som-29 ; org:member/schema:name ?n ;
                                              org:role neaid:concept\\/role\\/chair }""") == [{"n": "ZHOU Jun"}]
