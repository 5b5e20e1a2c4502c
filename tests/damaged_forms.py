"""Damaged copies of a clean report text, as converters and editors make them, and the records
to compare: the tests (and benchmarks) make every damaged form from the SOM-27 text by code."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace

from neaspec_kg.curated import Curated
from neaspec_kg.extract import extract_all
from neaspec_kg.records import Extraction, Report

HEADER = "ESCAP/NEASPEC/SOM(27)/REPORT"
LINES_PER_PAGE = 14


def with_page_furniture(text: str) -> str:
    """A page break every ``LINES_PER_PAGE`` non-blank body lines, as a PDF-to-text converter leaves
    it: the page number of the page ending, then the running header of the next. A long prose line
    at a page break is split in two at a space, so the furniture falls inside the paragraph."""
    lines = text.split("\n")
    body_start = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    out, count, page = lines[:body_start], 0, 1
    for line in lines[body_start:]:
        count += bool(line.strip())
        if count < LINES_PER_PAGE or not line.strip():
            out.append(line)
            continue
        count, page = 0, page + 1
        furniture = ["", str(page - 1), "", HEADER, ""]
        words = line.split(" ")
        if len(words) > 40:  # a paragraph line: the break falls in the middle of it
            half = len(words) // 2
            out += [" ".join(words[:half]), *furniture, " ".join(words[half:])]
        else:
            out += [line, *furniture]
    return "\n".join(out)


def without_bold(text: str) -> str:
    """A converter that keeps no emphasis: run-in topics are plain 'Air Pollution: The Meeting ...'."""
    return text.replace("**", "")


def without_officers_section(text: str) -> str:
    """The 'Election of officers' section (heading, paragraph 15, officer lines) left out."""
    return re.sub(r"(?ms)^C\. Election of officers\n.*?(?=^D\. Adoption of the agenda)", "", text)


def truncated(text: str, at_paragraph: int = 40) -> str:
    """The file cut in the middle of a paragraph."""
    start = text.index(f"\n{at_paragraph}. ")
    return text[: start + 120]


def renumbered(text: str, printed: int, as_number: int) -> str:
    """Paragraph ``printed`` printed with the number ``as_number`` (duplicate, backward, restart)."""
    return re.sub(rf"(?m)^{printed}\. ", f"{as_number}. ", text, count=1)


def without_paragraph(text: str, number: int) -> str:
    return re.sub(rf"(?m)^{number}\. .*\n", "", text, count=1)


ANNEX = """
Annex I

Executive Summary of the NEACAP Policy Analysis Report

1. This summary stands for the annexed document: its numbered lines are not paragraphs of the report.

2. A second numbered line of the annex.
"""


def with_annex(text: str) -> str:
    return text.rstrip("\n") + "\n" + ANNEX


def unnumbered_chapters(text: str) -> str:
    """Chapters printed without their roman numerals, and sections as 'B - Opening session'."""
    text = re.sub(r"(?m)^[IVX]{1,4}\. ([A-Z][A-Z ,'-]+)$", r"\1", text)
    return re.sub(r"(?m)^([A-H])\. ([A-Z][a-z])", r"\1 - \2", text)


# --- what is compared -----------------------------------------------------------------------
def _without_lines(value):
    """A record with its line and page numbers dropped (they move when a file is damaged or laid out;
    the facts must not)."""
    if isinstance(value, tuple):
        return tuple(_without_lines(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _without_lines(getattr(value, f.name)) for f in fields(value)}
        for name in ("line", "end_line"):
            if name in changes:
                changes[name] = None
        if "pages" in changes:
            changes["pages"] = ()
        return replace(value, **changes)
    return value


def records(report: Report, curated: Curated, ignore_warnings: frozenset[str] = frozenset()) -> dict:
    """Every extraction record of a report (line numbers aside), and its warnings as (code, paragraph)."""
    extraction: Extraction = extract_all(report, curated)
    out = {f.name: _without_lines(getattr(extraction, f.name)) for f in fields(extraction)
           if f.name not in ("report", "warnings")}
    out["paragraphs"] = _without_lines(tuple(p for p in report.paragraphs if p.section != "front"))
    out["sections"] = tuple((s.key, s.title, s.level, s.agenda_items) for s in report.sections)
    out["front"] = _without_lines(report.front)
    out["warnings"] = tuple((w.code, w.paragraph) for w in extraction.warnings if w.code not in ignore_warnings)
    return out


def differences(left: dict, right: dict) -> dict:
    """The record kinds on which two extractions differ, with the records present on one side only."""
    out = {}
    for key in left:
        a, b = left[key], right[key]
        if a == b:
            continue
        if isinstance(a, tuple) and isinstance(b, tuple):
            out[key] = {"only_left": [x for x in a if x not in b], "only_right": [x for x in b if x not in a]}
        else:
            out[key] = {"left": a, "right": b}
    return out
