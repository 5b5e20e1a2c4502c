"""The report parser on damaged or unusual files: the same result as the clean file, or a
ReportError / DataQualityWarning whose message names the file and the line or paragraph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from neaspec_kg.extract.agenda import extract_agenda
from neaspec_kg.extract.attendance import extract_attendance
from neaspec_kg.extract.officers import extract_officers
from neaspec_kg.extract.opening import extract_opening
from neaspec_kg.records import DataQualityWarning, Report, ReportError
from neaspec_kg.report.structure import parse_report, parse_report_bytes

from conftest import FIXTURES, SOM27


def _shape(report: Report) -> tuple:
    """What a layout change must not alter: front matter, sections, paragraph texts and contexts."""
    paragraphs = tuple((p.number, p.text, p.section, p.agenda_item, p.topic) for p in report.paragraphs)
    sections = tuple((s.key, s.title, s.level, s.agenda_items) for s in report.sections)
    warnings = tuple((w.code, w.paragraph) for w in report.warnings)
    return report.front.__dict__ | {"line": None}, sections, paragraphs, warnings


def _facts(report: Report, curated) -> tuple:
    scratch: list[DataQualityWarning] = []
    return (extract_agenda(report, curated, scratch), extract_attendance(report, curated, scratch),
            extract_officers(report, curated, scratch), extract_opening(report, curated, scratch))


def _variant(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- layout changes give the same result -------------------------------------------------
def _extra_blank_lines(text: str) -> str:
    return re.sub(r"\n\n", "\n\n\n\n", text)


def _no_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def _blank_lines_moved(text: str) -> str:
    # A blank line between every list line (officers, agenda) and blanks that hold spaces and tabs.
    text = re.sub(r"\n(?=(?:Vice-Chair|Rapporteur):\t| - [a-z]\)|\d\. )", "\n\n", text)
    return text.replace("\n\n", "\n \t\n")


def _windows(text: str) -> str:
    return text.replace("\n", "\r\n")


def _old_mac(text: str) -> str:
    return text.replace("\n", "\r")


@pytest.mark.parametrize("change", [_extra_blank_lines, _no_blank_lines, _blank_lines_moved, _windows, _old_mac])
def test_layout_changes_give_the_same_report_and_facts(change, tmp_path, curated, som27):
    changed = change(SOM27.read_text(encoding="utf-8"))
    assert changed != SOM27.read_text(encoding="utf-8")  # the change did something
    report = parse_report(_variant(tmp_path, "som27-variant.txt", changed.encode("utf-8")), curated)
    assert _shape(report) == _shape(som27)
    assert _facts(report, curated) == _facts(som27, curated)


def test_byte_order_mark_and_windows_line_endings(tmp_path, curated, som27):
    raw = b"\xef\xbb\xbf" + SOM27.read_bytes().replace(b"\n", b"\r\n")
    report = parse_report(_variant(tmp_path, "report_windows_line_endings.txt", raw), curated)
    assert _shape(report) == _shape(som27)
    assert report.source == "report_windows_line_endings.txt"
    assert "\r" not in "".join(p.text for p in report.paragraphs)


# --- files that are not reports ------------------------------------------------------------
def test_empty_file(curated):
    with pytest.raises(ReportError) as err:
        parse_report(FIXTURES / "report_empty.txt", curated)
    assert str(err.value) == "report_empty.txt: the file is empty"


def test_whitespace_only_file_is_empty(tmp_path, curated):
    with pytest.raises(ReportError, match=r"^blank\.txt: the file is empty$"):
        parse_report(_variant(tmp_path, "blank.txt", b"\n  \r\n\t\n"), curated)


def test_binary_file(tmp_path, curated):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(ReportError) as err:
        parse_report(_variant(tmp_path, "scan.png", png), curated)
    assert str(err.value).startswith("scan.png: ")
    assert "binary file, not report text" in str(err.value)


def test_pdf_is_named_as_such(tmp_path, curated):
    with pytest.raises(ReportError) as err:
        parse_report(_variant(tmp_path, "som27.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), curated)
    assert str(err.value).startswith("som27.pdf: ")
    assert "PDF" in str(err.value) and "convert" in str(err.value)


def test_not_utf8_names_the_line(tmp_path, curated):
    latin1 = SOM27.read_text(encoding="utf-8").replace("Beijing, China", "Beijing, Chïna").encode("latin-1", "replace")
    with pytest.raises(ReportError) as err:
        parse_report_bytes(latin1, "som27-latin1.txt", curated)
    assert err.value.file == "som27-latin1.txt" and err.value.line is not None
    assert "not UTF-8" in str(err.value)


def test_missing_file(tmp_path, curated):
    with pytest.raises(ReportError, match=r"^nowhere\.txt: cannot read the file"):
        parse_report(tmp_path / "nowhere.txt", curated)


# --- damaged reports ------------------------------------------------------------------------
def test_no_numbered_paragraphs(curated):
    with pytest.raises(ReportError) as err:
        parse_report(FIXTURES / "report_no_numbered_paragraphs.txt", curated)
    message = str(err.value)
    assert message.startswith("report_no_numbered_paragraphs.txt, line ")
    assert "no numbered paragraphs" in message
    # It names the first line of body text that should have carried a number.
    assert err.value.line == _line_of(FIXTURES / "report_no_numbered_paragraphs.txt", "The Twenty-fifth Senior")


def test_unknown_session_number(curated):
    with pytest.raises(ReportError) as err:
        parse_report(FIXTURES / "report_unknown_session.txt", curated)
    assert str(err.value).startswith("report_unknown_session.txt, line 1: unknown session number")
    assert "Senior Officials Meeting" in str(err.value)


def test_truncated_file_is_a_warning_naming_the_last_paragraph(curated):
    report = parse_report(FIXTURES / "report_truncated.txt", curated)
    truncated = [w for w in report.warnings if w.code == "truncated"]
    assert len(truncated) == 1
    assert truncated[0].paragraph == 9
    assert truncated[0].line == _line_of(FIXTURES / "report_truncated.txt", "9. The representative of Japan supp")
    assert str(truncated[0]).startswith("report_truncated.txt, line ")
    assert "ends inside a paragraph" in str(truncated[0])
    assert "paragraph 9" in str(truncated[0])


def test_truncated_file_lacks_its_closing_section(curated):
    report = parse_report(FIXTURES / "report_truncated.txt", curated)
    [closing] = [w for w in report.warnings if w.code == "no-closing-section"]
    assert str(closing).startswith("report_truncated.txt, line ")
    assert "Adoption of the report" in closing.message


def test_complete_reports_have_their_closing_section(som27, curated):
    genre = parse_report(FIXTURES / "report_genre_twenty_fifth_session.txt", curated)
    assert not [w for w in som27.warnings + genre.warnings if w.code in {"no-closing-section", "truncated"}]


def test_missing_section_letter_is_a_warning_and_the_next_section_is_read(curated):
    report = parse_report(FIXTURES / "report_missing_officers.txt", curated)
    [gap] = [w for w in report.warnings if w.code == "section-letter-gap"]
    assert gap.line == _line_of(FIXTURES / "report_missing_officers.txt", "D. Adoption of the agenda")
    assert "C" in gap.message and "D" in gap.message
    assert [s.title for s in report.sections if s.level == 2] == [
        "Opening of the Meeting", "Participation", "Adoption of the agenda",
        "Review of programme planning and implementation", "Adoption of the report"]
    numbers = [p.number for p in report.paragraphs if p.number is not None]
    assert numbers == list(range(1, 11))


def test_missing_officers_section_is_a_warning_and_the_rest_is_read(curated):
    report = parse_report(FIXTURES / "report_missing_officers.txt", curated)
    warnings: list[DataQualityWarning] = []
    assert extract_officers(report, curated, warnings) == ()
    [missing] = [w for w in warnings if w.code == "officers-missing"]
    assert str(missing).startswith("report_missing_officers.txt: no election of officers found")
    assert len(extract_agenda(report, curated, warnings)) == 12
    assert extract_attendance(report, curated, warnings) is not None


def test_officer_line_without_a_country(curated):
    report = parse_report(FIXTURES / "report_officer_without_country.txt", curated)
    warnings: list[DataQualityWarning] = []
    officers = extract_officers(report, curated, warnings)
    assert [(o.role, o.person.name, o.country) for o in officers] == [
        ("chair", "BATBOLD Dorj", "Mongolia"), ("vice-chair", "SATO Yumi", "Japan"), ("rapporteur", "WANG Lei", None)]
    [warning] = warnings
    assert warning.code == "officer-without-country" and warning.paragraph == 6
    assert str(warning) == ("report_officer_without_country.txt, paragraph 6: officer line without a country: "
                            "'Rapporteur: Mr. WANG Lei' (expected 'Mr. NAME (Country)')")


def test_paragraph_number_gap_is_a_warning(tmp_path, curated):
    text = re.sub(r"(?m)^30\. .*\n", "", SOM27.read_text(encoding="utf-8"))  # paragraph 30 lost
    report = parse_report(_variant(tmp_path, "som27-gap.txt", text.encode()), curated)
    [gap] = [w for w in report.warnings if w.code == "paragraph-number-gap"]
    assert gap.paragraph == 31
    assert str(gap).startswith("som27-gap.txt, line ") and "jump from 29 to 31" in gap.message


def _line_of(path: Path, start: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith(start):
            return number
    raise AssertionError(f"{path.name}: no line starting {start!r}")
