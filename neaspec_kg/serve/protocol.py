"""SPARQL 1.1 Protocol: turn an HTTP request into a query request, or a 4xx with a reason.

Query via GET, via POST with a form body (application/x-www-form-urlencoded) or via POST
with the query as the body (application/sparql-query, UTF-8 only). Update requests of any
kind are refused: the endpoint is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from neaspec_kg.errors import ProtocolError
from neaspec_kg.store.guard import UPDATE_REFUSED


@dataclass(frozen=True)
class QueryRequest:
    query: str | None  # None: GET without a query asks for the service description
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    format_param: tuple[str, ...] = ()  # every ``format`` value, in order


FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
ALLOW = "GET, HEAD, POST, OPTIONS"


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    media, *params = content_type.split(";")
    parsed = {}
    for p in params:
        name, _, value = p.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), parsed


def _check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset")
    if charset and charset.replace("-", "").replace("_", "") != "utf8":
        raise ProtocolError(f"only UTF-8 request bodies are accepted, not charset={charset}", 415)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what} is not valid UTF-8: {exc}", 400) from exc


def parse_request(method: str, url_params: list[tuple[str, str]], content_type: str | None, body: bytes) -> QueryRequest:
    method = method.upper()
    if method not in ("GET", "HEAD", "POST"):
        raise ProtocolError(f"{method} is not allowed on the SPARQL endpoint; use GET or POST", 405,
                            {"Allow": ALLOW})
    params = list(url_params)
    if method == "POST":
        media, ctparams = _media_type(content_type)
        if media == FORM:
            _check_charset(ctparams)
            params += parse_qsl(_decode(body, "the form body"), keep_blank_values=True)
        elif media == DIRECT:
            _check_charset(ctparams)
            if any(k in ("query", "update") for k, _ in params):
                raise ProtocolError("a direct POST carries the query in the body, not also in a 'query' parameter", 400)
            params.append(("query", _decode(body, "the query")))
        elif media == UPDATE:
            raise ProtocolError(UPDATE_REFUSED, 403)
        elif not media:
            raise ProtocolError(f"POST needs a Content-Type: {FORM} (query=...) or {DIRECT} (the query as the body)",
                                415)
        else:
            raise ProtocolError(f"unsupported Content-Type {media}; use {FORM} or {DIRECT}", 415)
    names = [k for k, _ in params]
    if "update" in names or any(k in ("using-graph-uri", "using-named-graph-uri") for k in names):
        raise ProtocolError(UPDATE_REFUSED, 403)
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        raise ProtocolError("exactly one 'query' parameter is allowed", 400)
    formats = tuple(v for k, v in params if k == "format" and v)
    default = [v for k, v in params if k == "default-graph-uri"]
    named = [v for k, v in params if k == "named-graph-uri"]
    dataset_given = bool(default or named)
    if not queries:
        if method == "POST":
            raise ProtocolError("the request has no 'query'", 400)
        return QueryRequest(None, format_param=formats)
    if not queries[0].strip():
        raise ProtocolError("the 'query' parameter is empty", 400)
    return QueryRequest(
        query=queries[0],
        default_graphs=default if dataset_given else None,
        named_graphs=named if dataset_given else None,
        format_param=formats,
    )
