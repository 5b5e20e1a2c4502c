"""Linked Data: what the server says about one IRI of the graph, for HTML pages and RDF.

Look-ups are bounded pattern scans on the read-only store (no SPARQL, no timeout needed):
outgoing and incoming links, labels of neighbours, the source paragraph of extracted facts,
and links out of the dataset (Wikidata, GBIF, GeoNames, SDG).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SPATIAL = NamedNode("http://purl.org/dc/terms/spatial")
DERIVED_FROM = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
SCHEMA_TEXT = NamedNode("http://schema.org/text")
EXTERNAL_PREDICATES = {
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exact match",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close match",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "http://purl.org/dc/terms/subject": "subject",
}
# Kept in the RDF, left off the HTML page: curation notes, file paths and hashes of the build.
INTERNAL_PREDICATES = {
    "http://www.w3.org/2004/02/skos/core#note", "http://www.w3.org/2004/02/skos/core#editorialNote",
    "https://w3id.org/neaspec/ontology#sha256",
}
PATH_VALUED = {"http://purl.org/dc/terms/source", "http://www.w3.org/ns/prov#wasDerivedFrom"}
OA = "http://www.w3.org/ns/oa#"
HAS_BODY, HAS_SOURCE = NamedNode(OA + "hasBody"), NamedNode(OA + "hasSource")
HAS_SELECTOR, START, END = NamedNode(OA + "hasSelector"), NamedNode(OA + "start"), NamedNode(OA + "end")
MAX_OUT = 5000
MAX_IN = 1000
MAX_PARTS = 50  # parts of one resource described on its page (a span has 3)


@dataclass
class Link:
    predicate: str
    predicate_label: str
    term: object  # pyoxigraph term
    label: str
    href: str | None  # where a browser goes: a local path for our IRIs, the IRI otherwise
    graph: str | None
    lang: str | None = None  # the label's language when it is not English (the page's)


@dataclass
class Source:
    paragraph: str
    href: str | None
    label: str
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # what was read from it, as offsets

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, highlighted) at the quoted spans, for the page."""
        out, pos = [], 0
        for start, end in sorted(self.spans):
            if start < pos or end > len(self.text) or start >= end:
                continue
            out += [(self.text[pos:start], False), (self.text[start:end], True)]
            pos = end
        return out + [(self.text[pos:], False)]


@dataclass
class Resource:
    iri: str
    label: str
    label_lang: str | None = None  # the label's language when it is not English (the page's)
    types: list[Link] = field(default_factory=list)
    outgoing: list[Link] = field(default_factory=list)
    incoming: list[Link] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    external: list[Link] = field(default_factory=list)
    comment: str = ""
    text: str = ""
    truncated: bool = False
    quads: list[Quad] = field(default_factory=list)
    parts: list[Resource] = field(default_factory=list)  # its IRI with a fragment (#target, ...)


class LinkedData:
    lang = "en"

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

    def in_language(self, lang: str) -> LinkedData:
        """The same look-ups, labels in ``lang`` first (English, then any, as the fallback)."""
        other = copy.copy(self)
        other.lang = lang
        return other

    def label(self, term) -> str:
        return self.named(term)[0]

    def named(self, term) -> tuple[str, str | None]:
        """The label of ``term`` in the reader's language (English, then any, as the fallback),
        and that language when it is not English: the page is English, a name in another
        language is marked with its own."""
        if isinstance(term, Literal):
            return term.value, _other_than_english(term.language)
        if isinstance(term, BlankNode):
            return f"_:{term.value}", None
        found = self._labels(term)
        if self.lang not in found and self.lang != "en":
            # A State's names in other languages are the UN's, on the country it stands for.
            for quad in _take(self.store.quads_for_pattern(term, SPATIAL, None, None), 1):
                theirs = self._labels(quad.object)
                if self.lang in theirs:
                    found[self.lang] = theirs[self.lang]
        for lang in (self.lang, "en", ""):
            if lang in found:
                return found[lang], _other_than_english(lang)
        if found:
            lang, label = next(iter(found.items()))
            return label, _other_than_english(lang)
        return _short(term.value), None

    def _labels(self, term) -> dict[str, str]:
        """language -> label (rdfs:label before skos:prefLabel; "" for no language)."""
        found: dict[str, str] = {}
        for predicate in (RDFS_LABEL, SKOS_PREF):
            for quad in _take(self.store.quads_for_pattern(term, predicate, None, None), 50):
                if isinstance(quad.object, Literal):
                    found.setdefault(quad.object.language or "", quad.object.value)
        return found

    def _link(self, predicate: NamedNode, term, graph) -> Link:
        label, lang = self.named(term)
        return Link(
            predicate=predicate.value,
            predicate_label=self.predicate_label(predicate),
            term=term,
            label=label,
            href=self.href(term),
            graph=graph.value if isinstance(graph, NamedNode) else None,
            lang=lang,
        )

    def predicate_label(self, predicate: NamedNode) -> str:
        """The property's label, or its local name in words ("wasGeneratedBy": "was generated by")."""
        label = self.label(predicate)
        if label == _short(predicate.value):
            label = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", label).lower()
        return label

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
        label, label_lang = self.named(node)
        res = Resource(iri=iri, label=label, label_lang=label_lang,
                       truncated=len(out) >= MAX_OUT or len(inc) >= MAX_IN)
        res.quads = out + [q for q in inc if q.subject != node]
        seen: set[tuple] = set()
        for q in out:
            p, o = q.predicate, q.object
            if (p, o) in seen:  # the same statement in two named graphs: shown once
                continue
            seen.add((p, o))
            if p.value in INTERNAL_PREDICATES or (p.value in PATH_VALUED and isinstance(o, Literal)):
                continue
            if p == RDF_TYPE:
                res.types.append(self._link(p, o, q.graph_name))
            elif p == RDFS_COMMENT and isinstance(o, Literal):
                res.comment = res.comment or o.value
            elif p == SCHEMA_TEXT and isinstance(o, Literal):
                res.text = o.value
            elif p == DERIVED_FROM:
                res.sources.append(self._source(o, node))
            elif isinstance(o, NamedNode) and p.value in EXTERNAL_PREDICATES and not o.value.startswith(self.base):
                link = self._link(p, o, q.graph_name)
                link.predicate_label = EXTERNAL_PREDICATES[p.value]
                res.external.append(link)
            elif p != RDFS_LABEL:
                res.outgoing.append(self._link(p, o, q.graph_name))
        for q in inc:
            if (q.predicate, q.subject, "in") not in seen:
                seen.add((q.predicate, q.subject, "in"))
                res.incoming.append(self._link(q.predicate, q.subject, q.graph_name))
        res.outgoing.sort(key=self._order)
        res.incoming.sort(key=self._order)
        return res

    def describe_with_parts(self, iri: str) -> Resource | None:
        """``describe``, and the parts its links reach, described too: a hash IRI (a span's
        ``#target``, ``#quote``, ``#position``) is answered by the document of its base IRI, so
        that document (page and RDF) holds the part's statements and an anchor for it."""
        res = self.describe(iri)
        if res is None:
            return None
        node, seen = NamedNode(iri), {iri}

        def new_parts(links) -> list[NamedNode]:
            return [t for t in (link.term for link in links)
                    if isinstance(t, NamedNode) and t.value.startswith(iri + "#") and t.value not in seen]

        todo = new_parts(res.outgoing)
        while todo and len(res.parts) < MAX_PARTS:  # bounded: MAX_PARTS, and each part is taken once
            term = todo.pop(0)
            if term.value in seen:
                continue
            seen.add(term.value)
            part = self.describe(term.value)
            if part is not None:
                res.parts.append(part)
                # its own statements; one that links back to the resource is in res.quads already
                res.quads += [q for q in part.quads if q.subject == term and q.object != node]
                res.truncated = res.truncated or part.truncated
                todo += new_parts(part.outgoing)
        # parts past MAX_PARTS: the page says links are left off
        res.truncated = res.truncated or any(t.value not in seen for t in todo)
        return res

    def _order(self, link: Link) -> tuple:
        """By property, then numbers as numbers: our IRIs carry the numbers the sources give
        (agenda/1, agenda/1-a, agenda/2, ... para/10), other values sort by their label."""
        ours = isinstance(link.term, NamedNode) and link.term.value.startswith(self.base)
        return link.predicate_label.lower(), _natural(link.term.value if ours else link.label)

    def _source(self, paragraph, body) -> Source:
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
            spans=self._spans(paragraph, body),
        )

    def _spans(self, paragraph, body) -> list[tuple[int, int]]:
        """Offsets of the spans of ``paragraph`` that annotations with ``body`` quote (oa:TextPositionSelector)."""
        spans = set()
        for annotation in _take(self.store.quads_for_pattern(None, HAS_BODY, body, None), 50):
            for target in self.store.quads_for_pattern(annotation.subject, NamedNode(OA + "hasTarget"), None, None):
                if not any(True for _ in self.store.quads_for_pattern(target.object, HAS_SOURCE, paragraph, None)):
                    continue
                for selector in self.store.quads_for_pattern(target.object, HAS_SELECTOR, None, None):
                    start = next(iter(self.store.quads_for_pattern(selector.object, START, None, None)), None)
                    end = next(iter(self.store.quads_for_pattern(selector.object, END, None, None)), None)
                    if start is not None and end is not None:
                        spans.add((int(start.object.value), int(end.object.value)))
        return sorted(spans)

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


def _other_than_english(lang: str | None) -> str | None:
    return lang if lang and lang.split("-")[0].lower() != "en" else None


def _take(iterator, limit: int) -> list:
    items = []
    for item in iterator:
        items.append(item)
        if len(items) >= limit:
            break
    return items


def _natural(text: str) -> list:
    """Sort key in which numbers count as numbers: "para 2" before "para 10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _short(iri: str) -> str:
    for sep in ("#", "/"):
        head, _, tail = iri.rstrip("/").rpartition(sep)
        if head and tail:
            return tail
    return iri

