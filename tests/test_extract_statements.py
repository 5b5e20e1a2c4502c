"""Statements by delegations, organizations, the secretariat and the Chair."""

from __future__ import annotations

from pathlib import Path

import pytest

from neaspec_kg.extract.sentences import name_at
from neaspec_kg.extract.statements import extract_statements
from neaspec_kg.report import parse_report

GENRE = Path(__file__).resolve().parent / "fixtures" / "genre_som19_report.txt"


@pytest.fixture(scope="module")
def statements(som27, curated):
    return extract_statements(som27, curated, [])


def _in(statements, paragraph):
    return [s for s in statements if s.span.paragraph == paragraph]


def test_each_state_made_a_statement_under_item_4(som27, statements):
    under_4 = [s for s in statements if s.agenda_item == "4"]
    assert [(s.span.paragraph, s.speaker_kind, s.speaker, s.kind) for s in under_4] == [
        (16, "state", "China", "delegation-statement"), (17, "state", "Japan", "delegation-statement"),
        (18, "state", "Mongolia", "delegation-statement"),
        (19, "state", "Republic of Korea", "delegation-statement"),
        (20, "state", "Russian Federation", "delegation-statement")]
    # "the delegate from the Republic of Korea" later in para 19 is the same speaker: one statement
    for s in under_4:
        assert s.span.exact == som27.paragraph(s.span.paragraph).text


def test_topics_of_a_statement_on_five_areas(statements):
    (china,) = _in(statements, 16)
    assert set(china.topics) >= {"air-pollution", "marine-protected-areas", "low-carbon-cities",
                                 "desertification-land-degradation"}


def test_two_speakers_in_one_paragraph(som27, statements):
    mongolia, china = _in(statements, 47)
    assert (mongolia.speaker, china.speaker) == ("Mongolia", "China")
    assert mongolia.span.exact.endswith("promote large-scale investments.")
    assert china.span.exact.startswith("While appreciating the progress in the work programme, the representative of China")
    assert mongolia.span.end < china.span.start
    assert {mongolia.kind, china.kind} == {"intervention"}
    assert (china.agenda_item, china.topics) == ("5 (e)", ("desertification-land-degradation",))


def test_organization_speaker(statements):
    (hsf,) = _in(statements, 35)
    assert (hsf.speaker_kind, hsf.speaker, hsf.kind) == ("organization", "hsf", "intervention")


def test_korea_inside_an_institute_name_is_an_organization(som27, curated, statements):
    assert name_at("Korea Environment Institute (KEI)'s International Forum", curated) == (
        "organization", "kei", len("Korea Environment Institute"))
    assert name_at("Republic of Korea on 28-29 August", curated)[:2] == ("state", "Republic of Korea")
    assert _in(statements, 29) == []  # the Meeting was briefed; nobody spoke


def test_secretariat_responses(statements):
    responses = [s for s in statements if s.speaker_kind == "secretariat"]
    assert [(s.span.paragraph, s.kind) for s in responses] == [
        (44, "secretariat-response"), (53, "secretariat-response"), (61, "secretariat-response")]
    # para 44 opens with the SOM's appreciation (a decision), then the secretariat answers
    assert responses[0].span.exact.startswith("In response to an inquiry from the delegation of Mongolia")
    assert responses[2].span.exact.endswith("remain preliminary and non-binding.")


def test_passive_request_to_the_secretariat_is_not_a_statement(statements):
    assert _in(statements, 27) == []


def test_chair_speaks_as_the_elected_person(statements):
    (chair,) = _in(statements, 11)
    assert (chair.speaker_kind, chair.speaker) == ("person", "ZHOU Jun")
    assert chair.span.exact.startswith("The Chair expressed his appreciation")
    assert (chair.person.honorific, chair.person.family_name, chair.person.country) == ("Mr.", "ZHOU", "China")
    assert chair.person.span.paragraph == 15


def test_opening_session_is_left_to_its_extractor(statements):
    assert not [s for s in statements if s.span.paragraph in (13, 14)]


def test_interventions_under_items_5_to_7(statements):
    kinds = {(s.agenda_item.split()[0], s.kind) for s in statements if s.agenda_item and s.speaker_kind != "secretariat"}
    assert kinds == {("4", "delegation-statement"), ("5", "intervention"), ("6", "intervention"), ("7", "intervention")}
    assert len([s for s in statements if s.agenda_item == "7" and s.speaker_kind == "state"]) == 5


def test_spans_are_exact(som27, statements):
    for s in statements:
        assert som27.paragraph(s.span.paragraph).text[s.span.start:s.span.end] == s.span.exact


def test_genre_other_session_other_words(curated):
    report = parse_report(GENRE, curated)
    warnings = []
    found = extract_statements(report, curated, warnings)
    assert [(s.span.paragraph, s.speaker_kind, s.speaker, s.kind) for s in found] == [
        (7, "state", "Mongolia", "delegation-statement"),
        (7, "state", "Japan", "delegation-statement"),  # "The Japanese delegation informed ..."
        (8, "state", "China", "delegation-statement"),  # "The representatives of China and the Republic of Korea"
        (8, "state", "Republic of Korea", "delegation-statement"),
        (9, "organization", "iges", "intervention"),
        (9, "secretariat", "secretariat", "secretariat-response")]
    mongolia = found[0]
    assert mongolia.span.exact.endswith("She further noted progress on desertification.")
    assert "desertification-land-degradation" in mongolia.topics
    assert found[4].span.exact.endswith("He recommended closer links with national programmes.")
    # the opening session (para 6) is skipped; an unknown speaker is reported, not guessed
    (unknown,) = [w for w in warnings if w.code == "speaker-unknown"]
    assert unknown.paragraph == 11 and "Atlantis" in unknown.message


def test_sentence_splitting_of_a_long_paragraph_is_the_same_sentence_by_sentence(som27):
    """A paragraph repeated 200 times splits into 200 times its sentences, each where it was
    (the lookback before a full stop is bounded, so the cost is linear in the text)."""
    from dataclasses import replace

    from neaspec_kg.extract.sentences import split_sentences

    paragraph = som27.paragraph(16)
    one = split_sentences(paragraph)
    long = replace(paragraph, text=" ".join([paragraph.text] * 200))
    many = split_sentences(long)
    assert len(many) == 200 * len(one)
    step = len(paragraph.text) + 1
    assert [(s.start - step * 7, s.text) for s in many[7 * len(one):8 * len(one)]] == [(s.start, s.text) for s in one]
