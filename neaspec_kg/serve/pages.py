"""The pages around the data: query page, the dataset (VoID, DCAT-AP), releases, health.
(The home page and the pages for people are neaspec_kg.pages.)"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from neaspec_kg import formats
from neaspec_kg.serve.common import GET, PAGE_FORMATS, negotiate, page, plain, serving

router = APIRouter()
DEFAULT_QUERY = "SELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\nGROUP BY ?class\nORDER BY DESC(?n)\nLIMIT 20\n"


@router.api_route("/query", methods=GET)
def query_page(request: Request) -> Response:
    examples = serving(request).examples
    chosen = request.query_params.get("example")
    initial = request.query_params.get("query") or next(
        (e.query for e in examples if e.name == chosen), examples[0].query if examples else DEFAULT_QUERY)
    offered = [(f.key, f.label) for f in (*formats.RESULT_FORMATS, *formats.GRAPH_FORMATS)]
    return page(request, "query.html", examples=examples, initial=initial, formats=offered,
                prefixes=serving(request).prefixes)


def _dataset(request: Request, kind: str, html_page: bool) -> Response:
    offered = PAGE_FORMATS if html_page else formats.GRAPH_FORMATS
    fmt = negotiate(request, offered)
    current = serving(request).current
    if fmt is formats.HTML:
        return page(request, "dataset.html", releases=current.dataset.releases, published=current.dataset.published,
                    graphs=sorted(current.graph_sizes.items()), triples=current.release.triples,
                    citation=current.dataset.info.kos_citation, formats=formats.GRAPH_FORMATS)
    return Response(current.dataset.serialize(kind, fmt.key), media_type=formats.content_type(fmt))


@router.api_route("/.well-known/void", methods=GET)
def well_known_void(request: Request) -> Response:
    return _dataset(request, "void", html_page=False)


@router.api_route("/dataset", methods=GET)
def dataset_page(request: Request) -> Response:
    return _dataset(request, "dcat", html_page=True)


@router.api_route("/releases/latest", methods=GET)
def latest_release_folder(request: Request) -> Response:
    return Response(status_code=308, headers={"Location": request.app.state.settings.public_base + "releases/latest/"})


@router.api_route("/releases/latest/{path:path}", methods=GET)
def latest_release(request: Request, path: str) -> Response:
    """The persistent-identifier rules send readers to releases/latest/...: the newest release."""
    releases = serving(request).current.dataset.releases
    if not releases:
        return plain(404, "no release has been published on this server yet (make release writes one)")
    # The path goes back out percent-encoded: a Location header holds ASCII only.
    target = f"/releases/{quote(releases[0]['version'], safe='')}/{quote(path, safe='/')}"
    query = quote(request.url.query, safe="=&%+;:/?@,$!'()*~-._")
    return Response(status_code=302, headers={"Location": target + (f"?{query}" if query else "")})


@router.api_route("/health", methods=GET)  # HEAD too: what uptime monitors send
def health(request: Request) -> JSONResponse:
    """200 and ``"status": "ok"`` while this server can answer queries; 503 and the reason when it
    cannot (no query worker can start, the store behind it does not answer), so that a load
    balancer's health check takes it out."""
    state = serving(request)
    store = state.current.store
    facts = store.health()
    reason = facts.pop("unavailable", None)
    return JSONResponse({"status": "unavailable" if reason else "ok", **({"reason": reason} if reason else {}),
                         "release": state.current.release.release, "store": store.kind,
                         **facts, "pages_ready": state.warming is None or not state.warming.is_alive(),
                         "switches": state.switches}, status_code=503 if reason else 200,
                        headers={"Cache-Control": "no-store"})
