"""The curated graph: States and countries, organizations, the SOM series, taxa, concept
schemes, projects, funds and documents, from the tables in ``data/`` (each row's source
kept as dct:source)."""

from __future__ import annotations

import re
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDFS, SKOS

from neaspec_kg import iris
from neaspec_kg.curated import Curated, CuratedDataError, Row, split_list
from neaspec_kg.namespaces import BASE, DWC, FABIO, FRAPO, GBIF, GEOAREA, GEONAMES, NEA, SCHEMA, SDG, WD
from neaspec_kg.rdf.common import GraphWriter, lit, source_literal

# Concept schemes built from curated tables: scheme key -> (table, label column, scheme title)
CONCEPT_SCHEMES = {
    "programme-area": ("programme_areas", "label", "NEASPEC programme areas and governance topics"),
    "decision-verb": ("decision_verbs", "label", "What a session did: decision verbs"),
    "role": ("roles", "label", "Offices of a session"),
    "statement-kind": ("statement_kinds", "label", "Kinds of statements"),
    "measure": ("measures", "label", "What national commitments measure"),
    "commitment-kind": ("commitment_kinds", "label", "Kinds of national commitments"),
    "event-kind": ("event_kinds", "label", "Kinds of related events"),
    "confidence": ("confidence", "label", "How sure a record of a past session is, by its sources"),
    "source-kind": ("source_kinds", "label", "Kinds of public sources of session records"),
    "follow-up-outcome": ("follow_up_outcomes", "label", "What became of a request or plan at a later session"),
}

# How each organization kind of data/curated/organizations.csv is typed (ontology mapping).
ORGANIZATION_TYPES = {
    "programme": (ORG.OrganizationalCollaboration,),
    "mechanism": (NEA.Mechanism,),
    "governing-body": (ORG.Organization,),
    "secretariat": (ORG.OrganizationalUnit,),
}
DEFAULT_ORGANIZATION_TYPES = (ORG.FormalOrganization,)

# How each document kind is typed (FaBiO, design/VOCABULARIES.md "Documents").
DOCUMENT_TYPES = {
    "report": FABIO.Report,
    "executive-summary": FABIO.ExecutiveSummary,
    "policy-document": FABIO.PolicyDocument,
    "project-plan": FABIO.ProjectPlan,
    "working-paper": FABIO.WorkingPaper,
    "financial-report": FABIO.Report,
    "conclusions": FABIO.Expression,
}

MODALITY = {"in-person": SCHEMA.OfflineEventAttendanceMode, "virtual": SCHEMA.OnlineEventAttendanceMode}


def build_curated_graph(curated: Curated, named_sessions: dict[int, str] | None = None) -> GraphWriter:
    """``named_sessions``: session number -> how reports know it ("report" for a session whose
    report was read, "planned" for one a report plans, "named" for one it only mentions)."""
    w = GraphWriter(iris.named_graph("curated"))
    _software(w)
    _concept_schemes(w, curated)
    _countries_and_states(w, curated)
    _organizations(w, curated)
    _memberships(w, curated)
    _series(w, curated, named_sessions or {})
    _taxa(w, curated)
    _projects_funds_documents(w, curated)
    return w


def _software(w: GraphWriter) -> None:
    agent = iris.software()
    w.node(agent, (PROV.SoftwareAgent,), "neaspec-kg")
    w.add(agent, RDFS.seeAlso, URIRef(BASE))


def _concept_schemes(w: GraphWriter, curated: Curated) -> None:
    for scheme_key, (table, label_column, title) in CONCEPT_SCHEMES.items():
        scheme = iris.concept_scheme(scheme_key)
        w.node(scheme, SKOS.ConceptScheme, title)
        for row in curated.rows(table):
            concept = iris.concept(scheme_key, row["key"])
            types = (SKOS.Concept, ORG.Role) if scheme_key == "role" else (SKOS.Concept,)
            w.node(concept, types, row[label_column])
            w.text(concept, SKOS.prefLabel, row[label_column])
            w.add(concept, SKOS.inScheme, scheme)
            w.add(concept, SKOS.topConceptOf, scheme)
            w.add(scheme, SKOS.hasTopConcept, concept)
            w.add(concept, SKOS.notation, Literal(row["key"]))
            w.text(concept, SKOS.definition, row.get("definition"))
            for alias in split_list(row.get("aliases", "")):
                if alias != row[label_column]:
                    w.text(concept, SKOS.altLabel, alias)
            if row.get("sdg_target"):
                # A curator's judgement of what the measure relates to, not an identity.
                w.add(concept, SKOS.relatedMatch, SDG[row["sdg_target"]])
            if row.get("mechanism"):
                w.add(iris.organization(row["mechanism"]), ORG.purpose, concept)
            source_literal(w, concept, row["source"])


def _countries_and_states(w: GraphWriter, curated: Curated) -> None:
    names = {}  # the UN's names in its other languages (vocab/country-names.csv, from sdg-codes.ttl)
    for row in curated.rows("country_names"):
        if row["language"] and row["language"] != "en":
            names.setdefault(row["un_sdg_geoarea_iri"], []).append(Literal(row["name"], lang=row["language"]))
    for name, row in curated.countries.items():
        country = GEOAREA[row["un_m49"]]
        w.node(country, (SCHEMA.Country,), name)
        w.text(country, SKOS.prefLabel, name)
        for label in names.get(str(country), ()):
            w.add(country, SKOS.prefLabel, label)
        w.add(country, SKOS.notation, Literal(row["iso3166_alpha2"], datatype=NEA.ISO3166Alpha2))
        w.add(country, SKOS.notation, Literal(row["iso3166_alpha3"], datatype=NEA.ISO3166Alpha3))
        w.add(country, SKOS.notation, Literal(row["un_m49"], datatype=NEA.M49))
        if row["wikidata_qid"]:
            w.add(country, SKOS.exactMatch, WD[row["wikidata_qid"]])
        if row["geonames_id"]:
            w.add(country, SKOS.exactMatch, GEONAMES[f"{row['geonames_id']}/"])
        source_literal(w, country, row["source"])

        state = iris.state(row["iso3166_alpha2"])
        w.node(state, (NEA.State,), name)
        w.text(state, SKOS.prefLabel, name)
        w.text(state, SKOS.altLabel, row["un_formal_name"])
        w.add(state, DCTERMS.spatial, country)
        if row["wikidata_qid"]:
            # The Wikidata item is the country; the State as agent is close, not identical.
            w.add(state, SKOS.closeMatch, WD[row["wikidata_qid"]])
        source_literal(w, state, row["source"])


def _organizations(w: GraphWriter, curated: Curated) -> None:
    organizations = curated.by_key("organizations")
    programme = next((k for k, r in organizations.items() if r["kind"] == "programme"), None)
    for key, row in organizations.items():
        node = iris.organization(key)
        w.node(node, ORGANIZATION_TYPES.get(row["kind"], DEFAULT_ORGANIZATION_TYPES), row["name"])
        w.text(node, SKOS.prefLabel, row["name"])
        w.add(node, SKOS.notation, Literal(row["acronym"]) if row["acronym"] else None)
        w.add(node, NEA.organizationKind, Literal(row["kind"]))
        for alias in split_list(row["aliases"]):
            if alias not in (row["name"], row["acronym"], "secretariat"):
                w.text(node, SKOS.altLabel, alias)
        if row["parent"]:
            parent_kind = organizations[row["parent"]]["kind"]
            link = ORG.unitOf if row["kind"] == "secretariat" and parent_kind != "programme" else ORG.subOrganizationOf
            w.add(node, link, iris.organization(row["parent"]))
        if row["kind"] == "secretariat" and programme:
            w.add(iris.organization(programme), NEA.hasSecretariat, node)
        vocab = curated.vocab_organization_row(key)
        if vocab and vocab["wikidata_qid"]:
            w.add(node, SKOS.exactMatch, WD[vocab["wikidata_qid"]])
            source_literal(w, node, f"Wikidata identifier ({vocab['confidence']}): {vocab['source']}")
        source_literal(w, node, row["source"])


def _memberships(w: GraphWriter, curated: Curated) -> None:
    for row in curated.rows("memberships"):
        iso2 = curated.country_iso2(row["state"])
        node = iris.membership(iso2, row["organization"])
        organization = curated.by_key("organizations")[row["organization"]]
        w.node(node, ORG.Membership, f"{row['state']}, {row['role']} of {organization['acronym'] or organization['name']}")
        w.add(node, ORG.member, iris.state(iso2))
        w.add(node, ORG.organization, iris.organization(row["organization"]))
        w.add(iris.state(iso2), ORG.memberOf, iris.organization(row["organization"]))
        source_literal(w, node, row["source"])


# What a session node without a row in data/curated/meetings.csv says about itself.
_UNLISTED_NOTE = {
    "report": "Known from its report (data/reports); data/curated/meetings.csv has no row for it yet.",
    "planned": "Planned in a report of an earlier session; data/curated/meetings.csv has no row for it yet.",
    "named": "Named in a report; data/curated/meetings.csv has no row for it.",
}


def _series(w: GraphWriter, curated: Curated, named_sessions: dict[int, str]) -> None:
    """Every session from 1 to the last known one (from meetings.csv or named in a report): a
    session with no public source still existed (the numbering says so), so it gets a node
    saying what is not known."""
    series = iris.series("som")
    w.node(series, (NEA.MeetingSeries, SCHEMA.EventSeries), "Senior Officials Meeting of NEASPEC")
    w.add(series, SCHEMA.organizer, iris.organization("neaspec"))
    rows = {int(r["som_number"]): r for r in curated.rows("meetings")}
    last = max([*rows, *named_sessions])
    for n in range(1, last + 1):
        meeting = iris.meeting(n)
        w.node(meeting, (NEA.Meeting, SCHEMA.Event, PROV.Activity), _meeting_label(n, rows.get(n)))
        w.add(meeting, DCTERMS.identifier, Literal(f"SOM-{n}"))
        w.add(meeting, NEA.sessionNumber, lit(n))
        w.add(meeting, SCHEMA.superEvent, series)
        w.add(series, SCHEMA.subEvent, meeting)
        w.add(meeting, SCHEMA.organizer, iris.organization("som"))
        if n > 1:
            w.add(meeting, NEA.previousSession, iris.meeting(n - 1))
        if n < last:
            w.add(meeting, NEA.nextSession, iris.meeting(n + 1))
        row = rows.get(n)
        if row is None and n in named_sessions:
            w.text(meeting, SKOS.editorialNote, _UNLISTED_NOTE[named_sessions[n]])
            if named_sessions[n] == "planned":
                w.add(meeting, SCHEMA.eventStatus, SCHEMA.EventScheduled)
            continue
        if row is None:
            w.text(meeting, SKOS.editorialNote,
                   f"No public source documenting SOM-{n} was found (data/curated/meetings.csv has no row); "
                   "its dates and place are unknown.")
            continue
        _meeting_row(w, curated, meeting, row)


def _meeting_label(n: int, row: Row | None) -> str:
    if row is None or not row["city"]:
        return f"SOM-{n}"
    return f"SOM-{n} ({row['city']}, {row['start_date'][:4] or 'date unknown'})"


def _meeting_row(w: GraphWriter, curated: Curated, meeting: URIRef, row: Row) -> None:
    for column, prop in (("start_date", SCHEMA.startDate), ("end_date", SCHEMA.endDate)):
        if row[column]:
            try:
                day = date.fromisoformat(row[column])
            except ValueError as exc:
                raise CuratedDataError(f"{curated.source_path('meetings')}, line {row['_line']}: {column} "
                                       f"{row[column]!r} is not a date (YYYY-MM-DD)") from exc
            w.add(meeting, prop, lit(day))
    if row["city"] or row["country"]:
        place_name = row["city"] or row["country"]
        place = iris.place(place_name)
        w.node(place, SCHEMA.Place, place_name)
        w.add(meeting, SCHEMA.location, place)
        if row["country"] in curated.countries:
            w.add(place, SCHEMA.containedInPlace, GEOAREA[curated.countries[row["country"]]["un_m49"]])
    if row["modality"] in MODALITY:
        w.add(meeting, SCHEMA.eventAttendanceMode, MODALITY[row["modality"]])
    if row["host"]:
        w.text(meeting, NEA.hostDescription, row["host"])
        for mention in curated.country_matcher.find(row["host"]):
            w.add(meeting, NEA.hostedBy, iris.state(curated.country_iso2(mention.key)))
    if row["notes"]:
        w.text(meeting, SKOS.note, row["notes"])
        if "CONFLICT" in row["notes"]:
            conflict = re.search(r"CONFLICT[^:]*:\s*(.*)", row["notes"])
            w.text(meeting, NEA.conflictNote, conflict.group(1) if conflict else row["notes"])
    for url in [u.strip() for u in row["source_url"].split(" ; ") if u.strip()]:
        w.add(meeting, DCTERMS.source, URIRef(url.replace(" ", "%20")))


def _taxa(w: GraphWriter, curated: Curated) -> None:
    taxa = curated.by_key("taxa")
    for key, row in taxa.items():
        node = iris.taxon(row["scientific_name"])
        names = split_list(row["vernacular_names"])
        w.node(node, DWC.Taxon, f"{names[0]} ({row['scientific_name']})" if names else row["scientific_name"])
        w.add(node, DWC.scientificName, Literal(row["scientific_name"]))
        w.add(node, DWC.taxonRank, Literal(row["rank"]))
        for name in names:
            w.text(node, DWC.vernacularName, name)
        if row["parent"]:
            w.add(node, SKOS.broader, iris.taxon(taxa[row["parent"]]["scientific_name"]))
        _taxon_identifiers(w, curated, node, key, row, taxa)
        source_literal(w, node, row["source"])


def _taxon_identifiers(w: GraphWriter, curated: Curated, node: URIRef, key: str, row: Row,
                       taxa: dict[str, Row]) -> None:
    vocab = curated.vocab_species_row(key)
    if vocab is None:
        return
    has_own = bool(vocab["wikidata_qid"] or vocab["gbif_taxon_key"])
    if vocab["wikidata_qid"]:
        w.add(node, SKOS.exactMatch, WD[vocab["wikidata_qid"]])
    if vocab["gbif_taxon_key"]:
        w.add(node, SKOS.exactMatch, GBIF[vocab["gbif_taxon_key"]])
    if not has_own and row["parent"]:
        # Only species-level identifiers are confirmed for this subspecies (data/vocab/SOURCES.md).
        parent = curated.vocab_species_row(row["parent"])
        if parent and parent["wikidata_qid"]:
            w.add(node, SKOS.closeMatch, WD[parent["wikidata_qid"]])
        if parent and parent["gbif_taxon_key"]:
            w.add(node, SKOS.closeMatch, GBIF[parent["gbif_taxon_key"]])
    if vocab["iucn_category"]:
        w.add(node, NEA.iucnCategory, Literal(vocab["iucn_category"]))
    if vocab["iucn_taxon_id"]:
        w.add(node, NEA.iucnTaxonId, Literal(vocab["iucn_taxon_id"]))
    if vocab.get("iucn_source"):
        source_literal(w, node, f"IUCN category: {vocab['iucn_source']}")
    if vocab.get("notes"):
        w.text(node, SKOS.editorialNote, vocab["notes"])


def _projects_funds_documents(w: GraphWriter, curated: Curated) -> None:
    for key, row in curated.by_key("projects").items():
        node = iris.project(key)
        w.node(node, (NEA.Project, SCHEMA.Project), row["title"])
        w.text(node, DCTERMS.title, row["title"])
        w.add(node, NEA.programmeArea, iris.concept("programme-area", row["programme_area"]) if row["programme_area"] else None)
        w.add(node, SCHEMA.parentOrganization, iris.organization("neaspec"))
        source_literal(w, node, row["source"])
    for key, row in curated.by_key("funds").items():
        node = iris.fund(key)
        w.node(node, (NEA.Fund, FRAPO.Funding), row["label"])
        w.text(node, SKOS.definition, row["definition"])
        w.add(node, FRAPO.funds, iris.organization("neaspec"))
        source_literal(w, node, row["source"])
    for key, row in curated.by_key("documents").items():
        node = iris.document(key)
        w.node(node, DOCUMENT_TYPES.get(row["kind"], FABIO.Expression), row["title"])
        w.text(node, DCTERMS.title, row["title"])
        if row.get("programme_area"):
            w.add(node, NEA.programmeArea, iris.concept("programme-area", row["programme_area"]))
        source_literal(w, node, row["source"])

