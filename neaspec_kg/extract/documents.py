"""Documents a report cites or the Meeting acts on, and where a paragraph belongs (its programme area).

Curated documents (data/curated/documents.csv) by their titles and aliases; documents each session
has anew by their printed form: the activity plan of a programme area for a year, the financial
report, the conclusions (keyed by the meeting: ``financial-report-som-27``, ``conclusions-nfp-3``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neaspec_kg.curated import Curated
from neaspec_kg.extract.sentences import meeting_slug, source_span
from neaspec_kg.records import DataQualityWarning, DocumentMention, Paragraph, Report

# "the proposed activity plan on air pollution for 2025", "... in 2025", "the proposed 2025
# activity plan", "the proposed activities for 2025": a plan is named by its year.
_ACTIVITY_PLAN_RE = re.compile(
    r"(?:the\s+)?(?:(?:proposed|revised|draft|updated)\s+)?"
    r"(?:(?P<year_before>\d{4})\s+activity\s+plan\b"
    r"|(?:activity\s+plan|(?<=proposed\s)activities)(?:\s+(?:on|for)\s+(?P<area>[a-z][a-z -]*?))?"
    r"\s+(?:for|in)\s+(?P<year>\d{4})\b)")
_FINANCIAL_REPORT_RE = re.compile(r"\bfinancial\s+report\b", re.IGNORECASE)
_CONCLUSIONS_RE = re.compile(r"\bconclusions\s+and\s+recommendations\b", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """A document mention inside one paragraph (offsets into Paragraph.text)."""

    key: str
    title: str
    kind: str
    start: int
    end: int
    programme_area: str | None = None
    year: int | None = None


def programme_area_of(report: Report, curated: Curated, paragraph: Paragraph) -> str | None:
    """The paragraph's programme area: its run-in label or agenda sub-heading, else its section title."""
    for label in (paragraph.topic, section_title(report, paragraph.section)):
        keys = curated.programme_area_matcher.keys_in(label or "")
        if keys:
            return keys[0]
    return None


def section_title(report: Report, key: str) -> str | None:
    return next((s.title for s in report.sections if s.key == key), None)


# --- documents --------------------------------------------------------------------------------
def extract_documents(report: Report, curated: Curated,
                      warnings: list[DataQualityWarning]) -> tuple[DocumentMention, ...]:
    mentions: list[DocumentMention] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None:
            continue
        for d in documents_in(report, curated, paragraph, warnings):
            mentions.append(DocumentMention(key=d.key, title=d.title, kind=d.kind,
                                            span=source_span(paragraph, d.start, d.end),
                                            programme_area=d.programme_area, year=d.year))
    return tuple(mentions)


def documents_in(report: Report, curated: Curated, paragraph: Paragraph,
                 warnings: list[DataQualityWarning] | None) -> list[Found]:
    found = _curated_documents(curated, paragraph) + _derived_documents(report, curated, paragraph, warnings)
    return sorted(_without_overlaps(found), key=lambda d: d.start)


def _curated_documents(curated: Curated, paragraph: Paragraph) -> list[Found]:
    rows = curated.by_key("documents")
    return [Found(m.key, rows[m.key]["title"], rows[m.key]["kind"], m.start, m.end,
                   rows[m.key]["programme_area"] or None)
            for m in curated.document_matcher.find(paragraph.text)]


def _derived_documents(report: Report, curated: Curated, paragraph: Paragraph,
                       warnings: list[DataQualityWarning] | None) -> list[Found]:
    """Documents each session has anew: activity plans, the financial report, the conclusions."""
    session = meeting_slug(report)
    text = paragraph.text
    found = [Found(f"financial-report-{session}", m.group(0), "financial-report", m.start(), m.end())
             for m in _FINANCIAL_REPORT_RE.finditer(text)]
    found += [Found(f"conclusions-{session}", m.group(0), "conclusions", m.start(), m.end())
              for m in _CONCLUSIONS_RE.finditer(text)]
    for m in _ACTIVITY_PLAN_RE.finditer(text):
        plan = _activity_plan(report, curated, paragraph, m, warnings)
        if plan is not None:
            found.append(plan)
    return found


def _activity_plan(report: Report, curated: Curated, paragraph: Paragraph, m: re.Match[str],
                   warnings: list[DataQualityWarning] | None) -> Found | None:
    year = m.group("year") or m.group("year_before")
    if year is None:
        return None  # "the proposed activity plan" with no year: which plan is not printed
    named = curated.programme_area_matcher.keys_in(m.group("area") or "")
    area = named[0] if named else programme_area_of(report, curated, paragraph)
    if area is None:
        if warnings is not None:
            warnings.append(DataQualityWarning(
                report.source, "activity-plan-without-area",
                f"'{m.group(0)}' names no programme area and the paragraph has none", paragraph=paragraph.number))
        return None
    return Found(f"activity-plan-{year}-{area}", m.group(0), "project-plan", m.start(), m.end(), area, int(year))


def _without_overlaps(found: list[Found]) -> list[Found]:
    """Longest first: "the proposed activity plan on ... for 2025" hides nothing curated inside it."""
    kept: list[Found] = []
    for d in sorted(found, key=lambda d: -(d.end - d.start)):
        if not any(k.start < d.end and d.start < k.end for k in kept):
            kept.append(d)
    return kept
