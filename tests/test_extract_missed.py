"""What the extractors used to miss on SOM-27 (issue 17, part 5), as records and as triples:

a. links between events ("in conjunction with", "during", "back-to-back to SOM-27");
b. dates and years the text states, as typed literals (the day the conclusions were adopted,
   the year a workshop was held "earlier this year");
c. clauses with two numbers, or a number and a year, each with its role;
d. sentences whose subject is the secretariat, as actions with the secretariat as agent;
e. "Noting X, the delegates advised Y": the decision is about Y.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, XSD

from neaspec_kg import iris
from neaspec_kg.extract import extract_all
from neaspec_kg.namespaces import NEA, SCHEMA
from neaspec_kg.rdf import report_graph


@pytest.fixture(scope="module")
def extraction(som27, curated):
    return extract_all(som27, curated)


@pytest.fixture(scope="module")
def graph(extraction, curated):
    return report_graph(extraction, curated)


def _events(extraction, paragraph):
    return [e for e in extraction.events if e.span.paragraph == paragraph]


def _decisions(extraction, paragraph):
    return [d for d in extraction.decisions if d.span.paragraph == paragraph]


# --- a. links between events -------------------------------------------------------------------
def test_event_held_in_conjunction_with_another(extraction, graph):
    (dialogue,) = [e for e in _events(extraction, 3) if e.key == "neacap-policy-dialogue-2"]
    assert (dialogue.link, dialogue.linked_event) == ("in-conjunction-with", "neacap-spc-7")
    assert (iris.event("neacap-policy-dialogue-2"), NEA.heldInConjunctionWith, iris.event("neacap-spc-7")) in graph


def test_event_held_during_another(extraction, graph):
    for paragraph in (6, 41):
        (forum,) = [e for e in _events(extraction, paragraph) if e.key == "international-forum-on-low-carbon-cities-5"]
        assert (forum.link, forum.linked_event) == ("during", "eastern-economic-forum-2025")
    assert (iris.event("international-forum-on-low-carbon-cities-5"), SCHEMA.superEvent,
            iris.event("eastern-economic-forum-2025")) in graph


def test_event_held_back_to_back_with_a_session(extraction, graph):
    (egm,) = _events(extraction, 9)
    assert (egm.key, egm.link, egm.linked_session, egm.linked_event) == (
        "strategic-planning-expert-group-meeting-2024", "back-to-back", 27, None)
    assert (iris.event(egm.key), NEA.heldBackToBackWith, iris.meeting(27)) in graph


def test_an_event_named_without_a_link_has_none(extraction):
    (spc6,) = [e for e in _events(extraction, 22) if e.key == "neacap-spc-6"]
    assert (spc6.link, spc6.linked_event, spc6.linked_session) == (None, None, None)


# --- b. dates and years as data ------------------------------------------------------------------
def test_date_the_conclusions_were_adopted(extraction, graph):
    (adopted,) = _decisions(extraction, 65)
    assert (adopted.verb, adopted.date, adopted.documents) == ("adopted", date(2024, 12, 13), ("conclusions-som-27",))
    node = iris.decision(27, 65, 1)
    assert (node, DCTERMS.date, Literal("2024-12-13", datatype=XSD.date)) in graph
    assert (iris.document("conclusions-som-27"), DCTERMS.dateAccepted,
            Literal("2024-12-13", datatype=XSD.date)) in graph


def test_a_status_date_is_not_the_decision_date(extraction):
    # para 49: "noted the status of the NEASPEC Core Fund ... as of 30 September 2024"
    assert [d.date for d in _decisions(extraction, 49)] == [None, None]


def test_year_a_workshop_was_held(extraction, graph):
    # para 31: "the successful transboundary cooperation workshop hosted in Incheon ... earlier this year"
    (workshop,) = _events(extraction, 31)
    assert (workshop.period, workshop.year) == ("earlier this year", 2024)
    # para 6: "... during the Eastern Economic Forum in 2025"
    (eef,) = [e for e in _events(extraction, 6) if e.key == "eastern-economic-forum-2025"]
    assert eef.year == 2025
    assert (iris.event("eastern-economic-forum-2025"), DCTERMS.date, Literal("2025", datatype=XSD.gYear)) in graph


def test_an_undated_event_gets_no_stated_year(extraction):
    # para 22: "the Symposium" carries the reporting year in its key, but the text states no year
    (symposium,) = [e for e in _events(extraction, 22) if e.key == "air-pollution-symposium-2024"]
    assert symposium.year is None


# --- c. two numbers, or a number and a year --------------------------------------------------------
def test_from_one_number_to_another(extraction, graph):
    (bays,) = [c for c in extraction.commitments if c.measure == "bay-development"]
    assert (bays.actor, bays.kind, bays.span.paragraph) == ("China", "achieved", 16)
    assert (bays.quantity.value, bays.quantity.qualifier, bays.quantity.unit) == (Decimal(110), "over", "count")
    assert (bays.baseline.value, bays.baseline.unit) == (Decimal(50), "count")
    node = iris.progress(27, 16, bays.ordinal)
    assert (iris.baseline_quantity(node), SCHEMA.value, Literal(Decimal(50), datatype=XSD.decimal)) in graph
    assert (node, NEA.baselineValue, iris.baseline_quantity(node)) in graph
    assert (iris.quantity(node), SCHEMA.minValue, Literal(Decimal(110), datatype=XSD.decimal)) in graph


def test_a_count_with_the_year_of_its_goal(extraction, graph):
    (cities,) = [c for c in extraction.commitments if c.measure == "zero-carbon-cities"]
    assert (cities.quantity.value, cities.kind, cities.target_year, cities.reference_year) == (
        Decimal(191), "achieved", 2050, None)
    assert cities.span.exact.endswith("aiming for carbon neutrality by 2050")
    assert (iris.progress(27, 40, 1), NEA.targetYear, Literal("2050", datatype=XSD.gYear)) in graph


def test_two_targets_in_one_sentence_keep_their_own_years(extraction):
    japan = [c for c in extraction.commitments if c.span.paragraph == 17 and c.measure == "ghg-emissions"]
    assert [(c.quantity.value if c.quantity else None, c.target_year) for c in japan] == [(None, 2050), (Decimal(46), 2030)]


# --- d. the secretariat as agent ------------------------------------------------------------------------
def test_secretariat_actions_are_decisions_with_the_secretariat_as_agent(extraction, graph):
    actions = [d for d in extraction.decisions if d.actor == "secretariat"]
    assert [(d.span.paragraph, d.ordinal, d.verb, d.object_text.split()[0]) for d in actions] == [
        (9, 5, "undertook", "revise"), (9, 6, "undertook", "circulate"), (27, 3, "undertook", "align")]
    assert actions[0].span.exact.startswith("The secretariat will revise the proposed timeline")
    assert actions[1].object_text == "circulate to NEASPEC National Focal Points within two weeks after the SOM-27"
    for d in actions:
        assert (iris.decision(27, d.span.paragraph, d.ordinal), PROV.wasAttributedTo, iris.organization("escap-enea")) \
            in graph


def test_what_the_secretariat_said_is_still_a_statement(extraction):
    # para 61: "The secretariat thanked delegations ..." is the secretariat speaking, not an action
    assert not [d for d in _decisions(extraction, 61)]
    assert [s.speaker for s in extraction.statements if s.span.paragraph == 61] == ["secretariat"]


# --- e. "Noting X, the delegates advised Y" ----------------------------------------------------------------
def test_decision_is_about_its_object_not_its_leading_clause(extraction, graph):
    advised = _decisions(extraction, 9)[1]
    assert (advised.actor, advised.verb) == ("delegates", "advised")
    assert advised.span.exact.startswith("Noting the informal nature of the expert group meeting")
    assert advised.object_span.exact == "that its drafts will be reviewed and adopted by the member States"
    assert advised.events == ()  # the expert group meeting is what was noted, not what was advised
    assert (iris.decision(27, 9, 2), NEA.decisionObject,
            iris.event("strategic-planning-expert-group-meeting-2024")) not in graph


def test_an_event_in_the_object_is_still_acted_on(extraction):
    # para 29: "Noting the progress ..., the Meeting was briefed on activities including the Workshop ..."
    briefed = _decisions(extraction, 29)[0]
    assert briefed.events[0] == "workshop-on-nature-conservation-and-biodiversity-for-transboundary-cooperation-2024"
