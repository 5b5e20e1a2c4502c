"""RDF stage: typed records and curated tables -> named graphs of one rdflib Dataset.

Named graphs (default graph = their union when served):
  graph/ontology         the ontology (ontology/*.ttl)
  graph/curated          curated tables (data/curated, data/vocab)
  graph/report/som-<n>   one per report: structure, extracted facts, provenance
  graph/records          facts about past sessions read from public web pages (data/curated/history),
                         each prov:wasDerivedFrom its source documents
  graph/sdg-kos          the UN SDG KOS as published
  graph/links-sdg        SDG links made by neaspec_kg.sdg, each with how it was made
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from neaspec_kg import iris
from neaspec_kg.curated import Curated
from neaspec_kg.history import load_history
from neaspec_kg.namespaces import bind_prefixes, rebase
from neaspec_kg.rdf.curated import build_curated_graph
from neaspec_kg.rdf.records import build_records_graph
from neaspec_kg.rdf.report import build_report_graph
from neaspec_kg.records import Extraction


def load_turtle_dir(folder: Path, identifier) -> Graph:
    """All ``*.ttl`` of a folder (rebased to the configured IRI base) as one graph."""
    graph = Graph(identifier=identifier)
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(data=rebase(path.read_text(encoding="utf-8")), format="turtle", publicID=str(path))
    return graph


def assemble_dataset(graphs: list[Graph]) -> Dataset:
    dataset = Dataset()
    bind_prefixes(dataset)
    for graph in graphs:
        target = dataset.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
    return dataset


def ontology_graph(ontology_dir: Path) -> Graph:
    return load_turtle_dir(ontology_dir, iris.named_graph("ontology"))


def curated_graph(curated: Curated, extractions: list[Extraction] = ()) -> Graph:
    return build_curated_graph(curated, named_sessions(extractions)).graph


def named_sessions(extractions: list[Extraction]) -> dict[int, str]:
    """Sessions the reports hold or name, and how: "report" > "planned" > "named"."""
    rank = {"named": 0, "planned": 1, "report": 2}
    found: dict[int, str] = {}

    def note(n: int, how: str) -> None:
        if n not in found or rank[how] > rank[found[n]]:
            found[n] = how

    for x in extractions:
        if x.report.front.series == "som":  # a report of another series holds no SOM session
            note(x.report.front.session_number, "report")
        for plan in x.plans:
            note(plan.session, "planned")
        for decision in x.decisions:
            if decision.planned_session is not None:
                note(decision.planned_session, "planned")
        for mention in x.sessions:
            note(mention.session, "named")
    return found


def report_graph(extraction: Extraction, curated: Curated) -> Graph:
    return build_report_graph(extraction, curated).graph


def records_graph(curated: Curated) -> Graph:
    """graph/records: the curated records of past sessions (data/curated/history)."""
    return build_records_graph(load_history(curated), curated).graph
