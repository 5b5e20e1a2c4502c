"""Related events (forums, workshops, policy dialogues, committee meetings, COPs ...).

How the genre names them (NEASPEC/ESCAP meeting reports):

* a capitalised name ending in an event noun of data/curated/event-kinds.csv, often with an
  ordinal ("4th International Forum on Low Carbon Cities", "Second NEACAP Policy Dialogue"),
  a year ("East Asia Seas Congress 2024") or a number ("UNFCCC COP 29");
* numbered meetings of a body: "6th meeting of the NEACAP Science and Policy Committee (SPC)",
  "seventh meeting of the Science and Policy Committee (SPC-7)", or the short "SPC-7";
* lower-case plans ("to organize a subregional forum in 2025") and known short forms
  (data/curated/event-aliases.csv: "transboundary cooperation workshop");
* after the name: "held in Kitakyushu, Japan, on 8-9 October 2024", "planned in mid-2025",
  "organized in cooperation with ..."; before it: "suggestion to host the 5th ...".

Keys are stable across mentions: the name is normalised (ordinal, year, article and
parenthesised acronyms dropped, organization names replaced by their acronyms), looked up
in event-aliases.csv, and suffixed with the ordinal, else with the year. Within one report
"the next X" is the one after the last numbered X, and an unnumbered mention with the same
name and year as a numbered one is that one ("UNCCD COP in 2026" = "17th Conference of
Parties ... scheduled for 2026"). Sessions of the Senior Officials Meeting are not emitted:
the series is modelled from data/curated/meetings.csv. What the sentence around a name says
(dates, place, organizers, status, the event it is held with) is read by ``extract.event_context``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from neaspec_kg.curated import Curated, Row, read_table, split_list
from neaspec_kg.extract.event_context import EXCLUDED_KINDS, YEAR, Mention, read_context, share_with_joined
from neaspec_kg.extract.sentences import som_session
from neaspec_kg.records import DataQualityWarning, EventMention, Paragraph, Report, SourceSpan
from neaspec_kg.report.ordinals import ORDINAL_PATTERN, ordinal_value

ALIASES_PATH = "curated/event-aliases.csv"

_ORD = rf"(?i:{ORDINAL_PATTERN})"
_CAP = r"[A-Z][\w’'-]*"
_PAREN = r"\([A-Z][\w-]*\)(?:['’]s)?"
_LEFT_TOKEN = rf"(?:{_CAP}|{_PAREN}|\d{{1,3}}(?:st|nd|rd|th)|of|on|for|and|in|to|the)"
_LEFT_RE = re.compile(rf"(?:{_LEFT_TOKEN}\s+)+$")
# Tail of a title after its noun: "on Low Carbon Cities", "of the United Nations Convention to ..."
_TAIL_RE = re.compile(rf"(?:\s+(?:on|of|for|to)\s+(?:the\s+)?{_CAP}(?:\s+(?:(?:of|for|to|on)(?:\s+the)?|and)\s+{_CAP}|\s+{_CAP})*)?")
_ACRONYM_TAIL_RE = re.compile(r"\s+\([A-Z][A-Za-z]*\)")
_YEAR_TAIL_RE = re.compile(rf"\s+{YEAR}")
_NUMBER_TAIL_RE = re.compile(r"[- ]?(\d{1,2})\b")
_PLURAL_AFTER_RE = re.compile(r"\s*\([A-Z][A-Za-z]*s\)")  # "Conference of Parties (COPs)"


def extract_events(report: Report, curated: Curated, warnings: list[DataQualityWarning]) -> tuple[EventMention, ...]:
    aliases = _aliases(curated)
    mentions: list[Mention] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None:
            continue
        found = _find_names(paragraph, curated, aliases)
        for index, mention in enumerate(found):
            read_context(report, mention, found, index, curated)
        share_with_joined(found)
        mentions.extend(m for m in found if m.kind not in EXCLUDED_KINDS)
    for mention in mentions:
        mention.stem = _stem(mention, curated, aliases, som_session(report))
        mention.year = _year(mention, report)
        mention.year_stated = mention.year is not None
    mentions = _resolve_within_report(report, mentions, warnings)
    return tuple(_merged_per_paragraph(mentions))


# --- finding names ---------------------------------------------------------------------------------
def _aliases(curated: Curated) -> list[Row]:
    return read_table(curated.data_dir / ALIASES_PATH, "", ("alias", "key", "kind", "programme_area", "session",
                                                            "source"))


@lru_cache(maxsize=4)
def _kind_nouns(curated: Curated) -> tuple[dict[str, str], dict[str, str]]:
    """(event noun -> kind, body noun -> kind) from event-kinds.csv."""
    nouns: dict[str, str] = {}
    bodies: dict[str, str] = {}
    for row in curated.rows("event_kinds"):
        for noun in split_list(row["nouns"]):
            nouns[noun] = row["key"]
        for noun in split_list(row.get("body_nouns", "")):
            bodies[noun] = row["key"]
    return nouns, bodies


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _find_names(paragraph: Paragraph, curated: Curated, aliases: list[Row]) -> list[Mention]:
    text = paragraph.text
    area = _paragraph_area(paragraph, curated)
    candidates = (_meetings_of_bodies(paragraph, curated) + _acronym_numbers(paragraph, aliases, area)
                  + _lowercase_aliases(paragraph, aliases, area) + _planned_generic(paragraph, curated)
                  + _titled(paragraph, curated))
    chosen: list[Mention] = []
    for candidate in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(c.start < candidate.end and candidate.start < c.end for c in chosen):
            chosen.append(candidate)
    chosen.sort(key=lambda m: m.start)
    for m in chosen:
        m.programme_area = _name_area(m.name, curated) or area
    return [m for m in chosen if not _PLURAL_AFTER_RE.match(text, m.end)]


def _titled(paragraph: Paragraph, curated: Curated) -> list[Mention]:
    """Capitalised names around an event noun: left over title words, right over its tail."""
    text = paragraph.text
    nouns, _ = _kind_nouns(curated)
    found = []
    # A number may follow an acronym noun directly ("COP30", "COP-30").
    for m in re.finditer(rf"(?<![\w-])(?:{_alternation(list(nouns))})(?![A-Za-z_]|-[A-Za-z])", text):
        start = _name_start(text, m.start())
        end = m.end()
        ordinal = None
        if m.group(0).isupper():  # "COP 29", "COP-29"
            number = _NUMBER_TAIL_RE.match(text, end)
            if number:
                ordinal, end = int(number.group(1)), number.end()
        end = _TAIL_RE.match(text, end).end()
        acronym = _ACRONYM_TAIL_RE.match(text, end)
        if acronym and not _PLURAL_AFTER_RE.match(text, end):
            end = acronym.end()
        year = _YEAR_TAIL_RE.match(text, end)
        if year:
            end = year.end()
        name = text[start:end]
        first_word = name.split()[0]
        if ordinal is None and ordinal_value(first_word) is not None:
            ordinal = ordinal_value(first_word)
        base = _base_name(name)
        generic = base.lower() in {n.lower() for n in nouns} or base[:1].islower()
        found.append(Mention(paragraph, start, end, name, nouns[m.group(0)], ordinal, generic, base,
                              name_year=int(year.group(0)) if year else None))
    return found


def _name_start(text: str, head_start: int) -> int:
    """Walk left over title words; stop at a lower-case word, cut before 'the' after a verb."""
    m = _LEFT_RE.search(text, 0, head_start)
    if not m:
        return head_start
    tokens = list(re.finditer(r"\S+", text[m.start():head_start]))
    keep = 0
    for i, token in enumerate(tokens):
        word = token.group(0)
        if ordinal_value(word) is not None and i > 0:
            keep = i  # the ordinal opens the name: "Highlighting the 4th International Forum"
        elif word.lower() == "the" and i > 0 and tokens[i - 1].group(0) not in {"of", "on", "for", "to", "in"}:
            # "Highlighting the Forum", "Forum and the ... Series": what precedes "the" is no part
            # of the name, unless it is a preposition inside a title ("Conference of the Parties").
            keep = i + 1
    while keep < len(tokens) and tokens[keep].group(0) in {"of", "on", "for", "and", "in", "to", "the", "The"}:
        keep += 1
    if keep >= len(tokens):
        return head_start
    return m.start() + tokens[keep].start()


def _meetings_of_bodies(paragraph: Paragraph, curated: Curated) -> list[Mention]:
    """'6th meeting of the NEACAP Science and Policy Committee (SPC)', 'seventh meeting of ... (SPC-7)'."""
    nouns, bodies = _kind_nouns(curated)
    body_kinds = {**bodies, **nouns}
    pattern = re.compile(
        rf"\b(?P<ord>{_ORD})\s+(?:meeting|session)\s+of\s+(?:the\s+)?"
        rf"(?P<body>{_CAP}(?:\s+(?:(?:and|of|for|on)\s+)?{_CAP})*?\s+(?:{_alternation(list(body_kinds))}))(?![\w-])"
        r"(?:\s+\((?P<acr>[A-Z][A-Za-z]*)(?:-(?P<n>\d{1,2}))?\))?")
    found = []
    for m in pattern.finditer(paragraph.text):
        body = m.group("body")
        kind = next(k for noun, k in sorted(body_kinds.items(), key=lambda kv: -len(kv[0])) if body.endswith(noun))
        found.append(Mention(paragraph, m.start(), m.end(), m.group(0), kind, ordinal_value(m.group("ord")),
                              False, _base_name(body)))
    return found


def _acronym_numbers(paragraph: Paragraph, aliases: list[Row], area: str | None) -> list[Mention]:
    """'SPC-7': an acronym of event-aliases.csv with the meeting number."""
    found = []
    for row in aliases:
        alias = row["alias"]
        if not alias.isupper() or not _in_scope(row, area, None):
            continue
        for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}-(\d{{1,2}})\b", paragraph.text):
            found.append(Mention(paragraph, m.start(), m.end(), m.group(0), row["kind"], int(m.group(1)), False, alias))
    return found


def _lowercase_aliases(paragraph: Paragraph, aliases: list[Row], area: str | None) -> list[Mention]:
    found = []
    for row in aliases:
        alias = row["alias"]
        if not alias[:1].islower() or not _in_scope(row, area, None):
            continue
        for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", paragraph.text):
            found.append(Mention(paragraph, m.start(), m.end(), m.group(0), row["kind"], None, False, alias))
    return found


def _planned_generic(paragraph: Paragraph, curated: Curated) -> list[Mention]:
    """'to organize a subregional forum in 2025': an unnamed event the Meeting plans."""
    nouns, _ = _kind_nouns(curated)
    lower = {n.lower(): k for n, k in nouns.items() if n.lower() == n or " " not in n}
    pattern = re.compile(rf"\b(?:organi[sz]e|hold|convene|host)\s+(?:a|an)\s+"
                         rf"(?P<name>(?:[a-z-]+\s+){{0,3}}?(?P<noun>{_alternation(list(lower))}))(?![\w-])")
    return [Mention(paragraph, m.start("name"), m.end("name"), m.group("name"), lower[m.group("noun")], None, True,
                     m.group("name"))
            for m in pattern.finditer(paragraph.text)]


def _base_name(name: str) -> str:
    """The name without a leading ordinal or article and without a trailing year or number."""
    words = name.split()
    while words and (words[0].lower() in {"the", "a", "an"} or ordinal_value(words[0]) is not None):
        words = words[1:]
    base = " ".join(words)
    base = re.sub(rf"\s+{YEAR}$", "", base)
    base = re.sub(r"(?<=[A-Z])[- ]?\d{1,2}$", "", base)  # "COP 29" -> "COP"
    return base


# --- keys ------------------------------------------------------------------------------------------------
def _paragraph_area(paragraph: Paragraph, curated: Curated) -> str | None:
    if not paragraph.topic:
        return None
    keys = curated.programme_area_matcher.keys_in(paragraph.topic)
    return keys[0] if keys else None


def _name_area(name: str, curated: Curated) -> str | None:
    """A mechanism named in the title gives the programme area ("NEACAP" -> air pollution)."""
    by_mechanism = {row["mechanism"]: row["key"] for row in curated.rows("programme_areas") if row["mechanism"]}
    for org in curated.organization_matcher.keys_in(name):
        if org in by_mechanism:
            return by_mechanism[org]
    return None


def _in_scope(row: Row, area: str | None, session: int | None) -> bool:
    if row["programme_area"] and row["programme_area"] != area:
        return False
    return not (row["session"] and session is not None and int(row["session"]) != session)


def _stem(mention: Mention, curated: Curated, aliases: list[Row], session: int | None) -> str:
    name = _normalized(mention.base_name, curated)
    for row in aliases:
        if row["alias"].lower() in {name.lower(), mention.base_name.lower()} and _in_scope(
                row, mention.programme_area, session):
            return row["key"]
    if mention.kind == "conference-of-parties":
        acronyms = [_acronym(curated, key) for key in curated.organization_matcher.keys_in(mention.base_name)]
        if acronyms and acronyms[0]:
            return f"{_slug(acronyms[0])}-cop"
    stem = _slug(name)
    if mention.generic and mention.programme_area:
        stem = f"{mention.programme_area}-{stem}"  # "the Symposium" of one programme, not every symposium
    return stem


def _normalized(base: str, curated: Curated) -> str:
    """Organization names become acronyms; parenthesised acronyms and possessives go."""
    out, last = [], 0
    for org in curated.organization_matcher.find(base):
        acronym = _acronym(curated, org.key)
        if acronym:
            out += [base[last:org.start], acronym]
            last = org.end
    text = "".join(out) + base[last:]
    text = re.sub(r"\s*\([A-Z][\w-]*\)", "", text)
    return re.sub(r"['’]s\b", "", text).strip()


def _acronym(curated: Curated, org_key: str) -> str:
    return curated.by_key("organizations")[org_key]["acronym"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _year(mention: Mention, report: Report) -> int | None:
    if mention.start_date:
        return mention.start_date.year
    if mention.period:
        m = re.search(YEAR, mention.period)
        if m:
            return int(m.group(0))
    if mention.relative_year is not None:
        return report.front.start_date.year + mention.relative_year
    return None


# --- one report ------------------------------------------------------------------------------------------
def _resolve_within_report(report: Report, mentions: list[Mention],
                           warnings: list[DataQualityWarning]) -> list[Mention]:
    numbered: dict[tuple[str, int | None], int] = {}
    latest_held: dict[str, int] = {}
    for m in mentions:
        if m.ordinal is not None:
            numbered.setdefault((m.stem, m.year), m.ordinal)
            if m.status == "held":
                latest_held[m.stem] = max(latest_held.get(m.stem, 0), m.ordinal)
    has_numbers = {stem for stem, _ in numbered}
    kept = []
    for m in mentions:
        if m.ordinal is None and m.next_of_series:
            if m.stem in latest_held:
                m.ordinal = latest_held[m.stem] + 1
            else:
                warnings.append(DataQualityWarning(
                    report.source, "event-next-unresolved",
                    f"'next {m.name}': no numbered {m.name} held before it in this report; key without ordinal",
                    paragraph=m.paragraph.number))
        if m.ordinal is None and m.year is not None:
            m.ordinal = numbered.get((m.stem, m.year))
        if m.ordinal is None and m.year is None and not m.generic and m.stem in has_numbers:
            continue  # "the International Forum on Low Carbon Cities in the coming years": the series
        if m.ordinal is None and m.year is None and m.status == "held":
            m.year = report.front.start_date.year  # an undated event reported as held: the reporting year
        kept.append(m)
    _propagate_status(kept)
    return kept


def _key(m: Mention) -> str:
    if m.ordinal is not None:
        return f"{m.stem}-{m.ordinal}"
    if m.year is not None and not m.stem.endswith(str(m.year)):
        return f"{m.stem}-{m.year}"
    return m.stem


def _propagate_status(mentions: list[Mention]) -> None:
    """A mention that says nothing of its status takes the one other mentions of the event state."""
    explicit: dict[str, str] = {}
    for m in mentions:
        if m.status_explicit:
            explicit.setdefault(_key(m), m.status)
    for m in mentions:
        if not m.status_explicit and _key(m) in explicit:
            m.status = explicit[_key(m)]


def _merged_per_paragraph(mentions: list[Mention]) -> list[EventMention]:
    """One record per paragraph and event; later mentions fill what the first left open."""
    records: dict[tuple[int | None, str], EventMention] = {}
    kept = {id(m) for m in mentions}
    for m in mentions:
        key = _key(m)
        joined = _key(m.joined) if m.joined is not None and id(m.joined) in kept else None
        text = m.paragraph.text
        record = EventMention(
            key=key, name=m.name, kind=m.kind,
            span=SourceSpan(m.paragraph.section, m.paragraph.number, m.start, m.end, text[m.start:m.end],
                            m.paragraph.occurrence),
            status=m.status, ordinal=m.ordinal, start_date=m.start_date, end_date=m.end_date,  # type: ignore[arg-type]
            period=m.period, place=m.place, country=m.country, organizers=tuple(m.organizers),
            programme_area=m.programme_area, year=m.year if m.year_stated else None,
            linked_event=joined if joined != key else None, linked_session=m.joined_session,
            link=m.joined_how if (joined and joined != key) or m.joined_session else None)
        slot = (m.paragraph.number, m.paragraph.occurrence, key)
        if slot not in records:
            records[slot] = record
            continue
        first = records[slot]
        records[slot] = replace(
            first,
            start_date=first.start_date or record.start_date, end_date=first.end_date or record.end_date,
            period=first.period or record.period, place=first.place or record.place,
            country=first.country or record.country,
            organizers=tuple(dict.fromkeys(first.organizers + record.organizers)),
            year=first.year or record.year, linked_event=first.linked_event or record.linked_event,
            linked_session=first.linked_session or record.linked_session, link=first.link or record.link,
            status=first.status if first.status != "held" or record.status == "held" else record.status)
    return list(records.values())
