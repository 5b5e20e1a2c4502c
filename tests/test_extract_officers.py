"""Election of officers: the real SOM-27 list (paragraph 15) and the genre's prose forms."""

from __future__ import annotations

import pytest

from neaspec_kg.extract.officers import extract_officers
from neaspec_kg.records import DataQualityWarning
from neaspec_kg.report.structure import parse_report, parse_report_text

from conftest import FIXTURES


@pytest.fixture(scope="module")
def som27_officers(som27, curated):
    warnings: list[DataQualityWarning] = []
    officers = extract_officers(som27, curated, warnings)
    assert warnings == []
    return officers


def test_som27_officers(som27_officers):
    assert [(o.role, o.person.honorific, o.person.name, o.person.family_name, o.country) for o in som27_officers] == [
        ("chair", "Mr.", "ZHOU Jun", "ZHOU", "China"),
        ("vice-chair", "Ms.", "CHO Gye Yeon", "CHO", "Republic of Korea"),
        ("rapporteur", "Ms.", "TSOGZOLMAA Nanjaa", "TSOGZOLMAA", "Mongolia"),
    ]
    assert all(o.person.country == o.country for o in som27_officers)


def test_som27_spans(som27, som27_officers):
    text = som27.paragraph(15).text
    for officer in som27_officers:
        for span in (officer.span, officer.person.span):
            assert (span.section, span.paragraph) == ("II.C", 15)
            assert text[span.start:span.end] == span.exact
    assert som27_officers[1].span.exact == "Vice-Chair:\tMs. CHO Gye Yeon (Republic of Korea)"
    assert som27_officers[1].person.span.exact == "Ms. CHO Gye Yeon (Republic of Korea)"


def test_genre_prose_form_with_two_vice_chairs(curated):
    report = parse_report(FIXTURES / "report_genre_twenty_fifth_session.txt", curated)
    warnings: list[DataQualityWarning] = []
    officers = extract_officers(report, curated, warnings)
    assert warnings == []
    assert [(o.role, o.person.name, o.country) for o in officers] == [
        ("chair", "BATBOLD Dorj", "Mongolia"),
        ("vice-chair", "SATO Yumi", "Japan"),
        ("vice-chair", "PETROV Ilya", "Russian Federation"),
        ("rapporteur", "WANG Lei", "China"),
    ]
    text = report.paragraph(6).text
    assert all(text[o.span.start:o.span.end] == o.span.exact for o in officers)
    assert officers[0].span.exact == "Mr. BATBOLD Dorj (Mongolia) as Chair"


_FRAME = """\
Thirtieth Senior Officials Meeting of NEASPEC
Tokyo, Japan
4-5 June 2030

1. The Thirtieth Senior Officials Meeting was held in Tokyo, Japan, on 4-5 June 2030.

II. PROCEEDINGS

A. Election of officers

2. {officers}

B. Adoption of the report

3. The Meeting adopted the report.
"""


def _officers(curated, sentence: str, warnings: list[DataQualityWarning]):
    report = parse_report_text(_FRAME.format(officers=sentence), "som30.txt", curated)
    return [(o.role, o.person.honorific, o.person.name, o.country) for o in extract_officers(report, curated, warnings)]


@pytest.mark.parametrize("sentence, expected", [
    ("Mr. TANAKA Ken (Japan) was unanimously elected Chair, and Ms. Oyun Bat of Mongolia was elected as Rapporteur.",
     [("chair", "Mr.", "TANAKA Ken", "Japan"), ("rapporteur", "Ms.", "Oyun Bat", "Mongolia")]),
    ("The Meeting elected H.E. Mr. KIM Minsu, Director-General, Ministry of Foreign Affairs (Republic of Korea) as "
     "Chairperson.",
     [("chair", "H.E. Mr.", "KIM Minsu", "Republic of Korea")]),
    ("The Meeting elected the following officers:\nChair:\tMs. LI Na (China)\nVice-Chairs:\tMr. SATO Jiro (Japan)\n"
     "\tMs. IVANOVA Olga (Russian Federation)",
     [("chair", "Ms.", "LI Na", "China"), ("vice-chair", "Mr.", "SATO Jiro", "Japan"),
      ("vice-chair", "Ms.", "IVANOVA Olga", "Russian Federation")]),
])
def test_phrasings_of_the_genre(curated, sentence, expected):
    warnings: list[DataQualityWarning] = []
    assert _officers(curated, sentence, warnings) == expected
    assert warnings == []


def test_position_and_affiliation_of_an_officer(curated):
    sentence = ("The Meeting elected H.E. Mr. KIM Minsu, Director-General, Ministry of Foreign Affairs "
                "(Republic of Korea) as Chair.")
    report = parse_report_text(_FRAME.format(officers=sentence), "som30.txt", curated)
    [officer] = extract_officers(report, curated, [])
    assert (officer.person.position, officer.person.affiliation) == ("Director-General", "Ministry of Foreign Affairs")


def test_officer_without_a_country_is_kept_and_warned(curated):
    warnings: list[DataQualityWarning] = []
    sentence = "The Meeting elected the following officers:\nChair:\tMs. LI Na (China)\nRapporteur:\tMr. SATO Jiro"
    assert _officers(curated, sentence, warnings) == [("chair", "Ms.", "LI Na", "China"),
                                                      ("rapporteur", "Mr.", "SATO Jiro", None)]
    [warning] = warnings
    assert (warning.code, warning.paragraph) == ("officer-without-country", 2)
    assert str(warning).startswith("som30.txt, paragraph 2: officer line without a country: 'Rapporteur: Mr. SATO Jiro'")


def test_no_election_is_a_warning(curated):
    warnings: list[DataQualityWarning] = []
    assert _officers(curated, "The Meeting postponed the election of its officers.", warnings) == []
    [warning] = warnings
    assert warning.code == "officers-missing" and warning.line == 9  # the 'A. Election of officers' heading
    assert str(warning).startswith("som30.txt, line 9: no election of officers found")


def test_officer_without_country_does_not_swallow_the_next_line(curated):
    """Regression: a name ran across the line break into 'Vice-Chair' and lost that officer."""
    from neaspec_kg.extract import extract_all
    from neaspec_kg.report import parse_report_text
    from tests.conftest import SOM27

    text = SOM27.read_text(encoding="utf-8").replace("ZHOU Jun (China)", "ZHOU Jun")
    x = extract_all(parse_report_text(text, "som27-no-country.txt", curated), curated)
    assert [(o.role, o.person.name, o.country) for o in x.officers] == [
        ("chair", "ZHOU Jun", None),
        ("vice-chair", "CHO Gye Yeon", "Republic of Korea"),
        ("rapporteur", "TSOGZOLMAA Nanjaa", "Mongolia"),
    ]
    assert any(w.code == "officer-without-country" and "som27-no-country.txt, paragraph 15" in str(w)
               for w in x.warnings)
