"""The SPARQL Service Description returned by GET /sparql without a query.

It states what this endpoint really does: SPARQL 1.1 Query only, the union default graph
(sd:UnionDefaultGraph), the named graphs with their sizes, the result and RDF formats it
negotiates, and federation only when an operator allow-listed endpoints.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from neaspec_kg import formats as conneg
from neaspec_kg.store.release import Release

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# W3C "formats" IRIs for sd:resultFormat
FORMAT_IRIS = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
    "trig": "http://www.w3.org/ns/formats/TriG",
}
POLICY = (
    "The default graph is the union of all named graphs, unless the request names default "
    "graphs (default-graph-uri) or the query has FROM. When a request gives default-graph-uri or "
    "named-graph-uri, that dataset replaces the query's own. Only graphs of this dataset can be "
    "named; nothing is fetched. Read-only: SPARQL Update is refused. Queries are stopped after "
    "{timeout:g} s; answers are capped at {rows} rows."
)


def service_description(
    endpoint: str, release: Release, graphs: dict[str, int], default_triples: int, timeout_s: float, max_rows: int,
    federation: bool,
) -> list[Triple]:
    """``default_triples``: the size of the default graph (the union, each triple once). Blank
    nodes are named in order, so that the description of one release is the same bytes (and
    ETag) on every request."""
    sd = lambda local: NamedNode(SD + local)
    service = NamedNode(endpoint)
    dataset, default_graph = BlankNode("dataset"), BlankNode("defaultGraph")
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), service),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, RDFS_COMMENT, Literal(POLICY.format(timeout=timeout_s, rows=max_rows), language="en")),
        Triple(service, NamedNode(DCT + "hasVersion"), Literal(release.release)),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
        Triple(default_graph, NamedNode(VOID + "triples"), Literal(str(default_triples), datatype=XSD_INTEGER)),
    ]
    if federation:
        triples.append(Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for fmt in conneg.RESULT_FORMATS + conneg.GRAPH_FORMATS:
        triples.append(Triple(service, sd("resultFormat"), NamedNode(FORMAT_IRIS[fmt.key])))
    for number, (iri, count) in enumerate(sorted(graphs.items()), 1):
        named, graph = BlankNode(f"namedGraph{number}"), BlankNode(f"graph{number}")
        triples += [
            Triple(dataset, sd("namedGraph"), named),
            Triple(named, RDF_TYPE, sd("NamedGraph")),
            Triple(named, sd("name"), NamedNode(iri)),
            Triple(named, sd("graph"), graph),
            Triple(graph, RDF_TYPE, sd("Graph")),
            Triple(graph, NamedNode(VOID + "triples"), Literal(str(count), datatype=XSD_INTEGER)),
        ]
    return triples


SD_PREFIXES = {"sd": SD, "void": VOID, "dct": DCT, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
