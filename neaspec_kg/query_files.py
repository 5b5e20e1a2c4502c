"""The project's named queries (``queries/*.rq``): each starts with ``# title: ...`` and
``# description: ...`` comment lines, read by the query page's examples and by the tables of
a release."""

from __future__ import annotations

from itertools import takewhile


def query_headers(text: str) -> dict[str, str]:
    """``title`` and ``description`` from the comment lines before the query (those present)."""
    headers = {}
    head = takewhile(lambda line: not line.strip() or line.strip().startswith("#"), text.splitlines())
    for line in head:
        key, sep, value = line.strip().lstrip("#").partition(":")
        if sep and key.strip().lower() in ("title", "description"):
            headers[key.strip().lower()] = value.strip()
    return headers
