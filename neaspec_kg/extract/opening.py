"""The opening session: who spoke, in what capacity, and under which agenda sub-item.

The genre's adopted agenda says who opens a session ("1 (a) Opening remarks by the Head
of ESCAP East and North-East Asia Office", "1 (b) Welcoming remarks by the Head of
Delegation of the Host Government"); the opening paragraphs name the speakers with
their posts ("Ms. CHEN Haijun, Deputy Director General, ..., Ministry of ... of China").
A speaker is attached to the sub-item whose "by ..." party they belong to: the same
organization (data/curated/organizations.csv, with parents) or the same State, where
"the Host Government" is the State that hosted the session. The paragraph's own wording
("delivered the opening remarks") does not decide: hosts often call their welcome so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neaspec_kg.curated import Curated
from neaspec_kg.extract.agenda import extract_agenda
from neaspec_kg.records import AgendaItem, DataQualityWarning, Paragraph, PersonMention, Report, Statement
from neaspec_kg.report.navigate import blocks_in, blocks_matching, sections_titled, span, warning
from neaspec_kg.report.persons import PersonName, family_name, find_persons, split_appositive

# A full stop that ends a sentence (not the one of "Mr." before a name).
_SENTENCE_END_RE = re.compile(r"(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)\.(?=\s+[A-Z]|\s*$)")
_HOSTED_RE = re.compile(r"\bhosted\s+by\s+(?:the\s+)?(?:Government\s+of\s+)?(?:the\s+)?(?P<host>[^,.;]+)")


@dataclass(frozen=True)
class _Party:
    """Whom a speaker (or an agenda sub-item's "by ...") stands for."""

    organizations: frozenset[str]
    countries: frozenset[str]

    def meets(self, other: _Party) -> bool:
        return bool(self.organizations & other.organizations or self.countries & other.countries)


@dataclass(frozen=True)
class _Slot:
    """An opening sub-item: its notation, the statement kind it calls for, and the party it names."""

    item: AgendaItem
    kind: str | None
    party: _Party


def extract_opening(report: Report, curated: Curated,
                    warnings: list[DataQualityWarning]) -> tuple[tuple[PersonMention, ...], tuple[Statement, ...]]:
    blocks = _opening_blocks(report)
    if not blocks:
        warnings.append(warning(report, "opening-missing",
                                "no opening session found (no 'Opening' section and no paragraph under agenda item 1)"))
        return (), ()
    # The agenda's own warnings are reported by extract_agenda itself; not twice.
    agenda = extract_agenda(report, curated, [])
    opening_item = _opening_item(agenda)
    slots = _slots(report, curated, agenda, opening_item)
    persons: list[PersonMention] = []
    statements: list[Statement] = []
    for block in blocks:
        for person, start, end in _speakers(curated, block):
            statement = _statement(report, curated, block, person, (start, end), slots, opening_item, warnings)
            persons.append(person)
            statements.append(statement)
    return tuple(persons), tuple(statements)


def _opening_blocks(report: Report) -> list[Paragraph]:
    sections = sections_titled(report, r"^opening\b|\bopening (?:session|of the meeting)\b")
    # A section "Opening and election of officers" also holds the election: those paragraphs are not remarks.
    blocks = [b for s in sections for b in blocks_in(report, s.key)
              if b.number is not None and not re.search(r"\belected\b", b.text)]
    if blocks:
        return blocks
    # No opening section: paragraphs the sub-headings put under agenda item 1.
    return [b for b in report.paragraphs if b.number is not None and (b.agenda_item or "").split(" ")[0] == "1"]


def _opening_item(agenda: tuple[AgendaItem, ...]) -> str | None:
    """The notation of the agenda item that opens the session ("Opening of the Meeting")."""
    for item in agenda:
        if item.letter is None and re.search(r"\bopening\b", item.title, re.IGNORECASE):
            return item.notation
    return None


def _slots(report: Report, curated: Curated, agenda: tuple[AgendaItem, ...], opening_item: str | None) -> list[_Slot]:
    if opening_item is None:
        return []
    host = _host_country(report, curated)
    slots = []
    for item in agenda:
        if item.letter is None or str(item.number) != opening_item:
            continue
        _, by, speaker = item.title.partition(" by ")
        party = _party(curated, speaker) if by else _Party(frozenset(), frozenset())
        if by and re.search(r"\bhost\b", speaker, re.IGNORECASE) and host:
            party = _Party(party.organizations, party.countries | {host})
        slots.append(_Slot(item, _kind_named(curated, item.title), party))
    return slots


def _host_country(report: Report, curated: Curated) -> str | None:
    """The State that hosted the session: "hosted by the Government of China", else the venue's State."""
    for block in blocks_matching(report, _HOSTED_RE.pattern):
        m = _HOSTED_RE.search(block.text)
        keys = curated.country_matcher.keys_in(m.group("host")) if m else []
        if keys:
            return keys[0]
    return report.front.country or None


def _party(curated: Curated, text: str) -> _Party:
    organizations = set(curated.organization_matcher.keys_in(text))
    parents = curated.by_key("organizations")
    for key in list(organizations):
        while parents.get(key, {}).get("parent"):
            key = parents[key]["parent"]
            organizations.add(key)
    return _Party(frozenset(organizations), frozenset(curated.country_matcher.keys_in(text)))


def _kind_named(curated: Curated, text: str) -> str | None:
    """The statement kind whose label ("Welcoming remarks") the text uses, from statement-kinds.csv."""
    for row in curated.rows("statement_kinds"):
        if re.search(rf"\b{re.escape(row['label'])}\b", text, re.IGNORECASE):
            return row["key"]
    return None


def _speakers(curated: Curated, block: Paragraph) -> list[tuple[PersonMention, int, int]]:
    """Each person introduced in full in the block, with the span of what the report says of them."""
    introduced: list[tuple[PersonMention, PersonName]] = []
    for name in find_persons(block.text):
        if any(_refers_to(name, earlier) for _, earlier in introduced):
            continue  # "Mr. Baasanjav further emphasized": the speaker again, not a new one
        introduced.append((_mention(curated, block, name), name))
    result = []
    for i, (person, name) in enumerate(introduced):
        start = _sentence_start(block.text, name.start)
        end = _sentence_start(block.text, introduced[i + 1][1].start) if i + 1 < len(introduced) else len(block.text)
        result.append((person, start, end))
    return result


def _refers_to(name: PersonName, earlier: PersonName) -> bool:
    tokens = [t.upper() for t in earlier.name.split()]
    return all(t.upper() in tokens for t in name.name.split())


def _mention(curated: Curated, block: Paragraph, name: PersonName) -> PersonMention:
    """The person with the appositive after the name: ", Position, Unit, Organization of Country"."""
    sentence_end = _SENTENCE_END_RE.search(block.text, name.end)
    tail_end = sentence_end.start() if sentence_end else len(block.text)
    parts, end = [], name.end
    if block.text.startswith(",", name.end):
        cursor = name.end
        for part in block.text[name.end + 1:tail_end].split(","):
            if not part.strip()[:1].isupper():
                break  # the verb ("delivered the opening remarks"): the appositive is over
            parts.append(part)
            cursor += 1 + len(part)
        end = cursor
    position, affiliation = split_appositive(parts)
    countries = curated.country_matcher.keys_in(", ".join(parts))
    return PersonMention(name=name.name, span=span(block, name.start, end), honorific=name.honorific,
                         family_name=family_name(name.name, block.text), position=position,
                         affiliation=affiliation, country=countries[-1] if countries else None)


def _sentence_start(text: str, offset: int) -> int:
    last = 0
    for m in _SENTENCE_END_RE.finditer(text, 0, offset):
        last = m.end()
    return last


def _statement(report: Report, curated: Curated, block: Paragraph, person: PersonMention, bounds: tuple[int, int],
               slots: list[_Slot], opening_item: str | None, warnings: list[DataQualityWarning]) -> Statement:
    text = block.text[bounds[0]:bounds[1]]
    said = _kind_named(curated, text)
    slot = _slot_for(curated, block, person, slots)
    if slot is None:
        kind = said or _kind_from_verbs(curated, text)
        who = f"{person.honorific} {person.name}" if person.honorific else person.name
        warnings.append(warning(report, "opening-speaker-unmatched",
                                f"{who}: no opening sub-item of the agenda names their office or State; "
                                f"read as {kind} under agenda item {opening_item or '?'}", block))
        return Statement(speaker_kind="person", speaker=person.name, kind=kind, span=span(block, *bounds),
                         agenda_item=opening_item, person=person)
    kind = slot.kind or said or _kind_from_verbs(curated, text)
    if said and said != kind:
        warnings.append(warning(report, "statement-kind-differs",
                                f"the report calls {person.name}'s statement {said!r}, the agenda item "
                                f"{slot.item.notation} ({slot.item.title}) calls it {kind!r}; read as {kind!r}", block))
    return Statement(speaker_kind="person", speaker=person.name, kind=kind, span=span(block, *bounds),
                     agenda_item=slot.item.notation, person=person)


def _slot_for(curated: Curated, block: Paragraph, person: PersonMention, slots: list[_Slot]) -> _Slot | None:
    """The sub-item a sub-heading puts the paragraph under; else the one whose party the speaker belongs to."""
    for slot in slots:
        if block.agenda_item == slot.item.notation:
            return slot
    who = _party(curated, ", ".join(filter(None, [person.position, person.affiliation])))
    if person.country:
        who = _Party(who.organizations, who.countries | {person.country})
    matches = [slot for slot in slots if slot.party.meets(who)]
    return matches[0] if len(matches) == 1 else None


def _kind_from_verbs(curated: Curated, text: str) -> str:
    """Without an agenda sub-item: "opened by" opens, "welcomed" welcomes (keys from statement-kinds.csv)."""
    kinds = curated.by_key("statement_kinds")
    if re.search(r"\bopened\s+by\b", text) and "opening-remarks" in kinds:
        return "opening-remarks"
    if re.search(r"\bwelcom", text, re.IGNORECASE) and "welcoming-remarks" in kinds:
        return "welcoming-remarks"
    return "opening-remarks"
