"""Finding blocks of a parsed report by what the genre calls them, and pointing into them.

Extractors locate their facts by section title ("Election of officers", "Attendance")
rather than by section letter, because letters shift when a report drops or adds a
section; these helpers keep that lookup and the SourceSpan arithmetic in one place.
"""

from __future__ import annotations

import re

from neaspec_kg.records import DataQualityWarning, Paragraph, Report, Section, SourceSpan


def sections_titled(report: Report, pattern: str) -> list[Section]:
    """Sections whose printed title matches ``pattern`` (a regex, case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    return [s for s in report.sections if s.key != "front" and regex.search(s.title)]


def blocks_in(report: Report, section_key: str) -> list[Paragraph]:
    """The paragraphs and unnumbered blocks of one section, in report order."""
    return [p for p in report.paragraphs if p.section == section_key]


def blocks_matching(report: Report, pattern: str) -> list[Paragraph]:
    """Blocks (outside the front matter) whose text matches ``pattern`` (case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    return [p for p in report.paragraphs if p.section != "front" and regex.search(p.text)]


def span(block: Paragraph, start: int, end: int) -> SourceSpan:
    """A SourceSpan over ``block.text[start:end]``; leading/trailing blanks are trimmed off."""
    exact = block.text[start:end]
    start += len(exact) - len(exact.lstrip())
    end -= len(exact) - len(exact.rstrip())
    return SourceSpan(section=block.section, paragraph=block.number, start=start, end=end,
                      exact=block.text[start:end], occurrence=block.occurrence)


def warning(report: Report, code: str, message: str, block: Paragraph | None = None,
            line: int | None = None) -> DataQualityWarning:
    """A warning naming the report file and, when known, the paragraph (or the line of an unnumbered block)."""
    if block is not None:
        paragraph = block.number
        line = line if line is not None else (block.line if block.number is None else None)
        return DataQualityWarning(report.source, code, message, line=line, paragraph=paragraph)
    return DataQualityWarning(report.source, code, message, line=line)
