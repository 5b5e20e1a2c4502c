"""The web application: an app factory, its routers, one header policy, one error handler.

Routers: ``sparql`` (/sparql), ``resources`` (/id, /graph, /ontology, /shapes), ``pages``
(/, /query, /dataset, /.well-known/void, /releases/latest, /health); static files under
/static and the published releases under /releases.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.datastructures import URL
from starlette.routing import Match, Mount

from neaspec_kg.errors import RequestError
from neaspec_kg.pages import pages_router
from neaspec_kg.serve import pages, resources, sparql
from neaspec_kg.serve.common import plain
from neaspec_kg.serve.headers import HeaderPolicy
from neaspec_kg.serve.state import Serving
from neaspec_kg.serve.warm import warm_pages
from neaspec_kg.settings import Settings
from neaspec_kg.store import GraphStore

HERE = Path(__file__).resolve().parent
log = logging.getLogger("neaspec_kg.serve")


def create_app(settings: Settings, open_store: Callable[[], GraphStore],
               follow: Callable[[], object] | None = None) -> FastAPI:
    """The app serving the store that ``open_store`` opens; whenever ``follow()`` changes (a new
    build under build/current, a new release loaded into a remote store), the release that
    ``open_store`` then opens is taken up while the app runs."""
    serving = Serving(settings, open_store, follow)
    if settings.warm_pages:
        def warm(current) -> None:  # on a thread of its own: the release is served meanwhile
            serving.warming = threading.Thread(target=warm_pages, args=(current, serving.cache), name="warm-pages",
                                               daemon=True)
            serving.warming.start()

        serving.on_release = warm

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await serving.start()
        try:
            yield
        except asyncio.CancelledError:  # a second Ctrl-C: uvicorn exits at once, cancelling this (and
            pass  # Starlette would log it as a failed shutdown); the workers are stopped all the same
        await serving.stop()

    # redirect_slashes off: Starlette's redirect is built from the Host header (``_http_error``).
    app = FastAPI(title="NEASPEC knowledge graph", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, redirect_slashes=False)
    app.state.settings = settings
    app.state.serving = serving
    app.state.templates = _templates()
    app.include_router(sparql.router)  # first: the route most requests take is matched first
    app.include_router(_pages_for_people(serving))  # before the generic routes: its home page is /
    for router in (resources.router, pages.router):
        app.include_router(router)
    app.add_exception_handler(RequestError, _request_error)
    app.add_exception_handler(resources.PageNotFound, resources.not_found_response)
    app.add_exception_handler(HTTPException, _http_error)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Published releases (neaspec-kg publish / make release), as files; absent until one exists.
    app.mount("/releases", _Releases(settings.public_base, directory=settings.dist_dir / "releases", html=True,
                                     check_dir=False), name="releases")
    app.add_middleware(HeaderPolicy)
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=["ETag", "Content-Length"], max_age=86400,
    )
    return app


def _pages_for_people(serving: Serving):
    """The pages of neaspec_kg.pages (home, commitments, search) over the release served now."""
    def search_db() -> Path | None:
        """Beside the store of the release; in front of another store, in the build folder of the
        release it holds (where ``load --into`` took it from), if this server has it."""
        current = serving.current
        folder = current.release.store_path.parent if current.store.kind == "embedded" else \
            serving.settings.build_dir / "builds" / current.release.release
        path = folder / "search.sqlite"
        return path if path.is_file() else None

    def home_extra() -> dict:
        current = serving.current
        return {"triples": current.release.triples or sum(current.graph_sizes.values()),
                "examples": serving.examples, "dataset_jsonld": current.dataset.schema_org_json}

    return pages_router(lambda query: serving.current.store.select(query), search_db, home_extra)


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["quote"] = lambda s: quote(s, safe="")
    return env


def _request_error(request: Request, exc: RequestError) -> Response:
    return plain(exc.status, str(exc), exc.headers)


def _http_error(request: Request, exc: HTTPException) -> Response:
    """Starlette's own errors, said as this server says its own: a path no route takes (the same
    path with or without its final slash is redirected to, under the public URL, never the Host
    header), a method a route does not take (OPTIONS: the methods it does take)."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": headers.get("Allow", "GET, HEAD") + ", OPTIONS"})
    if exc.status_code == 405:
        return plain(405, f"{request.method} is not allowed on {request.url.path}; "
                          f"allowed: {headers.get('Allow', 'GET, HEAD')}", headers)
    if exc.status_code != 404:
        return plain(exc.status_code, str(exc.detail), headers)
    path = request.url.path
    other = path[:-1] if path.endswith("/") else path + "/"
    if other != "/" and _routed(request, other):
        query = f"?{request.url.query}" if request.url.query else ""
        target = request.app.state.settings.public_base + quote(other.lstrip("/"), safe="/") + query
        return Response(status_code=308, headers={"Location": target})
    if "text/html" in (request.headers.get("accept") or ""):
        return resources.not_found_response(request, resources.PageNotFound(request.url.path))
    return plain(404, f"nothing is served at {path}: the home page (/) links what this server has, "
                      "and /sparql answers queries")


def _routed(request: Request, path: str) -> bool:
    """Whether a route takes ``path``: a route's own path without its final slash, or a folder
    of files (a mount) at its root with it (``/releases/``). Matched from the app's root, also
    for a request inside a mount (whose scope is the mount's); never a path inside a mount, which
    takes any path under it (``/static/x`` and ``/static/x/`` would send a client back and forth)."""
    scope = {**request.scope, "path": path, "root_path": request.scope.get("app_root_path", "")}
    for route in request.app.router.routes:
        if route.matches(scope)[0] is Match.FULL:
            return path == route.path + "/" if isinstance(route, Mount) else not path.endswith("/")
    return False


class _Releases(StaticFiles):
    """The published releases, as files. Until one is published, a 404 that says so (Starlette's
    own answer to a folder that does not exist is a 500); a folder asked for without its final
    slash is redirected to under the public URL (Starlette's redirect is built from the Host
    header); a compressed dump is sent as what it is, gzip (Starlette would label ``x.nq.gz``
    N-Quads, without saying it is compressed)."""

    def __init__(self, public_base: str, **kwargs):
        super().__init__(**kwargs)
        self.public_base = public_base

    async def check_config(self) -> None:  # the folder may appear later: checked per request instead
        return None

    async def get_response(self, path: str, scope) -> Response:
        if not Path(self.directory).is_dir():
            return plain(404, "no release has been published on this server yet (make release writes one)")
        response = await super().get_response(path, scope)
        if 300 <= response.status_code < 400 and "location" in response.headers:
            location = URL(response.headers["location"])
            query = f"?{location.query}" if location.query else ""
            return Response(status_code=308, headers={"Location": self.public_base + location.path.lstrip("/") + query})
        return response

    def file_response(self, full_path, stat_result, scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if str(full_path).endswith(".gz"):
            response.headers["content-type"] = "application/gzip"
        return response
