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


def test_a_broken_pdf_is_named_as_such(tmp_path, curated):
    with pytest.raises(ReportError) as err:
        parse_report(_variant(tmp_path, "som27.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), curated)
    assert str(err.value).startswith("som27.pdf: not a readable PDF")


def test_a_pdf_named_as_text_is_named_as_such(tmp_path, curated):
    with pytest.raises(ReportError) as err:
        parse_report(_variant(tmp_path, "som27.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), curated)
    assert str(err.value).startswith("som27.txt: ")
    assert "PDF" in str(err.value) and "name it .pdf" in str(err.value)


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


# --- damaged forms of SOM-27, made from its text: the same records, or the defect reported --------
import damaged_forms as damaged  # noqa: E402
from neaspec_kg import iris  # noqa: E402
from neaspec_kg.records import Paragraph, SourceSpan  # noqa: E402
from neaspec_kg.report.structure import parse_report_text  # noqa: E402


@pytest.fixture(scope="module")
def clean_records(curated, som27):
    return damaged.records(som27, curated)


def _parse(text: str, curated, name: str = "som27-damaged.txt") -> Report:
    return parse_report_text(text, name, curated)


def _clean_text() -> str:
    return SOM27.read_text(encoding="utf-8")


def _drop_paragraph(records: dict, number: int) -> dict:
    """The records of a report without paragraph ``number``: what a lost paragraph may take away."""
    def keep(value) -> bool:
        span = getattr(value, "span", None)
        return not ((isinstance(value, Paragraph) and value.number == number)
                    or (isinstance(span, SourceSpan) and span.paragraph == number))
    return {k: tuple(x for x in v if keep(x)) if isinstance(v, tuple) and k != "sections" else v
            for k, v in records.items()}


def _moved(value, number: int, printed: int, occurrence: int):
    """``value`` with paragraph ``number`` printed as ``printed`` (the ``occurrence``-th of that number)."""
    from dataclasses import fields, is_dataclass, replace

    if isinstance(value, tuple):
        return tuple(_moved(v, number, printed, occurrence) for v in value)
    if isinstance(value, dict):
        return {k: _moved(v, number, printed, occurrence) for k, v in value.items()}
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes = {f.name: _moved(getattr(value, f.name), number, printed, occurrence) for f in fields(value)}
    if isinstance(value, SourceSpan) and value.paragraph == number:
        changes |= {"paragraph": printed, "occurrence": occurrence}
    if isinstance(value, Paragraph) and value.number == number:
        changes |= {"number": printed, "occurrence": occurrence}
    return replace(value, **changes)


def test_page_furniture_is_removed_and_said(curated, clean_records):
    text = damaged.with_page_furniture(_clean_text())
    assert text.count(damaged.HEADER) >= 5 and "\n3\n" in text  # headers and page numbers inside paragraphs
    report = _parse(text, curated)
    assert damaged.records(report, curated, ignore_warnings=frozenset({"page-furniture"})) == clean_records
    furniture = [w for w in report.warnings if w.code == "page-furniture"]
    assert [w.message.split(" ")[1:3] for w in furniture] == [["page-number", "lines"], ["lines", "reading"]]
    assert damaged.HEADER in furniture[1].message
    assert all(damaged.HEADER not in p.text for p in report.paragraphs)


def test_a_line_repeated_twice_is_not_furniture(curated, som27):
    # The front matter prints the dates twice, and "(Agenda item N)" repeats: they stay.
    assert not [w for w in som27.warnings if w.code == "page-furniture"]
    assert [s.agenda_items for s in som27.sections if s.key == "II.G"] == [("8",)]


def test_run_in_topics_without_bold_give_the_same_records(curated, clean_records):
    report = _parse(damaged.without_bold(_clean_text()), curated)
    assert damaged.records(report, curated) == clean_records
    assert report.paragraph(3).topic == "Air Pollution"
    assert report.paragraph(21).topic is None  # "agenda item 5: Review ..." is prose, not a label


def test_missing_officers_section_loses_only_its_paragraph(curated, clean_records):
    report = _parse(damaged.without_officers_section(_clean_text()), curated)
    got = damaged.records(report, curated)
    assert got["officers"] == ()
    # Lost with paragraph 15: its records, and the Chair's own words elsewhere ("The Chair expressed ...",
    # paragraph 11), whose speaker only the election names.
    officers = {o.person.name for o in clean_records["officers"]}
    expected = _drop_paragraph(clean_records, 15)
    expected["statements"] = tuple(s for s in expected["statements"] if s.speaker not in officers)
    assert len(expected["statements"]) == len(clean_records["statements"]) - 1
    assert _drop_paragraph(got, 15) | {"sections": None, "warnings": None} == (
        expected | {"sections": None, "warnings": None})
    assert [p.number for p in report.paragraphs if p.number][13:16] == [14, 16, 17]
    new = set(got["warnings"]) - set(clean_records["warnings"])
    assert new == {("section-letter-gap", None), ("paragraph-number-gap", 16), ("officers-missing", None),
                   ("speaker-unresolved", 11)}  # "The Chair" of paragraph 11, with no Chair elected: said


def test_gap_right_after_a_list_keeps_the_next_paragraph(curated, clean_records):
    report = _parse(damaged.without_paragraph(_clean_text(), 16), curated)  # 16 follows the agenda list
    got = damaged.records(report, curated)
    assert _drop_paragraph(got, 16) | {"warnings": None} == _drop_paragraph(clean_records, 16) | {"warnings": None}
    [gap] = [w for w in report.warnings if w.code == "paragraph-number-gap"]
    assert (gap.paragraph, gap.line) == (17, _line_in(damaged.without_paragraph(_clean_text(), 16), "17. "))
    assert "paragraph 16 missing" in gap.message and str(gap).startswith("som27-damaged.txt, line ")


@pytest.mark.parametrize(("printed", "code"), [(30, "paragraph-number-duplicate"), (28, "paragraph-number-backward"),
                                               (1, "paragraph-number-restart")])
def test_numbering_defects_are_kept_and_reported(printed, code, curated, clean_records):
    text = damaged.renumbered(_clean_text(), 31, printed)
    report = _parse(text, curated)
    got = damaged.records(report, curated)
    occurrence = 2
    assert got | {"warnings": None} == _moved(clean_records, 31, printed, occurrence) | {"warnings": None}
    [warning] = [w for w in report.warnings if w.code == code]
    assert (warning.paragraph, warning.line) == (printed, _line_in(text, f"{printed}. The representative of the Rep"))
    assert str(warning).startswith(f"som27-damaged.txt, line {warning.line}, paragraph {printed}: ")
    # Paragraph 32 follows unremarked: one defect, one warning.
    assert [w.code for w in report.warnings if w.code.startswith("paragraph-number")] == [code]
    texts = [p.text for p in report.paragraphs if p.number == printed]
    assert len(texts) == 2 and texts[1] == som27_text(clean_records, 31)


def som27_text(records: dict, number: int) -> str:
    return next(p.text for p in records["paragraphs"] if p.number == number)


def test_repeated_paragraph_numbers_get_their_own_iris(curated):
    from neaspec_kg.namespaces import SCHEMA
    from neaspec_kg.rdf import report_graph

    report = _parse(damaged.renumbered(_clean_text(), 31, 30), curated)
    graph = report_graph(damaged.extract_all(report, curated), curated)
    second = iris.paragraph(27, iris.paragraph_key(30, 2))
    assert str(second).endswith("/report/en/para/30.2")
    [first_text, second_text] = [p.text for p in report.paragraphs if p.number == 30]
    assert {str(o) for o in graph.objects(iris.paragraph(27, 30), SCHEMA.text)} == {first_text}
    assert {str(o) for o in graph.objects(second, SCHEMA.text)} == {second_text}
    # The statement of the second "30" is its own node, derived from its own paragraph.
    statement = iris.statement(27, "30.2", "republic-of-korea")
    assert (statement, None, None) in graph


def test_a_speaker_heard_twice_in_a_paragraph_gets_two_statements(curated):
    assert iris.statements(27, [(19, "Japan"), (19, "Japan"), (20, "Japan")]) == [
        iris.statement(27, 19, "japan"), iris.statement(27, 19, "japan", 2), iris.statement(27, 20, "japan")]
    assert str(iris.statement(27, 19, "Japan", 2)).endswith("/statement/19-japan-2")


def test_warnings_of_one_kind_get_distinct_stable_iris(curated):
    from neaspec_kg.namespaces import NEA
    from neaspec_kg.rdf import report_graph

    report = _parse(damaged.renumbered(damaged.renumbered(_clean_text(), 31, 30), 41, 40), curated)
    duplicates = [w for w in report.warnings if w.code == "paragraph-number-duplicate"]
    assert len(duplicates) == 2
    nodes = [iris.quality_issue(27, w.code, w.line, str(w)) for w in duplicates]
    assert len(set(nodes)) == 2
    extraction = damaged.extract_all(report, curated)
    graph = report_graph(extraction, curated)
    issues = set(graph.subjects(NEA.warningCode, None))
    assert set(nodes) <= issues and len(issues) == len(extraction.warnings)
    again = _parse(damaged.renumbered(damaged.renumbered(_clean_text(), 31, 30), 41, 40), curated)
    assert [iris.quality_issue(27, w.code, w.line, str(w)) for w in again.warnings
            if w.code == "paragraph-number-duplicate"] == nodes


def test_annex_is_a_block_of_its_own(curated, clean_records):
    report = _parse(damaged.with_annex(_clean_text()), curated)
    got = damaged.records(report, curated)
    assert got | {"paragraphs": None, "sections": None} == clean_records | {"paragraphs": None, "sections": None}
    [annex] = [p for p in report.paragraphs if p.section == "ANNEX-I"]
    assert annex.number is None and annex.text.startswith("Executive Summary of the NEACAP Policy Analysis Report")
    assert "1. This summary" in annex.text
    assert report.paragraph(65).text == som27_text(clean_records, 65)  # nothing pasted into the last paragraph
    assert [s.title for s in report.sections][-1] == "Annex I"


def test_chapters_without_numerals_and_dashed_sections(curated, clean_records):
    text = damaged.unnumbered_chapters(_clean_text())
    assert "\nII. PROCEEDINGS" not in text and "\nB - Opening session" in text
    assert damaged.records(_parse(text, curated), curated) == clean_records


def _line_in(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


def test_repeated_prose_is_not_furniture():
    from neaspec_kg.report.furniture import remove_furniture

    lines = ["1. The Meeting met.", "", "tentatively scheduled for June 2025.", "", "Conclusions of the Meeting",
             "", "tentatively scheduled for June 2025.", "", "Conclusions of the Meeting", "",
             "tentatively scheduled for June 2025.", "", "Conclusions of the Meeting", "", "7"]
    kept, warnings = remove_furniture(lines, "r.txt", 1, lambda _line: False)
    # The rest of a paragraph after a page break stays, however often it repeats; a repeated
    # title-like line and a lone page number go.
    assert kept.count("tentatively scheduled for June 2025.") == 3
    assert "Conclusions of the Meeting" not in kept and "7" not in kept
    assert sorted(w.line for w in warnings) == [5, 15]


@pytest.mark.slow
def test_a_report_with_a_repeated_paragraph_number_builds_and_validates(tmp_path):
    """The kept duplicate is valid data: its own paragraph IRI, nea:numberOccurrence 2, and the
    warning in the graph, against the shapes (which otherwise forbid a number used twice)."""
    import shutil

    from conftest import ROOT
    from neaspec_kg.build import run_build
    from neaspec_kg.settings import Settings

    root = tmp_path / "repo"
    for part in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    report = root / "data" / "reports" / "som27-report.txt"
    report.write_text(damaged.renumbered(report.read_text(encoding="utf-8"), 31, 30), encoding="utf-8")
    result = run_build(Settings(root=root, build_dir=tmp_path / "build"), progress=False, out=lambda _t: None)
    quads = (result.folder / "dataset.nq").read_text(encoding="utf-8")
    assert "/report/en/para/30.2> <https://w3id.org/neaspec/ontology#numberOccurrence> \"2\"" in quads
    assert any(w.code == "paragraph-number-duplicate" and w.paragraph == 30 for w in result.warnings)
