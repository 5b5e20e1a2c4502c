"""File names of a release, defined once for the whole publish package (its IRIs are
defined in neaspec_kg.iris and re-exported here)."""

from __future__ import annotations

# The release IRI patterns (dataset, catalogue, SPARQL service, release, distribution,
# linkset, contact point, publisher) live with all others in neaspec_kg.iris.
from neaspec_kg.iris import (  # re-exported for the publish package
    catalogue,
    contact_point,
    dataset,
    distribution,
    linkset,
    publisher,
    release,
    release_file,
    sparql_endpoint,
)
from neaspec_kg.namespaces import GRAPH

__all__ = [
    "catalogue",
    "contact_point",
    "dataset",
    "distribution",
    "graph_dump",
    "graph_key",
    "linkset",
    "publisher",
    "release",
    "release_file",
    "sparql_endpoint",
]


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
