"""A thin writer over an rdflib Graph: typed nodes with labels, literals, provenance spans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from neaspec_kg import iris
from neaspec_kg.curated import Curated
from neaspec_kg.namespaces import GEOAREA, NEA, OA, SCHEMA, bind_prefixes
from neaspec_kg.records import SourceSpan

# Characters of context kept on each side of a quoted span (oa:prefix / oa:suffix).
CONTEXT_CHARS = 32


class GraphWriter:
    def __init__(self, identifier: URIRef):
        self.graph = Graph(identifier=identifier)
        bind_prefixes(self.graph)

    def add(self, s: URIRef, p: URIRef, o) -> None:
        if o is None:
            return
        self.graph.add((s, p, o if isinstance(o, (URIRef, Literal)) else lit(o)))

    def node(self, s: URIRef, types: tuple[URIRef, ...] | URIRef, label: str) -> URIRef:
        for t in (types,) if isinstance(types, URIRef) else types:
            self.graph.add((s, RDF.type, t))
        self.graph.add((s, RDFS.label, Literal(label, lang="en")))
        return s

    def text(self, s: URIRef, p: URIRef, value: str | None, lang: str | None = "en") -> None:
        if value:
            self.graph.add((s, p, Literal(value, lang=lang) if lang else Literal(value)))


def add_decision_core(w: GraphWriter, node: URIRef, d, meeting: URIRef) -> None:
    """What a decision read from a report and one read from public records both state: its verb,
    actor and object, its session, programme area, and the documents and projects acted on."""
    w.add(node, NEA.decisionVerb, iris.concept("decision-verb", d.verb))
    w.add(node, NEA.actorText, Literal(d.actor))
    w.add(node, NEA.objectText, Literal(d.object_text))
    w.add(node, PROV.wasGeneratedBy, meeting)
    if d.programme_area:
        w.add(node, NEA.programmeArea, iris.concept("programme-area", d.programme_area))
    for key in d.documents:
        w.add(node, NEA.decisionObject, iris.document(key))
    for key in d.projects:
        w.add(node, NEA.decisionObject, iris.project(key))


def add_addressee(w: GraphWriter, curated, node: URIRef, addressee: str | None, secretariat: str | None = None) -> None:
    """Whom a decision addresses: the secretariat, a State, a known organization, or the words."""
    if not addressee:
        return
    if addressee == "secretariat" and secretariat:
        w.add(node, NEA.addressee, iris.organization(secretariat))
    elif addressee in curated.countries:
        w.add(node, NEA.addressee, iris.state(curated.country_iso2(addressee)))
    elif addressee in curated.by_key("organizations"):
        w.add(node, NEA.addressee, iris.organization(addressee))
    else:
        w.add(node, NEA.addresseeText, Literal(addressee))


def lit(value) -> Literal:
    """Python value -> typed literal (dates as xsd:date, Decimal as xsd:decimal)."""
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, Decimal):
        return Literal(value, datatype=XSD.decimal)
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    return Literal(str(value))


def year(value: int | None) -> Literal | None:
    return None if value is None else Literal(f"{value:04d}", datatype=XSD.gYear)


def add_provenance(w: GraphWriter, node: URIRef, span: SourceSpan, session: int, block_text: str,
                   extraction: URIRef) -> None:
    """prov:wasDerivedFrom the paragraph, and an oa:Annotation quoting the exact span.

    Selector nodes get IRIs under the span IRI (no blank nodes: dumps stay byte-stable).
    """
    key = iris.span_key(span)
    source = iris.block(session, key, span.section)
    w.add(node, PROV.wasDerivedFrom, source)
    annotation = iris.span_of(session, key, span.section, span.start, span.end)
    if (annotation, RDF.type, OA.Annotation) not in w.graph:
        where = f"paragraph {span.paragraph}" if span.paragraph is not None else f"section {span.section}"
        w.node(annotation, OA.Annotation, f"SOM-{session} report, {where}, characters {span.start}-{span.end}")
        w.add(annotation, OA.motivatedBy, OA.identifying)
        w.add(annotation, PROV.wasGeneratedBy, extraction)
        target = iris.selector(annotation, "target")
        quote = iris.selector(annotation, "quote")
        position = iris.selector(annotation, "position")
        w.add(annotation, OA.hasTarget, target)
        w.graph.add((target, RDF.type, OA.SpecificResource))
        w.add(target, OA.hasSource, source)
        w.add(target, OA.hasSelector, quote)
        w.add(target, OA.hasSelector, position)
        w.graph.add((quote, RDF.type, OA.TextQuoteSelector))
        w.add(quote, OA.exact, Literal(span.exact))
        w.add(quote, OA.prefix, Literal(block_text[max(0, span.start - CONTEXT_CHARS):span.start]))
        w.add(quote, OA.suffix, Literal(block_text[span.end:span.end + CONTEXT_CHARS]))
        w.graph.add((position, RDF.type, OA.TextPositionSelector))
        w.add(position, OA.start, lit(span.start))
        w.add(position, OA.end, lit(span.end))
    w.add(annotation, OA.hasBody, node)


def source_literal(w: GraphWriter, node: URIRef, source: str) -> None:
    """A curated row's source column, kept as dct:source (IRIs where the cell holds URLs)."""
    for part in [p.strip() for p in source.split(" ; ")] if source else []:
        if part.startswith(("http://", "https://")) and " " not in part:
            w.add(node, DCTERMS.source, URIRef(part))
        elif part:
            w.add(node, DCTERMS.source, Literal(part))


def nea(term: str) -> URIRef:
    return NEA[term]


def shorten(text: str, limit: int = 90) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters (labels cite long texts)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def add_location(w: GraphWriter, node: URIRef, place: str | None, country: str | None, curated: Curated) -> None:
    """Where an event is held: its place (a schema:Place, within ``country`` as the UN names it by its
    M49 code) or, where the text names no place, the country itself."""
    m49 = curated.countries[country]["un_m49"] if country else None
    if place:
        where = iris.place(place)
        w.node(where, SCHEMA.Place, place)
        if m49:
            w.add(where, SCHEMA.containedInPlace, GEOAREA[m49])
        w.add(node, SCHEMA.location, where)
    elif m49:
        w.add(node, SCHEMA.location, GEOAREA[m49])
