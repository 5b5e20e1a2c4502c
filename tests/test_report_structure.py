"""The report-structure parser on the real SOM-27 report."""

from datetime import date
from tests.conftest import SOM27


def test_front_matter(som27):
    assert som27.front.session_number == 27
    assert (som27.front.start_date, som27.front.end_date) == (date(2024, 12, 12), date(2024, 12, 13))
    assert (som27.front.city, som27.front.country) == ("Beijing", "China")


def test_numbered_paragraphs_are_one_sequence(som27):
    numbers = [p.number for p in som27.paragraphs if p.number is not None]
    assert numbers == list(range(1, 66))


def test_page_break_split_is_rejoined(som27):
    # Paragraph 3 is split by a page break after "the country".
    assert "Notwithstanding that the country is not included in the report" in som27.paragraph(3).text


def test_agenda_list_is_not_taken_for_paragraphs(som27):
    agenda = [p for p in som27.paragraphs if p.section == "II.D"]
    assert len(agenda) == 1 and agenda[0].number is None
    assert "5. Review of programme planning and implementation" in agenda[0].text


def test_heading_defects_are_warnings(som27):
    codes = [w.code for w in som27.warnings]
    assert codes.count("heading-session-mismatch") == 2
    assert codes.count("agenda-subheading-without-number") == 3
    assert som27.paragraph(37).agenda_item == "5 (c)"


# --- the genre, not one file: a synthetic Twenty-fifth session in Ulaanbaatar ---------------------
def _genre(curated):
    from conftest import FIXTURES
    from neaspec_kg.report import parse_report

    return parse_report(FIXTURES / "report_genre_twenty_fifth_session.txt", curated)


def test_genre_front_matter(curated):
    front = _genre(curated).front
    assert front.session_number == 25
    assert (front.start_date, front.end_date) == (date(2022, 10, 5), date(2022, 10, 6))
    assert (front.city, front.country) == ("Ulaanbaatar", "Mongolia")
    assert front.title.startswith("Report of the Twenty-fifth Senior Officials Meeting")


def test_genre_agenda_numbers_do_not_become_paragraphs(curated):
    # The agenda list (items 1-8) sits in paragraph 7, so its items 7 and 8 carry the numbers that
    # the next paragraphs will have; they stay list lines, and paragraphs 8-11 are read after it.
    report = _genre(curated)
    assert [p.number for p in report.paragraphs if p.number is not None] == list(range(1, 12))
    agenda = report.paragraph(7).text.split("\n")
    assert agenda[0] == "The Meeting adopted the following agenda:"
    assert agenda[1:4] == ["1. Opening of the session:",
                           "(a) Welcoming remarks by a representative of the host Government;",
                           "(b) Opening remarks by the ESCAP East and North-East Asia Office."]
    assert agenda[-1].startswith("8. Adoption of the report of the Meeting")
    assert report.paragraph(8).text.startswith("The Meeting took note of the progress")
    assert (report.paragraph(8).section, report.paragraph(8).agenda_item) == ("II.E", "4 (a)")
    assert not [w for w in report.warnings if w.code == "paragraph-number-gap"]


def test_front_title_stops_at_the_end_of_the_upper_case_block(curated):
    from conftest import FIXTURES
    from neaspec_kg.report.structure import parse_report_text

    text = (FIXTURES / "report_genre_twenty_fifth_session.txt").read_text(encoding="utf-8")
    text = text.replace("ENVIRONMENTAL COOPERATION**", "ENVIRONMENTAL COOPERATION**\n\nNote by the secretariat")
    assert "Note by the secretariat" in text
    report = parse_report_text(text, "genre-with-note.txt", curated)
    assert report.front.title == ("Report of the Twenty-fifth Senior Officials Meeting of the North-East Asian "
                                  "Subregional Programme for Environmental Cooperation")


def _without_venue(text: str, held: str) -> str:
    text = text.replace("\nBeijing, China\n", "\n")
    return text.replace("was held in Beijing, China, on 12-13 December 2024", f"was held {held} on 12-13 December 2024")


def test_virtual_session_has_no_venue(curated):
    from neaspec_kg.report import parse_report_text

    text = _without_venue(SOM27.read_text(encoding="utf-8"), "by videoconference")
    report = parse_report_text(text, "som-virtual.txt", curated)
    assert report.front.virtual and report.front.city is None and report.front.country is None
    assert report.front.session_number == 27


def test_missing_venue_of_an_in_person_session_is_an_error(curated):
    import pytest

    from neaspec_kg.records import ReportError
    from neaspec_kg.report import parse_report_text

    text = _without_venue(SOM27.read_text(encoding="utf-8"), "as planned")
    with pytest.raises(ReportError, match=r"som-novenue.txt, line \d+: no venue .*held online"):
        parse_report_text(text, "som-novenue.txt", curated)


def test_host_government_from_paragraph_1(som27):
    assert som27.front.host == "China"
