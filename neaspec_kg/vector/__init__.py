"""A columnar SPARQL engine for SELECT and ASK on the default graph; oxigraph does the rest.

Why a second engine: oxigraph evaluates joins tuple at a time with a fixed join order and
sorts whole answers for ORDER BY + LIMIT; on the cross-session questions users ask (GROUP BY
over every session, multi-hop paths, pages of sorted answers) that made our endpoint slower
than a plain Virtuoso. This engine evaluates rdflib's SPARQL algebra a whole column at a
time over sorted integer permutations (``index``), with numpy doing the joins and sorts.

It answers a query only when it evaluates every part of it (see ``evaluate``); any other
query, and every CONSTRUCT, DESCRIBE, GRAPH, FROM, SERVICE or protocol-dataset query, is
answered by oxigraph, so the endpoint's coverage of SPARQL is oxigraph's. The differential
tests run the W3C SPARQL 1.1 evaluation tests and our own queries through both engines.

Modes (``NEASPEC_KG_ENGINE``): ``auto`` parses a query with rdflib at once when it has a shape
oxigraph is slow at (GROUP BY, ORDER BY, DISTINCT, aggregates, REGEX/CONTAINS, OPTIONAL,
UNION, MINUS, EXISTS, ``+``/``*`` paths), and any other query from its second sighting in a
process (rdflib's parser costs 2-8 ms, more than oxigraph needs for a one-off lookup);
``columnar`` tries this engine on every SELECT/ASK; ``oxigraph`` never uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neaspec_kg.vector.errors import ExprError, QueryTimedOut, Unsupported

if TYPE_CHECKING:
    from neaspec_kg.vector.engine import MODES, Solutions, VectorEngine

_LAZY = {"VectorEngine", "Solutions", "MODES"}


def __getattr__(name: str):
    # numpy and rdflib load only where the engine runs (web processes), not in oxigraph workers
    if name in _LAZY:
        from neaspec_kg.vector import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'neaspec_kg.vector' has no attribute {name!r}")


__all__ = ["MODES", "ExprError", "QueryTimedOut", "Solutions", "Unsupported", "VectorEngine"]
