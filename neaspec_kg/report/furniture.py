"""Page furniture in report text: page numbers, running headers and footers.

A converted PDF or Word file leaves them between the two halves of a paragraph split by a
page break. They are learned from the text itself, never from a list of known headers:

* a line that is only a page number ("12", "- 12 -", "Page 12", "Page 12 of 30");
* a short line that, with its digits ignored, repeats on at least ``MIN_REPEATS`` lines of the
  body (a running header "ESCAP/NEASPEC/SOM(27)/REPORT", "NEASPEC SOM-27 Report, page 4")
  and is not a line the report's structure gives meaning to (a heading, a paragraph, a list
  line, an "(Agenda item 4)" reference, which legitimately repeat), nor prose (a line starting
  in lower case or ending a sentence: the rest of a paragraph after a page break).

The lines are blanked, not deleted, so line numbers in messages still point into the file;
each kind removed is reported once as a ``page-furniture`` warning naming its first line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from neaspec_kg.records import DataQualityWarning

MIN_REPEATS = 3
MAX_FURNITURE_LENGTH = 100
_PAGE_NUMBER_RE = re.compile(r"^(?:[-–—]\s*)?(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?(?:\s*[-–—])?$", re.IGNORECASE)


def remove_furniture(lines: list[str], source: str, first_body_line: int,
                     is_structural: Callable[[str], bool]) -> tuple[list[str], list[DataQualityWarning]]:
    """``lines`` with page numbers and repeated headers blanked from ``first_body_line`` (1-based) on.

    ``is_structural(line)`` says whether the parser gives a line meaning; such lines are never
    furniture, however often they repeat.
    """
    found: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(lines, start=1):
        text = _clean(line)
        if number < first_body_line or not text or len(text) > MAX_FURNITURE_LENGTH or is_structural(text):
            continue
        if text[:1].islower() or text.endswith((".", ";", ",")):
            continue  # the second half of a paragraph split by a page break, however often it repeats
        found["page numbers" if _PAGE_NUMBER_RE.match(text) else _pattern(text)].append(number)
    out = list(lines)
    warnings: list[DataQualityWarning] = []
    for pattern, numbers in found.items():
        if pattern != "page numbers" and len(numbers) < MIN_REPEATS:
            continue
        for number in numbers:
            out[number - 1] = ""
        what = ("page-number lines" if pattern == "page numbers"
                else f"lines reading '{_clean(lines[numbers[0] - 1])}' (a running header or footer)")
        warnings.append(DataQualityWarning(
            source, "page-furniture",
            f"{len(numbers)} {what} removed from the body text, from line {numbers[0]} to line {numbers[-1]}",
            line=numbers[0]))
    return out, warnings


def _clean(line: str) -> str:
    return re.sub(r"\*{1,2}", "", line).strip()


def _pattern(text: str) -> str:
    """A header with its page number or date varied is still one header."""
    return re.sub(r"\d+", "#", " ".join(text.split())).casefold()
