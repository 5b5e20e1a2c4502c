"""One report's graph: the report, its sections and paragraphs, and every fact extracted
from it, each with prov:wasDerivedFrom its paragraph and an annotation quoting the span."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS

from neaspec_kg import iris
from neaspec_kg.curated import Curated
from neaspec_kg.namespaces import DOCO, DQV, FABIO, FRBR, GEOAREA, NEA, OA, SCHEMA
from neaspec_kg.rdf.common import (
    GraphWriter,
    add_addressee,
    add_decision_core,
    add_location,
    add_provenance,
    lit,
    shorten,
    source_literal,
    year,
)
from neaspec_kg.rdf.curated import DOCUMENT_TYPES
from neaspec_kg.rdf.report_activities import ActivitiesGraph
from neaspec_kg.records import (
    Decision,
    Extraction,
    PersonMention,
    SourceSpan,
    Statement,
)


class ReportGraph(ActivitiesGraph):
    """Builds the named graph of one report from its :class:`Extraction` (its commitments, events and
    plans: :class:`ActivitiesGraph`)."""

    def __init__(self, extraction: Extraction, curated: Curated):
        self.x = extraction
        self.curated = curated
        self.session = extraction.report.front.meeting_key
        self.name = extraction.report.front.name  # "SOM-27", "SPC-7": how labels cite the meeting
        self.meeting = iris.meeting(self.session)
        self.w = GraphWriter(iris.report_graph(self.session))
        self.activity = iris.extraction(self.session)
        self.texts = {(p.section, p.number, p.occurrence): p.text for p in extraction.report.paragraphs}
        self.paragraph_numbers = {p.number for p in extraction.report.paragraphs if p.number is not None}
        self.statement_iris = iris.statements(self.session, [(iris.span_key(st.span) or 0, st.speaker)
                                                             for st in extraction.statements])
        self.own_meeting_events = _own_meeting_events(extraction, curated)
        self.secretariat = next(
            (k for k, r in curated.by_key("organizations").items() if r["kind"] == "secretariat"), None)

    def build(self) -> GraphWriter:
        self._report_structure()
        self._meeting_facts()
        self._agenda()
        self._attendance()
        self._officers()
        self._persons()
        for statement, node in zip(self.x.statements, self.statement_iris, strict=True):
            self._statement(statement, node)
        self._documents()
        for decision in self.x.decisions:
            self._decision(decision)
        self._projects()
        self._commitments()
        self._events()
        self._plans()
        self._session_mentions()
        self._warnings()
        return self.w

    # --- helpers ---------------------------------------------------------------------
    def _prov(self, node: URIRef, span: SourceSpan) -> None:
        add_provenance(self.w, node, span, self.session, self.texts[(span.section, span.paragraph, span.occurrence)],
                       self.activity)

    def _where(self, span: SourceSpan) -> str:
        return f"para {iris.span_key(span)}" if span.paragraph is not None else f"section {span.section}"

    def _state(self, country: str) -> URIRef:
        return iris.state(self.curated.country_iso2(country))

    def _delegation(self, country: str, span: SourceSpan | None = None) -> URIRef:
        iso2 = self.curated.country_iso2(country)
        node = iris.delegation(self.session, iso2)
        if (node, RDF.type, NEA.Delegation) not in self.w.graph:
            self.w.node(node, NEA.Delegation, f"Delegation of {country} to {self.name}")
            self.w.add(node, NEA.delegationOf, iris.state(iso2))
        if span is not None:
            self._prov(node, span)
        return node

    def _agent(self, kind: str, key: str, span: SourceSpan) -> URIRef:
        """The node a speaker key stands for; a delegation is derived from where it speaks."""
        if kind == "state":
            return self._delegation(key, span)
        if kind == "secretariat":
            return iris.organization(self.secretariat or "secretariat")
        if kind == "person":
            return iris.person(self.session, key)
        return iris.organization(key)

    # --- the report itself --------------------------------------------------------------
    def _report_structure(self) -> None:
        r, w, s = self.x.report, self.w, self.session
        work, expression = iris.report(s), iris.report_expression(s)
        w.node(work, FABIO.MeetingReport, r.front.title)
        w.text(work, DCTERMS.title, r.front.title)
        w.add(work, FRBR.realization, expression)
        w.add(self.meeting, SCHEMA.recordedIn, work)
        w.node(expression, FABIO.Expression, f"{r.front.title} (English text)")
        w.add(expression, DCTERMS.language, Literal("en"))
        w.add(expression, DCTERMS.source, Literal(r.source))
        w.add(expression, NEA.sha256, Literal(r.sha256))
        w.node(self.activity, PROV.Activity, f"Extraction of facts from the {self.name} report")
        w.add(self.activity, PROV.used, expression)
        w.add(self.activity, PROV.wasAssociatedWith, iris.software())
        for position, section in enumerate(r.sections, start=1):
            node = iris.section(s, section.key)
            w.node(node, DOCO.Section, f"{self.name} report, section {section.key}: {section.title}")
            w.text(node, DCTERMS.title, section.title)
            w.add(node, NEA.sectionKey, Literal(section.key))
            w.add(node, SCHEMA.position, lit(position))
            parent = section.key.rsplit(".", 1)[0] if "." in section.key else None
            w.add(node, DCTERMS.isPartOf, iris.section(s, parent) if parent else expression)
            for item in section.agenda_items:
                w.add(node, SCHEMA.about, iris.agenda_item(s, item))
        for p in r.paragraphs:
            if p.number is None:
                # Unnumbered blocks (front matter, the adopted agenda): their section holds the text.
                w.text(iris.section(s, p.section), SCHEMA.text, p.text, lang=None)
                continue
            key = iris.paragraph_key(p.number, p.occurrence)
            node = iris.paragraph(s, key)
            repeated = f" (printed number repeated: occurrence {p.occurrence})" if p.occurrence > 1 else ""
            w.node(node, DOCO.Paragraph, f"{self.name} report, paragraph {p.number}{repeated}")
            w.add(node, NEA.paragraphNumber, lit(p.number))
            w.add(node, NEA.numberOccurrence, lit(p.occurrence) if p.occurrence > 1 else None)
            for page in p.pages:
                w.add(node, NEA.printedOnPage, lit(page))
            w.add(node, SCHEMA.text, Literal(p.text))
            w.add(node, DCTERMS.isPartOf, iris.section(s, p.section))
            if p.agenda_item:
                w.add(node, SCHEMA.about, iris.agenda_item(s, p.agenda_item))

    def _meeting_facts(self) -> None:
        """What the report says about its own session (the curated graph has the SOM series' facts)."""
        front, w = self.x.report.front, self.w
        if front.series != "som":
            self._other_series_meeting()
        w.add(self.meeting, SCHEMA.startDate, lit(front.start_date))
        w.add(self.meeting, SCHEMA.endDate, lit(front.end_date))
        if front.virtual:
            w.add(self.meeting, SCHEMA.eventAttendanceMode, SCHEMA.OnlineEventAttendanceMode)
        if front.host:
            w.add(self.meeting, NEA.hostedBy, self._state(front.host))
        if front.city:  # a venue needs its city; the curated meetings give a country alone (rdf.curated)
            add_location(w, self.meeting, front.city, front.country, self.curated)
        w.add(self.meeting, PROV.wasDerivedFrom, iris.section(self.session, "front"))

    def _other_series_meeting(self) -> None:
        """A meeting of another series (NFP, SPC, another body's session) is known from its report only:
        its node and its series' node are written here, from data/curated/series.csv."""
        front, w = self.x.report.front, self.w
        row = self.curated.by_key("series")[front.series]
        series = iris.series(front.series)
        w.node(series, (NEA.MeetingSeries, SCHEMA.EventSeries), row["label"])
        w.add(series, SCHEMA.organizer, iris.organization(row["organizer"]))
        w.add(series, SCHEMA.subEvent, self.meeting)
        source_literal(w, series, row["source"])
        w.node(self.meeting, (NEA.Meeting, SCHEMA.Event, PROV.Activity), self.name)
        w.add(self.meeting, DCTERMS.identifier, Literal(self.name))
        w.add(self.meeting, NEA.sessionNumber, lit(front.session_number) if front.session_number else None)
        w.add(self.meeting, SCHEMA.superEvent, series)
        w.add(self.meeting, SCHEMA.organizer, iris.organization(front.body))

    def _agenda(self) -> None:
        w, s = self.w, self.session
        for item in self.x.agenda:
            node = iris.agenda_item(s, item.notation)
            w.node(node, NEA.AgendaItem, f"{self.name} agenda item {item.notation}: {item.title}")
            w.add(node, SKOS.notation, Literal(item.notation))
            w.text(node, DCTERMS.title, item.title)
            w.add(node, SCHEMA.position, lit(item.number * 100 + (ord(item.letter) - 96 if item.letter else 0)))
            if item.letter:
                w.add(node, DCTERMS.isPartOf, iris.agenda_item(s, str(item.number)))
            w.add(self.meeting, NEA.considered, node)
            self._prov(node, item.span)

    def _attendance(self) -> None:
        a = self.x.attendance
        if a is None:
            return
        for country in a.states:
            self.w.add(self.meeting, SCHEMA.attendee, self._delegation(country, a.span))
        for key in a.organizations:
            self.w.add(self.meeting, SCHEMA.attendee, iris.organization(key))
        self.w.text(self.meeting, NEA.otherAttendees, a.others)

    def _person(self, person: PersonMention) -> URIRef:
        node = iris.person(self.session, person.name)
        w = self.w
        if (node, RDF.type, FOAF.Person) not in w.graph:
            title = f"{person.honorific} {person.name}" if person.honorific else person.name
            w.node(node, (FOAF.Person, SCHEMA.Person), title)
            w.add(node, SCHEMA.name, Literal(person.name))
            w.add(node, FOAF.name, Literal(person.name))
            w.add(node, SCHEMA.honorificPrefix, Literal(person.honorific) if person.honorific else None)
            w.add(node, SCHEMA.familyName, Literal(person.family_name) if person.family_name else None)
            w.text(node, SCHEMA.jobTitle, person.position)
            w.text(node, NEA.affiliationText, person.affiliation)
            if person.country:
                w.add(node, SCHEMA.nationality, GEOAREA[self.curated.countries[person.country]["un_m49"]])
        self._prov(node, person.span)
        return node

    def _persons(self) -> None:
        for person in self.x.persons:
            self._person(person)

    def _officers(self) -> None:
        w, s = self.w, self.session
        roles = self.curated.by_key("roles")
        holders: dict[str, int] = {}
        for officer in self.x.officers:
            holders[officer.role] = holders.get(officer.role, 0) + 1
            node = iris.officer(s, officer.role, holders[officer.role])
            person = self._person(officer.person)
            label = f"{roles[officer.role]['label']} of {self.name}: {officer.person.name}"
            w.node(node, (NEA.OfficeHolding, ORG.Membership), label + (f" ({officer.country})" if officer.country else ""))
            w.add(node, ORG.member, person)
            w.add(node, ORG.organization, iris.organization(self.x.report.front.body))
            w.add(node, ORG.role, iris.concept("role", officer.role))
            w.add(node, NEA.electedAt, self.meeting)
            if officer.country:
                w.add(node, NEA.onBehalfOf, self._state(officer.country))
            self._prov(node, officer.span)

    # --- statements and decisions ---------------------------------------------------------
    def _statement(self, st: Statement, node: URIRef) -> None:
        w, s = self.w, self.session
        speaker = self._person(st.person) if st.person else self._agent(st.speaker_kind, st.speaker, st.span)
        kind_label = self.curated.by_key("statement_kinds")[st.kind]["label"]
        w.node(node, NEA.Statement, f"{self.name} {self._where(st.span)}: {kind_label.lower()} by {st.speaker}")
        w.add(node, SCHEMA.creator, speaker)
        w.add(node, NEA.statementKind, iris.concept("statement-kind", st.kind))
        w.add(node, SCHEMA.text, Literal(st.span.exact))
        if st.agenda_item:
            w.add(node, NEA.onAgendaItem, iris.agenda_item(s, st.agenda_item))
        for topic in st.topics:
            w.add(node, NEA.programmeArea, iris.concept("programme-area", topic))
        self._about_taxa(node, st.taxa)
        if st.on_behalf_of:
            # "speaking on behalf of the Group of ...": the group as printed, and as an agent when it is one we know.
            w.text(node, NEA.onBehalfOfText, st.on_behalf_of)
            named = self.curated.organization_matcher.keys_in(st.on_behalf_of) or \
                [self.curated.country_iso2(c) for c in self.curated.country_matcher.keys_in(st.on_behalf_of)]
            if len(named) == 1:
                known = named[0] in self.curated.by_key("organizations")
                w.add(node, NEA.speaksOnBehalfOf, iris.organization(named[0]) if known else iris.state(named[0]))
        w.add(node, SCHEMA.recordedAt, self.meeting)
        self._prov(node, st.span)

    def _decision(self, d: Decision) -> None:
        w, s = self.w, self.session
        node = iris.decision(s, iris.span_key(d.span) or 0, d.ordinal)
        verb = self.curated.by_key("decision_verbs")[d.verb]["label"]
        w.node(node, NEA.Decision, f"{self.name} {self._where(d.span)}: {verb} {shorten(d.object_text)}")
        add_decision_core(w, node, d, self.meeting)
        w.add(node, SCHEMA.text, Literal(d.span.exact))
        if d.section_kind:
            w.add(node, NEA.sectionKind, Literal(d.section_kind))
        if d.agenda_item:
            w.add(node, NEA.underAgendaItem, iris.agenda_item(s, d.agenda_item))
        add_addressee(w, self.curated, node, d.addressee, self.secretariat)
        for key in d.events:
            w.add(node, NEA.decisionObject, self._event_node(key))
        if d.planned_session is not None:
            w.add(node, NEA.plannedEvent, iris.meeting(d.planned_session))
        if d.date is not None:
            w.add(node, DCTERMS.date, lit(d.date))  # "adopted the Conclusions ... on 13 December 2024"
            if d.verb in _ACCEPTING_VERBS:
                for key in d.documents:
                    w.add(iris.document(key), DCTERMS.dateAccepted, lit(d.date))
        if d.actor == "secretariat" and self.secretariat:
            # "The secretariat will revise ...": an action with the secretariat as its agent.
            w.add(node, PROV.wasAttributedTo, iris.organization(self.secretariat))
        self._about_taxa(node, d.taxa)
        self._prov(node, d.span)

    def _about_taxa(self, node: URIRef, taxa: tuple[str, ...]) -> None:
        taxa_table = self.curated.by_key("taxa")
        for key in taxa:
            self.w.add(node, SCHEMA.about, iris.taxon(taxa_table[key]["scientific_name"]))

    def _documents(self) -> None:
        w = self.w
        for doc in self.x.documents:
            node = iris.document(doc.key)
            if (node, RDFS.label, None) not in w.graph:
                w.node(node, DOCUMENT_TYPES.get(doc.kind, FABIO.Expression), doc.title)
                w.text(node, DCTERMS.title, doc.title)
            if doc.programme_area:
                w.add(node, NEA.programmeArea, iris.concept("programme-area", doc.programme_area))
            if doc.year is not None:
                w.add(node, NEA.coversYear, year(doc.year))
            self._prov(node, doc.span)

    # --- projects, commitments, events, plans --------------------------------------------------
    def _projects(self) -> None:
        w = self.w
        for mention in self.x.projects:
            node = iris.project(mention.project)
            for funder in mention.funders:
                agent = self._state(funder) if funder in self.curated.countries else iris.organization(funder)
                w.add(node, SCHEMA.funder, agent)
                grant = iris.funding(node, funder)
                w.node(grant, SCHEMA.MonetaryGrant, f"Funding of {mention.project} by {funder}")
                w.add(grant, SCHEMA.funder, agent)
                w.add(grant, SCHEMA.fundedItem, node)
                self._prov(grant, mention.span)
            for taxon in mention.taxa:
                w.add(node, NEA.targetsTaxon, iris.taxon(self.curated.by_key("taxa")[taxon]["scientific_name"]))
            if mention.status:
                w.add(node, NEA.statusText, Literal(mention.status))
            w.add(node, SCHEMA.subjectOf, iris.block(self.session, iris.span_key(mention.span), mention.span.section))
            self._prov(node, mention.span)

    def _warnings(self) -> None:
        """Data-quality warnings stay in the graph, attached to the part of the report they concern."""
        w, s = self.w, self.session
        for warning in self.x.warnings:
            node = iris.quality_issue(s, warning.code, warning.line, str(warning))
            w.node(node, (DQV.QualityAnnotation, OA.Annotation), f"Data-quality issue: {warning.code}")
            w.add(node, OA.motivatedBy, DQV.qualityAssessment)
            w.add(node, RDFS.comment, Literal(str(warning), lang="en"))
            w.add(node, NEA.warningCode, Literal(warning.code))
            w.add(node, OA.hasTarget, self._warning_target(warning.paragraph, warning.line))
            w.add(node, PROV.wasGeneratedBy, self.activity)

    def _warning_target(self, number: int | None, line: int | None) -> URIRef:
        """The paragraph a warning names (the one printed at its line when the number is repeated),
        else the section at its line."""
        if number in self.paragraph_numbers:
            same = [p for p in self.x.report.paragraphs if p.number == number]
            at_line = [p for p in same if line is not None and p.line <= line <= (p.end_line or p.line)]
            p = (at_line or same)[0]
            return iris.paragraph(self.session, iris.paragraph_key(number, p.occurrence))
        return self._section_at_line(line)

    def _section_at_line(self, line: int | None) -> URIRef:
        key = "front"
        for section in self.x.report.sections:
            if line is not None and section.line <= line:
                key = section.key
        return iris.section(self.session, key)


_ACCEPTING_VERBS = {"adopted", "approved", "endorsed"}


def _own_meeting_events(x: Extraction, curated: Curated) -> set[str]:
    """Event keys that name the report's own meeting: a report of another series names its meeting as
    the genre names events ("the seventh meeting of the Science and Policy Committee")."""
    front = x.report.front
    if front.series == "som":
        return set()
    pattern = curated.by_key("series")[front.series]["title_pattern"]
    # A numbered meeting by its number; a meeting its series does not number, where paragraph 1 names it.
    return {e.key for e in x.events if re.search(pattern, e.name, re.IGNORECASE) and (
        e.ordinal == front.session_number if front.session_number is not None else e.span.paragraph == 1)}


def build_report_graph(extraction: Extraction, curated: Curated) -> GraphWriter:
    return ReportGraph(extraction, curated).build()
