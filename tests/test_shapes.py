"""The SHACL shapes (shapes/neaspec.ttl): every shape has a fixture that violates it and
says which message comes back; the SOM-27 graph conforms; every class has a shape."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH

from neaspec_kg.namespaces import NEA, SHAPES
from neaspec_kg.rdf import load_turtle_dir
from neaspec_kg.settings import Settings
from neaspec_kg.validate import ValidationReport, validate_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
CONTEXT = FIXTURES / "context.ttl"
ID = "https://w3id.org/neaspec/id/"
SETTINGS = Settings(root=ROOT)


@dataclass(frozen=True)
class Case:
    fixture: str  # tests/fixtures/shapes/<fixture>.ttl, validated with context.ttl
    node_shape: str  # the targeted node shape the fixture exercises
    shapes: frozenset[str]  # exactly the shapes (or SPARQL constraints) that must report
    message: str  # text the report must contain
    focus: str  # the focus node the report must name (relative to .../id/)
    severity: str = "Violation"


def case(fixture, node_shape, shapes, message, focus, severity="Violation") -> Case:
    shapes = (shapes,) if isinstance(shapes, str) else shapes
    return Case(fixture, node_shape, frozenset(shapes), message, focus, severity)


CASES = [
    case("meeting_end_before_start", "EventDatesShape", "Event-startBeforeEnd",
         "An event cannot end before it starts: schema:startDate 2023-11-24 is after schema:endDate 2023-11-23",
         "meeting/som-26"),
    case("meeting_without_session_number", "MeetingShape", "Meeting-numbered",
         "A meeting session needs exactly one session number (xsd:integer", "meeting/som-26"),
    case("meeting_date_not_xsd_date", "MeetingShape", "Meeting-startDate",
         "A meeting session has at most one start date, an xsd:date", "meeting/som-26"),
    case("meeting_identifier_mismatch", "MeetingShape", "Meeting-identifierMatchesNumber",
         "The identifier SOM-25 of a meeting session does not match its session number 26", "meeting/som-26"),
    case("meeting_duplicate_session_number", "MeetingShape", "Meeting-uniqueNumber",
         "Two meeting sessions of one series have the same session number 27", "meeting/som-27-bis"),
    case("meeting_two_locations", "MeetingShape", "Meeting-location",
         "A meeting session has at most one location", "meeting/som-27"),
    case("meeting_host_not_described", "MeetingShape", "Meeting-hostedBy",
         "The host of a meeting session (nea:hostedBy) must be a nea:State described in the graph",
         "meeting/som-27"),
    case("meeting_without_dates", "MeetingShape", ("Meeting-hasStartDate", "Meeting-hasEndDate"),
         "Review: no start date is known for this meeting session", "meeting/som-4", "Warning"),
    case("meeting_without_source", "MeetingShape", "Meeting-hasSource",
         "Review: no public source documents this meeting session", "meeting/som-7", "Warning"),
    case("series_session_not_a_meeting", "MeetingSeriesShape", "MeetingSeries-subEvent",
         "A meeting series has sessions (schema:subEvent), each a nea:Meeting described in the graph", "series/som"),
    case("agenda_item_bad_notation", "AgendaItemShape", "AgendaItem-notation",
         'An agenda item needs exactly one notation as printed, such as "5" or "5 (a)"', "meeting/som-27/agenda/5-a"),
    case("agenda_item_not_considered", "AgendaItemShape", "AgendaItem-session",
         "An agenda item is considered (nea:considered) by exactly one meeting session", "meeting/som-27/agenda/6"),
    case("state_without_country", "StateShape", "State-spatial",
         "A State as agent is linked (dct:spatial) to exactly one country as place", "state/jp"),
    case("delegation_without_provenance", "DelegationShape", ("DerivedFromReport", "Organization-hasSource"),
         "An extracted fact needs provenance: prov:wasDerivedFrom a paragraph or section of a report",
         "meeting/som-27/delegation/cn-2"),
    case("delegation_of_unknown_state", "DelegationShape", "Delegation-of",
         "A delegation represents exactly one State or organization", "meeting/som-27/delegation/xx"),
    case("mechanism_purpose_not_programme_area", "MechanismShape", "Mechanism-purpose",
         "A programme mechanism serves a programme area (org:purpose): a concept of the programme-area scheme",
         "org/neampan"),
    case("organization_without_source", "OrganizationShape", "Organization-hasSource",
         "An organization needs a source", "org/unep"),
    case("officer_role_not_in_role_scheme", "OfficeHoldingShape", "OfficeHolding-role",
         "An office holding needs exactly one office (org:role): an org:Role of the role scheme",
         "meeting/som-27/officer/rapporteur"),
    case("officer_without_state", "OfficeHoldingShape", "OfficeHolding-hasState",
         "Review: the report does not say on behalf of which State this office is held",
         "meeting/som-27/officer/vice-chair", "Warning"),
    case("membership_two_members", "MembershipShape", "Membership-member",
         "A membership has exactly one member (org:member is functional)", "membership/neaspec/cn"),
    case("person_foaf_name_differs", "PersonShape", "Person-foafName",
         "A person needs exactly one foaf:name, equal to its schema:name", "meeting/som-27/person/chen-haijun"),
    case("person_not_schema_person", "PersonShape", "Person-type",
         "A person is typed both foaf:Person and schema:Person", "meeting/som-27/person/chen-haijun"),
    case("statement_text_not_in_paragraph", "StatementShape", "TextInSource",
         "The text of this record is not found in the paragraph it is derived from", "meeting/som-27/statement/16-china-2"),
    case("statement_without_speaker", "StatementShape", "Statement-creator",
         "A statement has exactly one speaker (schema:creator)", "meeting/som-27/statement/16-unknown"),
    case("statement_iri_not_minted", "MintedIriShape", "MintedIriShape",
         "A resource of the NEASPEC graph must have an IRI minted under https://w3id.org/neaspec/id/",
         "http://example.org/statement/1"),
    case("decision_verb_not_in_scheme", "DecisionShape", "Decision-verb",
         "A decision needs exactly one decision verb (nea:decisionVerb): a skos:Concept of the decision-verb scheme",
         "meeting/som-27/decision/5-2"),
    case("decision_object_not_described", "DecisionShape", "Decision-object",
         "What a decision acts on (nea:decisionObject) must be a document, project or event described in the graph",
         "meeting/som-27/decision/5-2"),
    case("decision_without_provenance", "DecisionShape", "DerivedFromReport",
         "An extracted fact needs provenance", "meeting/som-27/decision/5-2"),
    case("plan_for_past_session", "SessionPlanShape", "SessionPlan-future",
         "A session plan must be about a later session: it plans SOM-27 but was read at SOM-27",
         "meeting/som-27/plan/16"),
    case("commitment_without_provenance", "CommitmentShape", "DerivedFromReport",
         "An extracted fact needs provenance: prov:wasDerivedFrom a paragraph or section of a report that exists",
         "meeting/som-27/commitment/16-3"),
    case("commitment_target_year_before_session", "CommitmentShape", "Commitment-targetAfterSession",
         "A target year (2020) cannot be before the year of the session it was reported at (2024)",
         "meeting/som-27/commitment/16-3"),
    case("commitment_baseline_after_target", "CommitmentShape", "Commitment-baselineBeforeTarget",
         "A baseline year (2035) must be before the target year (2030)", "meeting/som-27/commitment/16-3"),
    case("commitment_target_year_not_gyear", "CommitmentShape", "Commitment-targetYear",
         "A commitment has at most one target year, an xsd:gYear", "meeting/som-27/commitment/16-3"),
    case("commitment_by_unknown_state", "CommitmentShape", "CommittedBy",
         "nea:committedBy must be a nea:State described in the graph", "meeting/som-27/commitment/16-3"),
    case("commitment_kind_achieved", "CommitmentShape", "Commitment-kind",
         "A commitment needs exactly one kind: pledge or target", "meeting/som-27/commitment/16-3"),
    case("commitment_target_without_year", "CommitmentReviewShape", "Commitment-targetHasYear",
         "Review: a national target without a target year", "meeting/som-27/commitment/16-3", "Warning"),
    case("progress_in_future_year", "ProgressShape", "Progress-notInFuture",
         "Progress cannot be achieved in a year (2030) after the session it was reported at (2024)",
         "meeting/som-27/progress/16-3"),
    case("progress_of_missing_commitment", "ProgressShape", "Progress-of",
         "Reported progress reports on at most one commitment (nea:progressOf, a nea:Commitment described",
         "meeting/som-27/progress/16-3"),
    case("quantity_value_not_decimal", "QuantitativeValueShape", "Quantity-value",
         "A quantity needs exactly one value (schema:value, xsd:decimal)", "meeting/som-27/commitment/16-3/quantity"),
    case("quantity_without_owner", "QuantitativeValueShape", "Quantity-owner",
         "A quantity is the target, achieved or baseline value of exactly one commitment or progress",
         "meeting/som-27/commitment/99-1/quantity"),
    case("project_taxon_not_described", "ProjectShape", "Project-taxon",
         "A taxon a project covers (nea:targetsTaxon) must be a dwc:Taxon described in the graph",
         "project/migratory-birds-connectivity"),
    case("fund_without_definition", "FundShape", "Fund-definition",
         "A fund needs exactly one definition", "fund/project-based-fund"),
    case("grant_without_funder", "MonetaryGrantShape", "Grant-funder",
         "A grant has exactly one funder (schema:funder)", "project/migratory-birds-connectivity/funding/unknown"),
    case("taxon_bad_rank", "TaxonShape", "Taxon-rank",
         "A taxon needs exactly one rank (dwc:taxonRank): genus, species or subspecies", "taxon/platalea-minor"),
    case("taxon_without_identifiers", "TaxonShape", "Taxon-hasIdentifier",
         "Review: this taxon has no Wikidata or GBIF identifier yet", "taxon/platalea-minor", "Warning"),
    case("related_event_end_before_start", "EventDatesShape", "Event-startBeforeEnd",
         "An event cannot end before it starts: schema:startDate 2024-06-02 is after schema:endDate 2024-06-01",
         "event/neampan-workshop-2024"),
    case("related_event_bad_status", "RelatedEventShape", "RelatedEvent-status",
         'A related event needs a planning status as reported: "held", "planned" or "proposed"',
         "event/neampan-workshop-2024"),
    case("related_event_without_date_or_period", "RelatedEventReviewShape", "RelatedEvent-when",
         "Review: the report gives neither a date nor a period for this related event",
         "event/neampan-workshop-2024", "Warning"),
    case("place_without_country", "PlaceShape", "Place-hasCountry",
         "Review: the country of this place is not known", "place/ulaanbaatar", "Warning"),
    case("concept_without_scheme", "ConceptShape", "Concept-scheme",
         "A concept is in exactly one scheme (skos:inScheme)", "concept/decision-verb/welcomed"),
    case("report_without_session", "MeetingReportShape", "MeetingReport-session",
         "A meeting report records exactly one meeting session", "meeting/som-26/report"),
    case("paragraph_number_duplicated", "ParagraphShape", "Paragraph-uniqueNumber",
         "Paragraph number 5 occurs twice in the same report", "meeting/som-27/report/en/section/i/para/5"),
    case("paragraph_iri_number_mismatch", "ParagraphShape", "Paragraph-iriNumber",
         "The IRI of a paragraph must end with /para/18, its paragraph number", "meeting/som-27/report/en/para/17"),
    case("paragraph_occurrence_below_two", "ParagraphShape", ("Paragraph-occurrence", "Paragraph-uniqueNumber"),
         "A paragraph whose printed number repeats carries at most one nea:numberOccurrence (xsd:integer, 2 or more)",
         "meeting/som-27/report/en/section/i/para/5.1"),
    case("paragraph_occurrence_not_in_iri", "ParagraphShape", "Paragraph-iriNumber",
         "The IRI of a paragraph must end with /para/5, its paragraph number (/para/5.{k} for its k-th occurrence)",
         "meeting/som-27/report/en/section/i/para/5"),
    case("paragraph_page_not_integer", "ParagraphShape", "Paragraph-page",
         "A page a paragraph is printed on (nea:printedOnPage) is an xsd:integer, 1 or more",
         "meeting/som-27/report/en/para/16"),
    case("section_without_parent", "SectionShape", "Section-parent",
         "A section is part of exactly one section or report text (dct:isPartOf)",
         "meeting/som-27/report/en/section/ii"),
    case("annotation_without_body", "SpanAnnotationShape", "Annotation-body",
         "A span annotation needs at least one body (oa:hasBody)", "meeting/som-27/report/en/para/16/span/0-5"),
    case("span_without_position_selector", "SpecificResourceShape", "SpecificResource-position",
         "An annotated span needs exactly one oa:TextPositionSelector",
         "meeting/som-27/report/en/para/16/span/0-5#target"),
    case("annotation_quote_does_not_match", "TextQuoteSelectorShape", "Quote-matchesSource",
         "The quoted text (oa:exact) is not the text of https://w3id.org/neaspec/id/meeting/som-27/report/en/para/16"
         " between characters 1 and 6", "meeting/som-27/report/en/para/16/span/1-6#quote"),
    case("annotation_end_before_start", "TextPositionSelectorShape", ("Position-order", "Quote-matchesSource"),
         "A span must end after it starts: oa:start 5, oa:end 3", "meeting/som-27/report/en/para/16/span/5-3#position"),
    case("source_document_without_url", "SourceDocumentShape", "SourceDocument-url",
         "A source document needs exactly one URL (schema:url", "source/no-url"),
    case("record_without_source_document", "RecordProvenanceShape", "Record-sourceDocument",
         "A record read from public sources needs provenance: prov:wasDerivedFrom at least one source document",
         "meeting/som-27/delegation/cn"),
    case("record_statement_about_non_meeting", "RecordStatementShape", "RecordStatement-subject",
         "A recorded statement is about exactly one meeting session (rdf:subject", "meeting/som-28/record/bad-subject"),
    case("follow_up_not_later", "FollowUpShape", "FollowUp-later",
         "A follow-up must be shown at a later session: SOM-27 is not after SOM-28", "follow-up/backwards"),
    case("follow_up_without_outcome", "FollowUpShape", "FollowUp-outcome",
         "A follow-up needs exactly one outcome (nea:followUpOutcome)", "follow-up/no-outcome"),
    case("decision_from_report_without_text", "DecisionShape", "Decision-textFromReport",
         "A decision read from a report needs its text as printed (schema:text)", "meeting/som-27/decision/5-3"),
    case("quality_issue_bad_code", "QualityAnnotationShape", "Quality-code",
         "A data-quality issue needs exactly one stable warning code", "meeting/som-27/report/en/issue/bad-code-1"),
]


def _iri(relative: str) -> str:
    return relative if relative.startswith("http") else ID + relative


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_turtle_dir(ROOT / "shapes", URIRef("urn:test:shapes"))


def _validate(*files: Path) -> ValidationReport:
    return validate_files(list(files), SETTINGS)


def test_context_fixture_conforms_without_remarks():
    report = _validate(CONTEXT)
    assert report.conforms, report.text
    assert report.findings == [], report.text
    assert report.text == "conforms: every node satisfies the shapes"


@pytest.mark.parametrize("c", CASES, ids=[c.fixture for c in CASES])
def test_fixture_violates_its_shape(c: Case):
    report = _validate(CONTEXT, FIXTURES / f"{c.fixture}.ttl")
    reported = {f.shape for f in report.findings}
    assert reported == {f"shapes:{s}" for s in c.shapes}, report.text
    assert {f.severity for f in report.findings} == {c.severity}, report.text
    assert report.conforms == (c.severity != "Violation"), report.text
    matching = [f for f in report.findings if c.message in f.message]
    assert matching, f"no finding says {c.message!r}:\n{report.text}"
    assert _iri(c.focus) in {f.focus for f in matching}, report.text
    # The readable report carries the message and names the focus node.
    assert c.message in report.text
    assert f"<{_iri(c.focus)}>" in report.text


def test_every_fixture_file_has_a_case():
    files = {p.stem for p in FIXTURES.glob("*.ttl")} - {"context"}
    assert files == {c.fixture for c in CASES}


def _targeted_node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape)
            if str(s).startswith(str(SHAPES))
            and ((s, SH.targetClass, None) in shapes or (s, SH.target, None) in shapes)}


def test_every_targeted_shape_and_sparql_constraint_has_a_violating_fixture(shapes):
    targeted = {SHAPES[str(s)[len(str(SHAPES)):]] for s in _targeted_node_shapes(shapes)}
    # Only the node shapes of shapes/neaspec.ttl: the SDG link shape is tested in test_sdg.py.
    targeted -= {SHAPES.SdgLinkShape}
    covered = {SHAPES[c.node_shape] for c in CASES}
    assert targeted - covered == set(), "node shapes without a violating fixture"
    constraints = {c for c in shapes.objects(None, SH.sparql) if isinstance(c, URIRef)}
    exercised = {SHAPES[s] for c in CASES for s in c.shapes}
    assert constraints - exercised == set(), "SPARQL constraints without a violating fixture"


@pytest.mark.parametrize("c", CASES, ids=[c.fixture for c in CASES])
def test_case_shape_belongs_to_its_node_shape(c: Case, shapes):
    node = SHAPES[c.node_shape]
    parts = set(shapes.objects(node, SH.property)) | set(shapes.objects(node, SH.sparql)) | {node}
    assert any(SHAPES[s] in parts for s in c.shapes), f"{c.shapes} is not part of {c.node_shape}"


def test_every_ontology_class_has_a_shape_targeting_it(shapes):
    ontology = load_turtle_dir(ROOT / "ontology", URIRef("urn:test:ontology"))
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(NEA))}
    assert NEA.Meeting in classes and NEA.Commitment in classes
    targeted = set(shapes.objects(None, SH.targetClass))
    assert classes - targeted == set(), "ontology classes without a shape"


def test_reused_classes_the_build_instantiates_have_a_shape(shapes):
    reused = {
        "http://purl.org/spar/doco/Paragraph", "http://purl.org/spar/doco/Section",
        "http://purl.org/spar/fabio/MeetingReport", "http://www.w3.org/ns/oa#SpecificResource",
        "http://www.w3.org/ns/oa#TextQuoteSelector", "http://www.w3.org/ns/oa#TextPositionSelector",
        "http://rs.tdwg.org/dwc/terms/Taxon", "http://xmlns.com/foaf/0.1/Person", "http://schema.org/Place",
        "http://schema.org/QuantitativeValue", "http://www.w3.org/ns/org#Membership",
        "http://www.w3.org/ns/dqv#QualityAnnotation", "http://schema.org/MonetaryGrant",
    }
    targeted = {str(c) for c in shapes.objects(None, SH.targetClass)}
    assert reused - targeted == set()
    # oa:Annotation (span annotations) and skos:Concept (the project's schemes) use SPARQL targets.
    selects = " ".join(str(q) for q in shapes.objects(None, SH.select))
    assert "?this a oa:Annotation" in selects and "?this a skos:Concept" in selects


def test_every_named_property_shape_has_a_name_and_a_message():
    # shapes/neaspec.ttl only: shapes/sdg-links.ttl has its own conventions and tests.
    shapes = Graph().parse(ROOT / "shapes" / "neaspec.ttl")
    own = list(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(own) > 100
    missing = [str(s) for s in own if shapes.value(s, SH.message) is None or shapes.value(s, SH.name) is None]
    assert missing == []
    silent = [str(c) for c in shapes.objects(None, SH.sparql) if shapes.value(c, SH.message) is None]
    assert silent == []


def test_the_som27_graph_conforms():
    """The graph the build makes from the SOM-27 report (and the curated tables) conforms."""
    from neaspec_kg import build
    from neaspec_kg.curated import Curated
    from neaspec_kg.validate import validate_dataset

    dataset, _, _ = build.make_dataset(SETTINGS, Curated(SETTINGS.data_dir))
    report = validate_dataset(dataset, SETTINGS)
    assert report.violations == [], report.text
    assert report.conforms
    # Only the expected remarks: sessions without sources or dates, taxa without identifiers ...
    assert {f.shape for f in report.warnings} <= {
        "shapes:Meeting-hasStartDate", "shapes:Meeting-hasEndDate", "shapes:Meeting-hasSource",
        "shapes:Taxon-hasIdentifier", "shapes:OfficeHolding-hasState", "shapes:Place-hasCountry",
        "shapes:RelatedEvent-when", "shapes:Commitment-targetHasYear"}, report.text
    assert "SOM-4 <https://w3id.org/neaspec/id/meeting/som-4>" in report.text
