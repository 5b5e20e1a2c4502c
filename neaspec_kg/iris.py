"""IRI minting: one function per pattern, each documented in README.md ("IRI scheme").

Every key comes from the sources (a session number, an ISO code, a paragraph number, a
name in a curated table), never from the order of rows in a file.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import URIRef

from neaspec_kg.namespaces import BASE, GRAPH, ID


def slug(text: str) -> str:
    """``'Vice-Chair'`` -> ``'vice-chair'``; ``'5 (a)'`` -> ``'5-a'``; diacritics folded."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not s:
        raise ValueError(f"cannot make an IRI key from {text!r}")
    return s


def _id(path: str) -> URIRef:
    return URIRef(str(ID) + path)


# --- bodies, agents, places -------------------------------------------------
def state(iso2: str) -> URIRef:
    return _id(f"state/{iso2.lower()}")


def organization(key: str) -> URIRef:
    return _id(f"org/{slug(key)}")


def place(name: str) -> URIRef:
    return _id(f"place/{slug(name)}")


# --- the series and its sessions ----------------------------------------------
def series(key: str = "som") -> URIRef:
    return _id(f"series/{slug(key)}")


MeetingKey = int | str  # a SOM session number, or records.FrontMatter.meeting_key of another series

_OTHER_SERIES_KEY = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:\d{1,4}|\d{4}-\d{2}-\d{2})")


def meeting_path(session: MeetingKey) -> str:
    """``27`` -> ``som-27`` (the SOM); ``'neacap-spc-7'`` -> ``neacap-spc-7``; a key of another series may
    not start with ``som-``, so no other series' meeting can take a SOM's IRIs."""
    if isinstance(session, int):
        return f"som-{int(session)}"
    if not _OTHER_SERIES_KEY.fullmatch(session) or session.startswith("som-"):
        raise ValueError(f"not a meeting key of another series: {session!r}")
    return session


def meeting(session: MeetingKey) -> URIRef:
    return _id(f"meeting/{meeting_path(session)}")


def _in_meeting(session: MeetingKey, path: str) -> URIRef:
    return URIRef(f"{meeting(session)}/{path}")


def agenda_item(session: MeetingKey, notation: str) -> URIRef:
    return _in_meeting(session, f"agenda/{slug(notation)}")


def delegation(session: MeetingKey, iso2: str) -> URIRef:
    return _in_meeting(session, f"delegation/{iso2.lower()}")


def person(session: MeetingKey, name: str) -> URIRef:
    """Persons are scoped to the session that names them: never merged on name alone."""
    return _in_meeting(session, f"person/{slug(name)}")


def officer(session: MeetingKey, role_key: str, ordinal: int = 1) -> URIRef:
    """``ordinal`` counts the holders of one office at one session (two Vice-Presidents: ``-2``)."""
    suffix = "" if ordinal == 1 else f"-{int(ordinal)}"
    return _in_meeting(session, f"officer/{slug(role_key)}{suffix}")


ParagraphKey = int | str  # a printed paragraph number, or paragraph_key() of a repeated one


def paragraph_key(number: int, occurrence: int = 1) -> ParagraphKey:
    """``30`` for the (first) paragraph printed as 30; ``'30.2'`` for a second one (a numbering
    defect of the source, kept and warned): neither clashes with the other."""
    return int(number) if occurrence == 1 else f"{int(number)}.{int(occurrence)}"


def record_decision(session: MeetingKey, k: int) -> URIRef:
    """A decision read from public records of a session (history/decisions.csv row k), not from its report."""
    return _in_meeting(session, f"decision/r{int(k)}")


def record_statement(session: MeetingKey, key: str) -> URIRef:
    """A fact about a session read from public records, as a reified statement with its sources
    (``hosted-by``, ``attendance-kp-absent`` ...)."""
    return _in_meeting(session, f"record/{slug(key)}")


def span_key(span) -> ParagraphKey | None:  # noqa: ANN001 (a records.SourceSpan; iris knows no records)
    """The key of the paragraph a source span lies in; None for an unnumbered block."""
    return paragraph_key(span.paragraph, span.occurrence) if span.paragraph is not None else None


def _para(key: ParagraphKey) -> str:
    if isinstance(key, int):
        return str(key)
    if not re.fullmatch(r"\d+\.\d+", key):
        raise ValueError(f"not a paragraph key: {key!r}")
    return key


def statement(session: MeetingKey, paragraph: ParagraphKey, speaker_key: str, ordinal: int = 1) -> URIRef:
    """``ordinal`` counts the statements of one speaker within one paragraph (the second is ``-2``)."""
    suffix = "" if ordinal == 1 else f"-{int(ordinal)}"
    return _in_meeting(session, f"statement/{_para(paragraph)}-{slug(speaker_key)}{suffix}")


def statements(session: MeetingKey, keys: list[tuple[ParagraphKey, str]]) -> list[URIRef]:
    """The IRIs of a report's statements, given (paragraph key, speaker key) in report order:
    a speaker heard twice in one paragraph gets ``-2`` on the second, never the first's IRI."""
    seen: dict[tuple[ParagraphKey, str], int] = {}
    out = []
    for paragraph_key_, speaker in keys:
        slot = (paragraph_key_, slug(speaker))
        seen[slot] = seen.get(slot, 0) + 1
        out.append(statement(session, paragraph_key_, speaker, seen[slot]))
    return out


def decision(session: MeetingKey, paragraph: ParagraphKey, ordinal: int) -> URIRef:
    return _in_meeting(session, f"decision/{_para(paragraph)}-{int(ordinal)}")


def commitment(session: MeetingKey, paragraph: ParagraphKey, ordinal: int) -> URIRef:
    return _in_meeting(session, f"commitment/{_para(paragraph)}-{int(ordinal)}")


def progress(session: MeetingKey, paragraph: ParagraphKey, ordinal: int) -> URIRef:
    return _in_meeting(session, f"progress/{_para(paragraph)}-{int(ordinal)}")


def attendance(session: MeetingKey) -> URIRef:
    return _in_meeting(session, "attendance")


# --- the report and its parts -------------------------------------------------
def report(session: MeetingKey) -> URIRef:
    """The report as a work (fabio:MeetingReport)."""
    return _in_meeting(session, "report")


def report_expression(session: MeetingKey, lang: str = "en") -> URIRef:
    return URIRef(f"{report(session)}/{lang}")


def section(session: MeetingKey, key: str, lang: str = "en") -> URIRef:
    return URIRef(f"{report_expression(session, lang)}/section/{slug(key)}")


def paragraph(session: MeetingKey, number: ParagraphKey, lang: str = "en") -> URIRef:
    return URIRef(f"{report_expression(session, lang)}/para/{_para(number)}")


def extraction(session: MeetingKey, lang: str = "en") -> URIRef:
    return URIRef(f"{report_expression(session, lang)}/extraction")


# --- things the programme works on ------------------------------------------
def project(key: str) -> URIRef:
    return _id(f"project/{slug(key)}")


def taxon(scientific_name: str) -> URIRef:
    return _id(f"taxon/{slug(scientific_name)}")


def event(key: str) -> URIRef:
    return _id(f"event/{slug(key)}")


def fund(key: str) -> URIRef:
    return _id(f"fund/{slug(key)}")


def document(key: str) -> URIRef:
    return _id(f"doc/{slug(key)}")


def source_document(key: str) -> URIRef:
    """A public web page or document that session records were read from (history/sources.csv)."""
    return _id(f"source/{slug(key)}")


def follow_up(key: str) -> URIRef:
    """What a later session shows became of a request or plan (history/follow-ups.csv)."""
    return _id(f"follow-up/{slug(key)}")


def concept_scheme(scheme: str) -> URIRef:
    return _id(f"concept/{slug(scheme)}")


def concept(scheme: str, key: str) -> URIRef:
    return _id(f"concept/{slug(scheme)}/{slug(key)}")


# --- named graphs ---------------------------------------------------------------
def report_graph(session: MeetingKey) -> URIRef:
    return URIRef(f"{GRAPH}report/{meeting_path(session)}")


def named_graph(key: str) -> URIRef:
    """``curated``, ``ontology``, ``sdg-kos``, ``links-sdg`` ..."""
    return URIRef(f"{GRAPH}{slug(key)}")


# --- parts of other resources ----------------------------------------------------
def quantity(owner: URIRef) -> URIRef:
    """The value node of a commitment or progress (schema:QuantitativeValue)."""
    return URIRef(f"{owner}/quantity")


def baseline_quantity(owner: URIRef) -> URIRef:
    """The value a commitment or progress starts from ("from 50 to over 110 bays": 50)."""
    return URIRef(f"{owner}/baseline")


def plan(session: MeetingKey, number: ParagraphKey | None, section_key: str) -> URIRef:
    """A session plan read at ``session``; keyed by its paragraph (or section)."""
    key = _para(number) if number is not None else slug(section_key)
    return _in_meeting(session, f"plan/{key}")


def block(session: MeetingKey, number: ParagraphKey | None, section_key: str, lang: str = "en") -> URIRef:
    """Where a span lives: its numbered paragraph, or the section of an unnumbered block."""
    return paragraph(session, number, lang) if number is not None else section(session, section_key, lang)


def span_of(session: MeetingKey, number: ParagraphKey | None, section_key: str, start: int, end: int, lang: str = "en") -> URIRef:
    return URIRef(f"{block(session, number, section_key, lang)}/span/{int(start)}-{int(end)}")


def selector(annotation: URIRef, part: str) -> URIRef:
    """The target and selectors of a span annotation: ``#target``, ``#quote``, ``#position``."""
    return URIRef(f"{annotation}#{part}")


def funding(project_iri: URIRef, funder_key: str) -> URIRef:
    """A funder's grant to a project (schema:MonetaryGrant)."""
    return URIRef(f"{project_iri}/funding/{slug(funder_key)}")


def quality_issue(session: MeetingKey, code: str, line: int | None, message: str, lang: str = "en") -> URIRef:
    """``issue/{code}-{line}-{digest}``: the digest of the message (which names the paragraph) keeps
    two warnings of one kind apart when they share a line or have none; the same warning of the
    same source gets the same IRI in every build."""
    import hashlib

    digest = hashlib.sha256(message.encode()).hexdigest()[:8]
    return URIRef(f"{report_expression(session, lang)}/issue/{slug(code)}-{line if line is not None else 0}-{digest}")


def membership(state_iso2: str, organization_key: str) -> URIRef:
    return _id(f"membership/{slug(organization_key)}/{state_iso2.lower()}")


def software() -> URIRef:
    """The neaspec-kg software as a prov:SoftwareAgent."""
    return _id("software/neaspec-kg")


def software_agent(key: str) -> URIRef:
    """A component of neaspec-kg acting as a prov:SoftwareAgent (e.g. ``sdg-linker``)."""
    return _id(f"agent/{slug(key)}")


def sdg_link(subject: URIRef, target: URIRef) -> URIRef:
    """A qualified SDG link; deterministic: the same subject/target pair, the same node."""
    import hashlib

    digest = hashlib.sha256(f"{subject} {target}".encode()).hexdigest()[:20]
    return _id(f"sdg-link/{digest}")


# --- the dataset and its releases (neaspec_kg.publish) ----------------------------------
def _base(path: str) -> URIRef:
    return URIRef(f"{BASE}{path}")


def dataset() -> URIRef:
    """The dataset across its releases (dcat:Dataset, void:Dataset)."""
    return _base("dataset")


def catalogue() -> URIRef:
    return _base("catalog")


def sparql_endpoint() -> URIRef:
    """The public SPARQL endpoint (the server's /sparql, reached through the IRI base)."""
    return _base("sparql")


def release(version: str) -> URIRef:
    """The version IRI of one release; its files sit below it."""
    return _base(f"release/{version}")


def release_file(version: str, path: str) -> URIRef:
    """Where a file of a release is downloaded from (the persistent IRI, redirected)."""
    return _base(f"release/{version}/{path}")


def distribution(version: str, key: str) -> URIRef:
    return _base(f"release/{version}#dist-{key}")


def linkset(key: str) -> URIRef:
    """A VoID linkset of the dataset (``dataset#linkset-wikidata-closematch``)."""
    return _base(f"dataset#linkset-{key}")


def contact_point() -> URIRef:
    return _base("dataset#contact")


def publisher() -> URIRef:
    """neaspec-kg as the publisher of the dataset."""
    return organization("neaspec-kg")
