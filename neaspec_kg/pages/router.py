"""The FastAPI routes of the pages: home, commitments (+ CSV), search (HTML) and its JSON API, assets.

Each route is a few lines over the page data functions; ``select`` runs a SPARQL SELECT on the
store, ``search_db`` gives the path of the build's search.sqlite (or None when there is none).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from neaspec_kg.pages.home import CSV_HEADER, commitments, filter_commitments, home
from neaspec_kg.pages.language import Names, name_languages, names_in, preferred_language, translated
from neaspec_kg.pages.model import local
from neaspec_kg.pages.render import HERE, render
from neaspec_kg.search import SearchError, search
from neaspec_kg.select import Select

STATIC = HERE / "static"
ASSETS = {"pages.css": "text/css", "pages.js": "text/javascript", "vendor/chart.umd.min.js": "text/javascript"}
# URL parameter -> search facet
FACET_PARAMS = {"session": "session", "country": "country", "area": "programme area", "kind": "kind"}
COMMITMENT_FILTERS = (("state", "State"), ("kind", "Kind"), ("measure", "Measure"), ("sdg", "SDG goal or target"),
                      ("session", "Session"))


def _html(body: str, lang: str | None = None) -> HTMLResponse:
    """A page; with ``lang``, one whose names follow the reader's Accept-Language."""
    if lang is None:
        return HTMLResponse(body, headers={"Vary": "Accept"})
    return HTMLResponse(body, headers={"Vary": "Accept, Accept-Language", "Content-Language": lang})


def reader_language(request: Request, select: Select) -> str:
    return preferred_language(request.headers.get("accept-language"), name_languages(select))


def home_view(select: Select, names: Names) -> dict:
    return {"home": translated(home(select), names), "names": names, "title": "Home"}


def commitments_view(select: Select, params: dict[str, str], names: Names | None = None) -> dict:
    """The commitments page: the filtered items, the filter choices, the chart data; with
    ``names``, States named in the reader's language (the filters' values stay English)."""
    every = commitments(select)
    chosen = {k: params[k] for k, _ in COMMITMENT_FILTERS if params.get(k)}
    items = filter_commitments(every, **chosen)
    goals = {t.label.split(".")[0] for c in every for t in c.sdg_targets}
    targets = {t.label for c in every for t in c.sdg_targets}
    choices = {
        "state": sorted({c.state.label for c in every if c.state}),
        "kind": sorted({c.kind for c in every}),
        "measure": sorted({c.measure for c in every if c.measure}),
        "sdg": sorted(goals | targets, key=lambda s: tuple(int(p) if p.isdigit() else 99 for p in s.split("."))),
        "session": sorted({c.session.label for c in every}, key=lambda s: int(s.split("-")[-1]) if s[-1].isdigit() else 0),
    }
    states = sorted({c.state.label for c in items if c.state})
    kinds = sorted({c.kind for c in items})
    per = Counter((c.state.label if c.state else "", c.kind) for c in items)
    chart = {"labels": states, "series": [{"label": k, "values": [per[(s, k)] for s in states]} for k in kinds]}
    filters = [(name, label, choices[name]) for name, label in COMMITMENT_FILTERS]
    if names:
        items = translated(items, names)
        chart["labels"] = [names.by_english.get(s, s) for s in states]
    return {"items": items, "total": len(every), "chosen": chosen, "filters": filters, "chart": chart,
            "names": names or Names("en", {}, {})}


def commitments_csv(items) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(c.csv_row() for c in items)
    return out.getvalue()


def pages_router(select: Select, search_db: Path | Callable[[], Path | None] | None,
                 home_extra: Callable[[], dict] | None = None) -> APIRouter:
    """The routes; ``search_db`` is the build's search.sqlite (or a function giving it, or None);
    ``home_extra`` gives what the server knows of the dataset for the home page: ``triples``,
    ``examples`` (objects with ``name``, ``title``, ``description``), ``dataset_jsonld``."""
    router = APIRouter()
    _page_routes(router, select, home_extra)
    _search_routes(router, select, search_db)

    @router.api_route("/assets/{name:path}", methods=["GET", "HEAD"])
    def asset(name: str) -> Response:
        if name not in ASSETS:
            raise HTTPException(404, f"no asset {name!r}")
        return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=3600"})

    return router


def _page_routes(router: APIRouter, select: Select, home_extra: Callable[[], dict] | None) -> None:
    """The home page and the commitments (page and CSV)."""

    @router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    def home_page(request: Request) -> Response:
        extra = home_extra() if home_extra else {}
        lang = reader_language(request, select)
        return _html(render("home.html", lang, **home_view(select, names_in(select, lang)), **extra), lang)

    @router.api_route("/commitments", methods=["GET", "HEAD"], response_class=HTMLResponse)
    def commitments_page(request: Request) -> Response:
        lang = reader_language(request, select)
        view = commitments_view(select, dict(request.query_params), names_in(select, lang))
        qs = "?" + urlencode(view["chosen"]) if view["chosen"] else ""
        return _html(render("commitments.html", lang, title="Commitments", query_string=qs, **view), lang)

    @router.api_route("/commitments.csv", methods=["GET", "HEAD"])
    def commitments_download(request: Request) -> Response:
        view = commitments_view(select, dict(request.query_params))
        return Response(commitments_csv(view["items"]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="commitments.csv"'})


def _pages(params: dict[str, str], limit: str | None, result) -> dict[str, str]:
    """The links to the results before and after those shown (``previous``, ``next``), a page
    of ``result.limit`` hits each: the limit the search used (``limit=-1`` is read as 1). Mirrored
    in the static site's search (pages/static/search.js, ``pagesHtml``)."""
    base = {k: v for k, v in {**params, "limit": limit or ""}.items() if v}
    links = {}
    if result.offset > 0:
        before = max(0, min(result.offset, result.total) - result.limit)  # past the end: the last page
        links["previous"] = "/search?" + urlencode({**base, **({"offset": before} if before else {})})
    if result.offset + len(result.hits) < result.total:
        links["next"] = "/search?" + urlencode({**base, "offset": result.offset + len(result.hits)})
    return links


def _search_routes(router: APIRouter, select: Select, search_db: Path | Callable[[], Path | None] | None) -> None:
    """The search page and its JSON API, over the build's search.sqlite."""

    def search_path() -> Path | None:
        path = search_db() if callable(search_db) else search_db
        return path if path is not None and Path(path).exists() else None

    def run_search(request: Request):
        q = request.query_params.get("q", "")
        facets = {f: request.query_params.get(p, "") for p, f in FACET_PARAMS.items()}
        try:
            limit, offset = (int(request.query_params.get(name, default)) for name, default in (("limit", "20"),
                                                                                               ("offset", "0")))
        except ValueError:
            raise HTTPException(400, "limit and offset must be whole numbers") from None
        path = search_path()
        if path is None:
            raise HTTPException(503, "the search index of the release served (search.sqlite, which `neaspec-kg build` "
                                     "writes beside its store) is not on this server; copy the release's whole build "
                                     "folder (a server in front of another store looks in build/builds/<release>/)")
        try:
            return q, facets, search(path, q, facets, limit, offset)
        except SearchError as exc:
            raise HTTPException(400, str(exc)) from None

    @router.api_route("/search", methods=["GET", "HEAD"], response_class=HTMLResponse)
    def search_page(request: Request) -> Response:
        q, _, result = run_search(request)
        params = {p: request.query_params.get(p, "") for p in ("q", *FACET_PARAMS)}

        def facet_url(param: str, value: str) -> str:
            return "/search?" + urlencode({k: v for k, v in {**params, param: value}.items() if v})

        hidden = [(p, v) for p, v in params.items() if p != "q" and v]
        pages = _pages(params, request.query_params.get("limit"), result)
        paging = {p: request.query_params.get(p, "") for p in ("limit", "offset")}
        api = "/api/search?" + urlencode({k: v for k, v in {**params, **paging}.items() if v})
        labels = [(f, f[0].upper() + f[1:], p) for p, f in FACET_PARAMS.items()]
        lang = reader_language(request, select)
        return _html(render("search.html", lang, title=f"Search: {q}" if q else "Search", q=q, result=result,
                            hidden=hidden, facet_url=facet_url, facet_names=labels, api_url=api, local=local, pages=pages,
                            names=names_in(select, lang)), lang)

    @router.api_route("/api/search", methods=["GET", "HEAD"])
    def search_api(request: Request) -> JSONResponse:
        _, _, result = run_search(request)
        body = asdict(result)
        body["facets"] = {k: [{"value": v, "count": n} for v, n in vs] for k, vs in result.facets.items()}
        for hit in body["hits"]:
            hit["page"] = local(hit["link"])
        return JSONResponse(body)
