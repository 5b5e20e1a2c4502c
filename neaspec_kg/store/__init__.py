"""The store stage: a built release of the graph, loaded and queried behind one seam.

``GraphStore`` is what the server needs from a store: SPARQL answers as bytes (time-limited),
bounded quad look-ups for pages, the named graphs and their sizes, the release id. Two
implementations: ``EmbeddedStore`` (pyoxigraph, the default) and ``RemoteStore`` (an existing
SPARQL 1.1 store such as Virtuoso or Oxigraph server). ``write_store`` is the build's step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph
from pyoxigraph import Quad

from neaspec_kg.store.answer import Answer, QueryJob
from neaspec_kg.store.release import Release


class GraphStore(Protocol):
    kind: str
    release: Release
    known_graphs: frozenset[str]

    def graph_sizes(self) -> dict[str, int]: ...

    def quads_for_pattern(self, s=None, p=None, o=None, g=None) -> Iterator[Quad]: ...

    def select(self, sparql: str) -> list[dict]: ...

    async def ready(self, timeout_s: float = 120) -> None: ...

    async def query(self, job: QueryJob, timeout_s: float) -> Answer: ...

    def health(self) -> dict[str, int]: ...

    def close(self) -> None: ...

    def retire(self) -> None: ...


UNION_INTO_DEFAULT_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def fill_store(store: pyoxigraph.Store, nquads: Path) -> pyoxigraph.Store:
    """Load the named graphs, and their union, deduplicated, as the store's default graph.

    SPARQL's union default graph is an RDF merge (a set); oxigraph's union-graph mode
    returns a triple once per graph holding it, so the union is materialized here and
    queries run on the real default graph.
    """
    # parse keeps the dump's blank node labels (bulk_load would give each load random ones), so
    # every store made from one dump holds the same quads, and answers alike, in the same order.
    store.bulk_extend(pyoxigraph.parse(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS))
    store.update(UNION_INTO_DEFAULT_GRAPH)
    return store


def write_store(nquads: Path, store_dir: Path) -> None:
    """The build's on-disk store of a release (see :func:`fill_store`)."""
    store = fill_store(pyoxigraph.Store(str(store_dir)), nquads)
    store.optimize()
    store.flush()
    del store


__all__ = ["Answer", "GraphStore", "QueryJob", "Release", "fill_store", "write_store"]
