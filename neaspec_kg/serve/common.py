"""What every route uses: the release being served, content negotiation, pages and plain text."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from neaspec_kg import formats
from neaspec_kg.serve.state import Serving

PAGE_FORMATS = (formats.HTML, *formats.GRAPH_FORMATS)
GET = ["GET", "HEAD"]  # the methods of a page or a document


def serving(request: Request) -> Serving:
    return request.app.state.serving


def negotiate(request: Request, offered: tuple[formats.Format, ...] = PAGE_FORMATS) -> formats.Format:
    """The format to answer in (``?format=`` wins over Accept); NotAcceptable (406) when none fits."""
    return formats.choose(request.headers.get("accept"), tuple(request.query_params.getlist("format")), offered)


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    current = serving(request).current
    templates = request.app.state.templates
    html = templates.get_template(name).render(release=current.release, base=current.base,
                                               local=current.linked_data.local_path, **context)
    return HTMLResponse(html, status_code=status)


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message.rstrip() + "\n", status, media_type="text/plain; charset=utf-8", headers=headers)
