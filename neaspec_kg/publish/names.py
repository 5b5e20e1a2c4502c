"""IRIs and file names of a release, defined once for the whole publish package.

The IRI patterns (dataset, catalogue, SPARQL service, release, distribution) belong with
the others in ``neaspec_kg.iris``; they live here until that module takes them over, and
nowhere else in the publish package spells them out.
"""

from __future__ import annotations

from rdflib import URIRef

from neaspec_kg.namespaces import BASE, GRAPH

# --- IRIs -----------------------------------------------------------------------------------


def dataset() -> URIRef:
    """The dataset across its releases (dcat:Dataset, void:Dataset)."""
    return URIRef(f"{BASE}dataset")


def catalogue() -> URIRef:
    return URIRef(f"{BASE}catalog")


def sparql_endpoint() -> URIRef:
    """The public SPARQL endpoint (the server's /sparql, reached through the IRI base)."""
    return URIRef(f"{BASE}sparql")


def release(version: str) -> URIRef:
    """The version IRI of one release; its files sit below it (``release/{version}/{path}``)."""
    return URIRef(f"{BASE}release/{version}")


def release_file(version: str, path: str) -> URIRef:
    """Where a file of a release is downloaded from (the persistent IRI, redirected)."""
    return URIRef(f"{BASE}release/{version}/{path}")


def distribution(version: str, key: str) -> URIRef:
    return URIRef(f"{BASE}release/{version}#dist-{key}")


def publisher() -> URIRef:
    return URIRef(f"{BASE}id/org/neaspec-kg")


def graph_key(graph_iri: str) -> str:
    """``…/graph/report/som-27`` -> ``report-som-27``: a file-name key for a named graph."""
    if not graph_iri.startswith(str(GRAPH)):
        raise ValueError(f"<{graph_iri}> is not a named graph of this dataset")
    return graph_iri[len(str(GRAPH)):].replace("/", "-")


# --- file layout of a release folder -------------------------------------------------------
DUMPS = "dumps"
DATASET_NQ = f"{DUMPS}/neaspec-kg.nq.gz"
DATASET_TRIG = f"{DUMPS}/neaspec-kg.trig"
JSONLD_CONTEXT = f"{DUMPS}/context.jsonld"
METADATA = "metadata"
VOID_TTL = f"{METADATA}/void.ttl"
DCAT_TTL = f"{METADATA}/dcat.ttl"
DCAT_JSONLD = f"{METADATA}/dcat.jsonld"
SCHEMA_ORG = f"{METADATA}/schema-org.jsonld"
TABLES = "tables"
DATAPACKAGE = f"{TABLES}/datapackage.json"
DOCS = "docs"
RELEASE_JSON = "release.json"
RELEASE_NOTES = "RELEASE-NOTES.md"
CHECKSUMS = "SHA256SUMS"
REDIRECTS = "redirects"


def graph_dump(graph_iri: str, extension: str) -> str:
    """``dumps/graph-report-som-27.ttl`` etc."""
    return f"{DUMPS}/graph-{graph_key(graph_iri)}.{extension}"


def linkset(key: str) -> URIRef:
    """A VoID linkset of the dataset (``dataset#linkset-wikidata-closematch``)."""
    return URIRef(f"{BASE}dataset#linkset-{key}")


def contact_point() -> URIRef:
    return URIRef(f"{BASE}dataset#contact")
