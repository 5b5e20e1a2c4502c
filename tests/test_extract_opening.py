"""The opening session: speakers, their posts, and the agenda sub-item each statement belongs to."""

from __future__ import annotations

import pytest

from neaspec_kg.extract.opening import extract_opening
from neaspec_kg.records import DataQualityWarning
from neaspec_kg.report.structure import parse_report, parse_report_text

from conftest import FIXTURES


@pytest.fixture(scope="module")
def som27_opening(som27, curated):
    warnings: list[DataQualityWarning] = []
    persons, statements = extract_opening(som27, curated, warnings)
    return persons, statements, warnings


def test_som27_speakers(som27_opening):
    persons, _, _ = som27_opening
    baasanjav, chen = persons
    assert (baasanjav.honorific, baasanjav.name, baasanjav.position, baasanjav.affiliation, baasanjav.country) == (
        "Mr.", "Ganbold Baasanjav", "Head", "UN ESCAP Subregional Office for East and North-East Asia", None)
    # Not printed in capitals: the later "Mr. Baasanjav" tells the family name.
    assert baasanjav.family_name == "Baasanjav"
    assert (chen.honorific, chen.name, chen.family_name, chen.country) == ("Ms.", "CHEN Haijun", "CHEN", "China")
    assert chen.position == "Deputy Director General, Department of International Cooperation"
    assert chen.affiliation == "Ministry of Ecology and Environment of China"


def test_som27_statements_follow_the_agenda_not_the_wording(som27_opening):
    persons, statements, _ = som27_opening
    assert [(s.speaker_kind, s.speaker, s.kind, s.agenda_item) for s in statements] == [
        ("person", "Ganbold Baasanjav", "opening-remarks", "1 (a)"),   # the ESCAP office head
        ("person", "CHEN Haijun", "welcoming-remarks", "1 (b)"),       # the host Government's official
    ]
    assert [s.person for s in statements] == list(persons)


def test_som27_wording_that_differs_from_the_agenda_is_warned(som27_opening):
    _, _, warnings = som27_opening
    [warning] = warnings
    assert (warning.code, warning.paragraph) == ("statement-kind-differs", 14)
    assert "'opening-remarks'" in warning.message and "'welcoming-remarks'" in warning.message
    assert str(warning).startswith("som27-report.txt, paragraph 14: the report calls CHEN Haijun's statement")


def test_som27_spans(som27, som27_opening):
    persons, statements, _ = som27_opening
    for record in [*persons, *statements]:
        span = record.span
        assert span.section == "II.B"
        assert som27.paragraph(span.paragraph).text[span.start:span.end] == span.exact
    assert persons[1].span.exact == ("Ms. CHEN Haijun, Deputy Director General, Department of International "
                                     "Cooperation, Ministry of Ecology and Environment of China")
    assert statements[0].span.paragraph == 13 and statements[0].span.exact == som27.paragraph(13).text


def test_genre_sub_items_in_another_order(curated):
    """Welcoming remarks first, ESCAP second: the rule follows the agenda, not a position."""
    report = parse_report(FIXTURES / "report_genre_twenty_fifth_session.txt", curated)
    warnings: list[DataQualityWarning] = []
    persons, statements = extract_opening(report, curated, warnings)
    assert warnings == []
    assert [(s.speaker, s.kind, s.agenda_item, s.span.paragraph) for s in statements] == [
        ("ENKHBOLD Tsend", "welcoming-remarks", "1 (a)", 3),
        ("Amelia Hartono", "opening-remarks", "1 (b)", 4),
    ]
    assert [(p.honorific, p.family_name, p.country) for p in persons] == [
        ("H.E. Mr.", "ENKHBOLD", "Mongolia"), ("Ms.", "Hartono", None)]
    assert persons[1].affiliation == "ESCAP Subregional Office for East and North-East Asia"


_NO_SUB_ITEMS = """\
Thirtieth Senior Officials Meeting of NEASPEC
Tokyo, Japan
4-5 June 2030

1. The Thirtieth Senior Officials Meeting was held in Tokyo, Japan, on 4-5 June 2030.

II. PROCEEDINGS

A. Opening session

2. The Meeting was opened by Mr. YAMADA Taro, Director, Ministry of the Environment of Japan. Mr. Yamada thanked the secretariat. Ms. Mia Lund, Programme Officer, Asian Development Bank, delivered a statement.

B. Adoption of the agenda

3. The Meeting adopted the following agenda:
1. Opening of the Meeting
2. Adoption of the report

C. Adoption of the report

4. The Meeting adopted the report.
"""


def test_without_sub_items_two_speakers_in_one_paragraph(curated):
    report = parse_report_text(_NO_SUB_ITEMS, "som30.txt", curated)
    warnings: list[DataQualityWarning] = []
    persons, statements = extract_opening(report, curated, warnings)
    assert [p.name for p in persons] == ["YAMADA Taro", "Mia Lund"]  # "Mr. Yamada" is not a third speaker
    assert [(s.speaker, s.kind, s.agenda_item) for s in statements] == [
        ("YAMADA Taro", "opening-remarks", "1"), ("Mia Lund", "opening-remarks", "1")]
    text = report.paragraph(2).text
    assert statements[0].span.exact == text[:statements[1].span.start].rstrip()
    assert statements[1].span.exact.startswith("Ms. Mia Lund, Programme Officer")
    assert [(w.code, w.paragraph) for w in warnings] == [("opening-speaker-unmatched", 2)] * 2
    assert str(warnings[0]).startswith("som30.txt, paragraph 2: Mr. YAMADA Taro: no opening sub-item")


def test_no_opening_session_is_a_warning(curated):
    text = _NO_SUB_ITEMS.replace("A. Opening session\n\n2. The Meeting was opened by", "A. Other\n\n2. Seen by")
    report = parse_report_text(text, "som30.txt", curated)
    warnings: list[DataQualityWarning] = []
    assert extract_opening(report, curated, warnings) == ((), ())
    assert [w.code for w in warnings] == ["opening-missing"]
    assert str(warnings[0]).startswith("som30.txt: no opening session found")
