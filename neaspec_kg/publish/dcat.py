"""DCAT-AP 3.0.1 description of a release: the catalogue, the release as a dataset, its
distributions and the SPARQL service (checked against the DCAT-AP SHACL shapes in the tests)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from neaspec_kg.namespaces import ADMS, BASE, VCARD
from neaspec_kg.publish import names
from neaspec_kg.publish.metadata import (
    CC_BY,
    DCAT3,
    DESCRIPTION,
    EU_FILE_TYPE,
    EU_FREQUENCY,
    EU_LANGUAGE,
    EU_THEME,
    FILE_TYPES,
    IANA,
    KEYWORDS,
    SDG_SCHEME,
    SPARQL_PROTOCOL,
    SPDX,
    TITLE,
    ReleaseFile,
    ReleaseInfo,
    new_graph,
)


def dcat_graph(info: ReleaseInfo) -> Graph:
    """DCAT-AP 3.0.1: catalogue, the release as a dataset, its distributions, the SPARQL service."""
    g = new_graph()
    ds, catalogue, service = names.release(info.version), names.catalogue(), names.sparql_endpoint()
    issued = Literal(info.released.isoformat(), datatype=XSD.date)
    publisher = _dcat_publisher(g)
    _dcat_catalogue(g, catalogue, ds, service, publisher, issued)
    _dcat_dataset(g, info, ds, publisher, issued)
    _dcat_themes_and_rights(g, info, ds)
    for f in info.files:
        _distribution(g, info, f, ds, service)
    _dcat_service(g, service, ds, publisher)
    return g


def _dcat_publisher(g: Graph) -> URIRef:
    publisher = names.publisher()
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("neaspec-kg", lang="en")))
    kind = _typed(g, URIRef("http://purl.org/adms/publishertype/Academia-ScientificOrganisation"), SKOS.Concept, None)
    g.add((kind, SKOS.prefLabel, Literal("Academia/Scientific organisation", lang="en")))
    g.add((publisher, DCTERMS.type, kind))
    _typed(g, CC_BY, DCTERMS.LicenseDocument, "Creative Commons Attribution 4.0 International")
    return publisher


def _dcat_catalogue(g: Graph, catalogue: URIRef, ds: URIRef, service: URIRef, publisher: URIRef,
                    issued: Literal) -> None:
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


def _dcat_dataset(g: Graph, info: ReleaseInfo, ds: URIRef, publisher: URIRef, issued: Literal) -> None:
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


def _dcat_themes_and_rights(g: Graph, info: ReleaseInfo, ds: URIRef) -> None:
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


def _dcat_service(g: Graph, service: URIRef, ds: URIRef, publisher: URIRef) -> None:
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


