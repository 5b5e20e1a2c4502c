"""What changed between two releases: triples per named graph, entities per class.

Both sides are the releases' own N-Quads dumps, so the notes describe exactly what a user
downloads. A first release is compared with nothing (everything is added).
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@dataclass
class Changes:
    previous: str | None
    graphs: dict[str, dict[str, int]] = field(default_factory=dict)  # graph -> {added, removed, triples}
    classes: dict[str, dict[str, int]] = field(default_factory=dict)  # class -> {added, removed, entities}

    @property
    def unchanged(self) -> bool:
        return all(v["added"] == 0 and v["removed"] == 0 for v in self.graphs.values())

    def as_dict(self) -> dict:
        return {"previous": self.previous, "graphs": self.graphs, "classes": self.classes}


def read_quads(nquads_gz: Path) -> dict[str, set[str]]:
    """Triples (as N-Triples text) per graph, from a release's sorted N-Quads dump."""
    by_graph: dict[str, set[str]] = defaultdict(set)
    with gzip.open(nquads_gz, "rt", encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip()
            if not line:
                continue
            body, _, graph = line[:-1].rstrip().rpartition(" ")
            by_graph[graph.strip("<>")].add(body)
    return by_graph


def _typed(by_graph: dict[str, set[str]]) -> dict[str, set[str]]:
    entities: dict[str, set[str]] = defaultdict(set)
    for triples in by_graph.values():
        for triple in triples:
            subject, predicate, rest = triple.split(" ", 2)
            if predicate == RDF_TYPE and subject.startswith("<"):
                entities[rest.strip().strip("<>")].add(subject)
    return entities


def compare(current: Path, previous: Path | None, previous_version: str | None) -> Changes:
    now = read_quads(current)
    before = read_quads(previous) if previous is not None else {}
    changes = Changes(previous_version)
    for graph in sorted(set(now) | set(before)):
        a, b = now.get(graph, set()), before.get(graph, set())
        changes.graphs[graph] = {"triples": len(a), "added": len(a - b), "removed": len(b - a)}
    typed_now, typed_before = _typed(now), _typed(before)
    for cls in sorted(set(typed_now) | set(typed_before)):
        a, b = typed_now.get(cls, set()), typed_before.get(cls, set())
        if a != b or a:
            changes.classes[cls] = {"entities": len(a), "added": len(a - b), "removed": len(b - a)}
    return changes


def release_notes(version: str, released: str, changes: Changes, validation: str, warnings: list[str]) -> str:
    """RELEASE-NOTES.md: what changed since the previous release, and the validation status."""
    lines = [f"# NEASPEC knowledge graph {version} ({released})", ""]
    if changes.previous:
        lines.append(f"Changes since release {changes.previous}.")
    else:
        lines.append("First release: every triple and entity is new.")
    if changes.previous and changes.unchanged:
        lines.append("The data is unchanged; only the release files were regenerated.")
    lines += ["", "## Triples per named graph", "", "| named graph | triples | added | removed |", "|---|---:|---:|---:|"]
    for graph, c in changes.graphs.items():
        lines.append(f"| `{graph}` | {c['triples']:,} | {c['added']:,} | {c['removed']:,} |")
    lines += ["", "## Entities per class", "", "| class | entities | added | removed |", "|---|---:|---:|---:|"]
    for cls, c in changes.classes.items():
        lines.append(f"| `{cls}` | {c['entities']:,} | {c['added']:,} | {c['removed']:,} |")
    lines += ["", "## Validation", "", validation, ""]
    lines.append(f"Data-quality warnings recorded by the build: {len(warnings)}.")
    lines += [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"
