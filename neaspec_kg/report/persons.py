"""How the genre prints a person: honorific, name, and the upper-case family name.

UN reports write "Mr. ZHOU Jun" or "Ms. TSOGZOLMAA Nanjaa": the family name in capitals,
in the order of the person's own culture. Where the report does not capitalise it
("Mr. Ganbold Baasanjav"), a later short reference in the same text ("Mr. Baasanjav")
tells which part is the family name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One or more honorifics: "Mr.", "Ms.", "H.E. Mr.", "Dr.", "Prof." ...
HONORIFIC = r"(?:(?:H\.[ \t]?E\.|Mr\.|Ms\.|Mrs\.|Mme\.|Dr\.|Prof\.|Amb\.|Hon\.)[ \t]+)+"
# A name: capitalised words ("CHO Gye Yeon", "Gye-yeon", "O'Neil"); stops at a comma,
# a parenthesis, a lower-case word (the verb: "delivered", "was elected") or the end of
# the line: a name never runs into the next line of a list ("Chair: Mr. X" / "Vice-Chair: ...").
NAME = r"(?:[A-Z]\.[ \t]?)*[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*)*"
PERSON_RE = re.compile(rf"(?P<honorific>{HONORIFIC})(?P<name>{NAME})")


@dataclass(frozen=True)
class PersonName:
    honorific: str
    name: str
    start: int  # offset of the honorific in the text searched
    end: int  # end of the name
    name_start: int


def find_persons(text: str) -> list[PersonName]:
    """Every "<honorific> <Name>" in ``text``, in order."""
    found = []
    for m in PERSON_RE.finditer(text):
        name = m.group("name")
        honorific = " ".join(m.group("honorific").split())
        found.append(PersonName(honorific, name, m.start(), m.start("name") + len(name), m.start("name")))
    return found


def parse_person(text: str) -> PersonName | None:
    """The person at the start of ``text`` ("Mr. ZHOU Jun (China)"), or None."""
    m = PERSON_RE.match(text.strip())
    if not m:
        return None
    offset = len(text) - len(text.lstrip())
    found = find_persons(text[offset:])
    if not found:
        return None
    p = found[0]
    return PersonName(p.honorific, p.name, p.start + offset, p.end + offset, p.name_start + offset)


def family_name(name: str, context: str = "") -> str | None:
    """The upper-case part of ``name``; else the part a short reference in ``context`` uses."""
    tokens = name.split()
    upper = [t for t in tokens if len(t) > 1 and t.replace("-", "").isalpha() and t.isupper()]
    if upper:
        return " ".join(upper)
    if len(tokens) < 2:
        return None
    # "Mr. Ganbold Baasanjav ... Mr. Baasanjav further emphasized": the back-reference
    # names the family name. A two-word name is needed: "Mr. X" alone says nothing.
    for ref in find_persons(context):
        if ref.name in tokens:
            return ref.name
        if ref.name.upper() in (t.upper() for t in tokens):
            return ref.name
    return None


def split_appositive(parts: list[str]) -> tuple[str | None, str | None]:
    """Position and affiliation from the comma-separated parts after a name.

    "Deputy Director General, Department of ..., Ministry of ... of China": the last part
    is the organization the person speaks for; what precedes it is the position.
    A single part "Head of the UN ESCAP Subregional Office ..." splits at " of the ".
    """
    parts = [p.strip() for p in parts if p.strip()]
    if not parts:
        return None, None
    if len(parts) > 1:
        return ", ".join(parts[:-1]), parts[-1]
    position, sep, affiliation = parts[0].partition(" of the ")
    return (position, affiliation) if sep else (parts[0], None)
