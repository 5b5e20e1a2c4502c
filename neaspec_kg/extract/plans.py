"""What a report says about the next session: host, timing, venue, each with its span.

The genre states the plan in the Meeting's voice, in the conclusions ("The Meeting took note
of the advice from Mongolia, as the country host of the 28th Senior Officials Meeting
(SOM-28), to tentatively schedule the SOM-28 around late September 2025") and under the
agenda item on the venue and date ("... offering to host the next Meeting. The proposed
dates, venue and the provisional agenda will be announced in due course"). Delegations'
own wishes ("organizing the meeting in November could be challenging") are statements,
not plans, so sentences inside a statement are left out.

One SessionPlan per paragraph, spanning its sentences that name the next session or, after
such a sentence, speak of its venue, dates or host.
"""

from __future__ import annotations

import re

from neaspec_kg.curated import Curated
from neaspec_kg.extract.sentences import (
    Sentence,
    country_mentions,
    names_next_session,
    som_session,
    source_span,
    split_sentences,
)
from neaspec_kg.extract.statements import speaker_runs
from neaspec_kg.records import DataQualityWarning, Paragraph, Report, SessionPlan

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# "late September 2025", "the first half of 2026", "mid-2025", "22-23 September 2025", "early 2016"
_TIMING_RE = re.compile(
    rf"(?:(?:early|mid|late|end\s+of|beginning\s+of)[\s-]+|(?:the\s+)?(?:first|second)\s+half\s+of\s+)?"
    rf"(?:\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+)?(?:{_MONTH}\s+)?\d{{4}}\b")
_ANNOUNCED_RE = re.compile(r"(?P<what>[^.;]*?)\s+(?P<later>(?:will|would|is\s+to|are\s+to)\s+be\s+"
                           r"(?:announced|decided|determined|confirmed|communicated)[^.;,]*)")
_PLACE_RE = re.compile(r"\b(?:in|at)\s+(?P<city>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*),\s+(?:the\s+)?(?P<country>[A-Z][^,.;]*)")
_HOST_RE = re.compile(r"\bhost(?:s|ed|ing)?\b")
_HOSTED_BY_RE = re.compile(r"\bhosted\s+by\s+(?:the\s+)?(?:Government\s+of\s+(?:the\s+)?)?")
_PLAN_WORDS = re.compile(r"\b(?:venue|dates?|time|timing|host\w*|schedul\w*|held)\b", re.IGNORECASE)


def extract_plans(report: Report, curated: Curated, warnings: list[DataQualityWarning]) -> tuple[SessionPlan, ...]:
    session = som_session(report)
    if session is None:
        return ()  # the next meeting of another series is not a SOM: its plans are not read (yet)
    plans: list[SessionPlan] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None:
            continue
        plan = _paragraph_plan(report, curated, paragraph, session)
        if plan is not None:
            plans.append(plan)
    return tuple(plans)


def _paragraph_plan(report: Report, curated: Curated, paragraph: Paragraph, session: int) -> SessionPlan | None:
    sentences = _plan_sentences(report, curated, paragraph, session)
    if not sentences:
        return None
    host = timing = venue = None
    for sentence in sentences:
        host = host or _host(sentence.text, curated)
        timing = timing or _timing(sentence.text, session)
        venue = venue or _venue(sentence.text, curated)
    if host is None and timing is None and venue is None:
        return None  # the next session is named, but nothing is planned for it here
    return SessionPlan(session=session + 1, span=source_span(paragraph, sentences[0].start, sentences[-1].end),
                       host=host, timing=timing, venue=venue)


def _plan_sentences(report: Report, curated: Curated, paragraph: Paragraph, session: int) -> list[Sentence]:
    """Sentences in the Meeting's voice that name the next session, and those that continue them."""
    said = [(run.start, run.end) for run in speaker_runs(report, curated, paragraph)]
    chosen: list[Sentence] = []
    for sentence in split_sentences(paragraph):
        if any(start <= sentence.start < end for start, end in said):
            continue
        if names_next_session(sentence.text, session) or (chosen and _PLAN_WORDS.search(sentence.text)):
            chosen.append(sentence)
    return chosen


def _host(text: str, curated: Curated) -> str | None:
    """The State nearest before "host" ("Mongolia, as the country host of ..."), or after "hosted by"."""
    hosted_by = _HOSTED_BY_RE.search(text)
    countries = country_mentions(text, curated)
    if hosted_by:
        after = [c for c in countries if c.start == hosted_by.end()]
        if after:
            return after[0].key
    host = _HOST_RE.search(text)
    if host is None:
        return None
    before = [c for c in countries if c.end <= host.start()]
    return before[-1].key if before else None


def _timing(text: str, session: int) -> str | None:
    """A date or period as printed; "will be announced ..." when the dates are left open."""
    for m in _TIMING_RE.finditer(text):
        if not _is_unqualified_year(text, m):
            return m.group(0)
    announced = _ANNOUNCED_RE.search(text)
    if announced and re.search(r"\b(?:dates?|time|timing)\b", announced.group("what"), re.IGNORECASE):
        return announced.group("later").strip()
    return None


def _is_unqualified_year(text: str, m: re.Match[str]) -> bool:
    # A bare year is a timing only as "in 2025"; "Strategic Plan 2026-2030" is a title.
    return m.group(0).isdigit() and not text[:m.start()].endswith("in ")


def _venue(text: str, curated: Curated) -> str | None:
    """A city named with its country ("in Ulaanbaatar, Mongolia"), or "will be announced ..."."""
    for m in _PLACE_RE.finditer(text):
        if curated.country_matcher.find(m.group("country")):
            return m.group("city")
    announced = _ANNOUNCED_RE.search(text)
    if announced and re.search(r"\bvenue\b", announced.group("what"), re.IGNORECASE):
        return announced.group("later").strip()
    return None
