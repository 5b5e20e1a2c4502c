"""The web application: an app factory, its routers, one header policy, one error handler.

Routers: ``sparql`` (/sparql), ``resources`` (/id, /graph, /ontology, /shapes), ``pages``
(/, /query, /dataset, /.well-known/void, /releases/latest, /health); static files under
/static and the published releases under /releases.
"""

from __future__ import annotations

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
        yield
        await serving.stop()

    app = FastAPI(title="NEASPEC knowledge graph", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.settings = settings
    app.state.serving = serving
    app.state.templates = _templates()
    app.include_router(sparql.router)  # first: the route most requests take is matched first
    app.include_router(_pages_for_people(serving))  # before the generic routes: its home page is /
    for router in (resources.router, pages.router):
        app.include_router(router)
    app.add_exception_handler(RequestError, _request_error)
    app.add_exception_handler(resources.PageNotFound, resources.not_found_response)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Published releases (neaspec-kg publish / make release), as files; absent until one exists.
    app.mount("/releases", StaticFiles(directory=settings.dist_dir / "releases", html=True, check_dir=False),
              name="releases")
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
        path = serving.current.release.store_path.parent / "search.sqlite"
        return path if serving.current.store.kind == "embedded" and path.is_file() else None

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
