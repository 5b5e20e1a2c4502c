"""Checks of a parsed report against its own front matter: warnings, never silent fixes.

A heading naming another session, a file named for another session or series, a report without
its closing section, a paragraph number that does not continue the sequence: each is kept as
printed and reported with the file and the line.
"""

from __future__ import annotations

import re

from neaspec_kg.records import DataQualityWarning, FrontMatter, Section
from neaspec_kg.report.ordinals import session_ordinals

# The genre closes with the adoption of the report (or of its conclusions); without it the file is cut short.
_CLOSING_SECTION_RE = re.compile(r"\badoption of the (?:report|conclusions)", re.IGNORECASE)


def front_matter_checks(source: str, front: FrontMatter, headings: list[tuple[int, str]],
                        sections: list[Section], last_line: int) -> list[DataQualityWarning]:
    warnings = _file_name(source, front)
    if front.series == "som" and front.session_number is not None:
        # Only the SOM's own headings name SOM sessions ("Venue ... of the Twenty-eighth Senior Officials Meeting").
        for line, title in headings:
            warnings += _heading_session(source, line, title, front.session_number)
    if front.city and front.country is None:
        warnings.append(DataQualityWarning(
            source, "venue-country-unknown",
            f"the meeting was held in {front.city}, in a country data/vocab/countries.csv does not list: "
            "the city is kept without its country", line=front.line))
    if not any(_CLOSING_SECTION_RE.search(s.title) for s in sections):
        warnings.append(DataQualityWarning(
            source, "no-closing-section",
            "the report has no closing 'Adoption of the report' section: truncated or incomplete?", line=last_line))
    return warnings


def _file_name(source: str, front: FrontMatter) -> list[DataQualityWarning]:
    """A file named for another session ("som27-report.txt" holding session 29, or an NFP meeting) is a
    slip worth a warning: the text, not the file name, decides the session."""
    named = re.search(r"som[-_ ]?(\d{1,3})", source, re.IGNORECASE)
    if not named:
        return []
    if front.series != "som":
        return [DataQualityWarning(source, "file-name-session-mismatch",
                                   f"the file name says SOM-{int(named.group(1))} but the report's title is of "
                                   f"{front.name}; read as {front.name}")]
    session = front.session_number
    if int(named.group(1)) == session:
        return []
    return [DataQualityWarning(source, "file-name-session-mismatch",
                               f"the file name says SOM-{int(named.group(1))} but the report's title is of session "
                               f"{session}; read as session {session}")]


def _heading_session(source: str, line: int, title: str, session: int) -> list[DataQualityWarning]:
    warnings = []
    for value, _, _ in session_ordinals(title):
        about_next = re.search(r"venue|date|next|provisional agenda", title, re.IGNORECASE)
        expected = session + 1 if about_next else session
        if value != expected:
            warnings.append(DataQualityWarning(
                source, "heading-session-mismatch",
                f"heading '{title}' names session {value}, but this report is of session {session}"
                + (f"; the heading is about the next session, read as session {expected}" if about_next
                   else f"; its paragraphs are attributed to session {session}"),
                line=line))
    return warnings


def numbering_warning(source: str, line: int, n: int, last: int, expected: set[int],
                      printed: dict[int, int]) -> DataQualityWarning:
    """A paragraph whose printed number does not continue the sequence is kept as printed, and said."""
    if n > max(expected):
        lost = max(expected)
        missing = f"paragraph {lost}" if lost == n - 1 else f"paragraphs {lost}-{n - 1}"
        code, message = "paragraph-number-gap", (
            f"paragraph numbers jump from {last} to {n}: {missing} missing from the text")
    elif n == last:
        code, message = "paragraph-number-duplicate", (
            f"paragraph number {n} is printed twice: both paragraphs are kept, this one as the "
            f"occurrence {printed.get(n, 0) + 1} of paragraph {n}")
    elif n == 1:
        code, message = "paragraph-number-restart", (
            f"paragraph numbering restarts at 1 after paragraph {last}: paragraphs kept as numbered")
    else:
        code, message = "paragraph-number-backward", (
            f"paragraph number {n} follows paragraph {last}: the numbers go back; kept as printed")
    return DataQualityWarning(source, code, message, line=line, paragraph=n)
