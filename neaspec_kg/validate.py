"""SHACL validation with pyshacl, and a report a person can read.

The shapes (shapes/*.ttl) are validated against the data with the ontology mixed in, so
that targets and sh:class on reused classes (schema:Event ...) reach the project's
subclasses (design/VOCABULARIES.md pitfall 7). Each finding names the focus node by label
and IRI, the property (by the shape's sh:name and its path), the shape's message, the
offending value and, for extracted facts, the source paragraph.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.util import guess_format

from neaspec_kg import iris
from neaspec_kg.namespaces import NEA, SHAPES, bind_prefixes
from neaspec_kg.rdf import load_turtle_dir
from neaspec_kg.settings import Settings

# Findings listed per message before "... and n more".
MAX_LISTED = 20
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    focus_label: str
    path: str  # the property as "name (curie)", or the path alone
    message: str
    shape: str
    value: str
    source: str  # the paragraph a fact is derived from, when there is one


@dataclass
class ValidationReport:
    conforms: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def text(self) -> str:
        if not self.findings:
            return "conforms: every node satisfies the shapes"
        counts = Counter(f.severity for f in self.findings)
        summary = ", ".join(f"{counts[s]} {s.lower()}{'s' if counts[s] != 1 else ''}"
                            for s in sorted(counts, key=lambda s: SEVERITY_ORDER.get(s, 9)))
        lines = [("does NOT conform" if not self.conforms else "conforms, with remarks to review") + ": " + summary]
        groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for f in self.findings:
            groups[(f.severity, f.shape, f.message)].append(f)
        for (severity, shape, message), group in sorted(
                groups.items(), key=lambda kv: (SEVERITY_ORDER.get(kv[0][0], 9), kv[0][1], kv[0][2])):
            lines.append("")
            lines.append(f"{severity.upper()}: {message}")
            where = ", ".join(part for part in (f"shape {shape}" if shape else "",
                                                 f"property {group[0].path}" if group[0].path else "") if part)
            if where:
                lines.append(f"  {where}")
            for f in group[:MAX_LISTED]:
                lines.append(f"  - {f.focus_label} <{f.focus}>")
                if f.value:
                    lines.append(f"      value: {f.value}")
                if f.source:
                    lines.append(f"      from: {f.source}")
            if len(group) > MAX_LISTED:
                lines.append(f"  ... and {len(group) - MAX_LISTED} more")
        return "\n".join(lines)


_PREPARED: dict[str, Query] = {}  # SPARQL text -> parsed query, for every data graph of the process


class PreparedQueryGraph(Graph):
    """A data graph that parses each SPARQL text once.

    pyshacl runs a SPARQL constraint once per focus node with the same text; rdflib parses
    the text every time (~30 ms), which made parsing most of the validation time.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any):  # type: ignore[override]
        return super().query(prepared(query_object), *args, **kwargs)


def prepared(query: Any) -> Any:
    """A SPARQL text parsed (once per process); anything else as it is."""
    if not isinstance(query, str):
        return query
    parsed = _PREPARED.get(query)
    if parsed is None:
        parsed = _PREPARED[query] = prepareQuery(query)
    return parsed


def validator_options() -> dict[str, Any]:
    """pyshacl's options: no inference (the ontology is mixed into the data), SHACL-AF for the
    SPARQL targets, warnings reported without failing the build."""
    return {"inference": "none", "inplace": True, "abort_on_first": False, "allow_warnings": True,
            "advanced": True}


def shapes_graph(settings: Settings) -> Graph:
    return load_turtle_dir(settings.shapes_dir, iris.named_graph("shapes"))


def validate_graph(data: Graph, settings: Settings, ontology: Graph | None = None) -> ValidationReport:
    """One graph (with the ontology mixed in) against every shape."""
    ontology = ontology if ontology is not None else load_turtle_dir(settings.ontology_dir, iris.named_graph("ontology"))
    shapes = shapes_graph(settings)
    # The ontology is mixed in here rather than by pyshacl (ont_graph), so that pyshacl
    # validates this graph in place and its SPARQL goes through the prepared-query cache.
    target = PreparedQueryGraph()
    bind_prefixes(target)
    target += data
    target += ontology
    options = validator_options()
    conforms, results, _ = validate(target, shacl_graph=shapes, **options)
    return ValidationReport(conforms=bool(conforms), findings=findings_of(results, target, shapes))


def validate_dataset(dataset: Dataset, settings: Settings,
                     progress: Callable[[str], None] = lambda _step: None,
                     cached: Callable[[Any], list[Finding] | None] = lambda _unit: None,
                     keep: Callable[[Any, list[Finding]], None] = lambda _unit, _findings: None,
                     workers: int | None = None) -> ValidationReport:
    """Every named graph against the shapes: each report graph's own nodes with the context graphs,
    the nodes shared across graphs with the union (neaspec_kg.validate_split). ``cached(unit)``
    gives a report unit's findings from an earlier build (None: validate it), ``keep(unit,
    findings)`` is told each report unit's new findings."""
    from neaspec_kg.validate_split import plan_units, unit_name, validate_units

    units = plan_units(dataset)
    findings: list[Finding] = []
    todo = []
    for i, unit in enumerate(units):
        known = cached(unit) if unit.is_report else None
        if known is None:
            todo.append(i)
        else:
            findings += known
    shapes = shapes_graph(settings)
    progress(f"validating: {len(todo)} of {len(units)} parts to check ({len(units) - len(todo)} unchanged, reused)")
    for done, (i, unit_findings) in enumerate(validate_units(dataset, shapes, units, todo, progress, workers), 1):
        unit = units[i]
        progress(f"validating: {unit_name(unit)} checked ({unit.triples:,} triples; {done} of {len(todo)}): "
                 f"{_count_text(unit_findings)}")
        if unit.is_report:
            keep(unit, unit_findings)
        findings += unit_findings
    findings = sorted(set(findings), key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.shape, f.focus, f.value))
    # As pyshacl with allow_warnings: only a violation makes the graph non-conforming.
    return ValidationReport(conforms=all(f.severity in ("Warning", "Info") for f in findings), findings=findings)


def _count_text(findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in sorted(counts.items())) or "conforms"


def validate_files(files: list[Path], settings: Settings) -> ValidationReport:
    data = Graph()
    bind_prefixes(data)
    for path in files:
        if not path.is_file():
            return ValidationReport(False, [Finding("Violation", str(path), path.name, "", "file not found", "", "", "")])
        fmt = guess_format(str(path)) or "turtle"
        try:
            if fmt in ("trig", "nquads"):
                ds = Dataset()
                ds.parse(path, format=fmt)
                for graph in ds.graphs():
                    data += graph
            else:
                data.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many parser error types: report any as a finding on the file
            return ValidationReport(False, [Finding("Violation", str(path), path.name, "", f"cannot parse: {exc}",
                                                    "", "", "")])
    return validate_graph(data, settings)


# --- reading pyshacl's results graph ------------------------------------------------------------
def findings_of(results: Graph, data: Graph, shapes: Graph) -> list[Finding]:
    findings = []
    # Only the report's own results: nested ones (sh:detail of sh:node, sh:or) repeat them.
    for result in results.objects(None, SH.result):
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        constraint = results.value(result, SH.sourceConstraint)
        value = results.value(result, SH.value)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        findings.append(Finding(
            severity=severity,
            focus=str(focus),
            focus_label=_label(data, focus),
            path=_property(results, result, shapes, shape, data),
            message=messages[0] if messages else "constraint not met",
            # A named SPARQL constraint says more than the node shape that holds it.
            shape=_curie(data, constraint) if isinstance(constraint, URIRef) else (
                _curie(data, shape) if isinstance(shape, URIRef) else _shape_label(shapes, shape)),
            value=_value(data, value, focus) if value is not None else "",
            source=_source(data, focus),
        ))
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.shape, f.focus, f.value))


def _label(data: Graph, node) -> str:
    labels = sorted(str(label) for label in data.objects(node, RDFS.label))
    return labels[-1] if labels else _curie(data, node)


def _property(results: Graph, result, shapes: Graph, shape, data: Graph) -> str:
    path = results.value(result, SH.resultPath)
    name = shapes.value(shape, SH.name) if shape is not None else None
    if path is None:
        return str(name) if name else ""
    # The path lives in the results graph (pyshacl copies complex paths there).
    rendered = _path(results, path, data)
    return f"{name} ({rendered})" if name else rendered


def _path(graph: Graph, path, data: Graph) -> str:
    if isinstance(path, URIRef):
        return _curie(data, path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(graph, inverse, data)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_path(graph, p, data) for p in Collection(graph, alternatives))
    if (path, RDF.first, None) in graph:
        return "/".join(_path(graph, p, data) for p in Collection(graph, path))
    for modifier, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, modifier)
        if inner is not None:
            return f"({_path(graph, inner, data)}){mark}"
    return "a complex path"


def _value(data: Graph, value, focus) -> str:
    if isinstance(value, Literal):
        datatype = f"^^{_curie(data, value.datatype)}" if value.datatype else (f"@{value.language}" if value.language else "")
        return f'"{_shorten(str(value))}"{datatype}'
    if isinstance(value, BNode):
        return "a blank node"
    if value == focus:
        return ""
    if (value, None, None) not in data:
        return f"<{value}> (not described in the graph)"
    label = _label(data, value)
    types = ", ".join(sorted(_curie(data, t) for t in data.objects(value, RDF.type))) or "no rdf:type"
    return f"<{value}> \"{_shorten(label)}\" ({types})"


def _source(data: Graph, focus) -> str:
    if not isinstance(focus, URIRef):
        return ""
    sources = sorted(data.objects(focus, PROV.wasDerivedFrom))
    parts = []
    for source in sources[:3]:
        number = data.value(source, NEA.paragraphNumber)
        parts.append(f"paragraph {number} <{source}>" if number is not None else f"<{source}>")
    if len(sources) > 3:
        parts.append(f"and {len(sources) - 3} more")
    return "; ".join(parts)


def _shape_label(shapes: Graph, shape) -> str:
    """A blank-node shape (inside sh:or, sh:node ...) is named by its parent shape if possible."""
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            return _curie(shapes, parent) + " (nested)"
    return "a nested shape"


def _curie(graph: Graph, term) -> str:
    if term is None:
        return ""
    text = str(term)
    if text.startswith(str(SHAPES)):
        return "shapes:" + text[len(str(SHAPES)):]
    if text.startswith(str(NEA)):
        return "nea:" + text[len(str(NEA)):]
    try:
        return graph.namespace_manager.curie(term, generate=False)
    except (KeyError, ValueError):
        return text


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
