"""SELECT answers in SPARQL JSON, XML, CSV and TSV, with a row cap.

A SELECT answer is written by the engine's own serializer (pyoxigraph), into an output that
stops it once the bytes written hold more row boundaries than the cap allows. Written here
because that serializer has no row cap, and the server must stop at ``max_rows`` and say so
instead of making an unbounded answer; a writer of our own in Python (used until 2026-12)
cost about as much as the engine for wide answers (table-decisions at 30 sessions: 131 ms of
CPU against 85; benchmarks/results/2026-12-02-documented-queries.md).

A boundary marker can also occur inside a value (``},{`` in a JSON string, a line break in a
CSV field), so the count of markers is an upper bound of the rows: an answer past the cap by
that count is evaluated again and its rows counted one by one before it is refused or answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pyoxigraph import QueryResultsFormat, QuerySolutions

from neaspec_kg.errors import TooManyRows

ENGINE_FORMATS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
                  "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
# format key -> (marker that ends or separates rows, offset): rows <= markers + offset
ROW_MARKERS = {"json": (b"},{", 1), "xml": (b"<result>", 0), "csv": (b"\n", -1), "tsv": (b"\n", -1)}


def capped(rows: Iterable, limit: int) -> Iterator:
    for n, row in enumerate(rows):
        if n >= limit:
            raise TooManyRows(limit)
        yield row


class _MaybeTooMany(Exception):
    """The answer written so far may hold more rows than the cap."""


class _CappedOutput:
    """Where the engine writes an answer: keeps the bytes, stops past ``limit`` rows (counted by marker)."""

    def __init__(self, marker: bytes, offset: int, limit: int):
        self.marker, self.limit = marker, limit - offset
        self.parts: list[bytes] = []
        self.markers = 0
        self._tail = b""  # the end of the last chunk: a marker may span two chunks

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        self.markers += (self._tail + chunk).count(self.marker)
        if self.markers > self.limit:
            raise _MaybeTooMany
        self.parts.append(chunk)
        self._tail = chunk[-(len(self.marker) - 1):] if len(self.marker) > 1 else b""
        return len(chunk)

    def flush(self) -> None:
        pass


def select_answer(fmt: str, solutions: QuerySolutions, again: Callable[[], QuerySolutions], limit: int) -> bytes:
    """``solutions`` in the format ``fmt``; :class:`TooManyRows` past ``limit`` rows.
    ``again`` gives the same solutions anew (the query evaluated again, or its answer read again)."""
    engine_format = ENGINE_FORMATS[fmt]
    output = _CappedOutput(*ROW_MARKERS[fmt], limit)
    try:
        solutions.serialize(output, engine_format)
        return b"".join(output.parts)
    except _MaybeTooMany:
        pass
    for _ in capped(again(), limit):  # the exact count: markers inside values made the bound loose
        pass
    return again().serialize(format=engine_format)
