"""The narrow seam between the pages (and the search build) and a store: a function running a SELECT.

``Select`` takes SPARQL text and returns rows as dicts of variable name -> pyoxigraph term (or
None when unbound). Any store can stand behind it: an embedded pyoxigraph store
(:func:`store_select`) or a remote SPARQL endpoint whose JSON answers are turned into terms.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Store

Term = NamedNode | Literal | BlankNode
Row = dict[str, Term | None]
Select = Callable[[str], list[Row]]


def store_select(store: Store, cache_size: int = 512) -> Select:
    """A ``Select`` over a pyoxigraph store (its default graph: the union the build materializes).

    A server's store is read-only for the life of its process (a new build is served by new
    processes), so answers are kept, by query text, in an LRU cache of ``cache_size`` queries;
    callers must not change the rows they get. ``cache_size=0`` turns it off.
    """

    def run(query: str) -> list[Row]:
        return select_rows(store, query)

    return lru_cache(maxsize=cache_size)(run) if cache_size else run


def select_rows(store: Store, query: str) -> list[Row]:
    """The rows of a SELECT over ``store`` (terms pickle, so a query worker can send them)."""
    solutions = store.query(query)
    if not isinstance(solutions, QuerySolutions):
        raise TypeError("a page query must be a SELECT query")
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names} for s in solutions]
