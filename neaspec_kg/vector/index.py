"""The columnar index of the default graph: a term dictionary and four sorted permutations.

Written by the build next to the oxigraph store (``<store>/../vector``) and memory-mapped by
every query worker, so that starting a worker costs no load. Terms get integer ids; the
triples are kept as int32 columns sorted four ways (PSO, POS, SPO, OSP), so that a triple
pattern with any bound positions is one binary search and a zero-copy slice, and the slice is
already sorted on the column a join needs (the layout QLever and Hexastore made known).

``rank`` is each term's position in SPARQL's ORDER BY order (unbound < blank nodes < IRIs <
literals; numeric literals by value, then the others by lexical form, datatype, language),
so that sorting answers is sorting integers.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
NUMERIC_DATATYPES = frozenset(XSD + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte",
))
BNODE, IRI, LITERAL = 0, 1, 2
FORMAT_VERSION = 2  # 2: equal values share an ORDER BY rank
PERMUTATIONS = ("pso", "pos", "spo", "osp")  # the column order of each permutation
_COLUMN = {"s": 0, "p": 1, "o": 2}


class IndexMissing(FileNotFoundError):
    pass


def vector_dir(store_dir: Path) -> Path:
    """Where the columnar index of an oxigraph store folder lives (its sibling ``vector``)."""
    return Path(store_dir).resolve().parent / "vector"


# XSD lexical spaces (Python's int() and float() also take " 7 ", "1_000", "infinity")
INTEGER_LEXICAL = re.compile(r"[+-]?[0-9]+")
DECIMAL_LEXICAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
DOUBLE_LEXICAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_INTEGER_DATATYPES = NUMERIC_DATATYPES - {XSD + "decimal", XSD + "double", XSD + "float"}


def numeric_lexical_ok(lexical: str, datatype: str) -> bool:
    if datatype in _INTEGER_DATATYPES:
        return INTEGER_LEXICAL.fullmatch(lexical) is not None
    if datatype == XSD + "decimal":
        return DECIMAL_LEXICAL.fullmatch(lexical) is not None
    return DOUBLE_LEXICAL.fullmatch(lexical) is not None


def numeric_value(lexical: str, datatype: str | None) -> float:
    if datatype not in NUMERIC_DATATYPES or not numeric_lexical_ok(lexical, datatype):
        return math.nan  # an ill-typed literal has no value (SPARQL: comparisons are errors)
    return float(lexical.replace("INF", "inf"))


def datetime_key(lexical: str) -> float | None:
    """Seconds since the epoch of an xsd:dateTime with a time zone (else None: no total order)."""
    try:
        value = datetime.fromisoformat(lexical)
    except ValueError:
        return None
    return value.timestamp() if value.tzinfo is not None else None


def order_key(kind: int, lexical: str, datatype: str | None, language: str | None, number: float):
    """The ORDER BY key of one term; see the module docstring. Equal numbers ("1", "1.0") and equal
    instants get equal keys, so that the next ORDER BY condition decides between them."""
    if kind != LITERAL:
        return (kind, 0, 0.0, lexical, "", "")
    if not math.isnan(number):
        return (LITERAL, 0, number, "", "", "")
    if datatype == XSD + "dateTime":
        instant = datetime_key(lexical)
        if instant is not None:
            return (LITERAL, 1, instant, "", "", "")
    return (LITERAL, 2, 0.0, lexical, datatype or "", language or "")


@dataclass
class Index:
    """One loaded index: term columns plus the four permutations (each ``(3, n)`` int32)."""

    kind: bytes  # one byte per term id (bytes: indexing it from Python is fast)
    lex: list[str]
    datatype: list[str | None]
    language: list[str | None]
    num: np.ndarray  # float64 per term id, NaN when not numeric
    rank: np.ndarray  # int64 per term id
    perms: dict[str, np.ndarray]
    triples: int
    _lookup: dict | None = field(default=None, repr=False)

    @property
    def terms(self) -> int:
        return len(self.lex)

    def term_id(self, kind: int, lexical: str, datatype: str | None = None, language: str | None = None) -> int | None:
        """The id of a term of the graph, or None when the graph does not hold it.

        The lookup tables are built on first use, one per kind of term: most constants in
        queries are IRIs, and the IRI table is the cheap one (0.2 s for 840,000 terms).
        """
        if kind == LITERAL:
            if language:
                datatype, language = RDF_LANG_STRING, language.lower()
            elif not datatype:
                datatype = XSD_STRING
            return self._table(LITERAL).get((lexical, datatype, language))
        return self._table(kind).get(lexical)

    def _table(self, kind: int) -> dict:
        table = self._lookup.get(kind) if self._lookup is not None else None
        if table is None:
            if self._lookup is None:
                self._lookup = {}
            ids = np.flatnonzero(np.frombuffer(self.kind, dtype=np.uint8) == kind).tolist()
            lex = self.lex
            if kind == LITERAL:
                dt, lang = self.datatype, self.language
                table = {(lex[i], dt[i], lang[i]): i for i in ids}
            else:
                table = {lex[i]: i for i in ids}
            self._lookup[kind] = table
        return table

    def range(self, perm: str, *prefix: int) -> tuple[int, int]:
        """Rows of permutation ``perm`` whose leading columns equal ``prefix``."""
        cols = self.perms[perm]
        lo, hi = 0, cols.shape[1]
        for depth, value in enumerate(prefix):
            sub = cols[depth][lo:hi]
            value = cols.dtype.type(value)  # same dtype, or numpy copies the whole column to compare
            lo, hi = lo + int(np.searchsorted(sub, value, "left")), lo + int(np.searchsorted(sub, value, "right"))
            if lo == hi:
                break
        return lo, hi


def dense_ranks(keys: list) -> np.ndarray:
    """Ranks of ``keys`` in sorted order, equal keys sharing a rank."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.int64)
    current, previous = -1, object()
    for i in order:
        if keys[i] != previous:
            current += 1
            previous = keys[i]
        rank[i] = current
    return rank


def build_index(triples, out_dir: Path) -> dict:
    """Write the index of ``triples`` (pyoxigraph triples or quads) to ``out_dir``, atomically."""
    from pyoxigraph import BlankNode, NamedNode

    ids: dict = {}
    kind: list[int] = []
    lex: list[str] = []
    datatype: list[str | None] = []
    language: list[str | None] = []

    def term_id(term) -> int:
        found = ids.get(term)
        if found is not None:
            return found
        ids[term] = n = len(lex)
        if isinstance(term, NamedNode):
            kind.append(IRI), lex.append(term.value), datatype.append(None), language.append(None)
        elif isinstance(term, BlankNode):
            kind.append(BNODE), lex.append(term.value), datatype.append(None), language.append(None)
        else:
            kind.append(LITERAL), lex.append(term.value), datatype.append(term.datatype.value)
            language.append(term.language.lower() if term.language else None)
        return n

    rows = [(term_id(t.subject), term_id(t.predicate), term_id(t.object)) for t in triples]
    spo = np.array(rows, dtype=np.int32).reshape(-1, 3).T if rows else np.zeros((3, 0), dtype=np.int32)
    num = np.array([numeric_value(lx, dt) for lx, dt in zip(lex, datatype)], dtype=np.float64)
    keys = [order_key(k, lx, dt, lg, nb) for k, lx, dt, lg, nb in zip(kind, lex, datatype, language, num.tolist())]
    rank = dense_ranks(keys)

    staging = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for perm in PERMUTATIONS:
        cols = np.stack([spo[_COLUMN[c]] for c in perm]) if len(rows) else np.zeros((3, 0), dtype=np.int32)
        order_rows = np.lexsort((cols[2], cols[1], cols[0]))
        np.save(staging / f"{perm}.npy", np.ascontiguousarray(cols[:, order_rows]))
    np.save(staging / "kind.npy", np.array(kind, dtype=np.uint8))
    np.save(staging / "num.npy", num)
    np.save(staging / "rank.npy", rank)
    with open(staging / "terms.pkl", "wb") as f:
        pickle.dump({"lex": lex, "datatype": datatype, "language": language}, f, protocol=pickle.HIGHEST_PROTOCOL)
    meta = {"format": FORMAT_VERSION, "triples": int(spo.shape[1]), "terms": len(lex)}
    (staging / "meta.json").write_text(json.dumps(meta) + "\n")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    os.replace(staging, out_dir)
    return meta


def ensure_index(store_dir: Path) -> bool:
    """Write the index of an oxigraph store made before this engine existed; False if it cannot."""
    out = vector_dir(store_dir)
    try:
        if json.loads((out / "meta.json").read_text()).get("format") == FORMAT_VERSION:
            return True
    except (FileNotFoundError, ValueError):
        pass
    from pyoxigraph import DefaultGraph, Store

    try:
        store = Store.read_only(str(store_dir))
        build_index(store.quads_for_pattern(None, None, None, DefaultGraph()), out)
    except OSError:
        return False
    return True


def check_index(index_dir: Path) -> dict:
    """The index's metadata; IndexMissing when there is none this version can read."""
    index_dir = Path(index_dir)
    try:
        meta = json.loads((index_dir / "meta.json").read_text())
    except FileNotFoundError as exc:
        raise IndexMissing(f"{index_dir}: no columnar index (run 'neaspec-kg build')") from exc
    if meta.get("format") != FORMAT_VERSION:
        raise IndexMissing(f"{index_dir}: index format {meta.get('format')}, this version reads {FORMAT_VERSION}")
    return meta


def load_index(index_dir: Path) -> Index:
    """Open an index written by :func:`build_index` (arrays memory-mapped, terms read)."""
    index_dir = Path(index_dir)
    meta = check_index(index_dir)
    with open(index_dir / "terms.pkl", "rb") as f:
        terms = pickle.load(f)
    def mapped(name: str) -> np.ndarray:  # a plain ndarray view: numpy's memmap subclass is slow to slice
        return np.asarray(np.load(index_dir / f"{name}.npy", mmap_mode="r"))

    return Index(
        kind=mapped("kind").tobytes(),
        lex=terms["lex"],
        datatype=terms["datatype"],
        language=terms["language"],
        num=mapped("num"),
        rank=mapped("rank"),
        perms={p: mapped(p) for p in PERMUTATIONS},
        triples=meta["triples"],
    )
