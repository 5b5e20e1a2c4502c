"""The SPARQL query endpoint: from a protocol request to an HTTP reply, without a web framework.

:class:`SparqlEndpoint` decides everything about a query request (refusals, content
negotiation, ETag and 304, the answer cache, where the query runs); the FastAPI route and
:class:`FastSparql` both call it. ``FastSparql`` is an ASGI wrapper in front of the whole
app that answers ``/sparql`` queries itself, with the CORS, Vary and gzip headers the app's
middleware would add: FastAPI's routing and middleware stack cost more CPU per request
(about 0.3 ms, measured) than the columnar engine needs for a typical lookup. Everything
else at ``/sparql`` (the service description, CORS preflight) goes on to the app.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass, field

from neaspec_kg.serve import conneg, guard, protocol
from neaspec_kg.serve.answers import AnswerCache
from neaspec_kg.serve.engine import Answer, QueryJob, run_query
from neaspec_kg.serve.workers import PoolBusy, QueryRunner, QueryTimeout, WorkerFailed

PATHS = ("/sparql", "/sparql/")
GZIP_MIN_BYTES = 1024
CORS_HEADERS = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"ETag, Content-Length")]


@dataclass
class Reply:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def text_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (message.rstrip() + "\n").encode(), headers={"Vary": "Accept", **(headers or {})})


_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def endpoint_url(scope: dict) -> str:
    """The absolute URL of the endpoint as the client addressed it (the base IRI of its queries);
    a Host header that is no host name is ignored (it would make every relative IRI invalid)."""
    host = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = value
            break
    server = scope.get("server") or ("127.0.0.1", 80)
    return _endpoint_url(host, scope.get("scheme", "http"), scope.get("root_path", ""), server[0], server[1])


@functools.lru_cache(maxsize=64)
def _endpoint_url(host: bytes | None, scheme: str, root_path: str, server_host: str, server_port: int) -> str:
    name = host.decode("latin-1") if host is not None else None
    if name is None or not _HOST.fullmatch(name):
        host = f"[{server_host}]" if ":" in str(server_host) else server_host
        name = f"{host}:{server_port}" if server_port is not None else "localhost"  # a Unix socket
    return f"{scheme}://{name}{root_path}/sparql"


class SparqlEndpoint:
    def __init__(self, *, release: str, store, known_graphs: frozenset[str], prefixes: dict[str, str],
                 runner: QueryRunner, cache: AnswerCache, max_rows: int, timeout_s: float,
                 service_allow: tuple[str, ...]):
        self.release = release
        self.store = store
        self.known_graphs = known_graphs
        self.prefixes = prefixes
        self.runner = runner
        self.cache = cache
        self.max_rows = max_rows
        self.timeout_s = timeout_s
        self.service_allow = service_allow

    async def answer(self, req: protocol.QueryRequest, accept: str | None, if_none_match: str | None,
                     base_iri: str) -> Reply:
        form = guard.query_form(req.query)
        if form == "UPDATE":
            return text_reply(403, guard.UPDATE_REFUSED)
        offered = {"SELECT": conneg.RESULT_FORMATS, "ASK": conneg.BOOLEAN_FORMATS}.get(form or "", conneg.GRAPH_FORMATS)
        fmt = None
        if form is not None:
            try:
                fmt = conneg.choose(accept, req.format_param, offered)
            except conneg.NotAcceptable as exc:
                return text_reply(406, str(exc))
        for iri in (req.default_graphs or []) + (req.named_graphs or []):
            if iri not in self.known_graphs:
                return text_reply(400, f"<{iri}> is not a graph of this dataset; nothing is fetched. "
                                       "The graphs are listed in the service description (GET /sparql)")
        cacheable = fmt is not None and guard.is_deterministic(req.query)
        etag = f'"{self.release}-{fmt.key}"' if cacheable else None
        if etag and if_none_match:
            tags = [t.strip() for t in if_none_match.split(",")]
            if etag in tags or "*" in tags:
                return Reply(304, b"", headers={"ETag": etag, "Vary": "Accept"})
        key = (self.release, req.query, base_iri, tuple(req.default_graphs or ()), req.named_graphs is None,
               tuple(req.named_graphs or ()), fmt.key if fmt else None)
        answer = self.cache.get(key) if cacheable else None
        if answer is None:
            job = QueryJob(
                query=req.query, format=fmt.key if fmt else None, accept=accept, format_param=req.format_param,
                default_graphs=req.default_graphs, named_graphs=req.named_graphs, base_iri=base_iri,
                max_rows=self.max_rows, service_allow=self.service_allow,
            )
            try:
                if req.default_graphs is None and req.named_graphs is None and guard.is_bounded_describe(req.query):
                    # DESCRIBE of constant IRIs costs what those resources hold (like a resource
                    # page), so it runs here: no worker round trip.
                    answer = run_query(self.store, job, self.known_graphs, self.prefixes)
                else:
                    answer = await self.runner.run(job, self.timeout_s)
            except QueryTimeout as exc:
                return text_reply(504, str(exc))
            except PoolBusy as exc:
                return text_reply(503, str(exc), {"Retry-After": "1"})
            except WorkerFailed as exc:
                return text_reply(500, str(exc))
            if cacheable:
                self.cache.put(key, answer)
        return _reply(answer, etag)


def _reply(answer: Answer, etag: str | None) -> Reply:
    headers = {"Vary": "Accept"}
    if answer.status == 200:
        headers["Cache-Control"] = "public, no-cache"
        if etag:
            headers["ETag"] = etag
    return Reply(answer.status, answer.body, answer.content_type, headers)


class FastSparql:
    """ASGI: ``/sparql`` query requests straight to the endpoint; everything else to ``app``."""

    def __init__(self, app, endpoint: SparqlEndpoint, max_request_bytes: int):
        self.app = app
        self.endpoint = endpoint
        self.limit = max_request_bytes

    def __getattr__(self, name):  # app.state and the like stay reachable
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS or scope["method"] not in ("GET", "POST", "HEAD"):
            return await self.app(scope, receive, send)
        query_string = scope["query_string"]
        if scope["method"] != "POST" and not _has_query_param(query_string):
            return await self.app(scope, receive, send)  # the service description
        headers = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value.decode("latin-1"))
        reply = await self._reply(scope, receive, headers, query_string)
        await _send(send, reply, scope["method"] == "HEAD", headers)

    async def _reply(self, scope, receive, headers: dict[bytes, str], query_string: bytes) -> Reply:
        if len(query_string) > self.limit:
            return text_reply(414, f"the request URL is longer than {self.limit} bytes; POST the query instead")
        try:
            body = await self._read_body(scope, receive, headers)
            req = _parse(scope["method"], query_string, headers.get(b"content-type"), body)
        except protocol.ProtocolError as exc:
            return text_reply(exc.status, str(exc), exc.headers)
        if req.query is None:  # reached only by a POST without a query: parse_request said why
            return text_reply(400, "the request has no 'query'")
        return await self.endpoint.answer(req, headers.get(b"accept"), headers.get(b"if-none-match"), endpoint_url(scope))

    async def _read_body(self, scope, receive, headers: dict[bytes, str]) -> bytes:
        if scope["method"] != "POST":
            return b""
        body = Body(headers.get(b"content-length"), self.limit)
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return body.value()
            body.add(message.get("body", b""))
            if not message.get("more_body"):
                return body.value()


class Body:
    """A request body as it arrives: a 413 (``ProtocolError``) as soon as it passes ``limit`` bytes,
    or at once when its declared Content-Length does."""

    def __init__(self, content_length: str | None, limit: int):
        if content_length and content_length.isdigit() and int(content_length) > limit:
            raise protocol.ProtocolError(413, f"the request body is larger than {limit} bytes")
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise protocol.ProtocolError(413, f"the request body is larger than {self.limit} bytes")
        self.parts.append(chunk)

    def value(self) -> bytes:
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)


async def read_body(method: str, content_length: str | None, chunks, limit: int) -> bytes:
    """The request body (POST only) from an async iterator of chunks, or a 413 (see :class:`Body`)."""
    if method != "POST":
        return b""
    body = Body(content_length, limit)
    async for chunk in chunks:
        body.add(chunk)
    return body.value()


def _has_query_param(query_string: bytes) -> bool:
    return any(k == "query" for k, _ in protocol.parse_query_string(query_string.decode("latin-1")))


def _parse(method: str, query_string: bytes, content_type: str | None, body: bytes) -> protocol.QueryRequest:
    """The protocol request (clients repeat requests; URL-decoding a long query costs ~0.05 ms,
    so requests up to 64 KB are remembered)."""
    if len(body) + len(query_string) <= guard.REMEMBERED_QUERY_CHARS:
        return _parse_remembered(method, query_string, content_type, body)
    return _parse_request(method, query_string, content_type, body)


def _parse_request(method: str, query_string: bytes, content_type: str | None, body: bytes) -> protocol.QueryRequest:
    params = protocol.parse_query_string(query_string.decode("latin-1"))
    return protocol.parse_request(method, params, content_type, body)


_parse_remembered = functools.lru_cache(maxsize=1024)(_parse_request)


async def _send(send, reply: Reply, head_only: bool, request_headers: dict[bytes, str]) -> None:
    body = reply.body
    out = [(b"content-type", reply.media_type.encode("latin-1"))]
    out += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    if b"origin" in request_headers:
        out += CORS_HEADERS
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request_headers.get(b"accept-encoding", ""):
        body = gzip.compress(body, compresslevel=6, mtime=0)
        out.append((b"content-encoding", b"gzip"))
        out = [(k, v + b", Accept-Encoding") if k == b"vary" else (k, v) for k, v in out]
    if reply.status != 304:
        out.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": out})
    await send({"type": "http.response.body", "body": b"" if head_only or reply.status == 304 else body})
