"""The ontology and the shapes, served at their own IRIs from ``ontology/*.ttl`` and
``shapes/*.ttl`` (rebased to the configured IRI base), as RDF and as HTML documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse

from neaspec_kg.namespaces import rebase

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KINDS = (
    ("Classes", (OWL + "Class", RDFS + "Class")),
    ("Object properties", (OWL + "ObjectProperty",)),
    ("Datatype properties", (OWL + "DatatypeProperty",)),
    ("Annotation properties", (OWL + "AnnotationProperty",)),
    ("Other properties", (RDF + "Property",)),
    ("Node shapes", (SH + "NodeShape",)),
    ("Property shapes", (SH + "PropertyShape",)),
)
DETAILS = (
    ("subclass of", RDFS + "subClassOf"),
    ("subproperty of", RDFS + "subPropertyOf"),
    ("domain", RDFS + "domain"),
    ("range", RDFS + "range"),
    ("equivalent to", OWL + "equivalentClass"),
    ("target class", SH + "targetClass"),
    ("path", SH + "path"),
    ("class", SH + "class"),
    ("datatype", SH + "datatype"),
    ("min count", SH + "minCount"),
    ("max count", SH + "maxCount"),
    ("pattern", SH + "pattern"),
    ("property", SH + "property"),
)


@dataclass
class Term:
    iri: str
    anchor: str
    label: str
    comment: str
    details: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)


@dataclass
class Vocabulary:
    iri: str
    title: str
    comment: str
    store: Store
    sections: list[tuple[str, list[Term]]]
    source_files: list[str]

    @property
    def triples(self) -> list:
        return [q.triple for q in self.store]


def load_vocabulary(iri: str, folder: Path, fallback: list[Quad] | None = None) -> Vocabulary | None:
    """Read ``folder/*.ttl``; when the folder is empty use ``fallback`` (the store's graph)."""
    store = Store()
    files = sorted(folder.glob("*.ttl"))  # none when the folder is missing
    for path in files:
        data = rebase(path.read_text(encoding="utf-8"))
        store.extend(parse(data, format=RdfFormat.TURTLE, base_iri=iri))
    if not files and fallback:
        store.extend(Quad(q.subject, q.predicate, q.object) for q in fallback)
    if len(store) == 0:
        return None
    label = lambda node: _label(store, node)
    subject = NamedNode(iri)
    sections = []
    seen: set[str] = set()
    for title, types in KINDS:
        terms = []
        for type_iri in types:
            for q in store.quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(type_iri), None):
                node = q.subject
                if not isinstance(node, NamedNode) or node.value in seen:
                    continue
                seen.add(node.value)
                terms.append(_term(store, node, iri, label))
        if terms:
            sections.append((title, sorted(terms, key=lambda t: t.label.lower())))
    return Vocabulary(
        iri=iri,
        title=label(subject) if _has(store, subject) else iri,
        comment=_first(store, subject, RDFS + "comment") or _first(store, subject, "http://purl.org/dc/terms/description"),
        store=store,
        sections=sections,
        source_files=[p.name for p in files],
    )


def _term(store: Store, node: NamedNode, doc_iri: str, label) -> Term:
    anchor = node.value.split("#", 1)[1] if node.value.startswith(doc_iri + "#") else node.value.rsplit("/", 1)[-1]
    details = []
    for name, predicate in DETAILS:
        values = []
        for q in store.quads_for_pattern(node, NamedNode(predicate), None, None):
            o = q.object
            if isinstance(o, NamedNode):
                href = "#" + o.value.split("#", 1)[1] if o.value.startswith(doc_iri + "#") else o.value
                values.append((label(o), href))
            elif isinstance(o, Literal):
                values.append((o.value, None))
            elif isinstance(o, BlankNode):
                path = _first(store, o, SH + "path")
                values.append((f"[{label(NamedNode(path)) if path else 'blank node'}]", None))
        if values:
            details.append((name, values))
    return Term(node.value, anchor, label(node), _first(store, node, RDFS + "comment") or _first(store, node, SH + "description"), details)


def _has(store: Store, node) -> bool:
    return any(True for _ in store.quads_for_pattern(node, None, None, None))


def _first(store: Store, node, predicate: str) -> str:
    best = ""
    for q in store.quads_for_pattern(node, NamedNode(predicate), None, None):
        value = q.object.value
        if isinstance(q.object, Literal) and q.object.language in ("en", None, ""):
            return value
        best = best or value
    return best


def _label(store: Store, node) -> str:
    for predicate in (RDFS + "label", SKOS + "prefLabel", SH + "name"):
        value = _first(store, node, predicate)
        if value:
            return value
    iri = getattr(node, "value", str(node))
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]
