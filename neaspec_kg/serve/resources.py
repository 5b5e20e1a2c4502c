"""Linked Data: /id/... (every minted IRI), /graph/... (the named graphs), /ontology, /shapes.

HTML for browsers, RDF by content negotiation, 404 for an IRI the dataset does not describe.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from neaspec_kg import formats
from neaspec_kg.errors import NotFound
from neaspec_kg.pages import render_resource_page
from neaspec_kg.pages.language import name_languages, preferred_language
from neaspec_kg.pages.linked_data import as_triples
from neaspec_kg.serve.common import GET, negotiate, page, plain, serving
from neaspec_kg.serve.state import GRAPH_PAGE_LIMIT
from neaspec_kg.store.answer import Answer, serialize_graph

router = APIRouter()
LISTED_SUBJECTS = 500  # resources a graph's page lists
# Characters an IRI may not hold (RFC 3987): a path with one names nothing in this dataset.
_NOT_IN_IRI = set('<>"{}|\\^` ') | {chr(c) for c in range(0x20)} | {"\x7f"}
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # a "%" that starts no percent-encoding


def _iri(request: Request, prefix: str, path: str) -> str:
    current = serving(request).current
    if any(ch in _NOT_IN_IRI for ch in path) or "\ufffd" in path or _BAD_PERCENT.search(path):
        raise PageNotFound(current.base + prefix + quote(path, safe="/"))
    return current.base + prefix + path


def _rdf(quads, fmt: formats.Format, request: Request, headers: dict[str, str] | None = None) -> Response:
    data = quads if fmt.key in ("nquads", "trig") else as_triples(quads)
    body = serialize_graph(data, fmt.key, serving(request).prefixes)
    return Response(body, media_type=formats.content_type(fmt), headers=headers)


@router.api_route("/id/{path:path}", methods=GET)
def resource(request: Request, path: str) -> Response:
    """A release never changes, so neither do its pages: each is made once per release, format
    and language, then answered from the answer cache."""
    iri = _iri(request, "id/", path)
    fmt = negotiate(request)
    state = serving(request)
    offered = name_languages(state.current.store.select) if fmt is formats.HTML else frozenset()
    lang = preferred_language(request.headers.get("accept-language"), offered) if offered else "en"
    key = page_key(state.current.release.release, iri, fmt, lang)
    kept = state.cache.get(key)
    if kept is None:
        kept = _make_resource(request, iri, fmt, lang)
        state.cache.put(key, kept)
    return Response(kept.body, kept.status, headers=kept.headers, media_type=kept.content_type)


def page_key(release: str, iri: str, fmt: formats.Format, lang: str) -> tuple:
    return ("page", release, iri, fmt.key, lang)


def special_page(iri: str, select, lang: str) -> Answer | None:
    """The HTML page made for a session, State, programme area or paragraph; None for others."""
    special = render_resource_page(iri, select, lang)
    if special is None:
        return None
    headers = {"Link": f'<{iri}>; rel="canonical"', "Vary": "Accept, Accept-Language", "Content-Language": lang}
    return Answer(200, special.encode(), formats.content_type(formats.HTML), formats.HTML.key, headers)


def _make_resource(request: Request, iri: str, fmt: formats.Format, lang: str) -> Answer:
    headers = {"Link": f'<{iri}>; rel="canonical"'}
    if fmt is formats.HTML:  # a page made for the resource needs no description (70 ms at 30x)
        special = special_page(iri, serving(request).current.store.select, lang)
        if special is not None:
            return special
        headers.update({"Vary": "Accept, Accept-Language", "Content-Language": lang})
    found = serving(request).current.linked_data.in_language(lang).describe_with_parts(iri)
    if found is None:
        raise PageNotFound(iri)
    if fmt is formats.HTML:
        # The page is English; the names in the reader's language carry their own lang.
        body = page(request, "resource.html", res=found, iri=iri, formats=formats.GRAPH_FORMATS).body
    else:
        body = _rdf(found.quads, fmt, request).body
    return Answer(200, body, formats.content_type(fmt), fmt.key, headers)


@router.api_route("/graph/{path:path}", methods=GET)
def graph(request: Request, path: str) -> Response:
    iri = _iri(request, "graph/", path)
    fmt = negotiate(request)
    current = serving(request).current
    if iri not in current.store.known_graphs:
        raise PageNotFound(iri)
    if fmt is formats.HTML:
        # The first resources in IRI order (the same on every store; the first quads were not), by label.
        rows = current.store.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} "
                                    f"ORDER BY ?s LIMIT {LISTED_SUBJECTS + 1}")
        listed = sorted((current.linked_data.label(row["s"]), row["s"].value) for row in rows[:LISTED_SUBJECTS])
        return page(request, "graph.html", iri=iri, size=current.graph_sizes.get(iri, 0), subjects=listed,
                    more=len(rows) > LISTED_SUBJECTS, formats=formats.GRAPH_FORMATS)
    return _rdf(current.linked_data.graph_quads(iri, GRAPH_PAGE_LIMIT), fmt, request)


def _vocabulary(kind: str):
    def handler(request: Request) -> Response:
        current = serving(request).current
        vocab = current.vocabulary(kind)
        if vocab is None:
            raise PageNotFound(current.base + kind)
        fmt = negotiate(request)
        if fmt is formats.HTML:
            return page(request, "shapes.html" if kind == "shapes" else "vocabulary.html", vocab=vocab,
                        downloads=[(f.label, f"?format={f.key}") for f in formats.GRAPH_FORMATS])
        body = serialize_graph(vocab.triples, fmt.key, serving(request).prefixes)
        return Response(body, media_type=formats.content_type(fmt))

    return handler


router.add_api_route("/ontology", _vocabulary("ontology"), methods=GET)
router.add_api_route("/shapes", _vocabulary("shapes"), methods=GET)


class PageNotFound(NotFound):
    """A 404 that a browser gets as a page (see ``app``'s error handler)."""

    def __init__(self, iri: str):
        super().__init__(f"<{iri}> is not described in this dataset")
        self.iri = iri


def not_found_response(request: Request, exc: PageNotFound) -> Response:
    if "text/html" in (request.headers.get("accept") or ""):
        return page(request, "not_found.html", status=404, iri=exc.iri)
    return plain(404, str(exc))
