"""/sparql: the SPARQL 1.1 Protocol, from an HTTP request to an answer of the current release.

Everything a query request needs is decided here, before a store sees it: the protocol
(``protocol``), the limits checked before any parser (``guard.check_shape``), updates refused,
the format (``formats``), the dataset named by the request, the answer cache. The store then
answers in bytes within the time limit (``store``).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from neaspec_kg import formats
from neaspec_kg.errors import ProtocolError, QueryRefused
from neaspec_kg.serve import protocol
from neaspec_kg.serve.common import PAGE_FORMATS, serving
from neaspec_kg.serve.service_description import SD_PREFIXES, service_description
from neaspec_kg.store import QueryJob, guard
from neaspec_kg.store.answer import serialize_graph

router = APIRouter()
METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"]  # the last four: a 405 that says why


@router.api_route("/sparql", methods=METHODS)
@router.api_route("/sparql/", methods=METHODS, include_in_schema=False)
async def sparql(request: Request) -> Response:
    if request.method == "OPTIONS":  # a CORS preflight is answered by the middleware before this
        return Response(status_code=204, headers={"Allow": protocol.ALLOW})
    settings = request.app.state.settings
    limit = settings.max_request_bytes
    if len(request.url.query) > limit:
        raise ProtocolError(f"the request URL is longer than {limit} bytes; POST the query instead", 414)
    body = await read_body(request, limit)
    req = protocol.parse_request(request.method, request.query_params.multi_items(),
                                 request.headers.get("content-type"), body)
    if req.query is None:
        return await describe_service(request, req.format_param)
    return await answer(request, req)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body (POST only), or a 413 as soon as it passes ``limit`` bytes."""
    if request.method != "POST":
        return b""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(f"the request body is larger than {limit} bytes", 413)
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(f"the request body is larger than {limit} bytes", 413)
        parts.append(chunk)
    return b"".join(parts)


async def answer(request: Request, req: protocol.QueryRequest) -> Response:
    state = serving(request)
    settings = request.app.state.settings
    current = state.current
    guard.check_shape(req.query, settings.max_query_depth, settings.max_describe_terms)
    form = guard.query_form(req.query)
    if form == "UPDATE":
        raise QueryRefused(guard.UPDATE_REFUSED, 403)
    offered = {"SELECT": formats.RESULT_FORMATS, "ASK": formats.BOOLEAN_FORMATS}.get(form or "", formats.GRAPH_FORMATS)
    fmt = formats.choose(request.headers.get("accept"), req.format_param, offered) if form else None
    guard.check_graphs(req.default_graphs or [], current.store.known_graphs, "default-graph-uri")
    guard.check_graphs(req.named_graphs or [], current.store.known_graphs, "named-graph-uri")
    job = QueryJob(
        query=req.query, format=fmt.key if fmt else None, accept=request.headers.get("accept"),
        format_param=req.format_param,
        default_graphs=tuple(req.default_graphs) if req.default_graphs is not None else None,
        named_graphs=tuple(req.named_graphs) if req.named_graphs is not None else None,
        base_iri=settings.public_base + "sparql", max_rows=settings.max_result_rows,
        service_allow=tuple(settings.service_allow),
    )
    cacheable = fmt is not None and guard.is_deterministic(req.query)
    key = (current.release.release, replace(job, accept=None, format_param=()))  # the format is chosen: job.format
    reply = state.cache.get(key) if cacheable else None
    if reply is None:
        reply = await current.store.query(job, settings.query_timeout_s)
        if cacheable:
            state.cache.put(key, reply)
    headers = dict(reply.headers)
    if not cacheable:
        headers["Cache-Control"] = "no-store"  # RAND(), NOW(), ...: the next answer differs
    return Response(reply.body, reply.status, headers=headers, media_type=reply.content_type)


async def describe_service(request: Request, format_param: tuple[str, ...]) -> Response:
    accept = request.headers.get("accept")
    fmt = formats.choose(accept, format_param, PAGE_FORMATS if not format_param else formats.GRAPH_FORMATS)
    if fmt is formats.HTML and accept and "text/html" in accept:
        from neaspec_kg.serve.pages import query_page

        return query_page(request)
    if fmt is formats.HTML:
        fmt = formats.GRAPH_FORMATS[0]
    settings = request.app.state.settings
    current = serving(request).current
    default_triples = await asyncio.to_thread(current.default_graph_triples)  # a query on the store, once
    triples = service_description(
        settings.public_base + "sparql", current.release, current.graph_sizes, default_triples,
        settings.query_timeout_s, settings.max_result_rows, bool(settings.service_allow),
    )
    return Response(serialize_graph(triples, fmt.key, SD_PREFIXES), 200, media_type=formats.content_type(fmt))

