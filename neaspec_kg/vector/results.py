"""The columnar engine's solutions in the SPARQL results formats.

JSON, the format nearly every client asks for, is written straight from the id columns, each
distinct term encoded once; the other formats go through the server's own writers
(``neaspec_kg.serve.results``) with pyoxigraph terms, so there is one definition of them.
"""

from __future__ import annotations

import json

import numpy as np
from pyoxigraph import BlankNode, Literal, NamedNode

from neaspec_kg.serve import results
from neaspec_kg.vector import Solutions
from neaspec_kg.vector.index import BNODE, IRI, RDF_LANG_STRING, XSD_STRING


def _json_fragment(term: tuple) -> str:
    kind, lexical, datatype, language = term
    if kind == IRI:
        return '{"type":"uri","value":' + json.dumps(lexical, ensure_ascii=False) + "}"
    if kind == BNODE:
        return '{"type":"bnode","value":' + json.dumps(lexical, ensure_ascii=False) + "}"
    out = '{"type":"literal","value":' + json.dumps(lexical, ensure_ascii=False)
    if language:
        out += ',"xml:lang":' + json.dumps(language)
    elif datatype and datatype != XSD_STRING:
        out += ',"datatype":' + json.dumps(datatype)
    return out + "}"


def _oxigraph_term(term: tuple):
    kind, lexical, datatype, language = term
    if kind == IRI:
        return NamedNode(lexical)
    if kind == BNODE:
        return BlankNode(lexical)
    if language:
        return Literal(lexical, language=language)
    if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
        return Literal(lexical, datatype=NamedNode(datatype))
    return Literal(lexical)


def _check_rows(solutions: Solutions, max_rows: int) -> None:
    if solutions.table.n > max_rows:
        raise results.TooManyRows(max_rows)


def select_json(solutions: Solutions, max_rows: int) -> bytes:
    _check_rows(solutions, max_rows)
    table, terms, variables = solutions.table, solutions.terms, solutions.variables
    columns = [table.column(v).tolist() for v in variables]
    names = [json.dumps(v, ensure_ascii=False) + ":" for v in variables]
    fragments: dict[int, str] = {}
    rows = []
    for r in range(table.n):
        parts = []
        for c, col in enumerate(columns):
            i = col[r]
            if i < 0:
                continue
            fragment = fragments.get(i)
            if fragment is None:
                fragment = fragments[i] = _json_fragment(terms.term(i))
            parts.append(names[c] + fragment)
        rows.append("{" + ",".join(parts) + "}")
    head = '{"head":{"vars":' + json.dumps(variables, ensure_ascii=False, separators=(",", ":")) + '},"results":{"bindings":['
    return (head + ",".join(rows) + "]}}").encode()


def select_rows(solutions: Solutions, max_rows: int) -> list[list]:
    """Rows of pyoxigraph terms (None where unbound), for the other writers."""
    _check_rows(solutions, max_rows)
    table, terms = solutions.table, solutions.terms
    cache: dict[int, object] = {}

    def term(i: int):
        if i < 0:
            return None
        found = cache.get(i)
        if found is None:
            found = cache[i] = _oxigraph_term(terms.term(i))
        return found

    columns = [table.column(v) for v in solutions.variables]
    matrix = np.stack(columns, axis=1).tolist() if columns else [[] for _ in range(table.n)]
    return [[term(i) for i in row] for row in matrix]


def write_select(fmt: str, solutions: Solutions, max_rows: int) -> bytes:
    if fmt == "json":
        return select_json(solutions, max_rows)
    return results.SELECT_WRITERS[fmt](solutions.variables, select_rows(solutions, max_rows))
