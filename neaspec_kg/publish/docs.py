"""Documentation of the model for a release: the ontology and shapes as Turtle, IRI patterns, licences.

Their pages (docs/ontology.html, docs/shapes.html) are the server's /ontology and /shapes, made by
the static site (``site.write_model_pages``). The Turtle is written by rdflib, not by pyoxigraph,
which the pages read: pyoxigraph labels blank nodes at random (349 in the shapes), so the same
shapes would give other bytes in every release; rdflib writes them inline, the same each time."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from rdflib import Graph

from neaspec_kg.namespaces import bind_prefixes, rebase
from neaspec_kg.publish import names

TEMPLATES = Path(__file__).resolve().parent / "templates"


def templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def load_turtle_folder(folder: Path) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(data=rebase(path.read_text(encoding="utf-8")), format="turtle")
    return graph


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
    """Write docs/{iris,licences}.html and docs/{ontology,shapes}.ttl."""
    out = folder / names.DOCS
    out.mkdir(parents=True, exist_ok=True)
    env = templates()
    common = {"version": version, "root": "../"}
    ontology, shapes = load_turtle_folder(ontology_dir), load_turtle_folder(shapes_dir)
    (out / "ontology.ttl").write_bytes(ontology.serialize(format="turtle", encoding="utf-8"))
    (out / "shapes.ttl").write_bytes(shapes.serialize(format="turtle", encoding="utf-8"))
    (out / "iris.html").write_text(
        env.get_template("doc.html").render(title="IRI patterns", body=jinja2.utils.markupsafe.Markup(
            iri_patterns_html(readme)), **common), encoding="utf-8")
    (out / "licences.html").write_text(
        env.get_template("licences.html").render(title="Licences", kos_licence=kos_licence, **common),
        encoding="utf-8")
    return [f"{names.DOCS}/{n}" for n in ("ontology.ttl", "shapes.ttl", "iris.html", "licences.html")]
