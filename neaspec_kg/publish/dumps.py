"""Dumps of the dataset: whole (N-Quads, TriG) and per named graph (Turtle, N-Triples, JSON-LD).

Every dump is byte-for-byte a function of the build's sorted N-Quads: the build gives blank
nodes canonical labels, rdflib's Turtle writer sorts subjects and predicates (the TriG is made of the graphs' Turtle), gzip
headers carry no time stamp or file name, and JSON-LD nodes and keys are sorted. rdflib
writes the files so that pyoxigraph and rapper, which the tests parse them back with, are
independent of the writer.
"""

from __future__ import annotations

import gzip
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from neaspec_kg.namespaces import PREFIXES, bind_prefixes
from neaspec_kg.publish import names


@dataclass(frozen=True)
class Dump:
    path: str  # relative to the release folder
    media_type: str
    format: str  # a short name: nquads, trig, turtle, ntriples, jsonld
    triples: int
    graph: str | None  # the named graph, None for the whole dataset
    compressed: bool = False


def read_nquads(path: Path) -> dict[str, list[str]]:
    """The build's sorted N-Quads, as N-Triples lines per named graph (order kept)."""
    by_graph: dict[str, list[str]] = defaultdict(list)
    for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS):
        by_graph[quad.graph_name.value].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return {g: sorted(lines) for g, lines in sorted(by_graph.items())}


def gzip_bytes(data: bytes) -> bytes:
    """gzip without a time stamp or file name in the header: equal input, equal bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", filename="", mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def write_dumps(nquads: Path, folder: Path) -> list[Dump]:
    """Write every dump below ``folder``; returns what was written, whole dataset first."""
    (folder / names.DUMPS).mkdir(parents=True, exist_ok=True)
    by_graph = read_nquads(nquads)
    graphs = {g: _rdflib_graph(g, lines) for g, lines in by_graph.items()}
    total = sum(len(lines) for lines in by_graph.values())
    dumps: list[Dump] = []

    quads = "".join(f"{line[:-1]}<{g}> .\n" for g, lines in by_graph.items() for line in lines)
    _write(folder / names.DATASET_NQ, gzip_bytes(quads.encode("utf-8")))
    dumps.append(Dump(names.DATASET_NQ, "application/n-quads", "nquads", total, None, compressed=True))

    turtle = {g: graph.serialize(format="turtle", encoding="utf-8") for g, graph in graphs.items()}
    _write(folder / names.DATASET_TRIG, _trig(turtle))
    dumps.append(Dump(names.DATASET_TRIG, "application/trig", "trig", total, None))

    context = jsonld_context()
    _write(folder / names.JSONLD_CONTEXT, (json.dumps(context, indent=2, sort_keys=True) + "\n").encode())

    for graph_iri, graph in graphs.items():
        count = len(by_graph[graph_iri])
        path = names.graph_dump(graph_iri, "ttl")
        _write(folder / path, turtle[graph_iri])
        dumps.append(Dump(path, "text/turtle", "turtle", count, graph_iri))

        path = names.graph_dump(graph_iri, "nt.gz")
        _write(folder / path, gzip_bytes("".join(f"{line}\n" for line in by_graph[graph_iri]).encode("utf-8")))
        dumps.append(Dump(path, "application/n-triples", "ntriples", count, graph_iri, compressed=True))

        path = names.graph_dump(graph_iri, "jsonld")
        _write(folder / path, jsonld_document(graph, context, _relative(path, names.JSONLD_CONTEXT)))
        dumps.append(Dump(path, "application/ld+json", "jsonld", count, graph_iri))
    return dumps


def jsonld_context() -> dict:
    """The published @context: the project's prefixes (terms stay compact IRIs)."""
    return {"@context": {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}}


def jsonld_document(graph: Graph, context: dict, context_ref: str) -> bytes:
    """One named graph as compacted JSON-LD that refers to the published context file.

    rdflib compacts with the context given inline; the reference replaces it afterwards, so
    the terms used are exactly those the published file defines. Nodes are sorted by @id
    and values by their JSON text (never inside an @list, whose order is the data).
    """
    data = json.loads(graph.serialize(format="json-ld", context=context["@context"], auto_compact=True))
    nodes = data.get("@graph", [data] if "@id" in data else [])
    nodes = [_sorted_node(n) for n in nodes if isinstance(n, dict)]
    nodes = [{k: v for k, v in n.items() if k != "@context"} for n in nodes]
    nodes.sort(key=lambda n: (str(n.get("@id", "")), json.dumps(n, sort_keys=True)))
    document = {"@context": context_ref, "@id": str(graph.identifier), "@graph": nodes}
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _sorted_node(value):
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sorted_node(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_node(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _rdflib_graph(graph_iri: str, lines: list[str]) -> Graph:
    """An rdflib graph with the build's blank-node labels kept (rdflib's parser renames them)."""
    graph = Graph(identifier=URIRef(graph_iri))
    bind_prefixes(graph)
    for triple in pyoxigraph.parse("\n".join(lines), format=pyoxigraph.RdfFormat.N_TRIPLES):
        graph.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
    return graph


def _term(term):
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype), normalize=False)


def _trig(turtle: dict[str, bytes]) -> bytes:
    """TriG of all graphs in one document, graphs in IRI order, made of the graphs' Turtle
    documents: their prefixes once at the top, each body as a graph block (a Turtle body is
    a TriG graph's body). rdflib's own TriG writer copied every triple into a Dataset first
    and took 40% of a release's writing time."""
    prefixes: set[bytes] = set()
    blocks = []
    for graph_iri, document in turtle.items():
        lines = document.splitlines(keepends=True)
        prefixes.update(line for line in lines if line.startswith(b"@prefix "))
        body = b"".join(line for line in lines if not line.startswith(b"@prefix ")).strip()
        if body:
            blocks.append(b"<" + graph_iri.encode() + b"> {\n" + body + b"\n}\n")
    return b"".join(sorted(prefixes)) + b"\n" + b"\n".join(blocks)


def _relative(from_path: str, to_path: str) -> str:
    depth = from_path.count("/")
    return "../" * depth + to_path if depth else to_path


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
