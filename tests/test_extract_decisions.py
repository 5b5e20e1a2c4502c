"""Decisions and document mentions, on the real SOM-27 report and on a report in other words."""

from __future__ import annotations

from pathlib import Path

import pytest

from neaspec_kg.extract.decisions import extract_decisions
from neaspec_kg.extract.documents import extract_documents
from neaspec_kg.extract.statements import extract_statements
from neaspec_kg.report import parse_report

GENRE = Path(__file__).resolve().parent / "fixtures" / "genre_som19_report.txt"


@pytest.fixture(scope="module")
def decisions(som27, curated):
    return extract_decisions(som27, curated, [])


@pytest.fixture(scope="module")
def genre(curated):
    return parse_report(GENRE, curated)


def _in(decisions, paragraph):
    return [d for d in decisions if d.span.paragraph == paragraph]


def test_air_pollution_conclusions_in_text_order(decisions):
    air = [d for d in decisions if d.programme_area == "air-pollution" and d.section_kind == "conclusions"]
    assert [(d.span.paragraph, d.ordinal, d.verb) for d in air] == [
        (3, 1, "welcomed"), (3, 2, "approved"), (3, 3, "requested"), (3, 4, "noted"),
        (3, 5, "noted"), (3, 6, "requested"), (3, 7, "adopted")]
    welcomed, approved, requested, _, _, requested_again, adopted = air
    assert welcomed.object_text.startswith("the progress of work on air pollution")
    assert approved.documents == ("neacap-policy-analysis-report-executive-summary",)
    assert (requested.actor, requested.addressee) == ("senior officials", "secretariat")
    assert (requested_again.actor, requested_again.addressee) == ("delegates", "secretariat")
    assert adopted.documents[0] == "activity-plan-2025-air-pollution"


def test_meeting_endorsed_the_financial_report(decisions):
    (endorsed,) = _in(decisions, 54)
    assert (endorsed.actor, endorsed.verb, endorsed.object_text) == ("Meeting", "endorsed", "the financial report")
    assert endorsed.documents == ("financial-report-som-27",)
    assert (endorsed.agenda_item, endorsed.programme_area, endorsed.section_kind) == ("6", "funds", "proceedings")
    assert endorsed.span.exact == "The Meeting endorsed the financial report"


def test_coordinated_verbs_are_separate_decisions(decisions):
    para6 = _in(decisions, 6)
    assert [(d.ordinal, d.actor, d.verb) for d in para6] == [
        (1, "Meeting", "welcomed"), (2, "senior officials", "acknowledged"),
        (3, "senior officials", "took-note"), (4, "Meeting", "adopted")]
    # the object stops where the next predicate starts
    assert para6[1].object_text == "efforts related to low carbon development made by the member States"


def test_passive_participle_is_not_a_decision(decisions):
    # para 9: "the delegates advised that its drafts will be reviewed and adopted by the member States"
    # (the last sentence, "The secretariat will revise ... and circulate ...", is two actions of the secretariat)
    assert [d.verb for d in _in(decisions, 9)] == ["welcomed", "advised", "tasked", "took-note", "undertook", "undertook"]
    assert _in(decisions, 9)[1].object_text == "that its drafts will be reviewed and adopted by the member States"


def test_passive_request_names_the_addressee(decisions):
    first, second, third = _in(decisions, 27)
    assert (third.actor, third.verb) == ("secretariat", "undertook")  # "... the secretariat will align the timeline"
    assert (first.verb, first.actor, first.addressee) == ("requested", "Meeting", "secretariat")
    assert first.object_text.startswith("to work with member countries to finalize the full report")
    assert first.documents == ("neacap-policy-analysis-report",)
    assert second.span.exact.startswith("The secretariat was also asked to facilitate")


def test_it_continues_the_meeting(decisions):
    noted, informed = _in(decisions, 46)
    assert (informed.actor, informed.verb) == ("Meeting", "informed")
    assert informed.documents == ("dld-overview-working-paper",)


def test_the_plan_refers_back_to_the_plan_just_named(decisions):
    revised, approved = _in(decisions, 48)
    assert revised.verb == "revised" and approved.object_text == "the plan"
    assert approved.documents == ("activity-plan-2025-desertification-land-degradation",)


def test_every_programme_area_has_its_2025_plan_adopted_in_both_chapters(decisions):
    for area in ["air-pollution", "biodiversity-nature-conservation", "marine-protected-areas",
                 "low-carbon-cities", "desertification-land-degradation"]:
        plan = f"activity-plan-2025-{area}"
        for chapter in ("conclusions", "proceedings"):
            acted = [d for d in decisions if plan in d.documents and d.section_kind == chapter
                     and d.verb in {"adopted", "approved"}]
            assert acted and all(d.programme_area == area for d in acted), (area, chapter)


def test_future_session_and_projects(decisions):
    assert [(d.span.paragraph, d.verb) for d in decisions if d.planned_session == 28] == [
        (9, "took-note"), (10, "welcomed"), (63, "discussed"), (63, "appreciated")]
    (welcomed_project,) = [d for d in _in(decisions, 4) if d.projects]
    assert (welcomed_project.actor, welcomed_project.projects) == ("delegates", ("migratory-birds-connectivity",))


def test_verbs_come_from_the_table_and_spans_are_exact(som27, curated, decisions):
    verbs = set(curated.by_key("decision_verbs"))
    for d in decisions:
        assert d.verb in verbs
        assert som27.paragraph(d.span.paragraph).text[d.span.start:d.span.end] == d.span.exact
        assert d.object_text in d.span.exact


def test_documents_curated_and_derived(som27, curated):
    mentions = extract_documents(som27, curated, [])
    keys = {m.key for m in mentions}
    assert {"financial-report-som-27", "conclusions-som-27", "neaspec-strategic-plan-2026-2030",
            "neacap-policy-analysis-report-executive-summary", "dld-overview-working-paper"} <= keys
    assert {k for k in keys if k.startswith("activity-plan-")} == {
        "activity-plan-2025-air-pollution", "activity-plan-2025-biodiversity-nature-conservation",
        "activity-plan-2025-marine-protected-areas", "activity-plan-2025-low-carbon-cities",
        "activity-plan-2025-desertification-land-degradation"}
    (in_31,) = [m for m in mentions if m.span.paragraph == 31 and m.key.startswith("activity-plan-")]
    assert (in_31.span.exact, in_31.year, in_31.kind) == ("the proposed 2025 activity plan", 2025, "project-plan")
    for m in mentions:
        assert som27.paragraph(m.span.paragraph).text[m.span.start:m.span.end] == m.span.exact


def test_paragraph_coverage(som27, curated, decisions):
    """Recall on SOM-27: paragraphs with at least one statement or decision.

    The five left are the venue paragraph, attendance, the opening session and the officers'
    election: other extractors read them.
    """
    statements = extract_statements(som27, curated, [])
    covered = {d.span.paragraph for d in decisions} | {s.span.paragraph for s in statements}
    numbered = {p.number for p in som27.paragraphs if p.number is not None}
    assert len(numbered) == 65
    assert numbered - covered == {1, 12, 13, 14}  # 15: 'The Meeting elected the following officers'


def test_genre_other_session_other_words(genre, curated):
    warnings = []
    found = extract_decisions(genre, curated, warnings)
    assert [(d.span.paragraph, d.actor, d.verb, d.addressee) for d in found] == [
        (2, "senior officials", "endorsed", None), (2, "senior officials", "encouraged", "member States"),
        (2, "SOM", "adopted", None), (3, "Meeting", "agreed", None), (4, "Meeting", "adopted", None),
        (10, "Meeting", "requested", "secretariat"), (10, "Meeting", "took-note", None),
        (10, "Meeting", "approved", None)]
    assert found[0].object_text == "the list of NEAMPAN target sites"
    assert found[2].documents == ("activity-plan-2015-marine-protected-areas",)
    assert (found[3].planned_session, found[3].programme_area) == (20, "next-session")
    assert found[7].documents == ("activity-plan-2015-low-carbon-cities",)
    assert (found[7].agenda_item, found[7].section_kind) == ("3 (a)", "proceedings")


def test_genre_plan_without_area_is_warned(genre, curated):
    warnings = []
    extract_documents(genre, curated, warnings)
    (warning,) = [w for w in warnings if w.code == "activity-plan-without-area"]
    assert warning.paragraph == 4 and "genre_som19_report.txt, paragraph 4" in str(warning)


def test_a_document_in_a_qualifying_clause_is_not_acted_on(decisions):
    """Para 28 approves the Executive Summary and the activities 'with an adjusted timeline for the
    publication of the full report': the full report itself is not approved (review finding)."""
    (approved,) = _in(decisions, 28)
    assert "neacap-policy-analysis-report" not in approved.documents
    assert "neacap-policy-analysis-report-executive-summary" in approved.documents


def test_unknown_decision_verb_is_warned_not_dropped_silently(curated):
    from neaspec_kg.extract import extract_all
    from neaspec_kg.report import parse_report_text
    from tests.conftest import SOM27

    text = SOM27.read_text(encoding="utf-8").replace("36. The Meeting approved the proposed activity plan",
                                                     "36. The Meeting supported the proposed activity plan")
    x = extract_all(parse_report_text(text, "som27-supported.txt", curated), curated)
    assert not [d for d in x.decisions if d.span.paragraph == 36]
    (w,) = [w for w in x.warnings if w.code == "unknown-decision-verb"]
    assert str(w).startswith("som27-supported.txt, paragraph 36:") and "'supported'" in str(w)
