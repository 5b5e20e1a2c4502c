"""The adopted agenda: items "1".."n" and sub-items "5 (a)" with their titles.

The genre prints the agenda as a list under the section "Adoption of the agenda", either
as an unnumbered block of its own or after a paragraph ending "... the following
agenda:". Items are "N. Title"; sub-items are "- a) Title", "a) Title" or "(a) Title";
a line that is neither continues the title of the line before it (a wrapped title).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neaspec_kg.curated import Curated
from neaspec_kg.records import AgendaItem, DataQualityWarning, Paragraph, Report
from neaspec_kg.report.navigate import blocks_in, blocks_matching, sections_titled, span, warning

_ITEM_RE = re.compile(r"^(?P<number>\d{1,2})\.\s+(?P<title>\S.*)$")
_SUB_RE = re.compile(r"^(?:[-–•]\s*)?(?:\((?P<l1>[a-z])\)|(?P<l2>[a-z])[).])\s+(?P<title>\S.*)$")


@dataclass
class _Line:
    """An agenda line being read: its notation and where it lies in the block text."""

    number: int
    letter: str | None
    title: str
    start: int
    end: int


def extract_agenda(report: Report, curated: Curated, warnings: list[DataQualityWarning]) -> tuple[AgendaItem, ...]:
    block = _agenda_block(report)
    if block is None:
        warnings.append(warning(report, "agenda-missing",
                                "no adopted agenda found (no list of numbered items under "
                                "'Adoption of the agenda' or after '... the following agenda:')"))
        return ()
    lines = _read_lines(report, block, warnings)
    _check_sequence(report, block, lines, warnings)
    return tuple(
        AgendaItem(notation=f"{ln.number} ({ln.letter})" if ln.letter else str(ln.number), number=ln.number,
                   letter=ln.letter, title=_tidy(ln.title), span=span(block, ln.start, ln.end))
        for ln in lines
    )


def _agenda_block(report: Report) -> Paragraph | None:
    """The block holding the agenda list: in the adoption section first, then anywhere after an intro."""
    candidates = [b for s in sections_titled(report, r"\badoption of the agenda\b") for b in blocks_in(report, s.key)]
    candidates += blocks_matching(report, r"following (?:provisional )?agenda\s*:")
    for block in candidates:
        if sum(1 for line in block.text.split("\n") if _ITEM_RE.match(line.strip())) >= 2:
            return block
    return None


def _read_lines(report: Report, block: Paragraph, warnings: list[DataQualityWarning]) -> list[_Line]:
    lines: list[_Line] = []
    offset = 0
    for raw in block.text.split("\n"):
        start, end = offset, offset + len(raw)
        offset = end + 1
        text = raw.strip()
        item, sub = _ITEM_RE.match(text), _SUB_RE.match(text)
        if item:
            lines.append(_Line(int(item.group("number")), None, item.group("title"), start, end))
        elif sub and lines:
            letter = sub.group("l1") or sub.group("l2")
            lines.append(_Line(lines[-1].number, letter, sub.group("title"), start, end))
        elif sub:
            warnings.append(warning(report, "agenda-subitem-without-item",
                                    f"agenda sub-item '{text}' comes before any numbered item; skipped", block))
        elif lines and _is_prose(text):
            break  # the list is over: a sentence follows it in the same block
        elif lines and text:
            # A wrapped title: the line continues the item above it.
            lines[-1].title += " " + text
            lines[-1].end = end
    return lines


def _check_sequence(report: Report, block: Paragraph, lines: list[_Line], warnings: list[DataQualityWarning]) -> None:
    """Items run 1, 2, 3 ... and sub-items a, b, c ...; a gap means a damaged or incomplete list."""
    expected_number, expected_letter = 1, "a"
    for ln in lines:
        if ln.letter is None:
            if ln.number != expected_number:
                warnings.append(warning(report, "agenda-number-gap",
                                        f"agenda item {ln.number} follows item {expected_number - 1}: "
                                        "items missing or misnumbered?", block))
            expected_number, expected_letter = ln.number + 1, "a"
            continue
        if ln.letter != expected_letter:
            warnings.append(warning(report, "agenda-letter-gap",
                                    f"agenda sub-item {ln.number} ({ln.letter}) where {ln.number} ({expected_letter}) "
                                    "was expected: sub-items missing or misnumbered?", block))
        expected_letter = chr(ord(ln.letter) + 1)


def _is_prose(text: str) -> bool:
    """A sentence after the list ("The agenda was adopted as amended."), not a wrapped title."""
    return text[:1].isupper() and text.endswith(".") and len(text.split()) > 3


def _tidy(title: str) -> str:
    """Title as printed, with wrapped lines joined and closing punctuation (". ; :") dropped."""
    return " ".join(title.split()).rstrip(".;:")
