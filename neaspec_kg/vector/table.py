"""Solution sequences as columns of term ids, and the joins between them.

A :class:`Table` holds one int64 array per variable (-1 where the variable is unbound) and
knows which variables may be unbound. Joins are sort-merge joins done with ``searchsorted``;
a join on a variable that may be unbound on either side would need SPARQL's compatible-mapping
rule row by row, so it raises :class:`Unsupported` and oxigraph answers the query instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neaspec_kg.vector.errors import Unsupported


@dataclass
class Table:
    n: int
    cols: dict[str, np.ndarray] = field(default_factory=dict)
    maybe: frozenset[str] = frozenset()  # variables that may be unbound in some row

    @staticmethod
    def unit() -> Table:
        return Table(1)

    @staticmethod
    def empty(names=()) -> Table:
        return Table(0, {v: np.zeros(0, dtype=np.int64) for v in names})

    @property
    def names(self) -> list[str]:
        return list(self.cols)

    def column(self, name: str) -> np.ndarray:
        col = self.cols.get(name)
        return col if col is not None else np.full(self.n, -1, dtype=np.int64)

    def take(self, rows: np.ndarray) -> Table:
        return Table(len(rows), {k: v[rows] for k, v in self.cols.items()}, self.maybe)

    def mask(self, keep: np.ndarray) -> Table:
        return self.take(np.flatnonzero(keep))

    def with_column(self, name: str, values: np.ndarray) -> Table:
        cols = dict(self.cols)
        cols[name] = values
        maybe = self.maybe | {name} if bool((values < 0).any()) else self.maybe - {name}
        return Table(self.n, cols, maybe)


def ranges(keys_sorted: np.ndarray, probes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each probe, the rows of ``keys_sorted`` equal to it: (probe row, matching row) pairs."""
    if probes.dtype != keys_sorted.dtype:  # else numpy converts the (large) sorted side to compare
        probes = probes.astype(keys_sorted.dtype)
    lo = np.searchsorted(keys_sorted, probes, "left")
    hi = np.searchsorted(keys_sorted, probes, "right")
    counts = hi - lo
    total = int(counts.sum())
    if total > MAX_JOIN_ROWS:
        raise Unsupported(f"a join of {total} rows (oxigraph streams such queries)")
    left = np.repeat(np.arange(len(probes), dtype=np.int64), counts)
    if total == 0:
        return left, np.zeros(0, dtype=np.int64)
    first = np.cumsum(counts) - counts
    right = np.repeat(lo - first, counts) + np.arange(total, dtype=np.int64)
    return left, right


MAX_JOIN_ROWS = 20_000_000  # see evaluate.MAX_ROWS
MAX_CELLS = 40_000_000  # rows x variables of one result (320 MB of ids): more goes to oxigraph, which streams


def check_size(rows: int, columns: int) -> None:
    if rows * max(1, columns) > MAX_CELLS:
        raise Unsupported(f"an intermediate result of {rows} rows x {columns} variables (oxigraph streams such queries)")
CROSS_PRODUCT_LIMIT = 5_000_000  # rows; a larger join with no always-bound shared variable is left to oxigraph


def join_rows(left: Table, right: Table) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs of ``left`` and ``right`` that are compatible (SPARQL 1.1 §18.3).

    Shared variables bound in every row of both sides drive a sort-merge join; shared
    variables that may be unbound are then checked pair by pair (equal, or unbound on a side).
    """
    shared = [v for v in left.cols if v in right.cols]
    keys = [v for v in shared if v not in left.maybe and v not in right.maybe]
    loose = [v for v in shared if v not in keys]
    if keys:
        key = keys[0]
        order = np.argsort(right.cols[key], kind="stable")
        li, pos = ranges(right.cols[key][order], left.cols[key])
        ri = order[pos]
    else:
        if left.n * right.n > CROSS_PRODUCT_LIMIT:
            raise Unsupported("a large join with no always-bound shared variable")
        li = np.repeat(np.arange(left.n, dtype=np.int64), right.n)
        ri = np.tile(np.arange(right.n, dtype=np.int64), left.n)
    for v in keys[1:]:
        same = left.cols[v][li] == right.cols[v][ri]
        li, ri = li[same], ri[same]
    for v in loose:
        a, b = left.cols[v][li], right.cols[v][ri]
        ok = (a == b) | (a < 0) | (b < 0)
        li, ri = li[ok], ri[ok]
    return li, ri


def combine(left: Table, right: Table, li: np.ndarray, ri: np.ndarray) -> Table:
    """The merged rows of compatible pairs (a variable unbound on the left takes the right's value)."""
    check_size(len(li), len(set(left.cols) | set(right.cols)))
    cols = {}
    for k, v in left.cols.items():
        col = v[li]
        if k in right.cols and (k in left.maybe):
            col = np.where(col >= 0, col, right.cols[k][ri])
        cols[k] = col
    for k, v in right.cols.items():
        if k not in cols:
            cols[k] = v[ri]
    maybe = frozenset(k for k in (left.maybe | right.maybe) if k in cols and bool((cols[k] < 0).any()))
    return Table(len(li), cols, maybe)


def join(left: Table, right: Table) -> Table:
    if left.n == 0 or right.n == 0:
        return Table.empty(set(left.cols) | set(right.cols))
    li, ri = join_rows(left, right)
    return combine(left, right, li, ri)


def left_join(left: Table, right: Table, keep=None) -> Table:
    """OPTIONAL: ``keep(table) -> bool array`` is the OPTIONAL's own FILTER on the joined rows."""
    new = [k for k in right.cols if k not in left.cols]
    if right.n == 0 or left.n == 0:
        li = ri = np.zeros(0, dtype=np.int64)
    else:
        li, ri = join_rows(left, right)
    joined = combine(left, right, li, ri)
    for k in new:
        joined.cols.setdefault(k, np.zeros(0, dtype=np.int64))
    if keep is not None and joined.n:
        ok = keep(joined)
        joined, li = joined.mask(ok), li[ok]
    unmatched = np.setdiff1d(np.arange(left.n, dtype=np.int64), li, assume_unique=False)
    rest = left.take(unmatched)
    cols = {k: np.concatenate([joined.cols[k], rest.column(k)]) for k in joined.cols}
    maybe = frozenset(k for k in cols if bool((cols[k] < 0).any()))
    return Table(joined.n + rest.n, cols, maybe)


def union(a: Table, b: Table) -> Table:
    names = list(dict.fromkeys([*a.cols, *b.cols]))
    cols = {k: np.concatenate([a.column(k), b.column(k)]) for k in names}
    maybe = a.maybe | b.maybe | {k for k in names if k not in a.cols or k not in b.cols}
    return Table(a.n + b.n, cols, frozenset(maybe))


def minus(a: Table, b: Table) -> Table:
    """Rows of ``a`` with no compatible row of ``b`` that shares a bound variable with it."""
    shared = [v for v in a.cols if v in b.cols]
    if not shared or a.n == 0 or b.n == 0:
        return a
    li, ri = join_rows(Table(a.n, {v: a.cols[v] for v in shared}, a.maybe), Table(b.n, {v: b.cols[v] for v in shared}, b.maybe))
    overlap = np.zeros(len(li), dtype=bool)
    for v in shared:
        overlap |= (a.cols[v][li] >= 0) & (b.cols[v][ri] >= 0)
    keep = np.ones(a.n, dtype=bool)
    keep[li[overlap]] = False
    return a.mask(keep)


def semi_join(a: Table, b: Table, negate: bool) -> Table:
    """Rows of ``a`` with (``negate``: without) a compatible row in ``b``: FILTER [NOT] EXISTS."""
    if a.n == 0:
        return a
    shared = [v for v in a.cols if v in b.cols]
    hit = np.zeros(a.n, dtype=bool)
    if b.n:
        if shared:
            li, _ = join_rows(Table(a.n, {v: a.cols[v] for v in shared}, a.maybe),
                              Table(b.n, {v: b.cols[v] for v in shared}, b.maybe))
            hit[li] = True
        else:
            hit[:] = True
    return a.mask(~hit if negate else hit)


def distinct_rows(table: Table, names: list[str]) -> np.ndarray:
    """Row numbers of the first occurrence of each distinct row, in table order."""
    if table.n == 0:
        return np.zeros(0, dtype=np.int64)
    if not names:
        return np.zeros(1, dtype=np.int64)
    if len(names) == 1:
        _, first = np.unique(table.column(names[0]), return_index=True)
    else:
        _, first = np.unique(np.stack([table.column(v) for v in names], axis=1), axis=0, return_index=True)
    return np.sort(first)


def group_ids(table: Table, names: list[str]) -> tuple[np.ndarray, int]:
    """A group number per row (groups in order of first occurrence) and the number of groups."""
    if not names:
        return np.zeros(table.n, dtype=np.int64), 1
    if len(names) == 1:
        _, first, inverse = np.unique(table.column(names[0]), return_index=True, return_inverse=True)
    else:
        stacked = np.stack([table.column(v) for v in names], axis=1)
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    renumber = np.empty(len(first), dtype=np.int64)
    renumber[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int64)
    return renumber[inverse.reshape(-1)], len(first)
