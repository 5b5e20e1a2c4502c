"""Election of officers: Chair, Vice-Chair(s), Rapporteur, each with the State they come from.

The genre prints them as a list after "The Meeting elected the following officers:"

    Chair:<TAB>Mr. ZHOU Jun (China)

(a line without a role label continues the role above it: two Vice-Chairs), or in prose:
"The Meeting elected Mr. X (Japan) as Chair" / "Ms. Y (Mongolia) was elected Rapporteur".
Role names come from data/curated/roles.csv, countries from the curated country names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neaspec_kg.curated import Curated, split_list
from neaspec_kg.records import DataQualityWarning, OfficerElection, Paragraph, PersonMention, Report
from neaspec_kg.report.navigate import blocks_in, blocks_matching, sections_titled, span, warning
from neaspec_kg.report.persons import HONORIFIC, NAME, family_name, parse_person, split_appositive

# The person and where they are from: "(China)" or "of the Republic of Korea".
_FROM = r"(?:\s*\([^()\n]*\)|\s+of\s+(?:the\s+)?[A-Z][\w'’]*(?:\s+(?:of\s+)?[A-Z][\w'’]*)*)?"
_PERSON = rf"{HONORIFIC}{NAME}(?:,[^()\n;]*?)?{_FROM}"


@dataclass(frozen=True)
class _Found:
    role: str
    start: int  # the officer statement in the block text
    end: int
    person_start: int
    person_end: int


def extract_officers(report: Report, curated: Curated,
                     warnings: list[DataQualityWarning]) -> tuple[OfficerElection, ...]:
    roles = _role_aliases(curated)
    elections: list[OfficerElection] = []
    for block in _officer_blocks(report):
        for found in _find_officers(block.text, roles):
            elections.append(_election(report, curated, block, found, warnings))
    if not elections:
        where = sections_titled(report, r"\belection of officers\b")
        warnings.append(warning(report, "officers-missing",
                                "no election of officers found ('The Meeting elected the following officers:' "
                                "with lines like 'Chair: Mr. NAME (Country)')",
                                line=where[0].line if where else None))
    return tuple(elections)


def _role_aliases(curated: Curated) -> dict[str, str]:
    """Lower-case alias -> role key, from data/curated/roles.csv (label and aliases)."""
    aliases = {}
    for row in curated.rows("roles"):
        for alias in [row["label"], *split_list(row["aliases"])]:
            aliases[alias.lower()] = row["key"]
    return aliases


def _officer_blocks(report: Report) -> list[Paragraph]:
    in_section = [b for s in sections_titled(report, r"\bofficers\b") for b in blocks_in(report, s.key)]
    blocks = in_section + [b for b in blocks_matching(report, r"\belected\b") if b not in in_section]
    return [b for b in blocks if re.search(r"\belect", b.text, re.IGNORECASE)]


def _find_officers(text: str, roles: dict[str, str]) -> list[_Found]:
    """Officers in a block, labelled ("Chair:<TAB>Mr. ...") or in prose ("Mr. ... as Chair")."""
    role = "|".join(re.escape(a) for a in sorted(roles, key=len, reverse=True))
    # Only the role is case-insensitive ("Vice-chair"); names rely on capitals to end.
    role_group = rf"(?<![\w-])(?P<role>(?i:{role}))(?:s|persons)?(?![\w-])"
    persons = rf"{_PERSON}(?:,?\s+and\s+{_PERSON})*"  # "Ms. A (Japan) and Mr. B (China) as Vice-Chairs"
    patterns = [
        re.compile(rf"{role_group}\s*:\s*(?P<person>{_PERSON})"),
        re.compile(rf"(?P<person>{persons}),?\s+as\s+(?:the\s+)?{role_group}"),
        re.compile(rf"(?P<person>{persons}),?\s+(?:was|were)\s+(?:\w+\s+)?elected\s+(?:as\s+)?(?:the\s+)?{role_group}"),
        # "The Committee elected Mr. A (Fiji) Chair and Ms. B (Samoa) Vice-Chair": the office right after the person.
        re.compile(rf"(?:\belected|,|\band)\s+(?P<person>{_PERSON}),?\s+{role_group}"),
    ]
    found: list[_Found] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue  # already read by an earlier form
            role_key = roles[m.group("role").lower()]
            for p_start, p_end in _split_persons(text, m.start("person"), m.end("person")):
                start = m.start() if m.start() < m.start("person") else p_start
                found.append(_Found(role_key, start, m.end(), p_start, p_end))
    found += _unlabelled_lines(text, found)
    return sorted(found, key=lambda f: f.start)


def _split_persons(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Offsets of each person in "Ms. A (Japan) and Mr. B (China)": split before "and <honorific>"."""
    bounds, cursor = [], start
    for sep in re.finditer(rf",?\s+and\s+(?={HONORIFIC})", text[start:end]):
        bounds.append((cursor, start + sep.start()))
        cursor = start + sep.end()
    bounds.append((cursor, end))
    return bounds


def _unlabelled_lines(text: str, labelled: list[_Found]) -> list[_Found]:
    """A list line with a person but no role label holds the same role as the line above it."""
    extra: list[_Found] = []
    for f in sorted(labelled, key=lambda f: f.start):
        cursor = f.end
        while True:
            m = re.compile(rf"\n[ \t]*(?P<person>{_PERSON})[ \t]*(?=\n|$)").match(text, cursor)
            if not m:
                break
            extra.append(_Found(f.role, m.start() + 1, m.end(), m.start("person"), m.end("person")))
            cursor = m.end()
    return extra


def _election(report: Report, curated: Curated, block: Paragraph, found: _Found,
              warnings: list[DataQualityWarning]) -> OfficerElection:
    person_text = block.text[found.person_start:found.person_end]
    name = parse_person(person_text)
    assert name is not None  # the officer patterns start with a person
    rest = person_text[name.end:]
    country = _country(curated, rest)
    if country is None:
        line = " ".join(block.text[found.start:found.end].split())
        named = re.search(r"\(([^()]+)\)", rest)
        if named:
            message = (f"officer line names '{named.group(1)}', which is not a State of data/vocab/countries.csv "
                       f"or data/curated/country-aliases.csv: '{line}'")
        else:
            message = f"officer line without a country: '{line}' (expected 'Mr. NAME (Country)')"
        warnings.append(warning(report, "officer-without-country", message, block))
    position, affiliation = split_appositive(rest.split("(")[0].split(",")[1:])
    person = PersonMention(
        name=name.name, span=span(block, found.person_start, found.person_end), honorific=name.honorific,
        family_name=family_name(name.name, block.text), position=position, affiliation=affiliation, country=country)
    return OfficerElection(role=found.role, person=person, country=country, span=span(block, found.start, found.end))


def _country(curated: Curated, rest: str) -> str | None:
    """The State named after the person: "(China)", "of the Republic of Korea", or in the affiliation."""
    keys = curated.country_matcher.keys_in(rest)
    return keys[-1] if keys else None
