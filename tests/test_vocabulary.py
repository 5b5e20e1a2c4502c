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
from neaspec_kg.publish.site import SERVE, write_model_pages

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([SERVE / "templates"]), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(base=BASE, site=True)
    write_model_pages(env, folder, ROOT / "ontology", ROOT / "shapes", lambda text, _path: text)
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
