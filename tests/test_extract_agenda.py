"""The adopted agenda, read from the real SOM-27 report and from a synthetic report of the genre."""

from __future__ import annotations

import pytest

from neaspec_kg.extract.agenda import extract_agenda
from neaspec_kg.records import DataQualityWarning
from neaspec_kg.report.structure import parse_report, parse_report_text

from conftest import FIXTURES

SOM27_AGENDA = [
    ("1", "Opening of the Meeting"),
    ("1 (a)", "Opening remarks by the Head of ESCAP East and North-East Asia Office"),
    ("1 (b)", "Welcoming remarks by the Head of Delegation of the Host Government"),
    ("2", "Election of officers"),
    ("3", "Adoption of the agenda"),
    ("4", "Statements by delegations of member States, UN and international organizations on issues related to "
          "sustainable development in North-East Asia"),
    ("5", "Review of programme planning and implementation"),
    ("5 (a)", "Air Pollution"),
    ("5 (b)", "Biodiversity and Nature Conservation"),
    ("5 (c)", "Marine Protected Areas"),
    ("5 (d)", "Low Carbon Cities"),
    ("5 (e)", "Desertification and Land Degradation"),
    ("6", "Review of the Core Fund and Project-based Fund"),
    ("7", "Preparation for the development of NEASPEC Strategic Plan 2026-2030"),
    ("8", "Venue, date and provisional agenda of the Twenty-eighth Senior Officials Meeting (SOM-28)"),
    ("9", "Other issues"),
    ("10", "Adoption of the conclusions and recommendations of the Meeting"),
]


@pytest.fixture(scope="module")
def som27_agenda(som27, curated):
    warnings: list[DataQualityWarning] = []
    items = extract_agenda(som27, curated, warnings)
    assert warnings == []
    return items


def test_som27_items_and_titles(som27_agenda):
    assert [(i.notation, i.title) for i in som27_agenda] == SOM27_AGENDA
    assert len([i for i in som27_agenda if i.letter is None]) == 10
    assert len([i for i in som27_agenda if i.letter is not None]) == 7


def test_som27_notation_parts(som27_agenda):
    by_notation = {i.notation: i for i in som27_agenda}
    assert (by_notation["5 (e)"].number, by_notation["5 (e)"].letter) == (5, "e")
    assert (by_notation["10"].number, by_notation["10"].letter) == (10, None)


def test_som27_spans_point_into_the_unnumbered_agenda_block(som27, som27_agenda):
    [block] = [p for p in som27.paragraphs if p.section == "II.D"]
    for item in som27_agenda:
        assert item.span.paragraph is None and item.span.section == "II.D"
        assert block.text[item.span.start:item.span.end] == item.span.exact
    by_notation = {i.notation: i for i in som27_agenda}
    assert by_notation["1 (a)"].span.exact == "- a) Opening remarks by the Head of ESCAP East and North-East Asia Office"
    assert by_notation["10"].span.exact == "10. Adoption of the conclusions and recommendations of the Meeting"


def test_genre_agenda_after_a_numbered_paragraph(curated):
    report = parse_report(FIXTURES / "report_genre_twenty_fifth_session.txt", curated)
    warnings: list[DataQualityWarning] = []
    items = extract_agenda(report, curated, warnings)
    assert warnings == []
    assert [i.notation for i in items] == ["1", "1 (a)", "1 (b)", "2", "3", "4", "4 (a)", "4 (b)", "5", "6", "7", "8"]
    titles = {i.notation: i.title for i in items}
    assert titles["1"] == "Opening of the session"  # the colon that introduces sub-items is dropped
    assert titles["1 (a)"] == "Welcoming remarks by a representative of the host Government"
    # A title wrapped onto a second line is one title (the parser rejoins the wrapped line).
    assert titles["8"] == ("Adoption of the report of the Meeting, including conclusions and recommendations "
                           "arising from the deliberations")
    last = items[-1]
    assert last.span.paragraph == 7 and last.span.exact.startswith("8. Adoption of the report of the Meeting")
    assert report.paragraph(7).text[last.span.start:last.span.end] == last.span.exact


_AGENDA_WITH_GAPS = """\
Twenty-ninth Senior Officials Meeting of NEASPEC
Seoul, Republic of Korea
1-2 March 2031

1. The Twenty-ninth Senior Officials Meeting was held in Seoul, Republic of Korea, on 1-2 March 2031.

II. PROCEEDINGS

A. Adoption of the agenda

2. The Meeting adopted the following agenda:
1. Opening of the Meeting
2. Election of officers
4. Other issues
a) First sub-item
c) Third sub-item
The agenda was adopted without amendment.

B. Adoption of the report

3. The Meeting adopted the report.
"""


def test_gaps_in_the_agenda_are_warned(curated):
    report = parse_report_text(_AGENDA_WITH_GAPS, "som29.txt", curated)
    warnings: list[DataQualityWarning] = []
    items = extract_agenda(report, curated, warnings)
    # The sentence after the list is not a wrapped title.
    assert [(i.notation, i.title) for i in items] == [
        ("1", "Opening of the Meeting"), ("2", "Election of officers"), ("4", "Other issues"),
        ("4 (a)", "First sub-item"), ("4 (c)", "Third sub-item")]
    assert [(w.code, w.paragraph) for w in warnings] == [("agenda-number-gap", 2), ("agenda-letter-gap", 2)]
    assert str(warnings[0]) == "som29.txt, paragraph 2: agenda item 4 follows item 2: items missing or misnumbered?"


def test_no_agenda_is_a_warning(curated):
    text = _AGENDA_WITH_GAPS.split("A. Adoption of the agenda")[0] + "A. Adoption of the report\n\n2. Adopted.\n"
    report = parse_report_text(text, "som29.txt", curated)
    warnings: list[DataQualityWarning] = []
    assert extract_agenda(report, curated, warnings) == ()
    assert [w.code for w in warnings] == ["agenda-missing"]
    assert str(warnings[0]).startswith("som29.txt: no adopted agenda found")
