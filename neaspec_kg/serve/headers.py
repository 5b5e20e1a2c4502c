"""One header policy for every answer, as ASGI middleware.

For a whole (non-streamed) answer to GET or HEAD: a strong ``ETag`` computed from the bytes
sent, so that equal ETags always mean equal bytes, and ``304`` when the client already has
them; gzip when the client accepts it (with ``mtime=0``, so the same answer compresses to
the same bytes: Starlette's own gzip middleware stamps the time, which would change the
ETag on every request); ``Vary``; ``Cache-Control``. For every answer: ``nosniff``, a
Content-Security-Policy for HTML, no framing. CORS is Starlette's middleware (in ``app``).

A request still running when the server's graceful shutdown is over is cancelled by uvicorn,
which would answer it 500 and log a traceback as if the app had failed: it is answered 503
here instead, which a load balancer retries on another server (docs/deploy/nginx.conf).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib

from neaspec_kg.formats import parse_accept

GZIP_MIN_BYTES = 1024
# Scripts only from this server; inline styles allowed (the chart library styles its canvases
# inline; a style cannot run code).
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# A published release's static site searches in the browser with SQLite compiled to WebAssembly.
RELEASE_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
IMMUTABLE_PREFIX = "/releases/"  # a published release's files never change under their version
REVALIDATE = "public, no-cache"  # answers of the current release: keep, but ask (ETag) each time
STOPPING = b"this server is stopping and the request did not finish in time; try again (another server may answer)\n"


class HeaderPolicy:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_headers = dict(scope["headers"])
        whole = scope["method"] in ("GET", "HEAD")
        start: dict | None = None
        streaming = sent = False

        async def send_wrapper(message) -> None:
            nonlocal start, streaming, sent
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                return await send(message)
            sent = True
            if streaming:
                return await send(message)
            if message.get("more_body") or not whole or start["status"] != 200:
                streaming = True
                await send(_finish_start(start, scope, request_headers, None))
                return await send(message)
            body = message.get("body", b"")
            reply_start, reply_body = _whole(start, scope, request_headers, body)
            await send(reply_start)
            await send({"type": "http.response.body", "body": reply_body})

        try:
            await self.app(scope, receive, send_wrapper)
        except asyncio.CancelledError:  # only uvicorn's shutdown cancels a request (see above)
            if sent:
                raise
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"1"),
                       (b"connection", b"close"), (b"content-length", str(len(STOPPING)).encode())]
            await send(_finish_start({"type": "http.response.start", "status": 503, "headers": headers},
                                     scope, request_headers, None))
            await send({"type": "http.response.body", "body": STOPPING})


def _whole(start: dict, scope: dict, request_headers: dict, body: bytes) -> tuple[dict, bytes]:
    headers = dict(start["headers"])
    encoded = body
    if len(body) >= GZIP_MIN_BYTES and _accepts_gzip(request_headers.get(b"accept-encoding", b"")) \
            and b"content-encoding" not in headers and headers.get(b"content-type") != b"application/gzip":
        encoded = gzip.compress(body, compresslevel=6, mtime=0)
        headers[b"content-encoding"] = b"gzip"
        if b"etag" in headers:  # a tag set by the route (a static file's) names the bytes before gzip
            headers[b"etag"] = headers[b"etag"].rstrip(b'"') + b'-gzip"'

    if b"etag" not in headers and b"no-store" not in headers.get(b"cache-control", b""):
        # Of the bytes and their type: an N-Triples answer and the same bytes as N-Quads are two
        # representations (RFC 9110 8.8.1), and a cache must not serve one for the other.
        tag = hashlib.blake2b(headers.get(b"content-type", b"") + b"\n" + encoded, digest_size=12)
        headers[b"etag"] = b'"' + tag.hexdigest().encode() + b'"'
    headers[b"content-length"] = str(len(encoded)).encode()
    start = {**start, "headers": list(headers.items())}
    if b"etag" in headers and _matches(request_headers.get(b"if-none-match"), headers[b"etag"]):
        kept = [(k, v) for k, v in start["headers"] if k not in (b"content-length", b"content-type", b"content-encoding")]
        start = {**start, "status": 304, "headers": kept}
        encoded = b""
    start = _finish_start(start, scope, request_headers, headers.get(b"content-encoding"))
    return start, encoded  # uvicorn sends no body for HEAD, and keeps this Content-Length


def _accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (RFC 9110 12.5.3: names are case-insensitive,
    ``q=0`` refuses a coding, ``*`` stands for any coding not named). Its syntax is Accept's."""
    codings = dict(parse_accept(accept_encoding.decode("latin-1")))  # a bare "*" is read as "*/*"
    return codings.get("gzip", codings.get("x-gzip", codings.get("*/*", 0.0))) > 0


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(b",")]
    return etag in tags or b"*" in tags or (b"W/" + etag) in tags


def _finish_start(start: dict, scope: dict, request_headers: dict, encoding: bytes | None) -> dict:
    headers = dict(start["headers"])
    vary = [v.strip() for v in headers.get(b"vary", b"").split(b",") if v.strip()]
    for name in (b"Accept", b"Accept-Encoding") if encoding or start["status"] in (200, 304) else (b"Accept",):
        if name not in vary:
            vary.append(name)
    headers[b"vary"] = b", ".join(vary)
    headers[b"x-content-type-options"] = b"nosniff"
    headers.setdefault(b"referrer-policy", b"strict-origin-when-cross-origin")
    if headers.get(b"content-type", b"").startswith(b"text/html"):
        headers[b"content-security-policy"] = (RELEASE_CSP if scope["path"].startswith(IMMUTABLE_PREFIX) else CSP).encode()
        headers[b"x-frame-options"] = b"DENY"
    if start["status"] in (200, 304) and b"cache-control" not in headers:
        immutable = scope["path"].startswith(IMMUTABLE_PREFIX) and not scope["path"].startswith("/releases/latest")
        headers[b"cache-control"] = b"public, max-age=31536000, immutable" if immutable else REVALIDATE.encode()
    return {**start, "headers": list(headers.items())}
