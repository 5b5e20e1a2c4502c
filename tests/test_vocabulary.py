"""The ontology and shapes documents (pages.vocabulary) as the release writes them
(docs/ontology.html, docs/shapes.html) from the repository's ontology/*.ttl and shapes/*.ttl."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import jinja2
import pytest
from pyoxigraph import NamedNode

from neaspec_kg.namespaces import BASE
from neaspec_kg.pages.vocabulary import load_vocabulary
from neaspec_kg.publish.site import SERVE, load_model, write_model_pages

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([SERVE / "templates"]), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(base=BASE, site=True)
    write_model_pages(env, folder, load_model(ROOT / "ontology", ROOT / "shapes"), lambda text, _path: text)
    return folder / "docs"


@pytest.mark.parametrize("kind", ["ontology", "shapes"])
def test_every_iri_of_the_document_lands_on_its_entry(docs, kind):
    """A link to ``ontology#Meeting``, ``shapes#MeetingShape``, ``shapes#Meeting-label`` (a property
    shape, as validation findings name it) or ``shapes#Meeting-uniqueNumber`` (a SPARQL check)
    lands on an element of the page, and so does every in-page link; no id is given twice."""
    page = (docs / f"{kind}.html").read_text(encoding="utf-8")
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert sorted(set(re.findall(r'href="#([^"]+)"', page)) - set(ids)) == []  # in-page links land too
    vocab = load_vocabulary(BASE + kind, ROOT / kind)
    fragments = {q.subject.value.split("#", 1)[1] for q in vocab.store
                 if isinstance(q.subject, NamedNode) and q.subject.value.startswith(vocab.iri + "#")}
    assert len(fragments) > 90
    assert sorted(fragments - set(ids)) == []


def test_shapes_are_named_as_validation_names_them():
    """A value naming another shape reads ``node shapes:FactSourceNode``, not the IRI in brackets."""
    vocab = load_vocabulary(BASE + "shapes", ROOT / "shapes")
    values = [row.value for shape in vocab.shapes for row in shape.properties]
    assert "node shapes:ReportBlockNode" in values
    assert [v for v in values if f"<{BASE}shapes#" in v] == []


def test_the_ontology_page_says_what_the_ontology_says_of_itself(docs):
    """Its title (dct:title), version and licence, as pyLODE showed them; a property's inverse."""
    page = (docs / "ontology.html").read_text(encoding="utf-8")
    assert "<h1>NEASPEC ontology</h1>" in page
    assert "<dt>version</dt><dd>0.1.0</dd>" in page
    assert '<a href="https://creativecommons.org/licenses/by/4.0/">' in page
    next_session = re.search(r'<article class="term" id="nextSession">.*?</article>', page, re.S).group(0)
    assert '<dt>inverse of</dt><dd><a href="#previousSession">' in next_session


SHAPES_TTL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix nea: <https://w3id.org/neaspec/ontology#> .
@prefix shapes: <https://w3id.org/neaspec/shapes#> .
shapes:ThingShape a sh:NodeShape ; sh:targetClass nea:Thing ; sh:sparql shapes:Thing-check ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this nea:p ?x }" ] ;
    sh:or ( [ sh:class nea:A ] [ sh:path nea:b ; sh:minCount 1 ] ) ;
    sh:property [ sh:path [ sh:inversePath [ sh:alternativePath ( nea:p nea:q ) ] ] ; sh:maxCount 1 ] ,
        [ sh:path ( nea:p [ sh:zeroOrMorePath nea:q ] ) ; sh:datatype xsd:integer ; sh:minInclusive 1 ] ,
        [ sh:path nea:sel ; sh:qualifiedValueShape [ sh:class nea:Quote ] ; sh:qualifiedMinCount 1 ] ,
        [ sh:path nea:label ; sh:uniqueLang true ; sh:languageIn ( "en" "zh" ) ] .
shapes:Thing-check a sh:SPARQLConstraint ; sh:message "A thing has no <q> and no loop." ;
    sh:select "SELECT $this WHERE { $this nea:p $this }" .
"""


def test_the_shapes_page_writes_paths_and_constraints_out(tmp_path):
    """Paths in SPARQL's syntax (no "(path expression)"), and the constraints a reader needs to know
    what a valid record is: ranges, qualified shapes, language rules, and ``sh:or`` on the node."""
    (tmp_path / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    (shape,) = load_vocabulary(BASE + "shapes", tmp_path).shapes
    assert shape.targets == ["nea:Thing", "the nodes its SPARQL target selects"]
    rows = {row.path: (row.count, row.value) for row in shape.properties}
    assert rows == {
        "^(nea:p | nea:q)": ("0..1", ""),
        "nea:p/nea:q*": ("0..*", "datatype xsd:integer; minInclusive 1"),
        "nea:sel": ("0..*", "qualifiedValueShape (class nea:Quote) 1..*"),
        "nea:label": ("0..*", "languageIn (en, zh); uniqueLang true"),
        "(the node itself)": ("", "or (class nea:A | nea:b 1..*)"),
        "(SPARQL check)": ("", "SPARQL query"),
    }
    (check,) = [row for row in shape.properties if row.anchor == "Thing-check"]
    assert check.query == "SELECT $this WHERE { $this nea:p $this }"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([SERVE / "templates"]), autoescape=True)
    page = env.get_template("shapes.html").render(vocab=load_vocabulary(BASE + "shapes", tmp_path), downloads=[])
    assert '<pre class="query">SELECT $this WHERE { $this nea:p $this }</pre>' in page
    assert "A thing has no &lt;q&gt; and no loop." in page  # messages are escaped


def test_a_class_lists_the_properties_that_use_it(docs):
    """As pyLODE did: a class's entry says which properties have it as domain or range."""
    page = (docs / "ontology.html").read_text(encoding="utf-8")
    meeting = re.search(r'<article class="term" id="Meeting">.*?</article>', page, re.S).group(0)
    assert re.search(r'<dt>domain of</dt><dd>.*<a href="#sessionNumber">', meeting)
    assert re.search(r'<dt>range of</dt><dd>.*<a href="#previousSession">', meeting)
