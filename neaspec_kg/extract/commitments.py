"""National pledges, targets and reported achievements with numbers.

How the genre states them (NEASPEC/ESCAP meeting reports, statements by delegations):

* the State speaks through "The representative of X" (or "the delegate from X"); a later
  speaker in the same paragraph takes over; a sentence may name its own subject
  ("Mongolia has expanded ...");
* one sentence packs several facts, separated by commas and "and":
  "a commitment to net-zero greenhouse gas emissions by 2050 and a 46% reduction by 2030",
  "pledging $300 million to the Green Climate Fund and $7 million to the Loss and Damage Fund".
  So the unit of extraction is the clause; a clause joined by "and" that lacks its own
  measure or kind shares the previous clause's ("a 46% reduction" of GHG emissions);
* the kind follows cue words, but a year decides first: "by 2030" after the meeting is a
  target even when the verb is "achieving"; "by 2023" before it is a reported achievement;
* "since 2019" is a baseline, and a year inside a name ("SDGs Action Plan 2022") is no target.

Measures come from the cue terms of data/curated/measures.csv and units from the printed
forms of data/curated/units.csv. A clause that reads like a dated commitment but has no
actor or no measure is reported as a DataQualityWarning rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from neaspec_kg.curated import AliasMatcher, Curated, split_list
from neaspec_kg.extract.sentences import SENTENCE_END_RE
from neaspec_kg.records import Commitment, DataQualityWarning, Paragraph, Quantity, Report, SourceSpan

Kind = Literal["pledge", "target", "achieved"]

_YEAR = r"((?:19|20)\d{2})(?![\d–-])"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALES = {"thousand": Decimal(10) ** 3, "million": Decimal(10) ** 6, "billion": Decimal(10) ** 9,
           "trillion": Decimal(10) ** 12}
_SCALE = r"(?:\s+(thousand|million|billion|trillion))?"

# Clause boundaries inside a sentence: commas and semicolons (not "1,000"), "while", and an
# "and" that starts a new quantity ("and $7 million", "and a 46% reduction") or a new verb.
_CLAUSE_BREAK_RE = re.compile(
    r"[,;](?=\s)\s*"
    r"|\s+while\s+"
    r"|\s+(?P<coord>and)\s+(?=(?:(?:a|an|the)\s+)?(?:[$]|US\$|USD\s|\d))"
    r"|\s+and\s+(?=(?:is|are|was|were|has|have|will|[a-z]+ed)\b)"
    r"|\s+and\s+(?=(?:a|an|the)\s+[a-z]+\s+(?:of|in|to)\b)"  # "... Campaign and the expansion of ..."
)
# A clause that is only a baseline ("compared to 2017 levels") belongs to the one before it.
_BASELINE_ONLY_RE = re.compile(rf"(?:compared\s+(?:to|with)|relative\s+to|from|against)\s+(?:the\s+)?{_YEAR}")

_BY_YEAR_RE = re.compile(rf"\b(?:by|until|till|before)\s+(?:the\s+end\s+of\s+)?{_YEAR}")
_BASELINE_RE = re.compile(
    rf"\b(?:compared\s+(?:to|with)|relative\s+to|from|since|against|below)\s+(?:the\s+)?(?:levels?\s+(?:of|in)\s+)?{_YEAR}")
_IN_YEAR_RE = re.compile(rf"\b(?:in|as\s+of)\s+{_YEAR}")
_ANY_YEAR_RE = re.compile(rf"(?<![\w-]){_YEAR}")

_PLEDGE_RE = re.compile(r"\bpledg(?:e|es|ed|ing)\b", re.IGNORECASE)
_ACHIEVED_RE = re.compile(
    r"\b(?:achiev(?:ed|ing)|resulted\s+in|restored|expand(?:ed|ing)|increased|reduced|decreased|reached"
    r"|(?:has|have)\s+(?:been\s+)?[a-z]+ed)\b", re.IGNORECASE)
_TARGET_RE = re.compile(
    r"\b(?:target(?:s|ed|ing)?|aim(?:s|ed|ing)?|goals?|commit(?:s|ted|ment|ments)?|plans?\s+to"
    r"|working\s+toward|will)\b", re.IGNORECASE)

_SPEAKER_RE = re.compile(
    r"\b(?:representative|delegate|delegation|Head\s+of\s+Delegation|Minister)s?\s+(?:of|from)\s+(?:the\s+)?",
    re.IGNORECASE)
# A State as the grammatical subject: its name followed by a finite verb.
_SUBJECT_VERB_RE = re.compile(r"\s+(?:has|have|is|are|was|were|will|[a-z]+ed)\b")
_RECIPIENT_RE = re.compile(r"\s+to\s+(?:the\s+)?([A-Z][\w'’-]*(?:\s+(?:(?:and|of|for|on|the)\s+)*[A-Z][\w'’-]*)*)")
_LEADING_CONJUNCTION_RE = re.compile(r"^(?:and|while|but)\s+")
_PARTICIPLE_RE = re.compile(r"^[a-z]+ing\b")


@dataclass(frozen=True)
class _Clause:
    sentence: int
    start: int
    end: int
    coordinated: bool  # joined to the previous clause by "and": may share its kind and measure


@dataclass(frozen=True)
class _Reading:
    """What one clause says, before it becomes a record (or a warning)."""

    clause: _Clause
    quantity: Quantity | None
    quantity_start: int  # offset in the paragraph of the anchor (quantity or year)
    kind: Kind | None
    measure: str | None
    by_year: int | None
    baseline_year: int | None
    in_year: int | None
    baseline: Quantity | None = None  # "from 50 to over 110": the first number is where it started


def extract_commitments(report: Report, curated: Curated,
                        warnings: list[DataQualityWarning]) -> tuple[Commitment, ...]:
    found: list[Commitment] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None:
            continue
        found.extend(_paragraph_commitments(report, paragraph, curated, warnings))
    return tuple(found)


def _paragraph_commitments(report: Report, paragraph: Paragraph, curated: Curated,
                           warnings: list[DataQualityWarning]) -> list[Commitment]:
    text = paragraph.text
    meeting_year = report.front.start_date.year
    records: list[Commitment] = []
    previous: _Reading | None = None
    sentences_with_records: set[int] = set()
    for clause in _clauses(text):
        readings = _readings(text, clause, curated, meeting_year, previous)
        for reading in readings:
            if not _is_candidate(reading):
                continue
            if _is_continuation(text, reading, sentences_with_records):
                _goal_year(report, paragraph, reading, records)
                continue
            if _record_or_warn(report, paragraph, reading, curated, records, warnings):
                sentences_with_records.add(clause.sentence)
        previous = readings[-1]
    return records


def _clauses(text: str) -> list[_Clause]:
    clauses: list[_Clause] = []
    for index, (s_start, s_end) in enumerate(_sentences(text)):
        start, coordinated = s_start, False
        for m in _CLAUSE_BREAK_RE.finditer(text, s_start, s_end):
            if _BASELINE_ONLY_RE.match(text, m.end()):
                continue
            clauses.append(_Clause(index, start, m.start(), coordinated))
            start, coordinated = m.end(), m.group("coord") is not None
        clauses.append(_Clause(index, start, s_end, coordinated))
    return [_trimmed(text, c) for c in clauses if text[c.start:c.end].strip()]


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in SENTENCE_END_RE.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _trimmed(text: str, clause: _Clause) -> _Clause:
    start, end = clause.start, clause.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".;,"):
        end -= 1
    m = _LEADING_CONJUNCTION_RE.match(text[start:end])
    if m:
        start += m.end()
    return _Clause(clause.sentence, start, end, clause.coordinated)


def _readings(text: str, clause: _Clause, curated: Curated, meeting_year: int,
              previous: _Reading | None) -> list[_Reading]:
    """One reading per quantity in the clause, or one for the clause when it has none."""
    body = text[clause.start:clause.end]
    shared = previous if (clause.coordinated and previous and previous.clause.sentence == clause.sentence) else None
    by_year = _first_year(_BY_YEAR_RE, body)
    baseline = _first_year(_BASELINE_RE, body)
    in_year = _first_year(_IN_YEAR_RE, body)
    quantities, baselines = _paired(body, _quantities(body, curated))
    anchors: list[tuple[Quantity | None, int]] = [(q, clause.start + offset) for q, offset in quantities]
    if not anchors:
        year_match = _BY_YEAR_RE.search(body)
        anchors = [(None, clause.start + (year_match.start() if year_match else 0))]
    readings = []
    for index, (quantity, anchor) in enumerate(anchors):
        # "pledging $300 million ... and $7 million ...": the second shares the first one's kind.
        kind = _kind(body, by_year, meeting_year) or (shared.kind if shared else None)
        measure = _nearest_measure(text, clause, anchor, curated) or (shared.measure if shared else None)
        readings.append(_Reading(clause, quantity, anchor, kind, measure, by_year, baseline, in_year,
                                 baselines.get(index)))
    return readings


# "from 50 to over 110 bays", "from 20% to 30%": two numbers, one change.
_FROM_BEFORE_RE = re.compile(r"\bfrom\s+$")
_TO_BETWEEN_RE = re.compile(r"^\s+to\s+(?:(?:over|more\s+than|above|about|around|nearly|almost|at\s+least)\s+)?$")


def _paired(body: str, quantities: list[tuple[Quantity, int]]) -> tuple[list[tuple[Quantity, int]], dict[int, Quantity]]:
    """Quantities with the "from" number of each "from X to Y" folded into Y as its baseline."""
    kept: list[tuple[Quantity, int]] = []
    baselines: dict[int, Quantity] = {}
    skip = False
    for i, (quantity, start) in enumerate(quantities):
        if skip:
            skip = False
            continue
        if i + 1 < len(quantities) and _FROM_BEFORE_RE.search(body[:start]):
            following, next_start = quantities[i + 1]
            if _TO_BETWEEN_RE.match(body[start + len(quantity.text):next_start]):
                unit = following.unit if quantity.unit == "count" else quantity.unit
                baselines[len(kept)] = replace(quantity, unit=unit)
                kept.append((following, next_start))
                skip = True
                continue
        kept.append((quantity, start))
    return kept, baselines


def _first_year(pattern: re.Pattern[str], body: str) -> int | None:
    m = pattern.search(body)
    return int(m.group(1)) if m else None


def _kind(body: str, by_year: int | None, meeting_year: int) -> Kind | None:
    if _PLEDGE_RE.search(body):
        return "pledge"
    if by_year is not None:
        # The year decides: a deadline after the meeting is a target, one before it a result.
        return "target" if by_year > meeting_year else "achieved"
    if _ACHIEVED_RE.search(body):
        return "achieved"
    if _TARGET_RE.search(body):
        return "target"
    return None


def _is_candidate(reading: _Reading) -> bool:
    """A quantity with a kind, or a dated target/result without a number ("net zero by 2050")."""
    if reading.kind is None:
        return False
    return reading.quantity is not None or reading.by_year is not None


def _is_continuation(text: str, reading: _Reading, sentences_with_records: set[int]) -> bool:
    # "191 subnational areas ... have declared zero-carbon city goals, aiming for carbon neutrality
    # by 2050": a participle without a number describes the fact before it, not a new commitment.
    if reading.quantity is not None or reading.clause.sentence not in sentences_with_records:
        return False
    return bool(_PARTICIPLE_RE.match(text[reading.clause.start:reading.clause.end]))


def _goal_year(report: Report, paragraph: Paragraph, reading: _Reading, records: list[Commitment]) -> bool:
    """A participle continuing a reported number gives the year of its goal ("191 subnational areas ...
    have declared zero-carbon city goals, aiming for carbon neutrality by 2050"): the record before it
    gets that year as its target year, and its span grows to hold it."""
    last = records[-1] if records else None
    if last is None or reading.by_year is None or last.target_year is not None:
        return False
    if reading.by_year <= report.front.start_date.year:
        return False
    end = reading.clause.end
    text = paragraph.text
    records[-1] = replace(last, target_year=reading.by_year, description=text[last.span.start:end],
                          span=replace(last.span, end=end, exact=text[last.span.start:end]))
    return True


def _record_or_warn(report: Report, paragraph: Paragraph, reading: _Reading, curated: Curated,
                    records: list[Commitment], warnings: list[DataQualityWarning]) -> bool:
    text = paragraph.text
    clause = reading.clause
    description = text[clause.start:clause.end]
    actor = _actor(text, clause, curated)
    dated = reading.by_year is not None or bool(_ANY_YEAR_RE.search(description))
    if actor is None or reading.measure is None:
        if dated:
            missing = " and ".join(x for x, v in (("no State", actor), ("no measure", reading.measure)) if v is None)
            warnings.append(DataQualityWarning(
                report.source, "commitment-unresolved",
                f"{description!r} reads like a {reading.kind} but has {missing}: not recorded "
                f"(add a cue to data/curated/measures.csv or check the speaker)", paragraph=paragraph.number))
        return False
    kind = reading.kind
    assert kind is not None  # _is_candidate checked it
    target_year = reading.by_year if kind in ("target", "pledge") else None
    reference_year = reading.by_year if kind == "achieved" else None
    if kind == "achieved" and reference_year is None:
        reference_year = reading.in_year
    records.append(Commitment(
        ordinal=len(records) + 1, actor=actor, kind=kind, measure=reading.measure, description=description,
        span=SourceSpan(paragraph.section, paragraph.number, clause.start, clause.end, description, paragraph.occurrence),
        quantity=reading.quantity, target_year=target_year, baseline_year=reading.baseline_year,
        reference_year=reference_year,
        recipient=_recipient(text, reading) if kind == "pledge" else None, baseline=reading.baseline))
    return True


# --- quantities --------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _unit_patterns(units: tuple[tuple[str, str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Regexes from the printed forms in units.csv: prefix forms ("$300 million"), suffix forms ("46%")."""
    patterns = []
    for key, prefixes, suffixes in units:
        prefix_forms = sorted(split_list(prefixes), key=len, reverse=True)
        suffix_forms = sorted(split_list(suffixes), key=len, reverse=True)
        if prefix_forms:
            alternation = "|".join(re.escape(f) for f in prefix_forms)
            patterns.append((re.compile(rf"(?<![\w$])(?:{alternation})\s?(?P<num>{_NUMBER}){_SCALE}(?![\w%])"), key))
        if suffix_forms:
            alternation = "|".join(re.escape(f) for f in suffix_forms)
            patterns.append((re.compile(
                rf"(?<![\w.$-])(?P<num>{_NUMBER}){_SCALE}\s?(?:{alternation})(?!\w)"), key))
    return tuple(patterns)


# A bare number before a lower-case noun ("191 subnational areas"); years are not counts.
_COUNT_RE = re.compile(rf"(?<![\w.$/-])(?P<num>{_NUMBER}){_SCALE}(?=\s+[a-z])")


def _quantities(body: str, curated: Curated) -> list[tuple[Quantity, int]]:
    units = tuple((r["key"], r.get("prefixes", ""), r.get("suffixes", "")) for r in curated.rows("units"))
    found: list[tuple[Quantity, int, int]] = []
    for pattern, unit in _unit_patterns(units):
        for m in pattern.finditer(body):
            if not any(s < m.end() and m.start() < e for _, s, e in found):
                found.append((Quantity(_value(m.group("num"), m.group(2)), unit, m.group(0)), m.start(), m.end()))
    for m in _COUNT_RE.finditer(body):
        if re.fullmatch(_YEAR, m.group("num")) or any(s < m.end() and m.start() < e for _, s, e in found):
            continue
        found.append((Quantity(_value(m.group("num"), m.group(2)), "count", m.group(0)), m.start(), m.end()))
    return [(_qualified(body, q, start), start) for q, start, _ in sorted(found, key=lambda t: t[1])]


_QUALIFIER_RE = re.compile(r"\b(over|more\s+than|above|at\s+least|about|around|nearly|almost|up\s+to|less\s+than"
                           r"|under)\s+$")


def _qualified(body: str, quantity: Quantity, start: int) -> Quantity:
    """"over 110 bays": the number with the word that bounds it."""
    m = _QUALIFIER_RE.search(body[max(0, start - 20):start])
    return replace(quantity, qualifier=" ".join(m.group(1).split())) if m else quantity


def _value(number: str, scale: str | None) -> Decimal:
    value = Decimal(number.replace(",", "")) * (_SCALES[scale] if scale else 1)
    return value.to_integral_value() if value == value.to_integral_value() else value


# --- measure, actor, recipient --------------------------------------------------------------------
@lru_cache(maxsize=4)
def _measure_matcher(curated: Curated) -> AliasMatcher:
    aliases = {cue: row["key"] for row in curated.rows("measures") for cue in split_list(row["cues"])}
    return AliasMatcher(aliases, case_sensitive=False)


def _nearest_measure(text: str, clause: _Clause, anchor: int, curated: Curated) -> str | None:
    """The measure whose cue is closest to the quantity (the clause may name two)."""
    mentions = _measure_matcher(curated).find(text[clause.start:clause.end])
    if not mentions:
        return None
    best = min(mentions, key=lambda m: min(abs(clause.start + m.start - anchor), abs(clause.start + m.end - anchor)))
    return best.key


def _actor(text: str, clause: _Clause, curated: Curated) -> str | None:
    """The State the clause belongs to: its sentence's own subject, else the last speaker before it."""
    sentence_start = _sentences(text)[clause.sentence][0]
    for mention in curated.country_matcher.find(text[sentence_start:clause.end]):
        if _SUBJECT_VERB_RE.match(text, sentence_start + mention.end):
            return mention.key
    speaker = None
    for m in _SPEAKER_RE.finditer(text, 0, clause.start):
        country = curated.country_matcher.find(text[m.end():m.end() + 60])
        if country and country[0].start == 0:
            speaker = country[0].key
    return speaker


def _recipient(text: str, reading: _Reading) -> str | None:
    """"$300 million to the Green Climate Fund" -> "Green Climate Fund" (as printed)."""
    if reading.quantity is None:
        return None
    after = reading.quantity_start + len(reading.quantity.text)
    m = _RECIPIENT_RE.match(text, after, reading.clause.end)
    return m.group(1) if m else None
