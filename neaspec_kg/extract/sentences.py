"""Sentences of a report paragraph, with offsets into :attr:`Paragraph.text`.

The statement, decision and plan extractors all reason sentence by sentence (who is the
subject, which verb follows), and every record they make needs exact offsets, so the
splitting lives here once. It is written for the prose of ESCAP meeting reports: titles
("Mr.", "H.E."), initials and decimals ("13.3%") do not end a sentence; a run-in topic
label ("Air Pollution: The Meeting ...") is not part of the first sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neaspec_kg.curated import AliasMatcher, Curated, Mention
from neaspec_kg.records import Paragraph, Report, SourceSpan
from neaspec_kg.report.ordinals import session_ordinals

# Words that end in a full stop without ending the sentence.
_ABBREVIATIONS = {"mr", "ms", "mrs", "dr", "prof", "h.e", "no", "nos", "st", "e.g", "i.e", "etc", "vs", "jr", "co"}
_BOUNDARY_RE = re.compile(r"[.!?][\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])")
_NEXT_SESSION_RE = re.compile(r"\bnext\s+(?:Senior\s+Officials\s+)?(?:Meeting|SOM|session)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    start: int  # offset in Paragraph.text
    end: int
    text: str


def body_start(paragraph: Paragraph) -> int:
    """Offset after a run-in topic label ("Air Pollution: "), 0 when there is none."""
    topic = paragraph.topic
    if topic and paragraph.text.startswith(topic + ":"):
        rest = paragraph.text[len(topic) + 1:]
        return len(topic) + 1 + (len(rest) - len(rest.lstrip()))
    return 0


def split_sentences(paragraph: Paragraph) -> list[Sentence]:
    """The sentences of a paragraph's body, in order, with exact offsets."""
    text = paragraph.text
    start = body_start(paragraph)
    found: list[Sentence] = []
    for m in _BOUNDARY_RE.finditer(text, start):
        if _is_abbreviation(text, m.start()):
            continue
        found.append(_sentence(text, start, m.end()))
        start = m.end()
    if text[start:].strip():
        found.append(_sentence(text, start, len(text)))
    return found


_WINDOW = 64  # characters looked back from a full stop: enough for a word and the one before it


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    # Look back over a bounded window only: searching ``text[:dot]`` for a word at its end made
    # splitting quadratic in the paragraph's length.
    window_start = max(0, dot - _WINDOW)
    window = text[window_start:dot]
    word = re.search(r"([\w.]+)$", window)
    if not word:
        return False
    token = word.group(1).lower()
    if token in _ABBREVIATIONS:
        return True
    # A single capital is an initial only after a title or another initial ("Mr. J. Smith");
    # otherwise it is a numeral ending the sentence ("presented in Annex I. Recognizing ...").
    before = re.search(r"([\w.]+)\s+$", window[:word.start()])
    return len(token) == 1 and text[dot - 1].isupper() and bool(before) and (
        before.group(1).rstrip(".").lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Z]\.", before.group(1)) is not None)


def _sentence(text: str, start: int, end: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end])


def source_span(paragraph: Paragraph, start: int, end: int) -> SourceSpan:
    return SourceSpan(section=paragraph.section, paragraph=paragraph.number, start=start, end=end,
                      exact=paragraph.text[start:end], occurrence=paragraph.occurrence)


def som_session(report: Report) -> int | None:
    """The report's SOM session number; None for a report of another series (an NFP meeting, the SPC)."""
    return report.front.session_number if report.front.series == "som" else None


def meeting_slug(report: Report) -> str:
    """``som-27`` for SOM-27, the meeting key of another series (``neacap-spc-7``): for derived keys
    (``financial-report-som-27``) that cannot clash across series."""
    key = report.front.meeting_key
    return f"som-{key}" if isinstance(key, int) else key


def names_next_session(text: str, session: int) -> bool:
    """Whether the text names the session after ``session`` ("SOM-28", "next Meeting", ...)."""
    if any(value == session + 1 for value, _, _ in session_ordinals(text)):
        return True
    return bool(_NEXT_SESSION_RE.search(text))


def planned_session_in(text: str, session: int) -> int | None:
    """The number of a future session the text names, if any."""
    later = [value for value, _, _ in session_ordinals(text) if value > session]
    if later:
        return later[0]
    return session + 1 if _NEXT_SESSION_RE.search(text) else None


def country_mentions(text: str, curated: Curated) -> list[Mention]:
    """Country names that are not part of an organization's name ("Korea Environment Institute")."""
    organizations = curated.organization_matcher.find(text)
    return [c for c in curated.country_matcher.find(text)
            if not any(o.start <= c.start and c.end <= o.end and (o.end - o.start) > (c.end - c.start)
                       for o in organizations)]


def name_at(text: str, curated: Curated) -> tuple[str, str, int] | None:
    """The State or organization named at the very start of ``text``: (kind, key, length).

    The longer name wins, so "Korea Environment Institute" is an organization and
    "Republic of Korea" a State.
    """
    best: tuple[str, str, int] | None = None
    for kind, matcher in (("state", curated.country_matcher), ("organization", curated.organization_matcher)):
        mention = _first_at_zero(matcher, text)
        if mention and (best is None or mention.end > best[2]):
            best = (kind, mention.key, mention.end)
    return best


def _first_at_zero(matcher: AliasMatcher, text: str) -> Mention | None:
    mentions = matcher.find(text)
    return mentions[0] if mentions and mentions[0].start == 0 else None


# A sentence ends at . ! or ? (maybe closing a quote) followed by a capital: the simple
# rule the projects, events and commitments extractors share.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])")


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end offsets of the sentence of ``text`` that contains ``position``."""
    start, end = 0, len(text)
    for m in SENTENCE_END_RE.finditer(text):
        if m.end() <= position:
            start = m.end()
        elif m.start() >= position:
            end = m.start()
            break
    return start, end
