"""Attendance: which States sent delegations, which organizations are named, who else came.

The genre's sentence is "The Meeting was attended by the delegations of China, Japan, ...,
together with experts and representatives of international organizations and partners."
The first group lists the delegations; later groups ("together with ...", "as well as
...") name organizations or describe participants without naming them, kept as printed.
"""

from __future__ import annotations

import re

from neaspec_kg.curated import Curated
from neaspec_kg.records import Attendance, DataQualityWarning, Paragraph, Report
from neaspec_kg.report.navigate import blocks_in, blocks_matching, sections_titled, span, warning

# "The Meeting was attended by ..." or "... attended the Meeting: China, Japan, ..."
_ATTENDED_RE = re.compile(r"\b(?:was|were)\s+attended\s+by\s+|\battended\s+the\s+(?:Meeting|session)\s*:\s*",
                          re.IGNORECASE)
# Where one group of participants ends and the next begins.
_GROUP_SPLIT_RE = re.compile(r",?\s+(?:together\s+with|as\s+well\s+as|along\s+with)\s+|;\s+", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"\.(?=\s|$)")


def extract_attendance(report: Report, curated: Curated, warnings: list[DataQualityWarning]) -> Attendance | None:
    found = _attendance_block(report)
    if found is None:
        where = sections_titled(report, r"\battendance\b")
        warnings.append(warning(report, "attendance-missing",
                                "no attendance paragraph ('The Meeting was attended by the delegations of ...') found",
                                line=where[0].line if where else None))
        return None
    block, attended = found
    start, end = attended.end(), _sentence_end(block.text, attended.end())
    groups = _groups(block.text, start, end)
    states = curated.country_matcher.keys_in(block.text[groups[0][0]:groups[0][1]])
    organizations: list[str] = []
    others: list[str] = []
    for g_start, g_end in groups:
        text = block.text[g_start:g_end]
        named = curated.organization_matcher.keys_in(text)
        organizations += [k for k in named if k not in organizations]
        if (g_start, g_end) != groups[0] and not named:
            others.append(text.strip().rstrip("."))
    if not states:
        warnings.append(warning(report, "attendance-without-states",
                                "the attendance paragraph names no member State delegation", block))
    sentence_start = block.text.rfind(".", 0, start) + 1
    return Attendance(states=tuple(states), span=span(block, sentence_start, end),
                      organizations=tuple(organizations), others="; ".join(others) or None)


def _attendance_block(report: Report) -> tuple[Paragraph, re.Match[str]] | None:
    """The paragraph of the 'Attendance' section that says who attended; else any such paragraph."""
    in_section = [b for s in sections_titled(report, r"\battendance\b|\bparticipa") for b in blocks_in(report, s.key)]
    for block in in_section + blocks_matching(report, _ATTENDED_RE.pattern):
        m = _ATTENDED_RE.search(block.text)
        if m:
            return block, m
    return None


def _sentence_end(text: str, start: int) -> int:
    """End of the sentence the participants' list belongs to (after its full stop)."""
    end = _SENTENCE_END_RE.search(text, start)
    return end.end() if end else len(text)


def _groups(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split the participants' list at 'together with', 'as well as', ';'."""
    groups, cursor = [], start
    for m in _GROUP_SPLIT_RE.finditer(text, start, end):
        groups.append((cursor, m.start()))
        cursor = m.end()
    groups.append((cursor, end))
    return groups
