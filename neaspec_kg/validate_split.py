"""SHACL validation in parts, one per report graph, so that cost grows with the work (issue 17).

Every shape is checked on every node it targets in the whole dataset, against the whole dataset
(the union of the named graphs, read in place: nothing is copied); what is split is the focus
nodes:

* a report unit checks the nodes **owned** by its report graph: subjects there that no other
  report graph mentions (as subject or object);
* the spanning unit checks every other node: curated rows, public records, SDG links and the
  KOS, and any node that two report graphs describe or link to (sessions, events, places).

Why a report unit's findings depend only on its report, the context graphs (ontology, curated
tables, records) and the shapes, so that the build may keep them with the report
(neaspec_kg.build_cache) and skip an unchanged report: a check starts from an owned node and
follows its links forwards (no shape has an inverse path), to nodes of its own report (whose IRIs
are scoped by session) or of the context graphs; a node another report also mentions is never
owned. The units run in worker processes (fork), two at a time on two cores; a large unit is
split by shape in two.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

from pyshacl.graph_abstraction import RdfLibDataGraph
from pyshacl.shape import Shape
from pyshacl.validator import Validator
from rdflib import Dataset, Graph, URIRef

from neaspec_kg import iris
from neaspec_kg.namespaces import bind_prefixes
from neaspec_kg.validate import Finding, findings_of, prepared, validator_options

# A unit of more triples is checked in two halves (by shape), one per core.
SPLIT_TRIPLES = 20_000
# Seconds between two lines saying what is still running.
HEARTBEAT_S = 5.0


@dataclass(frozen=True)
class Unit:
    key: str  # the report graph's IRI, or "spanning"
    owned: frozenset[URIRef] | None  # the focus nodes it checks; None: those no report unit checks
    triples: int  # of the report graph (of the whole dataset for the spanning unit)

    @property
    def is_report(self) -> bool:
        return self.owned is not None

    def digest(self) -> str:
        """The owned nodes (which can shrink when another report starts to mention one)."""
        return hashlib.sha256("\n".join(sorted(self.owned or ())).encode()).hexdigest()


def is_report_graph(identifier: URIRef) -> bool:
    return str(identifier).startswith(str(iris.report_graph(0)).rsplit("/", 1)[0] + "/")


def plan_units(dataset: Dataset) -> list[Unit]:
    """One unit per report graph, then the spanning unit."""
    graphs = [g for g in dataset.graphs() if len(g)]
    reports = [g for g in graphs if is_report_graph(g.identifier)]
    mentions: Counter[URIRef] = Counter()
    for g in reports:
        mentions.update({t for s, _, o in g for t in (s, o) if isinstance(t, URIRef)})
    units = [Unit(str(g.identifier), frozenset(s for s in g.subjects() if isinstance(s, URIRef) and mentions[s] == 1),
                  len(g)) for g in reports]
    units.append(Unit("spanning", None, sum(len(g) for g in graphs)))
    return units


# --- running the units -----------------------------------------------------------------------
class _FocusShape(Shape):
    """A shape whose own targets are narrowed to one unit's nodes. Only a shape checked for its
    targets asks for its focus nodes; a nested check (sh:node, sh:or ...) is given its value
    nodes and is never narrowed."""

    __slots__ = ()
    keep: Callable[[object], bool] = staticmethod(lambda _node: True)
    shapes: frozenset | None = None  # the shapes this task checks for their targets (None: all)
    known: dict = {}  # shape -> its focus nodes on the whole graph (the same in every unit)

    def focus_nodes(self, data_graph, debug=False):  # type: ignore[override]
        if _FocusShape.shapes is not None and self.node not in _FocusShape.shapes:
            return set()
        every = _FocusShape.known.get(self.node)
        if every is None:
            every = _FocusShape.known[self.node] = frozenset(super().focus_nodes(data_graph, debug=debug))
        return {node for node in every if _FocusShape.keep(node)}


class _UnionDataGraph(RdfLibDataGraph):
    """The dataset as one graph (the union of its named graphs), SPARQL texts parsed once."""

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        return super().query(prepared(query_object), *args, **kwargs)


_STATE: dict = {}  # the dataset, shapes and units, set before the worker processes fork


def _run(index: int, shapes: frozenset | None) -> tuple[int, list[Finding]]:
    """Findings of unit ``index`` for the targets of ``shapes`` (None: every shape)."""
    unit: Unit = _STATE["units"][index]
    data: _UnionDataGraph = _STATE["data"]
    validator = Validator(data, shacl_graph=_STATE["shapes"], options=validator_options())
    if "shapes_graph" in _STATE:  # harvested once per process
        validator.shacl_graph = _STATE["shapes_graph"]
    _STATE["shapes_graph"] = validator.shacl_graph
    if unit.owned is not None:
        owned = unit.owned
        keep: Callable[[object], bool] = lambda node: node in owned  # noqa: E731
    else:
        claimed = _STATE["claimed"]
        keep = lambda node: node not in claimed  # noqa: E731
    every = list(validator.shacl_graph.shapes)
    _FocusShape.keep, _FocusShape.shapes = staticmethod(keep), shapes
    for shape in every:
        shape.__class__ = _FocusShape
    try:
        _, results, _ = validator.run()
    finally:
        for shape in every:
            shape.__class__ = Shape
        _FocusShape.keep, _FocusShape.shapes = staticmethod(lambda _node: True), None
    return index, findings_of(results, data.impl, _STATE["shapes"])


def split_shapes(shapes: Graph, instances: Callable[[URIRef], int], parts: int = 2) -> list[frozenset]:
    """The node shapes in ``parts`` groups of about equal work (``instances`` of the shape's target
    classes, times its constraints); shapes without a class target go to the first group."""
    from rdflib.namespace import RDF, SH

    work = {}
    for shape in set(shapes.subjects(SH.targetClass, None)):
        targets = sum(instances(cls) for cls in shapes.objects(shape, SH.targetClass))
        constraints = 1 + len(list(shapes.objects(shape, SH.property))) + len(list(shapes.objects(shape, SH.sparql)))
        work[shape] = targets * constraints
    groups: list[set] = [set() for _ in range(parts)]
    loads = [0] * parts
    for shape in sorted(work, key=lambda s: (-work[s], str(s))):
        k = loads.index(min(loads))
        groups[k].add(shape)
        loads[k] += work[shape]
    others = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    groups[0] |= others - set(work)
    return [frozenset(g) for g in groups]


def _instances(dataset: Dataset, unit: Unit, claimed: frozenset) -> Callable[[URIRef], int]:
    from rdflib.namespace import RDF

    if unit.owned is not None:
        graph = dataset.graph(URIRef(unit.key))
        return lambda cls: sum(1 for _ in graph.subjects(RDF.type, cls))
    return lambda cls: sum(1 for g in dataset.graphs() for s in g.subjects(RDF.type, cls) if s not in claimed)


def validate_units(dataset: Dataset, shapes: Graph, units: list[Unit], todo: list[int],
                   progress: Callable[[str], None] = lambda _text: None,
                   workers: int | None = None) -> Iterator[tuple[int, list[Finding]]]:
    """Validate the units at positions ``todo``; yields (position, findings) as each finishes."""
    claimed = frozenset().union(*(u.owned for u in units if u.owned is not None))
    _STATE.clear()
    _FocusShape.known = {}
    union = dataset.default_union
    dataset.default_union = True
    bind_prefixes(dataset)  # findings name terms as in a single-graph validation (nea:, schema: ...)
    _STATE.update(data=_UnionDataGraph(dataset.store, impl=dataset), shapes=shapes, units=units, claimed=claimed)
    try:
        yield from _validate(units, todo, shapes, dataset, progress, workers)
    finally:
        dataset.default_union = union
        _STATE.clear()
        _FocusShape.known = {}


def _validate(units, todo, shapes, dataset, progress, workers):
    workers = workers if workers is not None else min(os.cpu_count() or 1, 2)
    tasks: list[tuple[int, frozenset | None]] = []
    claimed = _STATE["claimed"]
    for i in todo:
        big = workers > 1 and units[i].triples > SPLIT_TRIPLES
        parts = split_shapes(shapes, _instances(dataset, units[i], claimed)) if big else [None]
        tasks += [(i, part) for part in parts]
    if not tasks:
        return
    pending: Counter[int] = Counter(i for i, _ in tasks)
    found: dict[int, list[Finding]] = {i: [] for i in todo}
    started = time.perf_counter()
    # Worker processes even on one core: the parent stays free to say what is running.
    with ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("fork")) as pool:
        running = {pool.submit(_run, *task): task[0] for task in tasks}
        while running:
            done, _ = wait(running, timeout=HEARTBEAT_S, return_when=FIRST_COMPLETED)
            if not done:
                names = ", ".join(sorted({unit_name(units[i]) for i in running.values()})[:3])
                progress(f"validating: {len(running)} part(s) still running ({names} ...), "
                         f"{time.perf_counter() - started:.0f} s")
                continue
            for future in done:
                index = running.pop(future)
                findings = future.result()[1]
                found[index].extend(findings)
                pending[index] -= 1
                if pending[index] == 0:
                    yield index, sorted(set(found[index]), key=_order)


def _order(f: Finding) -> tuple:
    from neaspec_kg.validate import SEVERITY_ORDER

    return (SEVERITY_ORDER.get(f.severity, 9), f.shape, f.focus, f.value, f.message, f.path)


def unit_name(unit: Unit) -> str:
    return unit.key.rsplit("/", 1)[-1] if unit.is_report else "nodes shared across graphs"
