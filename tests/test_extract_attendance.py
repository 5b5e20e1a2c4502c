"""Attendance, read from the real SOM-27 paragraph 12 and from other phrasings of the genre."""

from __future__ import annotations

from neaspec_kg.extract.attendance import extract_attendance
from neaspec_kg.records import DataQualityWarning
from neaspec_kg.report.structure import parse_report, parse_report_text

from conftest import FIXTURES


def test_som27_five_states_attended_dprk_did_not(som27, curated):
    warnings: list[DataQualityWarning] = []
    attendance = extract_attendance(som27, curated, warnings)
    assert warnings == []
    assert attendance.states == ("China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation")
    assert "Democratic People's Republic of Korea" not in attendance.states
    assert all(state in curated.countries for state in attendance.states)  # canonical names


def test_som27_unnamed_participants_kept_as_printed(som27, curated):
    attendance = extract_attendance(som27, curated, [])
    assert attendance.organizations == ()
    assert attendance.others == "experts and representatives of international organizations and partners"


def test_som27_span_is_the_attendance_sentence(som27, curated):
    span = extract_attendance(som27, curated, []).span
    assert (span.section, span.paragraph) == ("II.A", 12)
    assert som27.paragraph(12).text[span.start:span.end] == span.exact
    assert span.exact.startswith("The Meeting was attended by the delegations of China, Japan")


def test_genre_states_and_named_organizations(curated):
    report = parse_report(FIXTURES / "report_genre_twenty_fifth_session.txt", curated)
    attendance = extract_attendance(report, curated, [])
    assert attendance.states == ("China", "Democratic People's Republic of Korea", "Japan", "Mongolia",
                                 "Russian Federation")
    assert "Republic of Korea" not in attendance.states  # not read out of "...People's Republic of Korea"
    assert attendance.organizations == ("adb", "unep")
    assert attendance.others is None
    assert attendance.span.paragraph == 5


_NO_ATTENDANCE = """\
Thirtieth Senior Officials Meeting of NEASPEC
Tokyo, Japan
4-5 June 2030

1. The Thirtieth Senior Officials Meeting was held in Tokyo, Japan, on 4-5 June 2030.

II. PROCEEDINGS

A. Attendance

2. Delegates met in the conference room.

B. Adoption of the report

3. The Meeting adopted the report.
"""


def test_no_attendance_paragraph_is_a_warning_naming_the_file(curated):
    report = parse_report_text(_NO_ATTENDANCE, "som30.txt", curated)
    warnings: list[DataQualityWarning] = []
    assert extract_attendance(report, curated, warnings) is None
    [warning] = warnings
    assert warning.code == "attendance-missing" and warning.line == 9  # the 'A. Attendance' heading
    assert str(warning).startswith("som30.txt, line 9: no attendance paragraph")


def test_attendance_without_states_is_a_warning(curated):
    text = _NO_ATTENDANCE.replace("Delegates met in the conference room.",
                                  "The Meeting was attended by experts of the secretariat.")
    report = parse_report_text(text, "som30.txt", curated)
    warnings: list[DataQualityWarning] = []
    attendance = extract_attendance(report, curated, warnings)
    assert attendance.states == () and attendance.organizations == ("escap-enea",)
    assert [(w.code, w.paragraph) for w in warnings] == [("attendance-without-states", 2)]


def test_colon_phrasing_of_the_genre(curated):
    text = _NO_ATTENDANCE.replace(
        "Delegates met in the conference room.",
        "Representatives of the following member States attended the Meeting: China, Japan, Mongolia and "
        "the Republic of Korea, together with the Korea Environment Institute (KEI).")
    report = parse_report_text(text, "som30.txt", curated)
    warnings: list[DataQualityWarning] = []
    attendance = extract_attendance(report, curated, warnings)
    assert warnings == []
    assert attendance.states == ("China", "Japan", "Mongolia", "Republic of Korea")
    assert attendance.organizations == ("kei",)
    assert attendance.span.exact.startswith("Representatives of the following member States attended the Meeting:")
