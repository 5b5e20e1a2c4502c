"""Reading what the sentence around an event's name says about it: when (a date, a range, a
period, "earlier this year"), where ("held in Incheon, Republic of Korea"), who organized it,
whether it was held, is planned or only proposed, and which event or session it is held with.

``Mention`` is one event name found by ``neaspec_kg.extract.events``, which finds the names,
calls :func:`read_context` on each and then makes their keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from neaspec_kg.curated import Curated
from neaspec_kg.extract.sentences import sentence_bounds
from neaspec_kg.records import Paragraph, Report
from neaspec_kg.report.ordinals import session_ordinals

EXCLUDED_KINDS = {"senior-officials-meeting"}  # modelled as the SOM series, not as related events
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
YEAR = r"(?:19|20)\d{2}(?!\d)"

_DATE_RANGE_RE = re.compile(rf"\b(\d{{1,2}})\s*(?:({MONTH})\s*)?[-–]\s*(\d{{1,2}})\s+({MONTH}),?\s+({YEAR})")
_DATE_RE = re.compile(rf"\b(\d{{1,2}})\s+({MONTH}),?\s+({YEAR})")
_PERIOD_RE = re.compile(
    rf"\b((?:first|second)\s+half\s+of\s+{YEAR}|(?:first|second|third|fourth)\s+quarter\s+of\s+{YEAR}"
    rf"|(?:early|mid|late)[-\s](?:{MONTH}\s+)?{YEAR}|end\s+of\s+{YEAR}|{MONTH}\s+{YEAR})"
    rf"|\b(?:in|for|during)\s+({YEAR})")
_PLACE_RE = re.compile(
    r"\bin\s+(?P<place>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)(?:,\s+(?P<country>(?:the\s+)?[A-Z][\w' -]*?))?"
    r"(?=\s*[,.;)]|\s+(?:on|in|during|from|and|earlier|later)\b|$)")
_PLACE_DIRECTLY_AFTER_RE = re.compile(r"\s*,?\s*(?=in\s)")
_PLACE_AFTER_VERB_RE = re.compile(r"\b(?:held|hosted|organi[sz]ed|convened|took\s+place|to\s+be\s+held)\b")
_ORGANIZERS_AFTER_RE = re.compile(
    r"(?:(?:co-)?(?:organi[sz]ed|hosted|convened)\s+(?:by|in\s+(?:cooperation|collaboration|partnership)\s+with)"
    r"|in\s+(?:cooperation|collaboration|partnership)\s+with|jointly\s+with)"
    r"\s+(?P<who>.+?)(?=,\s+(?:he|she|they|it|which|the\s+representative)\b|[.;]|$)")
_HOST_BEFORE_RE = re.compile(r"^\s+(?:for\s+)?(?:hosting|organi[sz]ing|hosted|organi[sz]ed)\s+(?:the\s+)?$")
_JOINED_RE = re.compile(
    r"(?:during|at|on\s+the\s+(?:margins|sidelines)\s+of|in\s+conjunction\s+with|back-to-back\s+(?:with|to))\s+(?:the\s+)?$")
# How an event is held with another, as the genre says it (ontology: schema:superEvent for "during",
# nea:heldInConjunctionWith, nea:heldBackToBackWith).
_LINK_CUES = (("back-to-back", re.compile(r"back-to-back")), ("in-conjunction-with", re.compile(r"conjunction")),
              ("during", re.compile(r".")))
# "... organized by the secretariat back-to-back to SOM-27": an event held with a session of the series.
_WITH_SESSION_RE = re.compile(
    r"(?P<cue>during|in\s+conjunction\s+with|back-to-back\s+(?:with|to)|on\s+the\s+(?:margins|sidelines)\s+of)"
    r"\s+(?:the\s+)?(?=SOM[- ]\d|\S+\s+Senior\s+Officials\s+Meeting)")
# "earlier this year", "last year": the year of the report's meeting, or the one before it.
_RELATIVE_YEAR_RE = re.compile(r"\b(?:(?:earlier|later)\s+)?(?P<which>this|last|next)\s+year\b")
_NEXT_RE = re.compile(r"\bnext\s+$")

_PROPOSED_CUE_RE = re.compile(
    r"\b(?:suggest\w*|propos\w*|interest\w*\s+in\b.*\bhost\w*|offer\w*\s+to\s+host|intention\s+(?:in|to|of)\s+host\w*"
    r"|invit\w*\s+to\s+host)\b", re.IGNORECASE)
_PLANNED_CUE_RE = re.compile(
    r"\b(?:planned|to\s+be\s+held|will\s+be\s+held|scheduled|tentatively|upcoming|next|plans?\s+(?:for|to)"
    r"|to\s+organi[sz]e|in\s+time\s+for|before\s+the|future)\b", re.IGNORECASE)
_HELD_CUE_RE = re.compile(r"\b(?:held|hosted|hosting|organi[sz]ed|took\s+place|convened|successful|previous)\b",
                          re.IGNORECASE)

@dataclass
class Mention:
    """One event name found in a paragraph, with what its sentence says about it."""

    paragraph: Paragraph
    start: int
    end: int
    name: str
    kind: str
    ordinal: int | None
    generic: bool  # a lower-case or bare-noun name ("the Symposium", "a subregional forum")
    base_name: str  # the name without ordinal, year, article: what the key is made from
    name_year: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    period: str | None = None
    place: str | None = None
    country: str | None = None
    organizers: list[str] = field(default_factory=list)
    programme_area: str | None = None
    status: str = "held"
    status_explicit: bool = False
    next_of_series: bool = False
    joined_to: int | None = None  # index of an event this one is held during / in conjunction with
    joined: Mention | None = None  # that event
    joined_how: str | None = None  # "during" | "in-conjunction-with" | "back-to-back"
    joined_session: int | None = None  # a session of the series it is held with ("back-to-back to SOM-27")
    relative_year: int | None = None  # -1, 0, 1 for "last year", "this year", "next year"
    stem: str = ""
    year: int | None = None
    year_stated: bool = False  # the text gives the year (a date, a period, "this year"), not the reporting year


def read_context(report: Report, mention: Mention, found: list[Mention], index: int, curated: Curated) -> None:
    text = mention.paragraph.text
    s_start, s_end = sentence_bounds(text, mention.start)
    before_start = max([s_start] + [m.end for m in found[:index] if m.end <= mention.start])
    before = text[before_start:mention.start]
    window_end = s_end
    for later_index in range(index + 1, len(found)):
        later = found[later_index]
        if later.start >= s_end:
            break
        between = text[mention.end:later.start]
        sessions = session_ordinals(later.name) if later.kind in EXCLUDED_KINDS else []
        if _JOINED_RE.search(between) and sessions:
            # "... back-to-back with the Twenty-seventh Senior Officials Meeting": a session of the series
            mention.joined_session, mention.joined_how = sessions[0][0], _link_kind(between)
        elif _JOINED_RE.search(between):
            mention.joined_to, mention.joined = later_index, later
            mention.joined_how = _link_kind(between)
        window_end = later.start
        break
    after = text[mention.end:window_end]
    with_session = _WITH_SESSION_RE.search(after)
    if with_session and mention.joined is None:
        named = session_ordinals(after[with_session.end():with_session.end() + 80])
        if named and named[0][1] == 0:
            mention.joined_session, mention.joined_how = named[0][0], _link_kind(with_session.group("cue"))
    mention.next_of_series = bool(_NEXT_RE.search(before))
    _read_dates(mention, after)
    _read_place(mention, after, curated)
    mention.organizers = _organizers(mention, before, after, curated)
    _read_status(report, mention, before, after)


def _read_dates(mention: Mention, after: str) -> None:
    m = _DATE_RANGE_RE.search(after)
    if m:
        d1, month1, d2, month2, year = m.groups()
        mention.start_date = date(int(year), _month(month1 or month2), int(d1))
        mention.end_date = date(int(year), _month(month2), int(d2))
        return
    m = _DATE_RE.search(after)
    if m:
        mention.start_date = mention.end_date = date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
        return
    m = _PERIOD_RE.search(after)
    relative = _RELATIVE_YEAR_RE.search(after)
    if m:
        mention.period = m.group(1) or m.group(2)
    elif mention.name_year:
        mention.period = str(mention.name_year)
    elif relative:
        mention.period = relative.group(0)
        mention.relative_year = {"last": -1, "this": 0, "next": 1}[relative.group("which")]


def _link_kind(cue: str) -> str:
    return next(kind for kind, pattern in _LINK_CUES if pattern.search(cue))


def _month(name: str) -> int:
    return _MONTHS.index(name.lower()) + 1


def _read_place(mention: Mention, after: str, curated: Curated) -> None:
    # "... Forum in Vladivostok" or "held [on 24 September 2024] in Incheon, Republic of Korea".
    direct = _PLACE_DIRECTLY_AFTER_RE.match(after)
    m = _PLACE_RE.match(after, direct.end()) if direct else None
    if not m:
        verb = _PLACE_AFTER_VERB_RE.search(after)
        m = _PLACE_RE.search(after, verb.end()) if verb else None
    if not m or re.fullmatch(MONTH, m.group("place")):
        return
    place, country = m.group("place"), m.group("country")
    as_country = curated.country_matcher.find(place)
    if as_country and as_country[0].text == place:
        mention.country = as_country[0].key
        return
    if curated.organization_matcher.find(place):
        return  # "in the ... Network": an organization, not a place
    mention.place = place
    if country:
        matched = curated.country_matcher.find(country)
        if matched and matched[0].text == country.removeprefix("the "):
            mention.country = matched[0].key


def _organizers(mention: Mention, before: str, after: str, curated: Curated) -> list[str]:
    found: list[str] = []
    m = _ORGANIZERS_AFTER_RE.search(after)
    if m:
        found += _agents(m.group("who"), curated)
    for agent in curated.organization_matcher.find(before) + curated.country_matcher.find(before):
        if _HOST_BEFORE_RE.match(before[agent.end:]):
            found.append(agent.key)
    # Organizations named in the event's own title ("UNFCCC COP 29", "EANET Working Group Meeting").
    found += [o.key for o in curated.organization_matcher.find(mention.name)]
    return list(dict.fromkeys(found))


def _agents(text: str, curated: Curated) -> list[str]:
    orgs = curated.organization_matcher.find(text)
    countries = [c for c in curated.country_matcher.find(text)
                 if not any(o.start <= c.start and c.end <= o.end for o in orgs)]
    return [m.key for m in sorted(orgs + countries, key=lambda m: m.start)]


def _read_status(report: Report, mention: Mention, before: str, after: str) -> None:
    # Cue words count only in the event's own clause: "the 1st Policy Dialogue ..., the
    # representative requested planning for future events" says nothing about the 1st dialogue.
    before = re.split(r"[,;]", before)[-1]
    after = re.split(r"[,;.]", after.lstrip(" ,"), maxsplit=1)[0]
    context = before + " " + after
    if _PROPOSED_CUE_RE.search(before):
        mention.status, mention.status_explicit = "proposed", True
        return
    dated = _dated_status(mention, report)
    if dated is not None:
        mention.status, mention.status_explicit = dated, True
        return
    if _PLANNED_CUE_RE.search(context):
        mention.status, mention.status_explicit = "planned", True
    elif _HELD_CUE_RE.search(context):
        mention.status, mention.status_explicit = "held", True


def _dated_status(mention: Mention, report: Report) -> str | None:
    """A date after the meeting is a plan, one before it a past event; a period by its year."""
    if mention.start_date:
        return "planned" if mention.start_date > report.front.end_date else "held"
    year = re.search(YEAR, mention.period or "")
    if not year or int(year.group(0)) == report.front.start_date.year:
        return None  # "June 2024" in a December 2024 report: the cue words decide
    return "planned" if int(year.group(0)) > report.front.start_date.year else "held"


def share_with_joined(found: list[Mention]) -> None:
    """'the 5th Forum in Vladivostok during the Eastern Economic Forum in 2025': same time and place."""
    for mention in found:
        if mention.joined_to is None:
            continue
        host = found[mention.joined_to]
        if mention.start_date is None and mention.period is None:
            mention.start_date, mention.end_date, mention.period = host.start_date, host.end_date, host.period
        if mention.place is None and mention.country is None:
            mention.place, mention.country = host.place, host.country
