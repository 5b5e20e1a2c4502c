"""The front matter of a meeting report: which body met, in which series, which session, when, where.

UN/ESCAP intergovernmental meeting reports open with a title block ("REPORT OF THE TWENTY-SEVENTH
SENIOR OFFICIALS MEETING OF ...", "Report of the Committee on Environment and Development on its
eighth session", "Report of the Third Meeting of the NEASPEC National Focal Points") and a first
paragraph restating it with the dates and the venue. The title decides the series (rows of
data/curated/series.csv, each with the pattern its title uses); a title that names no series of
that table is refused (file and line): a report of another body is never read as a SOM.
The letterhead ("ECONOMIC AND SOCIAL COMMISSION FOR ASIA AND THE PACIFIC") names the publisher,
not the body that met, so series patterns ask for the body in its meeting's words ("on its",
"session of the").
"""

from __future__ import annotations

import re
from datetime import date

from neaspec_kg.curated import Curated, Row, split_list
from neaspec_kg.records import FrontMatter, ReportError
from neaspec_kg.report.ordinals import ORDINAL_PATTERN, ordinal_value

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
# "12-13 December 2024", "30 November–2 December 2022", "from 19 to 23 May 2025"
_DATE_RANGE_RE = re.compile(
    rf"\b(\d{{1,2}})\s*(?:{MONTH}\s*)?(?:[-–—]|\s+to\s+|\s+and\s+)\s*(\d{{1,2}})\s+{MONTH},?\s+(\d{{4}})\b"
)
DATE_RE = re.compile(rf"\b(\d{{1,2}})\s+{MONTH},?\s+(\d{{4}})\b")
_VIRTUAL_RE = re.compile(r"\b(?:virtual(?:ly)?|videoconference|video conference|online)\b", re.IGNORECASE)
_SMALL_WORDS = {"of", "the", "for", "and", "on", "in", "to", "a", "an", "at", "its"}


def parse_date(day: str, month: str, year: str) -> date:
    """``('13', 'December', '2024')`` -> 2024-12-13 (the genre's "13 December 2024")."""
    return date(int(year), _MONTHS[month.lower()], int(day))


def read_front_matter(source: str, curated: Curated, front_lines: list[tuple[int, str]], para1: str,
                      first_line: int) -> FrontMatter:
    """``front_lines``: (line, text) before the first section or paragraph; ``para1``: paragraph 1."""
    front_text = "\n".join(t for _, t in front_lines)
    title, title_line = report_title(front_lines)
    series = _series(source, curated, title, title_line, front_text, para1, first_line)
    session = _session_number(source, series, title, front_text, para1, first_line)
    start, end = _dates(source, front_text, para1, first_line)
    city, country, virtual = _venue(source, curated, front_text, para1, first_line)
    language = re.search(r"^(English only|[A-Z][a-z]+ only)$", front_text, re.MULTILINE)
    distribution = re.search(r"Distr\.:\s*(\w+)", front_text)
    name = f"{series['acronym']}-{session}" if session is not None else f"{series['acronym']} {start.isoformat()}"
    title = title or f"Report of the {series['label']} ({name})"
    return FrontMatter(title=_title_case(title) if title.isupper() else title, session_number=session,
                       start_date=start, end_date=end, city=city, country=country, line=first_line,
                       language_note=language.group(1) if language else None,
                       distribution=distribution.group(1) if distribution else None, virtual=virtual,
                       host=_host(curated, front_text, para1), series=series["key"], body=series["body"], name=name)


# "REPORT OF THE ...", "Summary report of the ...", "Report on the ...", "Chair's summary of the ...".
TITLE_RE = re.compile(r"^(?:(?:final|summary|draft)\s+)?report\s+(?:of|on)\s+the\b"
                      r"|^(?:chair(?:'|’)?s\s+)?summary\s+(?:of|report\s+of)\s+the\b", re.IGNORECASE)
# Without a title, the series must be the subject of paragraph 1 ("The Third Meeting of the ... was
# held"), not a meeting it mentions in passing ("... held back-to-back with SOM-27").
_SUBJECT_REACH = 150


def report_title(front_lines: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    """The title block "REPORT OF THE ..." over one or more upper-case lines, and its first line."""
    lines = [t for _, t in front_lines]
    start = next((i for i, t in enumerate(lines) if TITLE_RE.match(t)), None)
    if start is None:
        return None, None
    title = [lines[start]]
    for line in lines[start + 1:]:
        upper_block = line.isupper() and title[0].isupper()
        # A title in sentence case wraps where a phrase is not finished ("... Environment and" / "Development ...").
        wrapped = not title[0].isupper() and (title[-1].split()[-1].lower() in _SMALL_WORDS | {"and", "its"}
                                              or line[:1].islower())
        if not (upper_block or wrapped):
            break
        title.append(line)
    return " ".join(" ".join(title).split()), front_lines[start][0]


def _series(source: str, curated: Curated, title: str | None, title_line: int | None, front_text: str,
            para1: str, first_line: int) -> Row:
    """The series whose title pattern the title matches first; without a title, the front text, then
    paragraph 1. A title naming no known series is refused: the report is of another body."""
    rows = curated.rows("series")
    texts = [title] if title else [front_text, para1[:_SUBJECT_REACH]]
    for text in texts:
        found = [(m.start(), row) for row in rows
                 for m in [re.search(row["title_pattern"], text, re.IGNORECASE)] if m]
        if found:
            return min(found, key=lambda f: f[0])[1]
    known = "; ".join(row["label"] for row in rows)
    where = f"the title '{title}'" if title else "the title block and paragraph 1"
    raise ReportError(source, f"{where} names no meeting series of data/curated/series.csv ({known}): "
                              "a report of another body or series is not read as one of these; add a row for "
                              "its series (with a source) to build it under its own IRIs, or remove the file",
                      line=title_line or first_line)


def _session_number(source: str, series: Row, title: str | None, front_text: str, para1: str,
                    line: int) -> int | None:
    """"Twenty-seventh Senior Officials Meeting", "Third Meeting of the ... National Focal Points",
    "Committee on ... on its eighth session", "SPC-7"; the earliest in the title, the front text, paragraph 1."""
    name = series["title_pattern"]
    patterns = [
        re.compile(rf"(?P<ordinal>{ORDINAL_PATTERN})\s+(?:(?:session|meeting)\s+of\s+(?:the\s+)?)?"
                   rf"(?:[\w'’()-]+\s+){{0,8}}?(?:{name})", re.IGNORECASE),
        re.compile(rf"(?:{name})[^.\n]{{0,80}}?(?:\b(?:on|at)\s+(?:its|the)|,)\s+(?P<ordinal>{ORDINAL_PATTERN})\s+"
                   r"(?:session|meeting)\b", re.IGNORECASE),
        re.compile(rf"\b{re.escape(series['acronym'])}[- ](?P<number>\d{{1,3}})\b"),
    ]
    for text in (title or "", front_text, para1):
        found = sorted(((m.start(), m) for p in patterns for m in p.finditer(text)), key=lambda f: f[0])
        for _, m in found:
            value = int(m.group("number")) if "number" in m.groupdict() and m.group("number") else \
                ordinal_value(m.group("ordinal"))
            if value is not None:
                return value
    if series["numbered"] != "yes":
        return None  # expert group meetings are not numbered: the meeting is keyed by its date
    raise ReportError(source, f"unknown session number: no '<ordinal> {series['label']}' (or "
                              f"'{series['acronym']}-<n>') in the title block or paragraph 1", line=line)


def _host(curated: Curated, front_text: str, para1: str) -> str | None:
    """"... hosted by the Government of China" (paragraph 1 of the genre)."""
    for text in (front_text, para1):
        m = re.search(r"hosted\s+by\s+the\s+Government\s+of\s+((?:the\s+)?[A-Z][\w' -]*?)(?=[.,;]|\s+and\s|$)", text)
        if m:
            mentions = curated.country_matcher.find(m.group(1))
            if mentions:
                return mentions[0].key
    return None


def _dates(source: str, front_text: str, para1: str, line: int) -> tuple[date, date]:
    for text in (front_text, para1):
        m = _DATE_RANGE_RE.search(text)
        if m:
            d1, month1, d2, month2, year = m.groups()
            return parse_date(d1, month1 or month2, year), parse_date(d2, month2, year)
        m = DATE_RE.search(text)
        if m:
            d = parse_date(m.group(1), m.group(2), m.group(3))
            return d, d
    raise ReportError(source, "no meeting dates in the title block or paragraph 1", line=line)


def _venue(source: str, curated: Curated, front_text: str, para1: str,
           line: int) -> tuple[str | None, str | None, bool]:
    unknown: str | None = None
    for text in (front_text, para1):
        # The city is a run of capitalised words ("Ulaanbaatar", "Nur-Sultan"), never a clause before it.
        for m in re.finditer(r"(?:^|held in |held at |\n)([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*),\s+"
                             r"((?:the\s+)?[A-Z][\w' .-]+?)(?=,|\n|$| on | from )", text):
            mentions = curated.country_matcher.find(m.group(2))
            if mentions and mentions[0].text == m.group(2).removeprefix("the "):
                return m.group(1).strip(), mentions[0].key, False
            if unknown is None and text is para1 and re.match(r"held (?:in|at) ", m.group(0)):
                unknown = m.group(1).strip()  # "held in Bangkok, Thailand": a country the tables lack
    if unknown is not None:
        return unknown, None, False  # the city is kept; checks.py warns that its country is unknown
    # Sessions held by videoconference (SOM-24, SOM-25) name no venue: a fact, not a defect.
    if _VIRTUAL_RE.search(front_text) or _VIRTUAL_RE.search(para1):
        return None, None, True
    raise ReportError(source, "no venue ('City, Country') in the title block or paragraph 1, "
                      "and nothing says the session was held online", line=line)


def decision_subjects(curated: Curated, series: str) -> tuple[str, ...]:
    """How a series' reports name the deciding body besides "the Meeting" ("the Commission", "the SPC")."""
    row = curated.by_key("series").get(series)
    return tuple(split_list(row["subjects"])) if row else ()


def _title_case(upper: str) -> str:
    """'REPORT OF THE TWENTY-SEVENTH ...' -> 'Report of the Twenty-seventh ...' (acronyms kept)."""
    words = []
    for i, word in enumerate(upper.split()):
        lower = word.lower()
        if i and lower in _SMALL_WORDS:
            words.append(lower)
        elif lower in {"neaspec", "som", "escap", "un", "neacap", "nfp", "spc"}:
            words.append(word)
        elif ordinal_value(lower) is not None:
            words.append(lower[:1].upper() + lower[1:])  # "Twenty-seventh"
        else:
            words.append("-".join(part[:1].upper() + part[1:] for part in lower.split("-")))  # "North-East"
    return " ".join(words)
