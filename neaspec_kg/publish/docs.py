"""Documentation of the model for a release: ontology (pyLODE), shapes, IRI patterns, licences."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from neaspec_kg.namespaces import bind_prefixes, rebase
from neaspec_kg.publish import names

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class PropertyRow:
    path: str
    count: str
    value: str
    severity: str
    message: str


@dataclass(frozen=True)
class ShapeDoc:
    iri: str
    name: str
    anchor: str
    targets: list[str]
    description: str
    properties: list[PropertyRow]


def templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def load_turtle_folder(folder: Path) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(data=rebase(path.read_text(encoding="utf-8")), format="turtle")
    return graph


def ontology_html(ontology: Graph) -> str:
    """The ontology as HTML by pyLODE (OntPub profile): one self-contained page."""
    from pylode import OntPub

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))  # pyLODE logs at INFO
    return _sorted_schema_org(OntPub(ontology=ontology).make_html())


_SCHEMA_BLOCK = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.DOTALL)


def _sorted_schema_org(page: str) -> str:
    """pyLODE embeds schema.org JSON-LD whose node order follows a set (it changes with the
    hash seed); sorted here so that the same ontology gives the same bytes."""
    def sort(match: re.Match) -> str:
        data = json.loads(match.group(2))
        nodes = data if isinstance(data, list) else data.get("@graph")
        if isinstance(nodes, list):
            nodes.sort(key=lambda n: json.dumps(n, sort_keys=True))
        return match.group(1) + json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + match.group(3)

    return _SCHEMA_BLOCK.sub(sort, page)


def shape_docs(shapes: Graph) -> list[ShapeDoc]:
    docs = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = sorted(shapes.qname(t) for t in shapes.objects(shape, SH.targetClass))
        targets += sorted(f"subjects of {shapes.qname(t)}" for t in shapes.objects(shape, SH.targetSubjectsOf))
        targets += sorted(f"objects of {shapes.qname(t)}" for t in shapes.objects(shape, SH.targetObjectsOf))
        rows = [_property_row(shapes, p) for p in shapes.objects(shape, SH.property)]
        name = str(shape).rsplit("#", 1)[-1]
        docs.append(ShapeDoc(str(shape), name, re.sub(r"[^A-Za-z0-9_-]", "-", name), targets,
                             str(shapes.value(shape, SH.description) or shapes.value(shape, SH.message) or ""),
                             sorted(rows, key=lambda r: (r.path, r.message))))
    return docs


def _property_row(shapes: Graph, prop) -> PropertyRow:
    path = shapes.value(prop, SH.path)
    lo, hi = shapes.value(prop, SH.minCount), shapes.value(prop, SH.maxCount)
    count = f"{lo if lo is not None else 0}..{hi if hi is not None else '*'}"
    value = []
    for key in (SH.datatype, SH["class"], SH.nodeKind, SH.node, SH.pattern, SH["in"], SH.hasValue):
        for v in shapes.objects(prop, key):
            if key == SH["in"]:
                shown = ", ".join(shapes.qname(i) if isinstance(i, URIRef) else str(i) for i in Collection(shapes, v))
            else:
                shown = shapes.qname(v) if isinstance(v, URIRef) else str(v)
            value.append(f"{key.split('#')[-1]} {shown}")
    severity = shapes.value(prop, SH.severity)
    return PropertyRow(
        path=shapes.qname(path) if isinstance(path, URIRef) else "(path expression)",
        count=count, value="; ".join(sorted(value)),
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        message=str(shapes.value(prop, SH.message) or shapes.value(prop, SH.description) or ""),
    )


def iri_patterns_html(readme: Path) -> str:
    """The README's "IRI scheme" section (the documented patterns) as HTML."""
    import markdown

    text = readme.read_text(encoding="utf-8")
    match = re.search(r"^## IRI scheme\n(.*?)(?=^## )", text, flags=re.DOTALL | re.MULTILINE)
    if not match:
        raise ValueError(f"{readme}: no '## IRI scheme' section to publish")
    return markdown.markdown(rebase(match.group(1)), extensions=["tables"])


def write_docs(folder: Path, ontology_dir: Path, shapes_dir: Path, readme: Path, version: str,
               kos_licence: str) -> list[str]:
    """Write docs/{ontology,shapes,iris,licences}.html (+ the Turtle they describe)."""
    out = folder / names.DOCS
    out.mkdir(parents=True, exist_ok=True)
    env = templates()
    common = {"version": version, "root": "../"}
    ontology, shapes = load_turtle_folder(ontology_dir), load_turtle_folder(shapes_dir)
    (out / "ontology.ttl").write_bytes(ontology.serialize(format="turtle", encoding="utf-8"))
    (out / "shapes.ttl").write_bytes(shapes.serialize(format="turtle", encoding="utf-8"))
    (out / "ontology.html").write_text(ontology_html(ontology), encoding="utf-8")
    (out / "shapes.html").write_text(
        env.get_template("shapes.html").render(title="SHACL shapes", shapes=shape_docs(shapes), **common),
        encoding="utf-8")
    (out / "iris.html").write_text(
        env.get_template("doc.html").render(title="IRI patterns", body=jinja2.utils.markupsafe.Markup(
            iri_patterns_html(readme)), **common), encoding="utf-8")
    (out / "licences.html").write_text(
        env.get_template("licences.html").render(title="Licences", kos_licence=kos_licence, **common),
        encoding="utf-8")
    return [f"{names.DOCS}/{n}" for n in ("ontology.html", "ontology.ttl", "shapes.html", "shapes.ttl", "iris.html",
                                          "licences.html")]
