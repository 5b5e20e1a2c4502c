"""VectorEngine: plans (rdflib algebra, cached per query text) and runs them; see the package."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.plugins.sparql import prepareQuery

from neaspec_kg.parsing import PARSER_LOCK
from neaspec_kg.vector.errors import QueryTimedOut, Unsupported
from neaspec_kg.vector.evaluate import Evaluation
from neaspec_kg.vector.index import Index, IndexMissing, check_index, load_index, vector_dir
from neaspec_kg.vector.table import Table
from neaspec_kg.vector.terms import Terms

log = logging.getLogger("neaspec_kg.vector")
MODES = ("auto", "columnar", "oxigraph")
# Query shapes where oxigraph is slow (whole-answer sorts and groups, text scans, paths, many
# joins): in mode auto the columnar engine takes these on their first sighting, since parsing
# (2-8 ms) is small beside what oxigraph would spend; other queries wait for a second sighting.
_LIKELY_HEAVY = re.compile(
    r"\b(GROUP|ORDER|DISTINCT|COUNT|SUM|AVG|REGEX|CONTAINS|EXISTS|MINUS|OPTIONAL|UNION)\b|[\w>)][+*]\s",
    re.IGNORECASE,
)
# FILTER(false), FILTER(0), FILTER(""): rdflib's translation drops such filters (their condition is falsy)
_CONSTANT_FILTER = re.compile(r"FILTER\s*\(\s*(true|false|[-+]?[0-9.eE]+|\"[^\"]*\"|'[^']*')\s*\)", re.IGNORECASE)
CACHED_QUERY_CHARS = 64 * 1024  # longer queries are neither remembered nor planned ahead (memory)


@dataclass(frozen=True)
class Declined:
    """Why this engine leaves a query to oxigraph (kept in the plan cache)."""

    reason: str


@dataclass
class Solutions:
    variables: list[str]
    table: Table
    terms: Terms


class VectorEngine:
    def __init__(self, index: Index | Path, mode: str = "auto", plan_cache: int = 1024):
        """``index``: a loaded index, or the folder of one, read when a query first needs it
        (so that a web process is ready before its 0.3 s of term dictionary at 400 sessions)."""
        if mode not in MODES:
            raise ValueError(f"engine mode {mode!r}: one of {', '.join(MODES)}")
        self._index = index if isinstance(index, Index) else None
        self._index_dir = None if isinstance(index, Index) else Path(index)
        self.mode = mode
        self.plan_cache = plan_cache
        self._plans: OrderedDict = OrderedDict()
        self._sightings: OrderedDict = OrderedDict()
        self._interchangeable: dict = {}
        self.answered = 0
        self.declined = 0
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()

    @classmethod
    def open(cls, store_dir: Path, mode: str = "auto") -> VectorEngine | None:
        """The engine for an oxigraph store folder, or None (and a log line) without an index."""
        if mode == "oxigraph":
            return None
        index_dir = vector_dir(store_dir)
        try:
            check_index(index_dir)
        except IndexMissing as exc:
            log.warning("columnar engine off: %s; oxigraph answers every query", exc)
            return None
        return cls(index_dir, mode)

    @property
    def index(self) -> Index:
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = load_index(self._index_dir)
        return self._index

    def solve(self, query: str, base_iri: str | None = None, deadline: float | None = None) -> Solutions | bool | None:
        """The answer of a SELECT (solutions) or ASK (bool), or None: let oxigraph answer.

        ``deadline`` (``time.monotonic()``) stops the evaluation with :class:`QueryTimedOut`.
        Safe to call from several threads.
        """
        key = (query, base_iri)
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
            elif self.mode == "auto" and not self._seen_before(key) and not _LIKELY_HEAVY.search(query):
                return None
        if plan is None:
            with PARSER_LOCK:  # rdflib's parser (pyparsing) is not thread-safe
                plan = self._plan(query, base_iri)
            with self._lock:
                self._remember(key, plan)
        if isinstance(plan, Declined):
            self.declined += 1
            return None
        algebra, variables = plan
        try:
            evaluation = Evaluation(self.index, deadline, star_project=_top_project(algebra) if variables is None else None)
            table = evaluation.pattern(algebra.p)
        except QueryTimedOut:
            raise
        except Exception as exc:  # Unsupported, or a fault of this engine: oxigraph answers instead
            if not isinstance(exc, Unsupported):
                log.exception("columnar engine failed; oxigraph answers: %s", query[:200])
            with self._lock:
                self._plans[key] = Declined(f"{type(exc).__name__}: {exc}")
            self.declined += 1
            return None
        self.answered += 1
        if algebra.name == "AskQuery":
            return table.n > 0
        if variables is None:
            variables = evaluation.star_names
        return Solutions(variables, table, evaluation.terms)

    def has_plan(self, query: str, base_iri: str | None = None) -> bool:
        """Whether ``query`` was planned (or declined for good) already: its next answer costs no parsing."""
        return (query, base_iri) in self._plans

    def interchangeable(self, query: str, base_iri: str | None = None) -> bool:
        """Whether oxigraph gives the same answer, byte for byte, as this engine does (as planned):
        an ASK (a boolean has no row order) without what the engines may answer differently inside
        it: a zero-length path (oxigraph 0.5.13 misses a term the graph lacks), a LIMIT/OFFSET
        (which rows a subquery keeps), SAMPLE or GROUP_CONCAT. False for a query not planned here."""
        key = (query, base_iri)
        known = self._interchangeable.get(key)
        if known is None:
            plan = self._plans.get(key)
            if plan is None:
                return False
            known = isinstance(plan, tuple) and plan[0].name == "AskQuery" and not _may_differ(plan[0])
            with self._lock:
                if len(self._interchangeable) >= self.plan_cache:
                    self._interchangeable.clear()
                self._interchangeable[key] = known
        return known

    def declined_reason(self, query: str, base_iri: str | None = None) -> str | None:
        plan = self._plans.get((query, base_iri))
        return plan.reason if isinstance(plan, Declined) else None

    def _seen_before(self, key) -> bool:
        if len(key[0]) > CACHED_QUERY_CHARS:
            return False
        if key in self._sightings:
            return True
        self._sightings[key] = True
        if len(self._sightings) > 4 * self.plan_cache:
            self._sightings.popitem(last=False)
        return False

    def _remember(self, key, plan) -> None:
        if len(key[0]) > CACHED_QUERY_CHARS:
            return
        self._plans[key] = plan
        if len(self._plans) > self.plan_cache:
            self._plans.popitem(last=False)

    def _plan(self, query: str, base_iri: str | None):
        try:
            saved, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False  # keep "01"^^xsd:int as written
            try:
                prepared = prepareQuery(query, base=base_iri)
            finally:
                rdflib.NORMALIZE_LITERALS = saved
        except Exception as exc:  # rdflib's parser raises many types; oxigraph will give the message
            log.debug("columnar engine cannot parse (%s): %s", exc, query[:200])
            return Declined(f"rdflib cannot parse it: {exc}")
        algebra = prepared.algebra
        if _CONSTANT_FILTER.search(query):
            return Declined("a FILTER with a constant condition (rdflib's algebra drops a false one)")
        if algebra.name not in ("SelectQuery", "AskQuery"):
            return Declined(f"{algebra.name} (this engine answers SELECT and ASK)")
        if algebra.get("datasetClause"):
            return Declined("FROM / FROM NAMED")
        variables = [str(v) for v in algebra.get("PV") or []]
        if algebra.name == "SelectQuery" and _is_select_star(query):
            variables = None  # the variables bound in the answer, by name (as oxigraph lists them)
        return algebra, variables


_MAY_DIFFER = frozenset({"Slice", "Aggregate_Sample", "Aggregate_GroupConcat"})


def _may_differ(algebra) -> bool:
    """Whether ``algebra`` holds a ``*`` or ``?`` property path, or a node named in ``_MAY_DIFFER``."""
    from rdflib.paths import MulPath, Path as PropertyPath
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [algebra], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MulPath):
            if node.zero:
                return True
            stack.append(node.path)
        elif isinstance(node, PropertyPath):
            stack.extend(getattr(node, "args", ()))
            if hasattr(node, "arg"):
                stack.append(node.arg)
        elif isinstance(node, dict):
            if isinstance(node, CompValue) and node.name in _MAY_DIFFER:
                return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set)):
            stack.extend(node)
    return False


def _top_project(algebra):
    node = algebra.p
    while node.name in ("Slice", "Distinct", "Reduced"):
        node = node.p
    return node if node.name == "Project" else None


def _is_select_star(query: str) -> bool:
    from rdflib.plugins.sparql.parser import parseQuery

    return "projection" not in parseQuery(query)[1]


__all__ = ["MODES", "QueryTimedOut", "Solutions", "Unsupported", "VectorEngine"]
