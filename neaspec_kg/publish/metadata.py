"""Descriptions of a release: VoID, DCAT-AP 3 and schema.org Dataset.

``dataset_facts`` reads what the descriptions state from the graph itself (counts,
linksets, coverage, themes) with pattern scans; ``void_graph``, ``dcat_graph`` and
``schema_org_dataset`` turn those facts plus the release's files into metadata. The
server calls the same functions for ``/.well-known/void`` and the dataset page.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, VOID, XSD

from neaspec_kg.namespaces import ADMS, BASE, GBIF, GEOAREA, GEONAMES, SD, SDG, VCARD, WD, bind_prefixes
from neaspec_kg.publish import names

SPDX = "http://spdx.org/rdf/terms#"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA = "https://www.iana.org/assignments/media-types/"
SDG_SCHEME = URIRef("http://metadata.un.org/sdg")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
TITLE = "NEASPEC knowledge graph"
DESCRIPTION = (
    "Linked open data from the meeting reports of NEASPEC, the North-East Asian Subregional Programme for "
    "Environmental Cooperation: sessions of the Senior Officials Meeting, delegations and office holders, "
    "statements, decisions, national commitments and reported progress, projects, funders and species, each "
    "fact traceable to the report paragraph it was read from, and linked to the UN Sustainable Development "
    "Goals, Wikidata and GBIF."
)
KEYWORDS = ("NEASPEC", "North-East Asia", "environmental cooperation", "intergovernmental meetings",
            "meeting reports", "Sustainable Development Goals", "air pollution", "biodiversity", "linked open data")
# EU file-type codes for the media types of the release's files.
FILE_TYPES = {
    "application/n-quads": "NQUADS", "application/trig": "TRIG", "text/turtle": "RDF_TURTLE",
    "application/n-triples": "RDF_N_TRIPLES", "application/ld+json": "JSON_LD", "text/csv": "CSV",
    "application/json": "JSON",
}


@dataclass(frozen=True)
class LinkTarget:
    key: str
    title: str
    namespace: str
    dataset: str  # the target dataset's IRI
    exclude: str | None = None  # a sub-namespace that belongs to another target


# Datasets the graph links to; a link is a triple from one of the project's IRIs to theirs.
LINK_TARGETS = (
    LinkTarget("sdg-kos", "UN SDG KOS", str(SDG), "http://metadata.un.org/sdg/void.ttl#SDG", exclude=str(GEOAREA)),
    LinkTarget("un-m49", "UN M49 geographic areas", str(GEOAREA), "http://metadata.un.org/sdg/codes/geoArea"),
    LinkTarget("wikidata", "Wikidata", str(WD), "http://www.wikidata.org/"),
    LinkTarget("gbif", "GBIF Backbone Taxonomy", str(GBIF), "https://www.gbif.org/"),
    LinkTarget("geonames", "GeoNames", str(GEONAMES), "https://sws.geonames.org/"),
)
RDF_TYPE = pyoxigraph.NamedNode(str(RDF.type))
DCAT3 = Namespace(str(DCAT))  # rdflib's DCAT namespace predates DCAT 3 (dcat:version ...)


@dataclass
class DatasetFacts:
    """What the graph says about itself, read once from the store."""

    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]  # class IRI -> distinct instances
    properties: dict[str, int]  # predicate IRI -> triples
    entities: int  # distinct typed subjects with an IRI under the base
    distinct_subjects: int
    distinct_objects: int
    graph_entities: dict[str, int]
    links: dict[tuple[str, str], int]  # (target key, predicate) -> triples
    start_date: str | None
    end_date: str | None
    spatial: list[str]  # UN M49 area IRIs of the member States
    sdg_goals: list[tuple[str, str]]  # (IRI, English label) of goals the graph links to, via their targets
    examples: list[str]


@dataclass(frozen=True)
class ReleaseFile:
    path: str
    media_type: str
    bytes: int
    sha256: str
    title: str
    triples: int | None = None
    graph: str | None = None
    compressed: bool = False


@dataclass
class ReleaseInfo:
    version: str
    released: date
    previous: str | None
    facts: DatasetFacts
    files: list[ReleaseFile] = field(default_factory=list)
    kos_citation: str = ""
    notes: str = ""
    warnings: int = 0


FACTS_FILE = "facts.json"  # beside a build's store: its facts, counted once by the build


def write_facts(facts: DatasetFacts, path: Path) -> None:
    data = asdict(facts)
    data["links"] = [[key, predicate, n] for (key, predicate), n in facts.links.items()]
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def read_facts(path: Path) -> DatasetFacts | None:
    """The facts a build counted, or None when it has none (a build made before they were kept)
    or they do not read as facts (then they are counted again from the store)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["links"] = {(key, predicate): n for key, predicate, n in data["links"]}
        data["sdg_goals"] = [tuple(goal) for goal in data["sdg_goals"]]
        return DatasetFacts(**data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def dataset_facts(store: pyoxigraph.Store, graphs: dict[str, int]) -> DatasetFacts:
    kos_graph = f"{BASE}graph/sdg-kos"
    typed: dict[str, set[str]] = {}
    properties: Counter[str] = Counter()
    subjects, objects = set(), set()
    graph_entities: dict[str, set[str]] = {}
    links: Counter[tuple[str, str]] = Counter()
    seen_links: set[tuple[str, str, str]] = set()
    for quad in store:
        if not isinstance(quad.graph_name, pyoxigraph.NamedNode):
            continue  # the default graph is the union of the named graphs: each of its triples is counted there
        s, p, o = quad.subject, quad.predicate, quad.object
        g = quad.graph_name.value
        properties[p.value] += 1
        subjects.add(str(s))
        objects.add(str(o))
        if p == RDF_TYPE:
            typed.setdefault(o.value, set()).add(str(s))
            if isinstance(s, pyoxigraph.NamedNode):
                graph_entities.setdefault(g, set()).add(s.value)
        if g != kos_graph and isinstance(s, pyoxigraph.NamedNode) and s.value.startswith(BASE) \
                and isinstance(o, pyoxigraph.NamedNode):
            target = _link_target(o.value)
            if target and (s.value, p.value, o.value) not in seen_links:
                seen_links.add((s.value, p.value, o.value))
                links[(target.key, p.value)] += 1
    entities = {s for members in typed.values() for s in members if s.startswith(f"<{BASE}")}
    dates = [_value(q.object) for q in store.quads_for_pattern(None, pyoxigraph.NamedNode("http://schema.org/startDate"), None)]
    dates += [_value(q.object) for q in store.quads_for_pattern(None, pyoxigraph.NamedNode("http://schema.org/endDate"), None)]
    dates = sorted(d for d in dates if len(d) == 10)
    states = _member_state_areas(store)
    goals = _linked_goals(store)
    return DatasetFacts(
        triples=sum(graphs.values()), graphs=dict(sorted(graphs.items())),
        classes={c: len(m) for c, m in sorted(typed.items())}, properties=dict(sorted(properties.items())),
        entities=len(entities), distinct_subjects=len(subjects), distinct_objects=len(objects),
        graph_entities={g: len(v) for g, v in sorted(graph_entities.items())},
        links=dict(sorted(links.items())), start_date=dates[0] if dates else None,
        end_date=dates[-1] if dates else None, spatial=states, sdg_goals=goals,
        examples=[f"{BASE}id/meeting/som-27", f"{BASE}id/state/mn", f"{BASE}id/project/migratory-birds-connectivity"],
    )


def _link_target(iri: str) -> LinkTarget | None:
    for target in LINK_TARGETS:
        if iri.startswith(target.namespace) and not (target.exclude and iri.startswith(target.exclude)):
            return target
    return None


def _value(term) -> str:
    return term.value if isinstance(term, pyoxigraph.Literal) else ""


def _member_state_areas(store: pyoxigraph.Store) -> list[str]:
    state = pyoxigraph.NamedNode(f"{BASE}ontology#State")
    spatial = pyoxigraph.NamedNode(str(DCTERMS.spatial))
    areas = set()
    for quad in store.quads_for_pattern(None, RDF_TYPE, state):
        for q in store.quads_for_pattern(quad.subject, spatial, None):
            areas.add(q.object.value)
    return sorted(areas)


def _linked_goals(store: pyoxigraph.Store) -> list[str]:
    """SDG goals whose targets the project's SDG links point at (sdgo:isTargetOf)."""
    link_target = pyoxigraph.NamedNode(f"{BASE}ontology#linkTarget")
    target_of = pyoxigraph.NamedNode("http://metadata.un.org/sdg/ontology#isTargetOf")
    pref_label = pyoxigraph.NamedNode(str(SKOS.prefLabel))
    goals = set()
    for quad in store.quads_for_pattern(None, link_target, None):
        for q in store.quads_for_pattern(quad.object, target_of, None):
            goals.add(q.object)
    labelled = []
    for goal in goals:
        labels = sorted(q.object.value for q in store.quads_for_pattern(goal, pref_label, None)
                        if isinstance(q.object, pyoxigraph.Literal) and q.object.language == "en")
        labelled.append((goal.value, labels[0] if labels else goal.value))
    return sorted(labelled, key=lambda g: int(g[0].rsplit("/", 1)[-1]) if g[0].rsplit("/", 1)[-1].isdigit() else 99)


# --- VoID ---------------------------------------------------------------------------------------
def void_graph(info: ReleaseInfo) -> Graph:
    """The VoID description of a release: counts, partitions, subsets per named graph, linksets."""
    g = new_graph()
    ds = names.release(info.version)
    facts = info.facts
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal(f"{TITLE} {info.version}", lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, CC_BY))
    g.add((ds, DCTERMS.issued, Literal(info.released.isoformat(), datatype=XSD.date)))
    g.add((ds, DCTERMS.isVersionOf, names.dataset()))
    g.add((ds, OWL.versionInfo, Literal(info.version)))
    g.add((ds, FOAF.homepage, URIRef(BASE)))
    g.add((ds, VOID.sparqlEndpoint, names.sparql_endpoint()))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/TriG")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    for f in info.files:
        if f.graph is None and f.triples is not None:
            g.add((ds, VOID.dataDump, names.release_file(info.version, f.path)))
    for example in facts.examples:
        g.add((ds, VOID.exampleResource, URIRef(example)))
    for ns in ("http://schema.org/", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#",
               "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#", f"{BASE}ontology#"):
        g.add((ds, VOID.vocabulary, URIRef(ns)))
    g.add((ds, VOID.triples, Literal(facts.triples)))
    g.add((ds, VOID.entities, Literal(facts.entities)))
    g.add((ds, VOID.classes, Literal(len(facts.classes))))
    g.add((ds, VOID.properties, Literal(len(facts.properties))))
    g.add((ds, VOID.distinctSubjects, Literal(facts.distinct_subjects)))
    g.add((ds, VOID.distinctObjects, Literal(facts.distinct_objects)))
    _void_partitions(g, ds, facts)
    _void_graph_subsets(g, ds, info)
    _void_linksets(g, ds, facts)
    return g


def _void_partitions(g: Graph, ds: URIRef, facts: DatasetFacts) -> None:
    for cls, count in facts.classes.items():
        part = URIRef(f"{ds}#class-{_key(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in facts.properties.items():
        part = URIRef(f"{ds}#property-{_key(prop)}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))


def _void_graph_subsets(g: Graph, ds: URIRef, info: ReleaseInfo) -> None:
    facts = info.facts
    for graph_iri, count in facts.graphs.items():
        subset = URIRef(f"{ds}#graph-{names.graph_key(graph_iri)}")
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, RDF.type, SD.NamedGraph))
        g.add((subset, SD.name, URIRef(graph_iri)))
        g.add((subset, VOID.triples, Literal(count)))
        g.add((subset, VOID.entities, Literal(facts.graph_entities.get(graph_iri, 0))))
        for f in info.files:
            if f.graph == graph_iri:
                g.add((subset, VOID.dataDump, names.release_file(info.version, f.path)))


def _void_linksets(g: Graph, ds: URIRef, facts: DatasetFacts) -> None:
    for (key, predicate), count in facts.links.items():
        target = next(t for t in LINK_TARGETS if t.key == key)
        linkset = names.linkset(f"{key}-{_key(predicate)}")
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, DCTERMS.title, Literal(f"Links to {target.title} by <{predicate}>", lang="en")))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, URIRef(target.dataset)))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.triples, Literal(count)))
        g.add((URIRef(target.dataset), RDF.type, VOID.Dataset))
        g.add((URIRef(target.dataset), DCTERMS.title, Literal(target.title)))


def _key(iri: str) -> str:
    from neaspec_kg.iris import slug

    return slug(iri.split("://", 1)[-1])


def new_graph() -> Graph:
    g = Graph()
    bind_prefixes(g)
    g.bind("spdx", SPDX)
    g.bind("vcard", str(VCARD))
    g.bind("adms", str(ADMS))
    g.bind("sd", str(SD))
    return g


# --- schema.org -----------------------------------------------------------------------------------
def schema_org_dataset(info: ReleaseInfo) -> dict:
    """schema.org Dataset JSON-LD for the home page, as dataset search engines read it."""
    version_iri = str(names.release(info.version))
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": version_iri,
        "name": TITLE,
        "description": DESCRIPTION,
        "url": BASE,
        "identifier": version_iri,
        "version": info.version,
        "datePublished": info.released.isoformat(),
        "license": str(CC_BY),
        "isAccessibleForFree": True,
        "keywords": list(KEYWORDS),
        "inLanguage": "en",
        "creator": {"@type": "Organization", "name": "neaspec-kg", "url": BASE},
        "publisher": {"@type": "Organization", "name": "neaspec-kg", "url": BASE},
        "isBasedOn": "NEASPEC Senior Officials Meeting reports",
        "includedInDataCatalog": {"@type": "DataCatalog", "name": f"{TITLE} releases", "url": str(names.catalogue())},
        "spatialCoverage": {"@type": "Place", "name": "North-East Asia (China, DPR Korea, Japan, Mongolia, "
                                                      "Republic of Korea, Russian Federation)"},
        "distribution": [
            {"@type": "DataDownload", "name": f.title, "contentUrl": str(names.release_file(info.version, f.path)),
             "encodingFormat": f.media_type, "contentSize": f"{f.bytes} B",
             "sha256": f.sha256}
            for f in info.files
        ],
    }
    if info.facts.start_date and info.facts.end_date:
        data["temporalCoverage"] = f"{info.facts.start_date}/{info.facts.end_date}"
    if info.previous:
        data["isBasedOn"] = [data["isBasedOn"], str(names.release(info.previous))]
    if info.kos_citation:
        data["citation"] = info.kos_citation
    return data
