"""Typed records passed between stages: report -> extract -> rdf.

They mirror the ontology (ontology/neaspec.ttl) but know nothing about triples, so
extraction is testable without RDF and RDF is testable without parsing. Names of
States, organizations, taxa etc. are the canonical keys of the curated tables in
``data/`` (see neaspec_kg.curated), never free text, so the RDF stage can mint IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal


class ReportError(Exception):
    """A report that cannot be read; the message names the file and the place."""

    def __init__(self, file: str, message: str, *, line: int | None = None, paragraph: int | None = None):
        self.file, self.line, self.paragraph, self.detail = file, line, paragraph, message
        super().__init__(_where(file, line, paragraph) + message)


def _where(file: str, line: int | None, paragraph: int | None) -> str:
    parts = [file]
    if line is not None:
        parts.append(f"line {line}")
    if paragraph is not None:
        parts.append(f"paragraph {paragraph}")
    return ", ".join(parts) + ": "


@dataclass(frozen=True)
class DataQualityWarning:
    """Something odd in a source that the build reports but does not stop on."""

    file: str
    code: str  # stable machine key, e.g. "heading-session-mismatch"
    message: str
    line: int | None = None
    paragraph: int | None = None

    def __str__(self) -> str:
        return _where(self.file, self.line, self.paragraph) + self.message


# --- document structure -----------------------------------------------------------
@dataclass(frozen=True)
class SourceSpan:
    """Where a fact was read: a block of the report and character offsets in its text.

    ``paragraph`` is the printed paragraph number; unnumbered blocks (front matter, the
    adopted agenda) have ``paragraph=None`` and are identified by ``section``.
    ``text[start:end] == exact`` for the block's :attr:`Paragraph.text`.
    """

    section: str
    paragraph: int | None
    start: int
    end: int
    exact: str
    occurrence: int = 1  # the n-th paragraph printed with this number (a duplicated number is kept, not merged)


@dataclass(frozen=True)
class Section:
    key: str  # "front", "I", "II", "II.A", ...
    title: str  # as printed, converter marks removed
    line: int  # 1-based line of the heading in the file
    level: int  # 0 front matter, 1 roman-numbered chapter, 2 lettered section
    agenda_items: tuple[str, ...] = ()  # from "(Agenda item 4)" / "(Agenda items 5, 6, and 7)"


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph (or an unnumbered block) with page-break splits rejoined.

    ``text`` keeps line breaks only where the source lays out a list (officers, agenda);
    prose lines split by a page break are joined with one space.
    """

    number: int | None
    text: str
    line: int  # 1-based line where the block starts
    section: str  # key of the enclosing Section
    agenda_item: str | None = None  # notation under discussion, e.g. "5 (a)", from sub-headings
    topic: str | None = None  # lead-in label such as "Air Pollution" (bold run-in or sub-heading)
    end_line: int | None = None
    occurrence: int = 1  # 2 for the second paragraph printed with the same number (warned), ...
    pages: tuple[int, ...] = ()  # pages of the published file (PDF, Word) the paragraph is printed on


@dataclass(frozen=True)
class FrontMatter:
    title: str  # e.g. "Report of the Twenty-seventh Senior Officials Meeting of ..."
    session_number: int | None  # None only for a series whose meetings are not numbered (expert group meetings)
    start_date: date
    end_date: date
    city: str | None  # None for a virtual session (no venue)
    country: str | None  # canonical country name (data/vocab/countries.csv); None when virtual
    line: int
    language_note: str | None = None  # "English only"
    distribution: str | None = None  # "General"
    virtual: bool = False  # held online (videoconference): the report names no venue
    host: str | None = None  # canonical country name of the host government, when stated
    series: str = "som"  # key of data/curated/series.csv, from the title ("... National Focal Points")
    body: str = "som"  # key of data/curated/organizations.csv: the body that meets (officers, decisions)
    name: str = ""  # how the meeting is cited: "SOM-27", "SPC-7", "EGM 2024-12-13"

    @property
    def meeting_key(self) -> int | str:
        """What neaspec_kg.iris mints the meeting's IRIs from: the SOM's session number (``27``), or
        ``{series}-{number}`` / ``{series}-{start date}`` for another series, which no SOM key can equal."""
        if self.series == "som" and self.session_number is not None:
            return self.session_number
        suffix = self.session_number if self.session_number is not None else self.start_date.isoformat()
        return f"{self.series}-{suffix}"


@dataclass(frozen=True)
class Report:
    source: str  # file name as given to the parser (used in every message)
    sha256: str
    front: FrontMatter
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    warnings: tuple[DataQualityWarning, ...] = ()
    # The text the parser read (for a PDF or Word file, the text made from it): line numbers in
    # messages point into it; the build keeps it (build/current/text/) for a person to open.
    text: str = field(default="", repr=False, compare=False)

    def paragraph(self, number: int) -> Paragraph:
        for p in self.paragraphs:
            if p.number == number:
                return p
        raise KeyError(number)


# --- extracted facts ----------------------------------------------------------------
@dataclass(frozen=True)
class AgendaItem:
    notation: str  # "5" or "5 (a)"
    number: int
    letter: str | None
    title: str
    span: SourceSpan


@dataclass(frozen=True)
class PersonMention:
    name: str  # as printed, e.g. "ZHOU Jun", "Ganbold Baasanjav"
    span: SourceSpan
    honorific: str | None = None  # "Mr.", "Ms.", "H.E."
    family_name: str | None = None  # the upper-case part where the report marks it
    position: str | None = None  # "Deputy Director General"
    affiliation: str | None = None  # "Ministry of Ecology and Environment of China"
    country: str | None = None  # canonical country name when stated


@dataclass(frozen=True)
class Attendance:
    states: tuple[str, ...]  # canonical country names of attending delegations
    span: SourceSpan
    organizations: tuple[str, ...] = ()  # keys of data/curated/organizations.csv
    others: str | None = None  # unnamed participants as printed ("experts and representatives ...")


@dataclass(frozen=True)
class OfficerElection:
    role: str  # key of data/curated/roles.csv: chair | vice-chair | rapporteur
    person: PersonMention
    country: str | None  # canonical country name; None when the line lacks one (warned)
    span: SourceSpan


SpeakerKind = Literal["state", "organization", "secretariat", "person"]


@dataclass(frozen=True)
class Statement:
    speaker_kind: SpeakerKind
    speaker: str  # canonical country name | organization key | "secretariat" | person name
    kind: str  # key of data/curated/statement-kinds.csv
    span: SourceSpan
    agenda_item: str | None = None
    person: PersonMention | None = None
    topics: tuple[str, ...] = ()  # programme-area keys the statement is about
    taxa: tuple[str, ...] = ()  # keys of data/curated/taxa.csv named in the statement
    on_behalf_of: str | None = None  # "on behalf of the Group of ...": the group spoken for, as printed


@dataclass(frozen=True)
class Decision:
    ordinal: int  # order of the decision within its paragraph (1-based, from the text)
    verb: str  # key of data/curated/decision-verbs.csv
    actor: str  # "Meeting" | "senior officials" | "delegates" | "Commission" ... | "secretariat" (its own action)
    object_text: str  # what was acted on, as printed
    span: SourceSpan
    programme_area: str | None = None  # key of data/curated/programme-areas.csv
    agenda_item: str | None = None
    addressee: str | None = None  # "secretariat" | "member States" | organization key
    documents: tuple[str, ...] = ()  # DocumentMention keys (curated or derived)
    projects: tuple[str, ...] = ()  # keys of data/curated/projects.csv
    events: tuple[str, ...] = ()  # event keys (see EventMention.key)
    planned_session: int | None = None  # a next session this decision plans
    section_kind: str | None = None  # "conclusions" | "proceedings"
    taxa: tuple[str, ...] = ()  # keys of data/curated/taxa.csv named in the decision
    # What was decided, without a leading clause: "Noting X, the delegates advised Y" is about Y, so
    # the events, taxa and documents of a decision are read here, not in the whole span.
    object_span: SourceSpan | None = None
    date: date | None = None  # the date the text gives the decision ("adopted ... on 13 December 2024")


@dataclass(frozen=True)
class DocumentMention:
    """A document the Meeting acted on or that the report cites.

    ``key`` is a key of data/curated/documents.csv, or a derived key for a document
    that each session has anew: ``activity-plan-<year>-<programme area key>``,
    ``financial-report-som-<n>``, ``conclusions-som-<n>``.
    """

    key: str
    title: str  # as printed, or the curated title
    kind: str  # report | executive-summary | policy-document | project-plan | working-paper | financial-report | conclusions
    span: SourceSpan
    programme_area: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class ProjectMention:
    project: str  # key of data/curated/projects.csv
    span: SourceSpan
    funders: tuple[str, ...] = ()  # canonical country names or organization keys
    taxa: tuple[str, ...] = ()  # keys of data/curated/taxa.csv
    status: str | None = None  # "approved", "ongoing", ...


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str  # key of data/curated/units.csv: percent | usd | hectare | count ...
    text: str  # as printed, e.g. "$300 million", "5.4 million hectares"
    qualifier: str | None = None  # "over", "about", "at least" ... printed before the number


@dataclass(frozen=True)
class Commitment:
    """A national pledge, target or reported achievement.

    ``kind == "achieved"`` becomes a progress node of its own in RDF, linked to the
    commitment it reports on when one is known; it never overwrites a target.
    """

    ordinal: int  # order within the paragraph
    actor: str  # canonical country name
    kind: Literal["pledge", "target", "achieved"]
    measure: str  # key of data/curated/measures.csv
    description: str  # the clause as printed
    span: SourceSpan
    quantity: Quantity | None = None
    target_year: int | None = None
    baseline_year: int | None = None
    reference_year: int | None = None  # year an achievement refers to ("by 2023")
    recipient: str | None = None  # fund or organization a pledge goes to, as printed
    baseline: Quantity | None = None  # the value it starts from ("from 50 to over 110 bays": 50)


@dataclass(frozen=True)
class EventMention:
    key: str  # stable key from the normalized name and ordinal, e.g. "international-forum-on-low-carbon-cities-4"
    name: str  # as printed
    kind: str  # key of data/curated/event-kinds.csv
    span: SourceSpan
    status: Literal["held", "planned", "proposed"] = "held"
    ordinal: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    period: str | None = None  # when only vaguely dated: "first half of 2025", "2026"
    place: str | None = None  # city as printed
    country: str | None = None  # canonical country name
    organizers: tuple[str, ...] = ()
    programme_area: str | None = None
    project: str | None = None
    year: int | None = None  # the year the text gives (from a date, a period, "earlier this year")
    # How the text links it to another event or a session of the series ("to be held in conjunction
    # with the seventh meeting of the SPC", "during the Eastern Economic Forum", "back-to-back to SOM-27").
    link: Literal["during", "in-conjunction-with", "back-to-back"] | None = None
    linked_event: str | None = None  # key of the other event
    linked_session: int | None = None  # or the number of the SOM session


@dataclass(frozen=True)
class SessionPlan:
    """What a report says about a future session (host, timing), as a plan."""

    session: int
    span: SourceSpan
    host: str | None = None  # canonical country name
    timing: str | None = None  # as printed: "late September 2025"
    venue: str | None = None


@dataclass(frozen=True)
class SessionMention:
    """A session of the series named in a report ("SOM-26", "the 28th Senior Officials Meeting")."""

    session: int
    span: SourceSpan


@dataclass(frozen=True)
class Extraction:
    """Everything read from one report."""

    report: Report
    agenda: tuple[AgendaItem, ...] = ()
    attendance: Attendance | None = None
    officers: tuple[OfficerElection, ...] = ()
    persons: tuple[PersonMention, ...] = ()
    statements: tuple[Statement, ...] = ()
    decisions: tuple[Decision, ...] = ()
    documents: tuple[DocumentMention, ...] = ()
    projects: tuple[ProjectMention, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    events: tuple[EventMention, ...] = ()
    plans: tuple[SessionPlan, ...] = ()
    sessions: tuple[SessionMention, ...] = ()
    warnings: tuple[DataQualityWarning, ...] = field(default=())
