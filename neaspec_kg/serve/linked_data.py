"""Linked Data: what the server says about one IRI of the graph, for HTML pages and RDF.

Look-ups are bounded pattern scans on the read-only store (no SPARQL, no timeout needed):
outgoing and incoming links, labels of neighbours, the source paragraph of extracted facts,
and links out of the dataset (Wikidata, GBIF, GeoNames, SDG).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DERIVED_FROM = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
SCHEMA_TEXT = NamedNode("http://schema.org/text")
PARAGRAPH_NUMBER_LOCAL = "paragraphNumber"
EXTERNAL_PREDICATES = {
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exact match",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close match",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "http://purl.org/dc/terms/subject": "subject",
}
SDG_PREFIX = "http://metadata.un.org/sdg/"
MAX_OUT = 5000
MAX_IN = 1000


@dataclass
class Link:
    predicate: str
    predicate_label: str
    term: object  # pyoxigraph term
    label: str
    href: str | None  # where a browser goes: a local path for our IRIs, the IRI otherwise
    graph: str | None


@dataclass
class Source:
    paragraph: str
    href: str | None
    label: str
    text: str


@dataclass
class Resource:
    iri: str
    label: str
    types: list[Link] = field(default_factory=list)
    outgoing: list[Link] = field(default_factory=list)
    incoming: list[Link] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    external: list[Link] = field(default_factory=list)
    comment: str = ""
    text: str = ""
    truncated: bool = False
    quads: list[Quad] = field(default_factory=list)


class LinkedData:
    def __init__(self, store: Store, base: str):
        self.store = store
        self.base = base

    def local_path(self, iri: str) -> str | None:
        """``BASE + 'id/x'`` -> ``'/id/x'``; None for IRIs outside the dataset's base."""
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None

    def href(self, term) -> str | None:
        if isinstance(term, NamedNode):
            return self.local_path(term.value) or term.value
        return None

    def label(self, term) -> str:
        if isinstance(term, Literal):
            return term.value
        if isinstance(term, BlankNode):
            return f"_:{term.value}"
        best = None
        for predicate in (RDFS_LABEL, SKOS_PREF):
            for quad in self.store.quads_for_pattern(term, predicate, None, None):
                lit = quad.object
                if isinstance(lit, Literal):
                    if lit.language in ("en", None, ""):
                        return lit.value
                    best = best or lit.value
            if best:
                return best
        return _short(term.value)

    def _link(self, predicate: NamedNode, term, graph) -> Link:
        return Link(
            predicate=predicate.value,
            predicate_label=self.label(predicate),
            term=term,
            label=self.label(term),
            href=self.href(term),
            graph=graph.value if isinstance(graph, NamedNode) else None,
        )

    def exists(self, iri: str) -> bool:
        node = NamedNode(iri)
        return any(True for _ in self.store.quads_for_pattern(node, None, None, None)) or any(
            True for _ in self.store.quads_for_pattern(None, None, node, None)
        )

    def describe(self, iri: str) -> Resource | None:
        node = NamedNode(iri)
        out = _take(_in_named_graphs(self.store.quads_for_pattern(node, None, None, None)), MAX_OUT)
        inc = _take(_in_named_graphs(self.store.quads_for_pattern(None, None, node, None)), MAX_IN)
        if not out and not inc:
            return None
        res = Resource(iri=iri, label=self.label(node), truncated=len(out) >= MAX_OUT or len(inc) >= MAX_IN)
        res.quads = out + [q for q in inc if q.subject != node]
        for q in out:
            p, o = q.predicate, q.object
            if p == RDF_TYPE:
                res.types.append(self._link(p, o, q.graph_name))
            elif p == RDFS_COMMENT and isinstance(o, Literal):
                res.comment = res.comment or o.value
            elif p == SCHEMA_TEXT and isinstance(o, Literal):
                res.text = o.value
            elif p == DERIVED_FROM:
                res.sources.append(self._source(o))
            elif isinstance(o, NamedNode) and p.value in EXTERNAL_PREDICATES and not o.value.startswith(self.base):
                link = self._link(p, o, q.graph_name)
                link.predicate_label = EXTERNAL_PREDICATES[p.value]
                res.external.append(link)
            elif p != RDFS_LABEL:
                res.outgoing.append(self._link(p, o, q.graph_name))
        for q in inc:
            res.incoming.append(self._link(q.predicate, q.subject, q.graph_name))
        res.outgoing.sort(key=lambda link: (link.predicate_label.lower(), link.label.lower()))
        res.incoming.sort(key=lambda link: (link.predicate_label.lower(), link.label.lower()))
        return res

    def _source(self, paragraph) -> Source:
        text = ""
        if isinstance(paragraph, NamedNode):
            for quad in self.store.quads_for_pattern(paragraph, SCHEMA_TEXT, None, None):
                text = quad.object.value
                break
        return Source(
            paragraph=getattr(paragraph, "value", str(paragraph)),
            href=self.href(paragraph),
            label=self.label(paragraph),
            text=text,
        )

    def graph_quads(self, graph_iri: str, limit: int) -> list[Quad]:
        return _take(self.store.quads_for_pattern(None, None, None, NamedNode(graph_iri)), limit)


def _in_named_graphs(quads):
    """Skip the default graph: the build fills it with copies of the named graphs' triples
    (their union), and a page shows each statement with the named graph it comes from."""
    return (q for q in quads if not isinstance(q.graph_name, DefaultGraph))


def as_triples(quads: list[Quad]) -> list:
    """Distinct triples of ``quads`` (the same statement may sit in two graphs)."""
    seen = {}
    for q in quads:
        seen.setdefault((q.subject, q.predicate, q.object), q.triple)
    return list(seen.values())


def _take(iterator, limit: int) -> list:
    items = []
    for item in iterator:
        items.append(item)
        if len(items) >= limit:
            break
    return items


def _short(iri: str) -> str:
    for sep in ("#", "/"):
        head, _, tail = iri.rstrip("/").rpartition(sep)
        if head and tail:
            return tail
    return iri

