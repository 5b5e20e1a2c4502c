"""The adopted agenda: items "1".."n" and sub-items "5 (a)" with their titles.

The genre prints the agenda as a list under the section "Adoption of the agenda", either
as an unnumbered block of its own or after a paragraph ending "... the following
agenda:". Items are "N. Title"; sub-items are "- a) Title", "a) Title" or "(a) Title";
a line that is neither continues the title of the line before it (a wrapped title).
Other reports put the list in an annex ("The Meeting adopted the agenda contained in annex I")
or run it into one sentence ("... adopted the following agenda: (1) Opening of the meeting;
(2) Election of officers; ... and (6) Adoption of the report.").
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
    """The block holding the agenda list: in the adoption section first, then an annex the report
    refers to for it (or one titled as an agenda), then anywhere after an intro."""
    candidates = [b for s in sections_titled(report, r"\badoption of the agenda\b|^agenda\b")
                  for b in blocks_in(report, s.key)]
    candidates += [b for key in _agenda_annexes(report) for b in blocks_in(report, key)]
    candidates += blocks_matching(report, r"following (?:provisional )?agenda\s*:")
    for block in candidates:
        if sum(1 for line in block.text.split("\n") if _ITEM_RE.match(line.strip())) >= 2:
            return block
        if len(_inline_lines(block)) >= 2:
            return block
    return None


_ANNEX_REF_RE = re.compile(r"\bagenda\b[^.]{0,80}?\b(?:annex|appendix)\s+([IVXL]{1,5}|\d{1,2}|[A-Z])\b", re.IGNORECASE)
# "(1) Opening of the meeting;" / "1. Opening of the meeting;" inside one sentence.
_INLINE_ITEM_RE = re.compile(
    r"(?:(?<=:)|(?<=;))\s*(?:and\s+)?\(?(?P<number>\d{1,2})[.)]\s+(?P<title>[^;]+?)(?=\s*;|\.?$|\.\s+[A-Z])")


def _agenda_annexes(report: Report) -> list[str]:
    """Annex sections that hold the agenda: named by a paragraph ("the agenda ... in annex I") or by their title."""
    keys = {s.key.upper(): s.key for s in report.sections if s.key.upper().startswith(("ANNEX", "APPENDIX"))}
    named = [m.group(1).upper() for p in report.paragraphs if p.number is not None
             for m in _ANNEX_REF_RE.finditer(p.text)]
    found = [keys[k] for mark in named for k in keys if k.endswith(f"-{mark}")]
    found += [s.key for s in report.sections if s.key in keys.values() and re.search(r"\bagenda\b", s.title, re.I)]
    return list(dict.fromkeys(found))


def _inline_lines(block: Paragraph) -> list[_Line]:
    """Items run into one sentence after "agenda:"; offsets into the block text."""
    intro = re.search(r"\bagenda\s*:", block.text, re.IGNORECASE)
    if intro is None:
        return []
    return [_Line(int(m.group("number")), None, m.group("title"), m.start("number") - (block.text[m.start("number") - 1] == "("),
                  m.end("title")) for m in _INLINE_ITEM_RE.finditer(block.text, intro.end() - 1)]


def _read_lines(report: Report, block: Paragraph, warnings: list[DataQualityWarning]) -> list[_Line]:
    if not any(_ITEM_RE.match(line.strip()) for line in block.text.split("\n")):
        return _inline_lines(block)
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
