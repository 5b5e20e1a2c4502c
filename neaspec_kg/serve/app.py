"""The web application: thin handlers over the serve library.

/sparql (protocol), /id/... and /graph/... (Linked Data), /ontology and /shapes,
/ (home), /query (query page), /static, /health.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pyoxigraph import NamedNode, Store

from neaspec_kg.namespaces import PREFIXES
from neaspec_kg.serve import conneg, protocol
from neaspec_kg.serve.answers import AnswerCache
from neaspec_kg.serve.dataset import RDFLIB_FORMATS, DatasetDescription
from neaspec_kg.serve.engine import known_graphs_of, serialize_graph
from neaspec_kg.serve.examples import Example, load_examples
from neaspec_kg.serve.linked_data import LinkedData, as_triples
from neaspec_kg.serve.release import Release
from neaspec_kg.serve.service_description import SD_PREFIXES, service_description
from neaspec_kg.serve.sparql import FastSparql, SparqlEndpoint, endpoint_url, read_body
from neaspec_kg.serve.vocabulary import Vocabulary, load_vocabulary
from neaspec_kg.serve.workers import QueryRunner, WorkerPool, default_size
from neaspec_kg.pages import pages_router, render_resource_page
from neaspec_kg.select import store_select
from neaspec_kg.settings import Settings
from neaspec_kg.vector import VectorEngine

HERE = Path(__file__).resolve().parent
log = logging.getLogger("neaspec_kg.serve")
PAGE_FORMATS = (conneg.HTML, *conneg.GRAPH_FORMATS)
GRAPH_PAGE_LIMIT = 200_000


@dataclass
class ServerState:
    settings: Settings
    release: Release
    base: str
    store: Store
    known_graphs: frozenset[str]
    graph_sizes: dict[str, int]
    linked_data: LinkedData
    pool: WorkerPool
    runner: QueryRunner
    cache: AnswerCache
    examples: list[Example]
    prefixes: dict[str, str]
    dataset: DatasetDescription
    _vocabularies: dict[str, Vocabulary | None] = field(default_factory=dict)

    def vocabulary(self, kind: str) -> Vocabulary | None:
        if kind not in self._vocabularies:
            iri = self.base + kind
            folder = self.settings.ontology_dir if kind == "ontology" else self.settings.shapes_dir
            fallback = None
            graph = self.base + "graph/" + kind
            if graph in self.known_graphs:
                fallback = self.linked_data.graph_quads(graph, GRAPH_PAGE_LIMIT)
            self._vocabularies[kind] = load_vocabulary(iri, folder, fallback)
        return self._vocabularies[kind]


def app_from_env() -> FastAPI:
    """The app of one web process of ``neaspec-kg serve`` (settings and store from the environment)."""
    from neaspec_kg.serve import STORE_ENV
    from neaspec_kg.serve.release import locate_release
    from neaspec_kg.settings import load_settings

    settings = load_settings()
    store = os.environ.get(STORE_ENV)
    return create_app(settings, locate_release(settings, Path(store) if store else None))


def create_app(settings: Settings, release: Release) -> FastAPI:
    base = settings.base_iri
    store = Store.read_only(str(release.store_path))
    known = known_graphs_of(store)
    sizes = release.graphs or {g: sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(g))) for g in known}
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    pool = WorkerPool(release.store_path, int(settings.query_workers or default_size()), prefixes)
    runner = QueryRunner(pool, VectorEngine.open(release.store_path, settings.engine), known, store=store, prefixes=prefixes)
    state = ServerState(
        settings=settings, release=release, base=base, store=store, known_graphs=known, graph_sizes=sizes,
        linked_data=LinkedData(store, base), pool=pool, runner=runner,
        cache=AnswerCache(settings.answer_cache_bytes, settings.answer_cache_entry_bytes),
        examples=load_examples(settings.queries_dir), prefixes=prefixes,
        dataset=DatasetDescription(store, release, settings),
    )

    endpoint = SparqlEndpoint(
        release=release.release, store=store, known_graphs=known, prefixes=prefixes, runner=runner,
        cache=state.cache, max_rows=settings.max_result_rows, timeout_s=settings.query_timeout_s,
        service_allow=tuple(settings.service_allow),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await pool.start()
        yield
        await runner.close()

    app = FastAPI(title="NEASPEC knowledge graph", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.kg = state
    select = store_select(store)  # pages for people (neaspec_kg.pages) come before the generic ones
    app.include_router(pages_router(select, release.store_path.parent / "search.sqlite", lambda: {
        "triples": release.triples or sum(sizes.values()), "examples": state.examples,
        "dataset_jsonld": state.dataset.schema_org_json}))
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    templates.globals.update(release=release, base=base, local=state.linked_data.local_path)

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        html = templates.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers={"Vary": "Accept", "ETag": release.etag})

    def text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return Response(message.rstrip() + "\n", status, media_type="text/plain; charset=utf-8",
                        headers={"Vary": "Accept", **(headers or {})})

    def negotiate(request: Request, formats) -> conneg.Format | Response:
        """The format a page or RDF route answers in (Accept, or ?format=), or the 406 to send."""
        try:
            return conneg.choose(request.headers.get("accept"), request.query_params.get("format"), formats)
        except conneg.NotAcceptable as exc:
            return text(406, str(exc))

    def not_modified(request: Request, etag: str) -> Response | None:
        tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
        if etag in tags or "*" in tags:
            return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
        return None

    # --- SPARQL protocol ------------------------------------------------------------
    @app.api_route("/sparql", methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])
    @app.api_route("/sparql/", methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"], name="sparql_slash")
    async def sparql(request: Request) -> Response:
        limit = settings.max_request_bytes
        if len(request.url.query) > limit:
            return text(414, f"the request URL is longer than {limit} bytes; POST the query instead")
        try:
            body = await read_body(request.method, request.headers.get("content-length"), request.stream(), limit)
            req = protocol.parse_request(
                request.method, request.query_params.multi_items(), request.headers.get("content-type"), body
            )
        except protocol.ProtocolError as exc:
            return text(exc.status, str(exc), exc.headers)
        if req.query is None:
            return _service_description(request, req.format_param)
        return await _answer(request, req)

    async def _answer(request: Request, req: protocol.QueryRequest) -> Response:
        reply = await endpoint.answer(req, request.headers.get("accept"), request.headers.get("if-none-match"),
                                      endpoint_url(request.scope))
        return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.media_type)

    def _service_description(request: Request, format_param: str | None) -> Response:
        accept = request.headers.get("accept")
        try:
            fmt = conneg.choose(accept, format_param, PAGE_FORMATS if not format_param else conneg.GRAPH_FORMATS)
        except conneg.NotAcceptable as exc:
            return text(406, str(exc))
        if fmt is conneg.HTML and accept and "text/html" in accept:
            return query_page(request)
        if fmt is conneg.HTML:
            fmt = conneg.GRAPH_FORMATS[0]
        triples = service_description(
            str(request.url_for("sparql")), release, state.graph_sizes, settings.query_timeout_s,
            settings.max_result_rows, bool(settings.service_allow),
        )
        body = serialize_graph(triples, fmt.key, SD_PREFIXES)
        return Response(body, 200, media_type=fmt.media_type, headers={"Vary": "Accept"})

    # --- pages ------------------------------------------------------------------------
    @app.api_route("/", methods=["GET", "HEAD"])
    def home(request: Request) -> Response:
        classes = sorted(
            ((state.linked_data.label(NamedNode(c)), c, n) for c, n in release.classes.items()),
            key=lambda t: -t[2],
        )
        return page("home.html", classes=classes, graphs=sorted(state.graph_sizes.items()),
                    triples=release.triples or sum(state.graph_sizes.values()), examples=state.examples,
                    dataset_jsonld=state.dataset.schema_org_json)

    # --- the dataset: VoID, DCAT-AP, releases -------------------------------------------
    def dataset_rdf(request: Request, kind: str, html_page: bool) -> Response:
        formats = PAGE_FORMATS if html_page else tuple(f for f in PAGE_FORMATS if f.key in RDFLIB_FORMATS)
        fmt = negotiate(request, formats)
        if isinstance(fmt, Response):
            return fmt
        if fmt is conneg.HTML:
            return page("dataset.html", releases=state.dataset.releases, published=state.dataset.published,
                        graphs=sorted(state.graph_sizes.items()), triples=release.triples,
                        citation=state.dataset.info.kos_citation, formats=conneg.GRAPH_FORMATS)
        return Response(state.dataset.serialize(kind, fmt.key), media_type=fmt.media_type,
                        headers={"Vary": "Accept", "ETag": f'"{release.release}-{kind}-{fmt.key}"'})

    @app.api_route("/.well-known/void", methods=["GET", "HEAD"])
    def well_known_void(request: Request) -> Response:
        return dataset_rdf(request, "void", html_page=False)

    @app.api_route("/dataset", methods=["GET", "HEAD"])
    def dataset_page(request: Request) -> Response:
        return dataset_rdf(request, "dcat", html_page=True)

    @app.api_route("/query", methods=["GET", "HEAD"])
    def query_page(request: Request) -> Response:
        chosen = request.query_params.get("example")
        initial = request.query_params.get("query") or next(
            (e.query for e in state.examples if e.name == chosen), state.examples[0].query if state.examples else
            "SELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\nGROUP BY ?class\nORDER BY DESC(?n)\nLIMIT 20\n"
        )
        formats = [(f.key, f.label) for f in conneg.RESULT_FORMATS] + [(f.key, f.label) for f in conneg.GRAPH_FORMATS]
        return page("query.html", examples=state.examples, initial=initial, formats=formats, prefixes=prefixes)

    # --- Linked Data ----------------------------------------------------------------
    @app.api_route("/id/{path:path}", methods=["GET", "HEAD"])
    def resource(request: Request, path: str) -> Response:
        iri = base + "id/" + path
        fmt = negotiate(request, PAGE_FORMATS)
        if isinstance(fmt, Response):
            return fmt
        if resp := not_modified(request, f'"{release.release}-{fmt.key}"'):
            return resp
        found = state.linked_data.describe(iri)
        if found is None:
            return _not_found(request, iri)
        headers = {"Vary": "Accept", "ETag": f'"{release.release}-{fmt.key}"', "Link": f'<{iri}>; rel="canonical"'}
        if fmt is conneg.HTML and (special := render_resource_page(iri, select)) is not None:
            return HTMLResponse(special, headers=headers)
        if fmt is conneg.HTML:
            resp = page("resource.html", res=found, iri=iri, formats=conneg.GRAPH_FORMATS)
            resp.headers.update(headers)
            return resp
        data = found.quads if fmt.key in ("nquads", "trig") else as_triples(found.quads)
        return Response(serialize_graph(data, fmt.key, state.prefixes), media_type=fmt.media_type, headers=headers)

    @app.api_route("/graph/{path:path}", methods=["GET", "HEAD"])
    def graph(request: Request, path: str) -> Response:
        iri = base + "graph/" + path
        fmt = negotiate(request, PAGE_FORMATS)
        if isinstance(fmt, Response):
            return fmt
        if iri not in state.known_graphs:
            return _not_found(request, iri)
        if resp := not_modified(request, f'"{release.release}-{fmt.key}"'):
            return resp
        headers = {"Vary": "Accept", "ETag": f'"{release.release}-{fmt.key}"'}
        if fmt is conneg.HTML:
            subjects = {}
            for q in state.linked_data.graph_quads(iri, 2000):
                subjects.setdefault(q.subject.value, q.subject)
            listed = sorted((state.linked_data.label(s), v) for v, s in list(subjects.items())[:500])
            resp = page("graph.html", iri=iri, size=state.graph_sizes.get(iri, 0), subjects=listed,
                        formats=conneg.GRAPH_FORMATS)
            resp.headers.update(headers)
            return resp
        quads = state.linked_data.graph_quads(iri, GRAPH_PAGE_LIMIT)
        data = quads if fmt.key in ("nquads", "trig") else as_triples(quads)
        return Response(serialize_graph(data, fmt.key, state.prefixes), media_type=fmt.media_type, headers=headers)

    def vocabulary_route(kind: str):
        def handler(request: Request) -> Response:
            vocab = state.vocabulary(kind)
            if vocab is None:
                return _not_found(request, base + kind)
            fmt = negotiate(request, PAGE_FORMATS)
            if isinstance(fmt, Response):
                return fmt
            headers = {"Vary": "Accept", "ETag": f'"{release.release}-{fmt.key}"'}
            if fmt is conneg.HTML:
                resp = page("vocabulary.html", vocab=vocab, kind=kind, formats=conneg.GRAPH_FORMATS)
                resp.headers.update(headers)
                return resp
            body = serialize_graph(vocab.triples, fmt.key, state.prefixes)
            return Response(body, media_type=fmt.media_type, headers=headers)

        return handler

    app.add_api_route("/ontology", vocabulary_route("ontology"), methods=["GET", "HEAD"])
    app.add_api_route("/shapes", vocabulary_route("shapes"), methods=["GET", "HEAD"])

    @app.get("/health")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "release": release.release, "workers": state.pool.size,
                             "killed_queries": state.pool.killed, "worker_answers": state.pool.answered})

    def _not_found(request: Request, iri: str) -> Response:
        accept = request.headers.get("accept") or ""
        if "text/html" in accept:
            return page("not_found.html", status=404, iri=iri)
        return text(404, f"<{iri}> is not described in this dataset")

    @app.api_route("/releases/latest/{path:path}", methods=["GET", "HEAD"])
    def latest_release(request: Request, path: str) -> Response:
        """The persistent-identifier rules send readers to releases/latest/...: the newest release."""
        releases = state.dataset.releases
        if not releases:
            return text(404, "no release has been published on this server yet (make release writes one)")
        target = f"/releases/{releases[0]['version']}/{path}"
        return Response(status_code=302, headers={"Location": target + (f"?{request.url.query}" if request.url.query else "")})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Published releases (neaspec-kg publish / make release), as files; absent until one exists.
    app.mount("/releases", StaticFiles(directory=settings.dist_dir / "releases", html=True, check_dir=False),
              name="releases")
    app.add_middleware(_GZipWhenAsked, minimum_size=1024, compresslevel=6)
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=["ETag", "Content-Length"], max_age=86400,
    )
    templates.globals["quote"] = lambda s: quote(s, safe="")
    return FastSparql(app, endpoint, settings.max_request_bytes)


class _GZipWhenAsked(GZipMiddleware):
    """Starlette's gzip, entered only when the client accepts gzip: otherwise its identity
    responder still wraps every response (measured: about 17% of the web process's time
    under load); level 6, as level 9 costs much more CPU for little gain on RDF and JSON."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding" and b"gzip" in value:
                    return await super().__call__(scope, receive, send)
        await self.app(scope, receive, send)
