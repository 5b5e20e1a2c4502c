"""Descriptions of a release: VoID, DCAT-AP 3 and schema.org Dataset.

``dataset_facts`` reads what the descriptions state from the graph itself (counts,
linksets, coverage, themes) with pattern scans; ``void_graph``, ``dcat_graph`` and
``schema_org_dataset`` turn those facts plus the release's files into metadata. The
server calls the same functions for ``/.well-known/void`` and the dataset page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from neaspec_kg.namespaces import ADMS, BASE, GBIF, GEOAREA, GEONAMES, SD, SDG, VCARD, WD, bind_prefixes
from neaspec_kg.publish import names

SPDX = "http://spdx.org/rdf/terms#"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC_BY_SPDX = "CC-BY-4.0"
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


def dataset_facts(store: pyoxigraph.Store, graphs: dict[str, int]) -> DatasetFacts:
    kos_graph = f"{BASE}graph/sdg-kos"
    typed: dict[str, set[str]] = {}
    properties: Counter[str] = Counter()
    subjects, objects = set(), set()
    graph_entities: dict[str, set[str]] = {}
    links: Counter[tuple[str, str]] = Counter()
    seen_links: set[tuple[str, str, str]] = set()
    for quad in store:
        s, p, o = quad.subject, quad.predicate, quad.object
        g = quad.graph_name.value if isinstance(quad.graph_name, pyoxigraph.NamedNode) else ""
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
    g = _graph()
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
    return g


def _key(iri: str) -> str:
    from neaspec_kg.iris import slug

    return slug(iri.split("://", 1)[-1])


# --- DCAT-AP 3 ------------------------------------------------------------------------------------
def dcat_graph(info: ReleaseInfo) -> Graph:
    """DCAT-AP 3.0.1: catalogue, the release as a dataset, its distributions, the SPARQL service."""
    g = _graph()
    ds, catalogue, service = names.release(info.version), names.catalogue(), names.sparql_endpoint()
    issued = Literal(info.released.isoformat(), datatype=XSD.date)
    publisher = names.publisher()
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("neaspec-kg", lang="en")))
    kind = _typed(g, URIRef("http://purl.org/adms/publishertype/Academia-ScientificOrganisation"), SKOS.Concept, None)
    g.add((kind, SKOS.prefLabel, Literal("Academia/Scientific organisation", lang="en")))
    g.add((publisher, DCTERMS.type, kind))
    _typed(g, CC_BY, DCTERMS.LicenseDocument, "Creative Commons Attribution 4.0 International")

    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal(f"{TITLE} releases", lang="en")))
    g.add((catalogue, DCTERMS.description, Literal("Releases of the NEASPEC knowledge graph: dumps, tables, "
                                                     "documentation and the SPARQL endpoint.", lang="en")))
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, DCTERMS.license, CC_BY))
    g.add((catalogue, DCTERMS.modified, issued))
    g.add((catalogue, FOAF.homepage, _document(g, URIRef(BASE))))
    g.add((catalogue, DCAT.dataset, ds))
    g.add((catalogue, DCAT.service, service))
    g.add((catalogue, DCAT.themeTaxonomy, _scheme(g, SDG_SCHEME, "UN Sustainable Development Goals")))
    g.add((catalogue, DCAT.themeTaxonomy, _scheme(g, URIRef(EU_THEME.rstrip("/")), "Data theme")))
    g.add((catalogue, DCTERMS.language, _typed(g, URIRef(EU_LANGUAGE + "ENG"), DCTERMS.LinguisticSystem, None)))

    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(f"{TITLE} {info.version}", lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.identifier, Literal(str(ds))))
    g.add((ds, DCAT3.version, Literal(info.version)))
    g.add((ds, OWL.versionInfo, Literal(info.version)))
    g.add((ds, DCTERMS.issued, issued))
    g.add((ds, DCTERMS.modified, issued))
    g.add((ds, DCTERMS.isVersionOf, names.dataset()))
    if info.previous:
        g.add((ds, DCAT3.previousVersion, names.release(info.previous)))
    if info.notes:
        g.add((ds, ADMS.versionNotes, Literal(info.notes, lang="en")))
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((ds, DCTERMS.creator, publisher))
    g.add((ds, DCTERMS.license, CC_BY))
    g.add((ds, DCTERMS.accessRights, _typed(g, URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
                                             DCTERMS.RightsStatement, None)))
    g.add((ds, DCTERMS.language, URIRef(EU_LANGUAGE + "ENG")))
    g.add((ds, DCTERMS.accrualPeriodicity, _typed(g, URIRef(EU_FREQUENCY + "ANNUAL"), DCTERMS.Frequency, None)))
    g.add((ds, DCAT.landingPage, _document(g, URIRef(BASE))))
    g.add((ds, FOAF.page, _document(g, names.release_file(info.version, "index.html"))))
    for word in KEYWORDS:
        g.add((ds, DCAT.keyword, Literal(word, lang="en")))
    contact = names.contact_point()
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal("neaspec-kg maintainers")))
    g.add((contact, VCARD.hasURL, URIRef(BASE)))
    if info.facts.start_date and info.facts.end_date:
        period = URIRef(f"{ds}#period")
        g.add((ds, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(info.facts.start_date, datatype=XSD.date)))
        g.add((period, DCAT.endDate, Literal(info.facts.end_date, datatype=XSD.date)))
    for area in info.facts.spatial:
        g.add((ds, DCTERMS.spatial, _typed(g, URIRef(area), DCTERMS.Location, None)))
    g.add((ds, DCAT.theme, _typed(g, URIRef(EU_THEME + "ENVI"), SKOS.Concept, None)))
    g.add((URIRef(EU_THEME + "ENVI"), SKOS.inScheme, URIRef(EU_THEME.rstrip("/"))))
    g.add((URIRef(EU_THEME + "ENVI"), SKOS.prefLabel, Literal("Environment", lang="en")))
    for goal, label in info.facts.sdg_goals:
        g.add((ds, DCAT.theme, _typed(g, URIRef(goal), SKOS.Concept, None)))
        g.add((URIRef(goal), SKOS.inScheme, SDG_SCHEME))
        g.add((URIRef(goal), SKOS.prefLabel, Literal(label, lang="en")))
    if info.kos_citation:
        rights = URIRef(f"{ds}#sdg-kos-rights")
        g.add((rights, RDF.type, DCTERMS.RightsStatement))
        g.add((rights, RDFS.label, Literal(info.kos_citation, lang="en")))
        g.add((ds, DCTERMS.rights, rights))
        g.add((ds, DCTERMS.relation, URIRef("http://metadata.un.org/sdg/void.ttl#SDG")))
    provenance = URIRef(f"{ds}#provenance")
    g.add((ds, DCTERMS.provenance, provenance))
    g.add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
    g.add((provenance, RDFS.label, Literal(
        "Extracted by neaspec-kg from the NEASPEC Senior Officials Meeting reports and curated tables with "
        "sources; every extracted fact links to its report paragraph (prov:wasDerivedFrom). Validated against "
        f"the project's SHACL shapes; {info.warnings} data-quality warning(s) recorded.", lang="en")))

    for f in info.files:
        _distribution(g, info, f, ds, service)

    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal(f"{TITLE} SPARQL endpoint", lang="en")))
    g.add((service, DCTERMS.description, Literal("SPARQL 1.1 Protocol endpoint over the current release; the "
                                                   "default graph is the union of the named graphs.", lang="en")))
    g.add((service, DCAT.endpointURL, service))
    g.add((service, DCAT.endpointDescription, service))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, _typed(g, SPARQL_PROTOCOL, DCTERMS.Standard, "SPARQL 1.1 Protocol")))
    g.add((service, DCTERMS.license, CC_BY))
    g.add((service, DCTERMS.publisher, publisher))
    return g


def _distribution(g: Graph, info: ReleaseInfo, f: ReleaseFile, ds: URIRef, service: URIRef) -> None:
    from neaspec_kg.iris import slug

    dist = names.distribution(info.version, slug(f.path))
    url = names.release_file(info.version, f.path)
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(f.title, lang="en")))
    g.add((dist, DCAT.accessURL, url))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.byteSize, Literal(f.bytes, datatype=XSD.nonNegativeInteger)))
    g.add((dist, DCAT.mediaType, _typed(g, URIRef(IANA + f.media_type), DCTERMS.MediaType, None)))
    if f.media_type in FILE_TYPES:
        g.add((dist, DCTERMS["format"], _typed(g, URIRef(EU_FILE_TYPE + FILE_TYPES[f.media_type]),
                                               DCTERMS.MediaTypeOrExtent, None)))
    if f.compressed:
        g.add((dist, DCAT.compressFormat, _typed(g, URIRef(IANA + "application/gzip"), DCTERMS.MediaType, None)))
    g.add((dist, DCTERMS.license, CC_BY))
    g.add((dist, DCTERMS.issued, Literal(info.released.isoformat(), datatype=XSD.date)))
    checksum = URIRef(f"{dist}-sha256")
    g.add((dist, URIRef(SPDX + "checksum"), checksum))
    g.add((checksum, RDF.type, URIRef(SPDX + "Checksum")))
    g.add((checksum, URIRef(SPDX + "algorithm"),
           _typed(g, URIRef(SPDX + "checksumAlgorithm_sha256"), URIRef(SPDX + "ChecksumAlgorithm"), None)))
    g.add((checksum, URIRef(SPDX + "checksumValue"), Literal(f.sha256, datatype=XSD.hexBinary)))
    if f.graph is None and f.triples is not None or f.graph == f"{BASE}graph/sdg-kos":
        g.add((dist, DCTERMS.rights, URIRef(f"{ds}#sdg-kos-rights")))
    if f.graph is None and f.triples is not None:
        g.add((dist, DCAT.accessService, service))


def _typed(g: Graph, node: URIRef, cls: URIRef, label: str | None) -> URIRef:
    """Objects are typed explicitly: the DCAT-AP range shapes check classes, offline."""
    g.add((node, RDF.type, cls))
    if label:
        g.add((node, RDFS.label, Literal(label, lang="en")))
    return node


def _scheme(g: Graph, node: URIRef, title: str) -> URIRef:
    g.add((node, RDF.type, SKOS.ConceptScheme))
    g.add((node, DCTERMS.title, Literal(title, lang="en")))
    return node


def _document(g: Graph, node: URIRef) -> URIRef:
    return _typed(g, node, FOAF.Document, None)


def _graph() -> Graph:
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
