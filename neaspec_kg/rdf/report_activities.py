"""What a report says the States and the programme do: commitments and the progress reported on them,
related events, plans for the next sessions and the sessions a paragraph names.

``ActivitiesGraph`` is part of :class:`neaspec_kg.rdf.report.ReportGraph`, whose state it uses: the
writer ``w``, the report's ``session``, ``name`` and ``meeting``, ``curated``, ``own_meeting_events``,
and its ``_state``, ``_prov`` and ``_where``.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from neaspec_kg import iris
from neaspec_kg.namespaces import NEA, SCHEMA
from neaspec_kg.rdf.common import add_location, lit, shorten, year
from neaspec_kg.records import Commitment, EventMention, Quantity

# How the genre links events ("during", "in conjunction with", "back-to-back with"): schema.org's own
# part-of relation where one event is held within another, the ontology's symmetric relations otherwise.
_EVENT_LINKS = {"during": SCHEMA.superEvent, "in-conjunction-with": NEA.heldInConjunctionWith,
                "back-to-back": NEA.heldBackToBackWith}
_BOUNDS = {"over": SCHEMA.minValue, "more than": SCHEMA.minValue, "above": SCHEMA.minValue,
           "at least": SCHEMA.minValue, "up to": SCHEMA.maxValue, "less than": SCHEMA.maxValue,
           "under": SCHEMA.maxValue}


class ActivitiesGraph:
    """Commitments, progress, events, plans and session mentions of one report's graph."""

    def _commitments(self) -> None:
        targets: dict[tuple[str, str], URIRef] = {}
        for c in self.x.commitments:
            if c.kind != "achieved":
                targets.setdefault((c.actor, c.measure), self._commitment(c))
        for c in self.x.commitments:
            if c.kind == "achieved":
                self._progress(c, targets.get((c.actor, c.measure)))

    def _commitment_common(self, node: URIRef, c: Commitment, value_property: URIRef) -> None:
        w = self.w
        w.add(node, NEA.committedBy, self._state(c.actor))
        w.add(node, NEA.commitmentKind, iris.concept("commitment-kind", c.kind))
        w.add(node, NEA.measure, iris.concept("measure", c.measure))
        w.add(node, NEA.reportedAt, self.meeting)
        w.add(node, SCHEMA.description, Literal(c.description))
        w.add(node, NEA.baselineYear, year(c.baseline_year))
        w.add(node, NEA.recipient, Literal(c.recipient) if c.recipient else None)
        if c.quantity is not None:
            w.add(node, value_property, self._quantity(iris.quantity(node), c.quantity))
        if c.baseline is not None:
            w.add(node, NEA.baselineValue, self._quantity(iris.baseline_quantity(node), c.baseline))
        self._prov(node, c.span)

    def _quantity(self, q: URIRef, quantity: Quantity) -> URIRef:
        w = self.w
        units = self.curated.by_key("units")[quantity.unit]
        w.node(q, SCHEMA.QuantitativeValue, f"{quantity.qualifier} {quantity.text}" if quantity.qualifier
               else quantity.text)
        w.add(q, SCHEMA.value, lit(quantity.value))
        # "over 110 bays": the number is a bound, said as schema.org says bounds.
        bound = _BOUNDS.get(quantity.qualifier or "")
        w.add(q, bound, lit(quantity.value) if bound else None)
        w.add(q, SCHEMA.unitText, Literal(units["label"]))
        w.add(q, SCHEMA.unitCode, URIRef(units["qudt_unit"]) if units["qudt_unit"] else None)
        return q

    def _commitment(self, c: Commitment) -> URIRef:
        node = iris.commitment(self.session, iris.span_key(c.span) or 0, c.ordinal)
        self.w.node(node, NEA.Commitment, f"{c.actor}: {shorten(c.description)} ({self.name})")
        self._commitment_common(node, c, NEA.targetValue)
        self.w.add(node, NEA.targetYear, year(c.target_year))
        return node

    def _progress(self, c: Commitment, target: URIRef | None) -> None:
        node = iris.progress(self.session, iris.span_key(c.span) or 0, c.ordinal)
        self.w.node(node, NEA.Progress, f"{c.actor} reported: {shorten(c.description)} ({self.name})")
        self._commitment_common(node, c, NEA.achievedValue)
        self.w.add(node, NEA.referenceYear, year(c.reference_year))
        self.w.add(node, NEA.targetYear, year(c.target_year))  # the year of the goal a count refers to
        self.w.add(node, NEA.progressOf, target)

    def _events(self) -> None:
        for e in self.x.events:
            if e.key in self.own_meeting_events:
                self._own_meeting_links(e)
            else:
                self._event(e)

    def _event_node(self, key: str) -> URIRef:
        return self.meeting if key in self.own_meeting_events else iris.event(key)

    def _own_meeting_links(self, e: EventMention) -> None:
        """The report's own meeting named as an event ("The seventh meeting of the Science and Policy
        Committee ... was held ... in conjunction with the Second NEACAP Policy Dialogue"): its links
        are the meeting's."""
        if e.link is not None:
            other = self._event_node(e.linked_event) if e.linked_event else iris.meeting(e.linked_session)
            self.w.add(self.meeting, _EVENT_LINKS[e.link], other)

    def _event(self, e: EventMention) -> None:
        w = self.w
        node = iris.event(e.key)
        if (node, RDF.type, NEA.RelatedEvent) not in w.graph:
            w.node(node, (NEA.RelatedEvent, SCHEMA.Event), e.name)
            w.add(node, SCHEMA.name, Literal(e.name))
            w.add(node, SCHEMA.additionalType, iris.concept("event-kind", e.kind))
        else:
            w.add(node, SCHEMA.alternateName, Literal(e.name))
        w.add(node, NEA.ordinalNumber, lit(e.ordinal) if e.ordinal is not None else None)
        w.add(node, SCHEMA.startDate, lit(e.start_date) if e.start_date else None)
        w.add(node, SCHEMA.endDate, lit(e.end_date) if e.end_date else None)
        w.add(node, NEA.period, Literal(e.period) if e.period else None)
        if e.status in ("planned", "proposed"):
            w.add(node, SCHEMA.eventStatus, SCHEMA.EventScheduled)
        if e.year is not None and e.start_date is None:
            w.add(node, DCTERMS.date, year(e.year))  # the year the text gives ("in 2025", "earlier this year")
        if e.link is not None:
            other = self._event_node(e.linked_event) if e.linked_event else iris.meeting(e.linked_session)
            w.add(node, _EVENT_LINKS[e.link], other)
        w.add(node, NEA.planningStatus, Literal(e.status))
        add_location(w, node, e.place, e.country, self.curated)
        for organizer in e.organizers:
            agent = self._state(organizer) if organizer in self.curated.countries else iris.organization(organizer)
            w.add(node, SCHEMA.organizer, agent)
        if e.programme_area:
            w.add(node, NEA.programmeArea, iris.concept("programme-area", e.programme_area))
        if e.project:
            w.add(node, NEA.underProject, iris.project(e.project))
        w.add(node, NEA.reportedAt, self.meeting)
        self._prov(node, e.span)

    def _plans(self) -> None:
        w = self.w
        for plan in self.x.plans:
            node = iris.plan(self.session, iris.span_key(plan.span), plan.span.section)
            w.node(node, NEA.SessionPlan, f"Plan for SOM-{plan.session} read at {self.name} ({self._where(plan.span)})")
            w.add(node, NEA.plannedEvent, iris.meeting(plan.session))
            if plan.host:
                w.add(node, NEA.tentativeHost, self._state(plan.host))
            w.add(node, NEA.tentativeTiming, Literal(plan.timing) if plan.timing else None)
            w.add(node, NEA.venueText, Literal(plan.venue) if plan.venue else None)
            w.add(node, NEA.reportedAt, self.meeting)
            self._prov(node, plan.span)

    def _session_mentions(self) -> None:
        """A paragraph naming a session links to that session's series entry (one IRI)."""
        for mention in self.x.sessions:
            self.w.add(iris.block(self.session, iris.span_key(mention.span), mention.span.section),
                       SCHEMA.mentions, iris.meeting(mention.session))
