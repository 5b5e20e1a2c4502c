"""Report structure: front matter, chapters and sections, numbered paragraphs.

Written for the genre of NEASPEC/ESCAP meeting reports, not for one file:

* paragraphs are numbered ``N.`` in one sequence through the report; a numbered line
  that does not continue the sequence (the adopted agenda's ``1. Opening ...``) is a
  list line of the current block, not a paragraph;
* page breaks split paragraphs; a continuation line is rejoined with one space (prose)
  or a line break (lists: officer lines with tabs, agenda lines, after a colon);
* chapters are roman-numbered and upper case (``II. PROCEEDINGS ...``), sections are
  lettered in sequence (``A. Attendance`` ... ``I. Adoption of the Report``: the letter
  ``I`` after ``H`` is a section, not chapter one);
* ``(Agenda item 4)`` / ``(Agenda items 5, 6, and 7)`` under a section heading, and
  sub-headings ``Agenda item 5 (a) Air Pollution`` set the agenda item of what follows;
* the converter's ``**bold**`` and ``*italic*`` marks are removed from the text.

Defects are reported as :class:`DataQualityWarning` (a heading naming the wrong session,
a sub-heading without its item number, a jump in paragraph numbers, a file that ends
inside a paragraph); a file that cannot be a report raises :class:`ReportError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from neaspec_kg.curated import Curated
from neaspec_kg.records import DataQualityWarning, FrontMatter, Paragraph, Report, ReportError, Section
from neaspec_kg.report.checks import front_matter_checks, numbering_warning
from neaspec_kg.report.front import TITLE_RE, read_front_matter
from neaspec_kg.report.ordinals import roman
from neaspec_kg.report.furniture import remove_furniture
from neaspec_kg.report.sources import PublishedText, decode_report_text, read_published

_PARA_RE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_CHAPTER_RE = re.compile(r"^([IVX]{1,5})\.\s+(\S.*)$")
_SECTION_RE = re.compile(r"^([A-Z])(?:\.|\s*[-–—])\s+(\S.*)$")  # "B. Attendance", "B - Attendance"
# A chapter printed without its numeral: an upper-case line of a few words ("PROCEEDINGS OF THE MEETING").
_BARE_CHAPTER_RE = re.compile(r"^(?=.*[A-Z]{3})[A-Z][A-Z0-9 ,'’()&-]{5,118}[A-Z)]$")
_ANNEX_RE = re.compile(r"^(ANNEX|Annex|APPENDIX|Appendix)(?:\s+([IVXL]{1,5}|\d{1,2}|[A-Z]))?\s*(?:[.:–—-]\s*(\S.*))?$")
# A run-in topic label without the converter's bold: "Air Pollution: The Meeting ...", words in title case.
_RUN_IN_RE = re.compile(r"^([A-Z][^:.;]{2,80}):\s+(?=[A-Z“\"])")
_LABEL_SMALL_WORDS = {"of", "and", "for", "the", "on", "in", "to", "a", "an", "at", "with", "&", "-", "–"}
_AGENDA_REF_RE = re.compile(r"^\(\s*Agenda\s+items?\s+([^)]*)\)$", re.IGNORECASE)
_AGENDA_SUB_RE = re.compile(r"^Agenda\s+item\s+(\d{1,2})?\s*(?:\(([a-z])\))?\s*[.:]?\s*(.*)$", re.IGNORECASE)
_LIST_LINE_RE = re.compile(r"^(?:[-–•]\s*)?(?:[a-z]\)|\([a-z]\)|\d{1,2}\.)\s+\S")
_LIST_NUMBER_RE = re.compile(r"^(\d{1,2})\.\s+\S")
# A lettered sub-heading of an agenda item on a line of its own: "a) Air Pollution", "(b) Biodiversity".
_LETTER_SUB_RE = re.compile(r"^(?:\(([a-z])\)|([a-z])\))\s+([A-Z][^.;:,]{1,100})$")
_MAX_SKIPPED_SECTIONS = 3
_TERMINAL = (".", ":", ";", "?", "!", "”", '"', "’", ")")


def parse_report(path: Path, curated: Curated, cache_dir: Path | None = None) -> Report:
    """Read a report file (.txt, or .pdf / .docx as published); every error names the file (and line)."""
    return parse_published(read_published(path, cache_dir), curated)


def parse_published(published: PublishedText, curated: Curated) -> Report:
    if published.kind == "txt":
        return parse_report_bytes(published.raw, published.source, curated)
    return parse_report_text(published.text, published.source, curated,
                             sha256=hashlib.sha256(published.raw).hexdigest(), line_pages=published.line_pages)


def parse_report_bytes(raw: bytes, source: str, curated: Curated) -> Report:
    return parse_report_text(decode_report_text(raw, source), source, curated, sha256=hashlib.sha256(raw).hexdigest())


def parse_report_text(text: str, source: str, curated: Curated, *, sha256: str | None = None,
                      line_pages: tuple[tuple[int, ...], ...] = ()) -> Report:
    """``line_pages``: per line of ``text``, the pages of the published file it is printed on."""
    digest = sha256 or hashlib.sha256(text.encode()).hexdigest()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first_body = next((i for i, line in enumerate(lines, start=1) if _PARA_RE.match(_clean(line))), len(lines) + 1)
    lines, furniture = remove_furniture(lines, source, first_body, _is_structural)
    parser = _Parser(source, curated, warnings=furniture, line_pages=line_pages)
    for number, line in enumerate(lines, start=1):
        parser.feed(number, line)
    return replace(parser.finish(digest), text="\n".join(lines) if line_pages else text)


@dataclass
class _Block:
    number: int | None
    section: str
    line: int
    end_line: int
    parts: list[str]
    agenda_item: str | None
    topic: str | None
    list_number: int | None = None  # number of the last "N. ..." list line in the block (the agenda)
    occurrence: int = 1

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Parser:
    source: str
    curated: Curated
    front_lines: list[tuple[int, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    warnings: list[DataQualityWarning] = field(default_factory=list)
    chapter: str | None = None
    section_key: str = "front"
    section_letter: str | None = None
    agenda_item: str | None = None  # from a sub-heading or a single-item section reference
    agenda_number: int | None = None  # last agenda item number seen in a sub-heading
    topic: str | None = None
    last_number: int = 0
    last_line: int = 0
    heading_checks: list[tuple[int, str]] = field(default_factory=list)  # checked once the session is known
    expected: set[int] = field(default_factory=lambda: {1})  # numbers the next paragraph may carry unremarked
    printed: dict[int, int] = field(default_factory=dict)  # paragraph number -> paragraphs printed with it
    annex: str | None = None  # key of the annex being read
    line_pages: tuple[tuple[int, ...], ...] = ()
    chapters: int = 0

    # --- line classification ---------------------------------------------------------
    def feed(self, number: int, raw_line: str) -> None:
        line = _clean(raw_line)
        self.last_line = number
        if not line or re.fullmatch(r"\.{3,}", line):
            return
        if self.annex is not None:
            # An annex is a block of its own: its numbered lines are not the report's paragraphs.
            if not self._try_annex(number, line):
                self._continue_block(number, raw_line, line)
            return
        if self.last_number == 0 and not self.sections:
            if self._try_paragraph(number, raw_line, line):
                return
            if not self._try_heading(number, line):
                self.front_lines.append((number, line))
            return
        if self._try_paragraph(number, raw_line, line) or self._try_heading(number, line):
            return
        self._continue_block(number, raw_line, line)

    def _try_paragraph(self, number: int, raw_line: str, line: str) -> bool:
        m = _PARA_RE.match(line)
        if not m:
            return False
        n, body = int(m.group(1)), m.group(2)
        if self._continues_list(n, body):
            return False
        if n not in self.expected:
            # Not the next paragraph: a list line of the block, or a numbering defect of the source.
            if not _reads_as_paragraph(body) and (n < self.last_number or self._in_list_context()):
                return False
            self._warn_numbering(number, n)
        self.expected = {n + 1} if n > max(self.expected) else {n + 1, max(self.expected) + 1}
        self.last_number = n
        occurrence = self.printed.get(n, 0) + 1
        self.printed[n] = occurrence
        topic = self.topic
        run_in = _RUN_IN_RE.match(body)
        # A run-in label ("**Air Pollution:** The Meeting ...", bold or in title case) names the topic;
        # a colon in plain prose does not.
        if run_in and ("**" in raw_line or _is_title_case(run_in.group(1))):
            topic = run_in.group(1)
        self.blocks.append(_Block(n, self.section_key, number, number, [body], self.agenda_item, topic,
                                  occurrence=occurrence))
        return True

    def _warn_numbering(self, line: int, n: int) -> None:
        self.warnings.append(numbering_warning(self.source, line, n, self.last_number, self.expected, self.printed))

    def _continues_list(self, n: int, body: str) -> bool:
        """A numbered line that is the next item of a list, not the next paragraph.

        The adopted agenda's items ("7. Other issues") can carry the very number the next
        paragraph would have; within the list's section, the list's own sequence wins, and
        a short line whose number is not the next paragraph's stays in the list (a gap the agenda
        reader warns of); a line of prose is a paragraph, whatever its number.
        Before any paragraph, "1. Opening of the Meeting" under "Adoption of the agenda"
        starts the list (a report without numbered paragraphs must not read it as paragraph 1).
        """
        block = self.blocks[-1] if self.blocks else None
        if block is not None and block.section == self.section_key and block.list_number is not None:
            return n == block.list_number + 1 or (n not in self.expected and not _reads_as_paragraph(body))
        return (n == 1 and self.last_number == 0 and bool(self.sections)
                and re.search(r"\badoption of the agenda\b", self.sections[-1].title, re.IGNORECASE) is not None)

    def _in_list_context(self) -> bool:
        """The current block is an unnumbered block (a list) of the current section."""
        return bool(self.blocks) and self.blocks[-1].number is None and self.blocks[-1].section == self.section_key

    def _try_heading(self, number: int, line: str) -> bool:
        if self.last_number > 0 and self._try_annex(number, line):
            return True
        m = _AGENDA_REF_RE.match(line)
        if m:
            items = tuple(re.findall(r"\d{1,2}", m.group(1)))
            self._set_section_agenda(items)
            return True
        m = _AGENDA_SUB_RE.match(line)
        if m and self.last_number > 0:
            self._agenda_subheading(number, m)
            return True
        m = _LETTER_SUB_RE.match(line)
        if m and self._ends_paragraph() and len(m.group(3).split()) <= 12:
            self._agenda_subheading(number, (None, m.group(1) or m.group(2), m.group(3)))
            return True
        m = _SECTION_RE.match(line)
        if m and not m.group(2).isupper() and self._is_section_letter(number, m.group(1), m.group(2)):
            self._open_section(number, m.group(1), m.group(2), level=2)
            return True
        m = _CHAPTER_RE.match(line)
        # Chapters in capitals ("II. PROCEEDINGS") or, as UN documents print them, in sentence case
        # ("II. Organization of the session"): a short line without a sentence's full stop.
        if m and (m.group(2).isupper() or (len(m.group(2).split()) <= 20 and not m.group(2).endswith((".", ",", ";", ":")))):
            self._open_section(number, m.group(1), m.group(2), level=1)
            return True
        if self.last_number > 0 and _BARE_CHAPTER_RE.match(line) and len(line.split()) >= 2:
            self._open_section(number, roman(self.chapters + 1), line, level=1)
            return True
        return False

    def _ends_paragraph(self) -> bool:
        """After a finished numbered paragraph a lettered line is a sub-heading; after "...:" it is a list."""
        last = self.blocks[-1] if self.blocks else None
        return last is not None and last.number is not None and last.text.rstrip().endswith((".", "!", "?", "”", '"'))

    def _try_annex(self, number: int, line: str) -> bool:
        m = _ANNEX_RE.match(line)
        if not m or len(line.split()) > 14 or line.endswith((".", ",")):
            return False
        kind, mark = m.group(1).upper(), m.group(2)
        key = f"{kind}-{mark}" if mark else kind
        self.annex = key
        self.section_key, self.agenda_item, self.topic = key, None, None
        self.sections.append(Section(key=key, title=line, line=number, level=1))
        return True

    def _is_section_letter(self, number: int, letter: str, title: str) -> bool:
        """The next lettered section, or one a few letters on (a section dropped in editing: warned)."""
        if self.chapter is None:
            return False
        expected = "A" if self.section_letter is None else chr(ord(self.section_letter) + 1)
        if letter == expected:
            return True
        skipped = ord(letter) - ord(expected)
        # Only a heading-like line may skip letters: short, no sentence full stop.
        if not 0 < skipped <= _MAX_SKIPPED_SECTIONS or len(title) > 120 or title.endswith("."):
            return False
        missing = ", ".join(chr(c) for c in range(ord(expected), ord(letter)))
        self.warnings.append(DataQualityWarning(
            self.source, "section-letter-gap",
            f"section '{letter}. {title}' follows section {self.section_letter or '(none)'} of chapter "
            f"{self.chapter}: section(s) {missing} missing?", line=number))
        return True

    def _open_section(self, number: int, mark: str, title: str, level: int) -> None:
        if level == 1:
            self.chapter, self.section_letter, key = mark, None, mark
            self.chapters += 1
        else:
            self.section_letter, key = mark, f"{self.chapter}.{mark}"
        self.section_key = key
        self.agenda_item = None
        self.topic = None
        self.sections.append(Section(key=key, title=title, line=number, level=level))
        self._check_heading_session(number, title)

    def _set_section_agenda(self, items: tuple[str, ...]) -> None:
        if not self.sections:
            return
        last = self.sections[-1]
        self.sections[-1] = replace(last, agenda_items=items)
        self.agenda_item = items[0] if len(items) == 1 else None

    def _agenda_subheading(self, number: int, m: re.Match[str] | tuple[str | None, str, str]) -> None:
        item_number, letter, title = m if isinstance(m, tuple) else m.groups()
        title = title.strip()
        single = self.sections[-1].agenda_items if self.sections else ()
        if item_number is None and len(single) == 1 and letter:
            item_number = single[0]  # "(Agenda item 5)" under the section heading, then "a) Air Pollution"
        if item_number is None:
            if self.agenda_number is None:
                self.warnings.append(DataQualityWarning(
                    self.source, "agenda-subheading-without-number",
                    f"sub-heading 'Agenda item ({letter}) {title}' has no item number and none precedes it",
                    line=number))
                return
            self.warnings.append(DataQualityWarning(
                self.source, "agenda-subheading-without-number",
                f"sub-heading 'Agenda item ({letter}) {title}' has no item number; "
                f"read as item {self.agenda_number} ({letter}) from the sub-heading before it",
                line=number))
            item_number = str(self.agenda_number)
        self.agenda_number = int(item_number)
        self.agenda_item = f"{item_number} ({letter})" if letter else item_number
        self.topic = title or None

    def _check_heading_session(self, number: int, title: str) -> None:
        self.heading_checks.append((number, title))

    def _continue_block(self, number: int, raw_line: str, line: str) -> None:
        if not self.blocks or self.blocks[-1].section != self.section_key:
            # Unnumbered text opening a section (e.g. the adopted agenda list).
            self.blocks.append(_Block(None, self.section_key, number, number, [line], self.agenda_item, self.topic,
                                      list_number=_list_number(line)))
            return
        block = self.blocks[-1]
        block.list_number = _list_number(line) or block.list_number
        previous = block.text.rstrip()
        last_line = previous.rsplit("\n", 1)[-1]
        # After a list line, a capitalised line is the next line (a sentence closing the list), while
        # a wrapped item title continues in lower case ("... recommendations / arising from ...").
        after_list_line = bool(_LIST_LINE_RE.match(last_line)) and line[:1].isupper()
        is_list = ("\t" in raw_line or _LIST_LINE_RE.match(line) or previous.endswith(":") or block.number is None
                   or after_list_line)
        if is_list:
            block.parts.append("\n" + line)
        else:
            # A page break split the paragraph: rejoin the prose with one space.
            block.parts.append(" " + line)
        block.end_line = number

    # --- results -----------------------------------------------------------------------
    def finish(self, sha256: str) -> Report:
        if not self.blocks or all(b.number is None for b in self.blocks):
            raise ReportError(self.source, "no numbered paragraphs found: the body text from here on has no "
                              "paragraph numbers ('1. The Meeting ...'); is this a NEASPEC/ESCAP meeting report?",
                              line=self._first_body_line())
        front = self._front_matter()
        self.warnings += front_matter_checks(self.source, front, self.heading_checks, self.sections, self.last_line)
        last = self.blocks[-1]
        if last.number is not None and not last.text.rstrip().endswith(_TERMINAL):
            self.warnings.append(DataQualityWarning(
                self.source, "truncated",
                "the file ends inside a paragraph: its last sentence is incomplete; the file is truncated, "
                "or its end was lost in conversion",
                line=last.end_line, paragraph=last.number))
        paragraphs = tuple(
            Paragraph(number=b.number, text=b.text.strip(), line=b.line, section=b.section,
                      agenda_item=b.agenda_item, topic=b.topic, end_line=b.end_line, occurrence=b.occurrence,
                      pages=self._pages(b.line, b.end_line))
            for b in self.blocks
        )
        front_section = Section(key="front", title=front.title, line=front.line, level=0)
        front_block = Paragraph(number=None, text="\n".join(t for _, t in self.front_lines), line=front.line,
                                section="front", end_line=self.front_lines[-1][0] if self.front_lines else front.line)
        return Report(source=self.source, sha256=sha256, front=front,
                      sections=(front_section, *self.sections), paragraphs=(front_block, *paragraphs),
                      warnings=tuple(self.warnings))

    def _pages(self, first: int, last: int) -> tuple[int, ...]:
        return tuple(sorted({page for pages in self.line_pages[first - 1:last] for page in pages}))

    def _first_body_line(self) -> int | None:
        """The first line of prose after the title block (where paragraph 1 should be)."""
        after_title = [(n, t) for n, t in self.front_lines if not t.isupper()]
        title_at = next((n for n, t in self.front_lines if TITLE_RE.match(t)), 0)
        prose = [n for n, t in after_title if n > title_at and len(t.split()) >= 6]
        starts = prose + [b.line for b in self.blocks]
        return min(starts) if starts else (self.last_line or None)

    def _front_matter(self) -> FrontMatter:
        first = next((b for b in self.blocks if b.number is not None), None)
        first_line = self.front_lines[0][0] if self.front_lines else (first.line if first else 1)
        return read_front_matter(self.source, self.curated, self.front_lines, first.text if first else "", first_line)


def _reads_as_paragraph(body: str) -> bool:
    """Prose, not a list item: a sentence that ends, or a line too long for an agenda title."""
    words = len(body.split())
    return (words >= 6 and body.rstrip().endswith((".", "!", "?", ";", "”", '"'))) or words >= 25


def _is_title_case(label: str) -> bool:
    words = label.split()
    return len(words) <= 10 and all(w[:1].isupper() or w[:1].isdigit() or w in _LABEL_SMALL_WORDS for w in words)


def _is_structural(line: str) -> bool:
    """A line the parser gives meaning to (never page furniture, however often it repeats)."""
    return any(regex.match(line) for regex in (_PARA_RE, _CHAPTER_RE, _SECTION_RE, _AGENDA_REF_RE, _AGENDA_SUB_RE,
                                               _LIST_LINE_RE, _ANNEX_RE)) or "\t" in line


def _list_number(line: str) -> int | None:
    m = _LIST_NUMBER_RE.match(line)
    return int(m.group(1)) if m else None


def _clean(raw_line: str) -> str:
    """Drop the converter's emphasis marks and markdown escapes (``\\$300`` -> ``$300``)."""
    return re.sub(r"\\([$_#\[\]])", r"\1", re.sub(r"\*{1,2}", "", raw_line)).strip()
