"""The report-structure parser on the real SOM-27 report."""

from datetime import date


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
