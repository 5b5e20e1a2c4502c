"""Reports of other series and bodies (issue 17, part 6): the title decides the series, the meeting
gets IRIs of its own series, the genre's other forms are read, and a report of a body we do not know
is refused with the file and the line, never read as a SOM.

Fixtures (made-up reports in the genre): tests/fixtures/report_nfp_meeting.txt (a NEASPEC National
Focal Points meeting: agenda in one sentence, a statement on behalf of a group, statements by a list
of delegations), report_neacap_spc.txt (a NEACAP Science and Policy Committee meeting: "The Committee
decided ...", "a)" sub-headings, agenda in an annex, held in conjunction with another event),
report_escap_commission.txt (a session of the Commission: President and Vice-Presidents),
report_escap_committee.txt (a Committee session as UN documents print it: chapters in sentence case,
a venue in a country our tables lack, the agenda list under "Agenda"), report_expert_group_meeting.txt
(a meeting its series does not number), report_other_body.txt (a body data/curated/series.csv does
not know).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from neaspec_kg import iris
from neaspec_kg.extract import extract_all
from neaspec_kg.namespaces import NEA, SCHEMA
from neaspec_kg.rdf import report_graph
from neaspec_kg.records import ReportError
from neaspec_kg.report import parse_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = FIXTURES.parent.parent


def _extracted(name: str):
    """A module-scoped fixture: the extraction of one fixture report."""

    @pytest.fixture(scope="module")
    def extraction(curated):
        return extract_all(parse_report(FIXTURES / name, curated), curated)

    return extraction


nfp = _extracted("report_nfp_meeting.txt")
spc = _extracted("report_neacap_spc.txt")
commission = _extracted("report_escap_commission.txt")
committee = _extracted("report_escap_committee.txt")
egm = _extracted("report_expert_group_meeting.txt")


# --- the series and its IRIs ------------------------------------------------------------------
def test_the_title_decides_the_series_and_the_session(nfp, spc, commission):
    fronts = [x.report.front for x in (nfp, spc, commission)]
    assert [(f.series, f.body, f.session_number, f.name) for f in fronts] == [
        ("nfp", "neaspec-nfp", 3, "NFP-3"),
        ("neacap-spc", "neacap-spc", 7, "SPC-7"),
        ("escap-commission", "escap-commission", 81, "ESCAP-81"),
    ]
    # The Commission's letterhead on the SOM-27 report does not make it a Commission report.
    assert [f.meeting_key for f in fronts] == ["nfp-3", "neacap-spc-7", "escap-commission-81"]


def test_som27_is_still_a_som(som27):
    front = som27.front
    assert (front.series, front.body, front.name, front.meeting_key) == ("som", "som", "SOM-27", 27)


def test_meetings_of_other_series_never_take_a_som_iri():
    assert str(iris.meeting(3)).endswith("/id/meeting/som-3")
    assert str(iris.meeting("nfp-3")).endswith("/id/meeting/nfp-3")
    assert str(iris.report_graph("nfp-3")).endswith("/graph/report/nfp-3")
    with pytest.raises(ValueError, match="not a meeting key"):
        iris.meeting("som-3")  # only the SOM's own numbers mint som-{n}
    with pytest.raises(ValueError, match="not a meeting key"):
        iris.meeting("nfp 3")


def test_other_series_graph_has_only_its_own_meeting_iris(nfp, curated):
    graph = report_graph(nfp, curated)
    assert graph.identifier == iris.report_graph("nfp-3")
    meeting = iris.meeting("nfp-3")
    minted = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    assert not [t for t in minted if "/id/meeting/som-3" in t]  # NFP-3 is not SOM-3
    assert (meeting, RDF.type, NEA.Meeting) in graph
    assert (meeting, SCHEMA.superEvent, iris.series("nfp")) in graph
    assert (iris.officer("nfp-3", "chair"), URIRef("http://www.w3.org/ns/org#organization"),
            iris.organization("neaspec-nfp")) in graph
    assert str(iris.decision("nfp-3", 3, 1)) in minted


def test_a_report_of_an_unknown_body_is_refused_with_file_and_line(curated):
    with pytest.raises(ReportError) as err:
        parse_report(FIXTURES / "report_other_body.txt", curated)
    message = str(err.value)
    assert message.startswith("report_other_body.txt, line 9: the title 'REPORT OF THE FOURTH MEETING OF THE "
                              "GOVERNING COUNCIL")
    assert "names no meeting series of data/curated/series.csv" in message


def test_a_title_without_any_series_is_not_read_as_a_som(curated, tmp_path):
    text = (FIXTURES / "report_nfp_meeting.txt").read_text(encoding="utf-8")
    text = text.replace("NATIONAL FOCAL POINTS", "WORKING GROUP ON FLYWAYS")
    path = tmp_path / "som28-report.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError, match=r"som28-report.txt, line 17: the title .*WORKING GROUP ON FLYWAYS"):
        parse_report(path, curated)


def test_a_file_named_for_a_som_holding_another_series_is_warned(curated, tmp_path):
    path = tmp_path / "som27-report.txt"
    shutil.copy(FIXTURES / "report_nfp_meeting.txt", path)
    report = parse_report(path, curated)
    assert [w.message for w in report.warnings if w.code == "file-name-session-mismatch"] == [
        "the file name says SOM-27 but the report's title is of NFP-3; read as NFP-3"]


def test_an_unnumbered_meeting_is_keyed_by_its_date(egm, curated):
    front = egm.report.front
    assert (front.series, front.session_number, front.name, front.meeting_key) == (
        "neaspec-egm", None, "EGM 2024-12-13", "neaspec-egm-2024-12-13")
    graph = report_graph(egm, curated)
    meeting = iris.meeting("neaspec-egm-2024-12-13")
    assert (meeting, NEA.sessionNumber, None) not in graph
    # "... held in Beijing, China, on 13 December 2024, back-to-back with the Twenty-seventh SOM (SOM-27)"
    assert (meeting, NEA.heldBackToBackWith, iris.meeting(27)) in graph
    assert [(d.actor, d.verb) for d in egm.decisions] == [
        ("experts", "discussed"), ("participants", "agreed"), ("secretariat", "undertook"), ("participants", "adopted")]


def test_a_committee_report_as_un_documents_print_it(committee):
    report = committee.report
    assert (report.front.name, report.front.city, report.front.country) == ("CED-8", "Bangkok", None)
    assert (report.front.start_date.isoformat(), report.front.end_date.isoformat()) == ("2024-11-26", "2024-11-28")
    assert [(s.key, s.title) for s in report.sections if s.level == 1] == [
        ("I", "Matters calling for action by the Commission or brought to its attention"),
        ("II", "Organization of the session")]
    assert [a.notation for a in committee.agenda] == ["1", "1 (a)", "1 (b)", "1 (c)", "2", "3"]
    assert [o.role for o in committee.officers] == ["chair", "vice-chair", "rapporteur"]
    codes = {w.code for w in committee.warnings}
    assert "venue-country-unknown" in codes  # Thailand is not in data/vocab/countries.csv: said, not guessed
    assert "unknown-decision-verb" in codes  # "The Committee recommended ...": said, not dropped silently
    assert "no-closing-section" not in codes


# --- the genre's other forms ------------------------------------------------------------------
def test_decisions_by_the_committee_and_the_commission(spc, commission):
    assert [(d.span.paragraph, d.actor, d.verb) for d in spc.decisions] == [
        (3, "Committee", "elected"), (4, "Committee", "adopted"), (7, "Committee", "decided"),
        (8, "Committee", "requested"), (9, "Committee", "adopted")]
    assert [(d.span.paragraph, d.actor, d.verb) for d in commission.decisions][2:] == [
        (5, "Commission", "decided"), (6, "Commission", "requested"), (7, "Commission", "adopted")]
    assert commission.decisions[3].addressee == "secretariat"


def test_officers_titled_president_and_vice_president(commission):
    assert [(o.role, o.person.name, o.country) for o in commission.officers] == [
        ("president", "BATBAYAR Dorj", "Mongolia"), ("vice-president", "KIM Jiyeon", "Republic of Korea"),
        ("vice-president", "TANAKA Hiroshi", "Japan")]
    assert commission.officers[0].person.honorific == "H.E. Mr."


def test_officers_in_prose_in_a_committee_report(spc):
    assert [(o.role, o.person.name, o.country) for o in spc.officers] == [
        ("chair", "GANBAATAR Bold", "Mongolia"), ("vice-chair", "SATO Yuki", "Japan")]


def test_statement_on_behalf_of_a_group(nfp, commission):
    (mongolia,) = [s for s in nfp.statements if s.span.paragraph == 7]
    assert (mongolia.speaker, mongolia.on_behalf_of) == ("Mongolia", "the member States that host NEASPEC centres")
    assert mongolia.span.exact.endswith("give more room to desertification and land degradation.")
    (china,) = commission.statements
    assert (china.speaker, china.on_behalf_of) == ("China", "the countries of North-East Asia")


def test_statements_by_a_list_of_delegations(nfp):
    listed = [(s.speaker_kind, s.speaker) for s in nfp.statements if s.span.paragraph == 8]
    assert listed == [("state", "China"), ("state", "Japan"), ("state", "Russian Federation")]


def test_agenda_in_one_sentence(nfp):
    assert [(a.notation, a.title) for a in nfp.agenda] == [
        ("1", "Opening of the meeting"), ("2", "Election of officers"), ("3", "Adoption of the agenda"),
        ("4", "Review of the draft Strategic Plan 2026-2030"), ("5", "Adoption of the conclusions")]
    block = nfp.report.paragraph(6).text
    assert all(block[a.span.start:a.span.end] == a.span.exact for a in nfp.agenda)
    assert nfp.agenda[0].span.exact == "(1) Opening of the meeting"
    assert not [w for w in nfp.warnings if w.code in ("agenda-missing", "agenda-list-missing")]


def test_agenda_in_an_annex(spc, commission):
    assert [a.notation for a in spc.agenda] == ["1", "2", "3", "3 (a)", "3 (b)", "4"]
    assert {a.span.section for a in spc.agenda} == {"ANNEX-I"}
    assert [a.title for a in commission.agenda] == [
        "Opening of the session", "Regional cooperation for sustainable development", "Adoption of the report"]


def test_lettered_sub_headings_set_the_agenda_item(spc):
    """"a) Emission inventories" on a line of its own under "(Agenda item 3)": paragraphs 6-7 are 3 (a)."""
    items = {p.number: (p.agenda_item, p.topic) for p in spc.report.paragraphs if p.number is not None}
    assert items[5] == ("3", None)
    assert items[6] == items[7] == ("3 (a)", "Emission inventories")
    assert items[8] == ("3 (b)", "Policy options")
    # the sub-heading is not pasted into the paragraph before it
    assert spc.report.paragraph(5).text.endswith("ammonia emissions.")


def test_a_lettered_list_after_a_colon_stays_in_its_paragraph(curated, tmp_path):
    text = (FIXTURES / "report_neacap_spc.txt").read_text(encoding="utf-8").replace(
        "7. The Committee decided to publish the emission inventory report by March 2026.",
        "7. The Committee agreed on two steps:\na) Publish the inventory\nb) Review the methods\n"
        "The steps were agreed by consensus.")
    path = tmp_path / "spc.txt"
    path.write_text(text, encoding="utf-8")
    report = parse_report(path, curated)
    assert report.paragraph(7).text == ("The Committee agreed on two steps:\na) Publish the inventory\n"
                                        "b) Review the methods\nThe steps were agreed by consensus.")
    assert report.paragraph(7).agenda_item == "3 (a)"
    assert report.paragraph(8).agenda_item == "3 (b)"  # after a finished paragraph, "b) Policy options" heads


def test_own_meeting_held_in_conjunction_with_an_event(spc, curated):
    graph = report_graph(spc, curated)
    meeting = iris.meeting("neacap-spc-7")
    assert (meeting, NEA.heldInConjunctionWith, iris.event("neacap-policy-dialogue-2")) in graph
    # the report's own meeting is not a related event besides itself
    assert not [s for s in graph.subjects(RDF.type, NEA.RelatedEvent) if "science-and-policy-committee" in str(s)]


# --- a build with reports of several series ------------------------------------------------------
def _copy_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for part in ("data", "ontology", "shapes", "queries", "neaspec_kg"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_reports_of_other_series_build_beside_som27(tmp_path):
    """NFP-3, SPC-7, the Commission's 81st session, CED-8 and an expert group meeting build with
    SOM-27: one graph each, no clash, and the whole dataset conforms to the shapes."""
    from neaspec_kg.build import run_build
    from neaspec_kg.settings import Settings

    root = _copy_repo(tmp_path)
    for name in ("report_nfp_meeting.txt", "report_neacap_spc.txt", "report_escap_commission.txt",
                 "report_escap_committee.txt", "report_expert_group_meeting.txt"):
        shutil.copy(FIXTURES / name, root / "data" / "reports" / name)
    result = run_build(Settings(root=root, build_dir=tmp_path / "build"), progress=False, out=lambda _t: None)
    dataset = (result.folder / "dataset.nq").read_text(encoding="utf-8")
    for graph in ("report/som-27", "report/nfp-3", "report/neacap-spc-7", "report/escap-commission-81",
                  "report/escap-ced-8", "report/neaspec-egm-2024-12-13"):
        assert f"<https://w3id.org/neaspec/graph/{graph}> ." in dataset
    assert "<https://w3id.org/neaspec/id/meeting/nfp-3> <http://schema.org/superEvent> " \
           "<https://w3id.org/neaspec/id/series/nfp>" in dataset
    # The SOM's tables and timeline list the SOM's sessions only: NFP-3 is not a third SOM session.
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(result.folder / "store"))
    for query in (REPO / "queries" / "table-sessions.rq", REPO / "queries" / "officers-by-session.rq",
                  REPO / "neaspec_kg" / "pages" / "queries" / "sessions.rq"):
        values = {term.value.lower() for row in store.query(query.read_text(encoding="utf-8"))
                  for term in row if term is not None}
        assert {"som-27", "https://w3id.org/neaspec/id/meeting/som-27"} & values, query.name
        assert not {v for v in values if any(k in v for k in ("nfp-3", "spc-7", "ced-8", "commission-81", "egm"))}, \
            query.name


def test_an_unknown_verb_of_the_commission_is_warned_not_dropped_silently(curated, tmp_path):
    text = (FIXTURES / "report_escap_commission.txt").read_text(encoding="utf-8").replace(
        "5. The Commission decided to hold", "5. The Commission reaffirmed its support for subregional work. "
                                            "The Commission decided to hold")
    path = tmp_path / "commission.txt"
    path.write_text(text, encoding="utf-8")
    x = extract_all(parse_report(path, curated), curated)
    (unknown,) = [w for w in x.warnings if w.code == "unknown-decision-verb"]
    assert (unknown.paragraph, "'reaffirmed' is not in data/curated/decision-verbs.csv" in unknown.message) == (5, True)
    assert [d.verb for d in x.decisions if d.span.paragraph == 5] == ["decided"]


def _parse_variant(curated, tmp_path, fixture, old, new):
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / fixture
    path.write_text(text.replace(old, new), encoding="utf-8")
    return parse_report(path, curated)


def test_a_title_in_sentence_case_wrapped_over_two_lines(curated, tmp_path):
    report = _parse_variant(curated, tmp_path, "report_escap_committee.txt",
                            "Report of the Committee on Environment and Development on its eighth session",
                            "Report of the Committee on Environment and\nDevelopment on its eighth session")
    assert (report.front.name, report.front.title) == (
        "CED-8", "Report of the Committee on Environment and Development on its eighth session")


def test_without_a_title_a_meeting_named_in_passing_does_not_make_a_som(curated, tmp_path):
    """Paragraph 1 of another body's meeting names a SOM it was held with: refused, not read as that SOM."""
    text = (FIXTURES / "report_other_body.txt").read_text(encoding="utf-8")
    text = text.replace("REPORT OF THE FOURTH MEETING OF THE GOVERNING COUNCIL OF THE ASIA-PACIFIC TRAINING CENTRE",
                        "GOVERNING COUNCIL OF THE ASIA-PACIFIC TRAINING CENTRE")
    text = text.replace("on 11-12 March 2025.", "on 11-12 March 2025, in conjunction with the Twenty-seventh "
                                                "Senior Officials Meeting of NEASPEC.")
    path = tmp_path / "council.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError, match=r"council.txt, line 1: the title block and paragraph 1 names no meeting series"):
        parse_report(path, curated)


def test_a_title_that_is_not_at_the_start_of_its_line(curated, tmp_path):
    report = _parse_variant(
        curated, tmp_path, "report_escap_commission.txt",
        "REPORT OF THE ECONOMIC AND SOCIAL COMMISSION FOR ASIA AND THE PACIFIC ON ITS EIGHTY-FIRST SESSION",
        "Economic and Social Commission for Asia and the Pacific: report on the eighty-first session")
    assert (report.front.series, report.front.session_number) == ("escap-commission", 81)


def test_officers_in_prose_without_as(curated, tmp_path):
    report = _parse_variant(
        curated, tmp_path, "report_neacap_spc.txt",
        "The Committee elected Mr. GANBAATAR Bold (Mongolia) as Chair and Ms. SATO Yuki (Japan) as Vice-Chair.",
        "The Committee elected Mr. GANBAATAR Bold (Mongolia) Chair and Ms. SATO Yuki (Japan) Vice-Chair.")
    x = extract_all(report, curated)
    assert [(o.role, o.person.name, o.country) for o in x.officers] == [
        ("chair", "GANBAATAR Bold", "Mongolia"), ("vice-chair", "SATO Yuki", "Japan")]
    assert "officers-missing" not in {w.code for w in x.warnings}


def test_statement_on_behalf_of_a_group_named_first(curated, tmp_path):
    report = _parse_variant(
        curated, tmp_path, "report_escap_commission.txt",
        "The representative of China, on behalf of the countries of North-East Asia, stated",
        "On behalf of the countries of North-East Asia, the representative of China stated")
    (china,) = extract_all(report, curated).statements
    assert (china.speaker, china.on_behalf_of) == ("China", "the countries of North-East Asia")
    assert china.span.exact.startswith("On behalf of the countries of North-East Asia, the representative")
