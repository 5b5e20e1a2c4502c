"""SHACL validation with pyshacl, and a report a person can read.

The shapes (shapes/*.ttl) are validated against the data with the ontology mixed in, so
that targets on reused classes (schema:Event ...) reach the project's subclasses
(design/VOCABULARIES.md pitfall 7). Each result names the focus node by label and IRI,
the property, the shape's message and, for extracted facts, the source paragraph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS, SH
from rdflib.util import guess_format

from neaspec_kg import iris
from neaspec_kg.namespaces import NEA, SHAPES, bind_prefixes
from neaspec_kg.rdf import load_turtle_dir
from neaspec_kg.settings import Settings


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    focus_label: str
    path: str
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
    def text(self) -> str:
        if not self.findings:
            return "conforms: every node satisfies the shapes"
        by_message: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_message[(f.severity, f.shape, f.message)].append(f)
        counts = defaultdict(int)
        for f in self.findings:
            counts[f.severity] += 1
        lines = [("does NOT conform" if not self.conforms else "conforms, with remarks") + ": "
                 + ", ".join(f"{n} {sev.lower()}(s)" for sev, n in sorted(counts.items()))]
        for (severity, shape, message), group in sorted(by_message.items()):
            lines.append(f"\n{severity}: {message}  [{shape}]")
            for f in group[:20]:
                where = f" (from {f.source})" if f.source else ""
                value = f" value {f.value}" if f.value else ""
                lines.append(f"  - {f.focus_label} <{f.focus}>{where}: {f.path}{value}")
            if len(group) > 20:
                lines.append(f"  ... and {len(group) - 20} more")
        return "\n".join(lines)


def shapes_graph(settings: Settings) -> Graph:
    return load_turtle_dir(settings.shapes_dir, iris.named_graph("shapes"))


def validate_graph(data: Graph, settings: Settings, ontology: Graph | None = None) -> ValidationReport:
    ontology = ontology if ontology is not None else load_turtle_dir(settings.ontology_dir, iris.named_graph("ontology"))
    conforms, results, _ = validate(
        data, shacl_graph=shapes_graph(settings), ont_graph=ontology, inference="none",
        abort_on_first=False, allow_warnings=True, advanced=True,
    )
    return ValidationReport(conforms=bool(conforms), findings=_findings(results, data))


def validate_dataset(dataset: Dataset, settings: Settings) -> ValidationReport:
    """The union of all named graphs is validated as one data graph (links cross graphs)."""
    union = Graph()
    bind_prefixes(union)
    for graph in dataset.graphs():
        union += graph
    return validate_graph(union, settings)


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
        except Exception as exc:  # any parser error: report it as a finding naming the file
            return ValidationReport(False, [Finding("Violation", str(path), path.name, "", f"cannot parse: {exc}",
                                                    "", "", "")])
    return validate_graph(data, settings)


def _findings(results: Graph, data: Graph) -> list[Finding]:
    findings = []
    for result in results.subjects(SH.resultSeverity, None):
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        shape = results.value(result, SH.sourceShape)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        findings.append(Finding(
            severity=severity,
            focus=str(focus),
            focus_label=str(data.value(focus, RDFS.label) or _short(focus)),
            path=_short(path) if path is not None else "",
            message=str(message) if message is not None else "constraint not met",
            shape=_short(shape) if shape is not None else "",
            value=_short(value) if value is not None else "",
            source=_source(data, focus),
        ))
    return sorted(findings, key=lambda f: (f.severity, f.shape, f.focus))


def _source(data: Graph, focus) -> str:
    source = data.value(focus, PROV.wasDerivedFrom) if isinstance(focus, URIRef) else None
    if source is None:
        return ""
    number = data.value(source, NEA.paragraphNumber)
    return f"paragraph {number}" if number is not None else _short(source)


def _short(term) -> str:
    if isinstance(term, Literal):
        return f'"{term}"'
    text = str(term)
    for prefix, ns in (("nea:", str(NEA)), ("shapes:", str(SHAPES))):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text
