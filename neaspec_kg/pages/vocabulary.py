"""The ontology and the shapes as documents, for the server (/ontology, /shapes) and the static
site of a release (docs/ontology.html, docs/shapes.html): one reading of ``ontology/*.ttl`` and
``shapes/*.ttl`` (rebased to the configured IRI base), so both show the same pages, and the
fragment of a term's IRI (``ontology#Meeting``) is the anchor of its entry on both.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse

from neaspec_kg.namespaces import PREFIX_IRIS, rebase

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
KINDS = (
    ("Classes", (OWL + "Class", RDFS + "Class")),
    ("Object properties", (OWL + "ObjectProperty",)),
    ("Datatype properties", (OWL + "DatatypeProperty",)),
    ("Annotation properties", (OWL + "AnnotationProperty",)),
    ("Other properties", (RDF + "Property",)),
    ("Datatypes", (RDFS + "Datatype",)),
)
DETAILS = (
    ("subclass of", RDFS + "subClassOf"),
    ("subproperty of", RDFS + "subPropertyOf"),
    ("domain", RDFS + "domain"),
    ("range", RDFS + "range"),
    ("equivalent to", OWL + "equivalentClass"),
    ("inverse of", OWL + "inverseOf"),
)
USED_BY = (("domain of", RDFS + "domain"), ("range of", RDFS + "range"), ("superclass of", RDFS + "subClassOf"))
ABOUT = (  # the document's own statements shown under its title: (name, predicate, shown as a link)
    ("version", OWL + "versionInfo", False),
    ("version IRI", OWL + "versionIRI", False),
    ("created", DCT + "created", False),
    ("creator", DCT + "creator", False),
    ("licence", DCT + "license", True),
    ("see also", RDFS + "seeAlso", True),
)
TARGETS = ((SH + "targetClass", "{}"), (SH + "targetSubjectsOf", "subjects of {}"),
           (SH + "targetObjectsOf", "objects of {}"))
# the constraints a shapes page shows, as "name value"; lists (in, languageIn, or) are read whole
CONSTRAINTS = ("datatype", "class", "nodeKind", "node", "pattern", "in", "hasValue", "minInclusive", "maxInclusive",
               "minExclusive", "maxExclusive", "minLength", "maxLength", "languageIn", "uniqueLang", "equals",
               "disjoint", "lessThan", "or", "qualifiedValueShape")
LISTS = {"in": ", ", "languageIn": ", ", "or": " | "}
PATH_SUFFIX = (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?"))


@dataclass
class Term:
    iri: str
    anchor: str
    label: str
    comment: str
    details: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)


@dataclass(frozen=True)
class PropertyRow:
    path: str
    count: str
    value: str
    severity: str
    message: str
    anchor: str = ""  # the fragment of the property shape's (or SPARQL check's) IRI, on its first row
    query: str = ""  # a SPARQL check's query


@dataclass(frozen=True)
class ShapeDoc:
    iri: str
    name: str
    anchor: str
    targets: list[str]
    description: str
    properties: list[PropertyRow]


@dataclass
class Vocabulary:
    iri: str
    store: Store

    @property
    def triples(self) -> list:
        return [q.triple for q in self.store]

    @property
    def title(self) -> str:
        subject = NamedNode(self.iri)
        return self.label(subject) if any(True for _ in self.store.quads_for_pattern(subject, None, None)) else self.iri

    @property
    def comment(self) -> str:
        subject = NamedNode(self.iri)
        return self.first(subject, RDFS + "comment") or self.first(subject, DCT + "description")

    @property
    def about(self) -> list[tuple[str, list[tuple[str, str | None]]]]:
        """Version, licence, creator ... of the document: (name, [(text, href or None)])."""
        base = self.iri.rsplit("/", 1)[0] + "/"
        found = []
        for name, predicate, linked in ABOUT:
            values = [(o.value, ("/" + o.value[len(base):] if o.value.startswith(base) else o.value)
                       if linked and isinstance(o, NamedNode) else None)
                      for o in self.objects(NamedNode(self.iri), predicate)]
            if values:
                found.append((name, sorted(values)))
        return found

    @cached_property
    def sections(self) -> list[tuple[str, list[Term]]]:
        """The ontology's terms by kind, each kind sorted by label."""
        sections, seen = [], set()
        for title, types in KINDS:
            terms = []
            for type_iri in types:
                for node in self._typed(type_iri):
                    if node.value not in seen:
                        seen.add(node.value)
                        terms.append(self._term(node))
            if terms:
                sections.append((title, sorted(terms, key=lambda t: t.label.lower())))
        return sections

    @cached_property
    def shapes(self) -> list[ShapeDoc]:
        """The node shapes, each with its property shapes and SPARQL checks as rows (path, count,
        value, severity, message). A named row has its IRI's fragment as anchor, on the first row
        that shows it (a property shape may belong to many node shapes)."""
        docs, anchored = [], {""}
        for shape in sorted(self._typed(SH + "NodeShape"), key=lambda n: n.value):
            targets = sorted(form.format(self.qname(o)) for predicate, form in TARGETS
                             for o in self.objects(shape, predicate))
            targets += ["the nodes its SPARQL target selects"] * bool(self.objects(shape, SH + "target"))
            rows = [self._property_row(p) for p in self.objects(shape, SH + "property")]
            rows += [self._sparql_row(c, shape) for c in self.objects(shape, SH + "sparql")]
            if own := self.constraints(shape):  # on the node itself: sh:or, sh:class ... of the shape
                rows.append(PropertyRow("(the node itself)", "", "; ".join(own), self._severity(shape), ""))
            rows = [r if r.anchor not in anchored else replace(r, anchor="")
                    for r in sorted(rows, key=lambda r: (r.path, r.message))]
            anchored.update(r.anchor for r in rows)
            name = shape.value.rsplit("#", 1)[-1]
            docs.append(ShapeDoc(shape.value, name, re.sub(r"[^A-Za-z0-9_-]", "-", name), targets,
                                 self._description(shape), rows))
        return docs

    def _typed(self, type_iri: str) -> list[NamedNode]:
        found = self.store.quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(type_iri), None)
        return [q.subject for q in found if isinstance(q.subject, NamedNode)]

    def _term(self, node: NamedNode) -> Term:
        details = []
        for name, predicate in DETAILS:
            values = [(self.label(o), self._href(o)) if isinstance(o, NamedNode) else (o.value, None)
                      for o in self.objects(node, predicate) if isinstance(o, (NamedNode, Literal))]
            if values:
                details.append((name, values))
        for name, predicate in USED_BY:  # the terms that point here: a class's properties and subclasses
            found = self.store.quads_for_pattern(None, NamedNode(predicate), node, None)
            values = sorted((self.label(q.subject), self._href(q.subject)) for q in found
                            if isinstance(q.subject, NamedNode))
            if values:
                details.append((name, values))
        anchor = self._anchor(node) or node.value.rsplit("/", 1)[-1]
        definition = self.first(node, SKOS + "definition") or self.first(node, RDFS + "comment")
        return Term(node.value, anchor, self.label(node), definition, details)

    def _href(self, node: NamedNode) -> str:
        """An in-page anchor for a term of this document, its IRI for any other."""
        return "#" + node.value.split("#", 1)[1] if node.value.startswith(self.iri + "#") else node.value

    def _property_row(self, prop) -> PropertyRow:
        path = next(iter(self.objects(prop, SH + "path")), None)
        lo, hi = self.first(prop, SH + "minCount"), self.first(prop, SH + "maxCount")
        return PropertyRow(
            path=self.path(path) if path is not None else "(the node itself)",
            count=f"{lo or 0}..{hi or '*'}", value="; ".join(self.constraints(prop)), severity=self._severity(prop),
            message=self.first(prop, SH + "message") or self.first(prop, SH + "description"),
            anchor=self._anchor(prop),
        )

    def _sparql_row(self, check, shape) -> PropertyRow:
        """A SPARQL constraint of ``shape``: its results have the shape's severity."""
        return PropertyRow(path="(SPARQL check)", count="", value="SPARQL query", severity=self._severity(shape),
                           message=self.first(check, SH + "message") or self.first(check, SH + "description"),
                           anchor=self._anchor(check), query=textwrap.dedent(self.first(check, SH + "select")).strip())

    def _severity(self, shape) -> str:
        severity = self.first(shape, SH + "severity")
        return severity.rsplit("#", 1)[-1] if severity else "Violation"

    def _description(self, shape) -> str:
        for predicate in (SH + "description", RDFS + "comment", SH + "message", RDFS + "label"):
            if value := self.first(shape, predicate):
                return value
        return ""

    def constraints(self, node, depth: int = 0) -> list[str]:
        """The constraints of a shape as "name value", sorted: ``class nea:Meeting``, ``or (datatype
        xsd:date | datatype xsd:gYear)``, ``qualifiedValueShape (class oa:TextQuoteSelector) 1..1``."""
        shown = []
        for key in CONSTRAINTS:
            for v in self.objects(node, SH + key):
                if key in LISTS:
                    items = [self._member(i, depth) if key == "or" else self.qname(i) for i in self._list(v)]
                    shown.append(f"{key} ({LISTS[key].join(items)})")
                elif key == "qualifiedValueShape":
                    lo, hi = self.first(node, SH + "qualifiedMinCount"), self.first(node, SH + "qualifiedMaxCount")
                    shown.append(f"{key} ({self._member(v, depth)}) {lo or 0}..{hi or '*'}")
                else:
                    shown.append(f"{key} {self.qname(v)}")
        return sorted(shown)

    def _member(self, shape, depth: int) -> str:
        """A shape inside ``or`` or a qualified value shape: its path, counts and constraints."""
        if isinstance(shape, NamedNode) or depth >= 5:  # a named shape has its own entry; bounded nesting
            return self.qname(shape)
        parts = self.constraints(shape, depth + 1)
        path = next(iter(self.objects(shape, SH + "path")), None)
        if path is not None:
            lo, hi = self.first(shape, SH + "minCount"), self.first(shape, SH + "maxCount")
            parts.insert(0, f"{self.path(path)} {lo or 0}..{hi or '*'}")
        return "; ".join(parts)

    def path(self, node, depth: int = 0) -> str:
        """A SHACL property path in SPARQL's syntax: ``nea:considered``, ``^nea:considered``,
        ``(dct:source | prov:wasDerivedFrom)``, ``a/b``, ``a*``."""
        if isinstance(node, NamedNode) or depth >= 10:
            return self.qname(node)
        if inverse := self.objects(node, SH + "inversePath"):
            return "^" + self.path(inverse[0], depth + 1)
        if alternatives := self.objects(node, SH + "alternativePath"):
            return "(" + " | ".join(self.path(a, depth + 1) for a in self._list(alternatives[0])) + ")"
        for key, suffix in PATH_SUFFIX:
            if inner := self.objects(node, SH + key):
                return self.path(inner[0], depth + 1) + suffix
        return "/".join(self.path(step, depth + 1) for step in self._list(node)) or "(path expression)"

    def _anchor(self, node) -> str:
        """The fragment of a node of this document (``shapes#Meeting-label``), else ""."""
        return self._href(node)[1:] if isinstance(node, NamedNode) and self._href(node).startswith("#") else ""

    def _list(self, node) -> list:
        items = []
        for _ in range(10_000):  # an RDF list; bounded against a cycle
            if not isinstance(node, BlankNode):
                break
            items += self.objects(node, RDF + "first")
            node = next(iter(self.objects(node, RDF + "rest")), None)
        return items

    def objects(self, node, predicate: str) -> list:
        return [q.object for q in self.store.quads_for_pattern(node, NamedNode(predicate), None, None)]

    def first(self, node, predicate: str) -> str:
        """The English (or untagged) value, else any value, else ""."""
        best = ""
        for o in self.objects(node, predicate):
            if isinstance(o, Literal) and o.language in ("en", None, ""):
                return o.value
            best = best or o.value
        return best

    def label(self, node) -> str:
        for predicate in (RDFS + "label", SKOS + "prefLabel", SH + "name", DCT + "title"):
            if value := self.first(node, predicate):
                return value
        iri = getattr(node, "value", str(node))
        return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]

    def qname(self, term) -> str:
        """A prefixed name: the project's prefixes, and this document's own terms by its name
        (``shapes:FactSourceNode``, as validation findings give them); else ``<IRI>``."""
        if isinstance(term, NamedNode):
            own = (self.iri.rstrip("/").rsplit("/", 1)[-1], self.iri + "#")
            for prefix, ns in (*PREFIX_IRIS.items(), own):
                if term.value.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", term.value[len(ns):]):
                    return f"{prefix}:{term.value[len(ns):]}"
        return str(term) if not isinstance(term, Literal) else term.value


def load_vocabulary(iri: str, folder: Path, fallback: list[Quad] | None = None) -> Vocabulary | None:
    """Read ``folder/*.ttl``; when the folder is empty use ``fallback`` (the store's graph)."""
    store = Store()
    files = sorted(folder.glob("*.ttl"))  # none when the folder is missing
    for path in files:
        store.extend(parse(rebase(path.read_text(encoding="utf-8")), format=RdfFormat.TURTLE, base_iri=iri))
    if not files and fallback:
        store.extend(Quad(q.subject, q.predicate, q.object) for q in fallback)
    return Vocabulary(iri, store) if len(store) else None
