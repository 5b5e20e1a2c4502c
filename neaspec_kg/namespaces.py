"""Every namespace the project uses, defined once.

The project's own IRIs all live below one base (``NEASPEC_KG_BASE_IRI``, default
``https://w3id.org/neaspec/``). Files in ``ontology/``, ``shapes/`` and ``queries/`` are
written with the canonical base; :func:`rebase` rewrites them when the setting differs.
"""

from __future__ import annotations

import os

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

CANONICAL_BASE = "https://w3id.org/neaspec/"
BASE = os.environ.get("NEASPEC_KG_BASE_IRI", CANONICAL_BASE)
if not BASE.endswith("/"):
    raise ValueError(f"NEASPEC_KG_BASE_IRI must end with '/': {BASE!r}")

NEA = Namespace(BASE + "ontology#")  # classes and properties of the project ontology
SHAPES = Namespace(BASE + "shapes#")
ID = Namespace(BASE + "id/")  # instances; patterns in neaspec_kg.iris
GRAPH = Namespace(BASE + "graph/")  # named graphs

SCHEMA = Namespace("http://schema.org/")  # http, as schema.org's own JSON-LD context
SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
GEOAREA = Namespace("http://metadata.un.org/sdg/codes/geoArea/")
FABIO = Namespace("http://purl.org/spar/fabio/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
DOCO = Namespace("http://purl.org/spar/doco/")
OA = Namespace("http://www.w3.org/ns/oa#")
DWC = Namespace("http://rs.tdwg.org/dwc/terms/")
DWCIRI = Namespace("http://rs.tdwg.org/dwc/iri/")
FRAPO = Namespace("http://purl.org/cerif/frapo/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
WD = Namespace("http://www.wikidata.org/entity/")
GBIF = Namespace("https://www.gbif.org/species/")
GEONAMES = Namespace("https://sws.geonames.org/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DQV = Namespace("http://www.w3.org/ns/dqv#")

PREFIXES: dict[str, Namespace] = {
    "nea": NEA,
    "neaid": ID,
    "schema": SCHEMA,
    "org": Namespace(str(ORG)),
    "prov": Namespace(str(PROV)),
    "dct": Namespace(str(DCTERMS)),
    "skos": Namespace(str(SKOS)),
    "time": Namespace(str(TIME)),
    "foaf": Namespace(str(FOAF)),
    "fabio": FABIO,
    "frbr": FRBR,
    "doco": DOCO,
    "oa": OA,
    "dwc": DWC,
    "dwciri": DWCIRI,
    "sdg": SDG,
    "sdgo": SDGO,
    "frapo": FRAPO,
    "qudt": QUDT,
    "unit": UNIT,
    "wd": WD,
    "dqv": DQV,
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
    "sh": Namespace(str(SH)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
}
PREFIX_IRIS: dict[str, str] = {p: str(ns) for p, ns in PREFIXES.items()}  # for pyoxigraph's serializers


def rebase(text: str) -> str:
    """Rewrite the canonical base in a project file (Turtle, SPARQL) to the configured one."""
    return text if BASE == CANONICAL_BASE else text.replace(CANONICAL_BASE, BASE)


def bind_prefixes(graph) -> None:  # graph: rdflib Graph or Dataset
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def sparql_prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
