"""SDG links: which programme areas, mechanisms, projects, decisions, statements and
commitments are about which SDG goals and targets, and how each link was made.

The report never states these links; they are inferred (VOCABULARIES.md pitfall 13), so
they go in their own named graph (``links-sdg``), never in a report graph, and every link
carries its evidence. The method, in order:

1. **term-rule**: curated regular expressions (``data/curated/sdg-rules.csv``, one reason
   and source per rule) over the subject's text.
2. **measure-mapping**: a commitment's measure maps to a target (``measures.csv``
   ``sdg_target``).
3. **lexical-similarity**: TF-IDF cosine between each sentence of the subject's text and
   the official target texts (:mod:`neaspec_kg.sdg.lexical`); kept at
   ``LEXICAL_THRESHOLD`` with at least ``LEXICAL_MIN_SHARED`` shared content terms.
4. **curated**: ``data/curated/sdg-links-curated.csv`` adds or vetoes a link (veto wins
   over every method), each row with a reason and who judged it.

A link is one subject/target pair; where several methods agree they are all recorded on
the same link node. ``nea:score`` is always the lexical similarity of the subject's best
sentence to the target text, whatever method made the link, so links can be ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from neaspec_kg import iris
from neaspec_kg.curated import Curated
from neaspec_kg.namespaces import NEA, bind_prefixes
from neaspec_kg.records import Extraction, SourceSpan
from neaspec_kg.sdg.kos import canonical_sdg_iri, sdg_iri
from neaspec_kg.sdg.lexical import TargetIndex
from neaspec_kg.sdg.rules import (
    KINDS,
    RULES_FILE,
    load_curated_links,
    load_rules,
    subject_path,
    target_texts,
)

# Chosen on data/curated/sdg-gold.csv (see evaluate.py): below 0.30 the lexical method
# mostly matches generic words ("conservation", "capacity"); above it most matches share
# a topic word pair ("renewable energy", "water scarcity").
LEXICAL_THRESHOLD = 0.30
LEXICAL_MIN_SHARED = 2

METHODS = ("term-rule", "measure-mapping", "lexical-similarity", "curated")
METHOD_SCHEME = "sdg-link-method"


def links_graph_iri() -> URIRef:
    return iris.named_graph("links-sdg")


def method_iri(method: str) -> URIRef:
    return iris.concept(METHOD_SCHEME, method)


def linker_agent_iri() -> URIRef:
    return iris.software_agent("sdg-linker")


def link_iri(subject: URIRef, target: URIRef) -> URIRef:
    return iris.sdg_link(subject, target)


# --- records ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkSubject:
    """Something that can be about an SDG target, with the text the method reads."""

    iri: URIRef
    kind: str  # one of KINDS
    text: str
    evidence: URIRef | None = None  # the paragraph the text was read from (None: curated label)
    measure: str | None = None  # commitments: key of measures.csv


@dataclass(frozen=True)
class Evidence:
    method: str  # one of METHODS
    derived_from: str  # the rule / curated row, e.g. "data/curated/sdg-rules.csv#ghg-13.2"
    terms: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class SdgLink:
    subject: LinkSubject
    target: str  # goal or target code, "13.2"
    score: float  # lexical similarity of the best sentence to the target text, 0..1
    evidence: tuple[Evidence, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.method for e in self.evidence))

    @property
    def key(self) -> tuple[str, str]:
        return subject_path(self.subject.iri), self.target


@dataclass(frozen=True)
class Vetoed:
    link: SdgLink
    reason: str


@dataclass(frozen=True)
class Linking:
    links: tuple[SdgLink, ...]
    vetoed: tuple[Vetoed, ...] = ()
    unresolved: tuple[str, ...] = ()  # curated rows whose subject is not in this extraction


# --- subjects ---------------------------------------------------------------------------------
def link_subjects(extraction: Extraction, curated: Curated) -> list[LinkSubject]:
    """Every subject the method looks at, in a deterministic order, texts merged by IRI."""
    subjects = [*_curated_subjects(curated), *_extracted_subjects(extraction, curated)]
    merged: dict[URIRef, LinkSubject] = {}
    for s in subjects:
        first = merged.get(s.iri)
        if first is None:
            merged[s.iri] = s
        elif s.text not in first.text:
            # Two records on one IRI (e.g. a statement split in two spans): read both texts.
            merged[s.iri] = LinkSubject(s.iri, first.kind, first.text + "\n" + s.text, first.evidence, first.measure)
    return list(merged.values())


def _curated_subjects(curated: Curated) -> list[LinkSubject]:
    """Programme areas, mechanisms and projects: their text is their curated label, aliases
    and definition, so their links do not change from one report to the next."""
    out = []
    for row in curated.rows("programme_areas"):
        text = _join(row["label"], row.get("definition", ""))
        out.append(LinkSubject(iris.concept("programme-area", row["key"]), "programme-area", text))
    areas_by_mechanism = {row["mechanism"]: row for row in curated.rows("programme_areas") if row["mechanism"]}
    for row in curated.rows("organizations"):
        if row["kind"] != "mechanism":
            continue
        area = areas_by_mechanism.get(row["key"])
        text = _join(row["name"], area["label"] if area else "")
        out.append(LinkSubject(iris.organization(row["key"]), "mechanism", text))
    for row in curated.rows("projects"):
        out.append(LinkSubject(iris.project(row["key"]), "project", row["title"]))
    return out


def _join(*parts: str) -> str:
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."


def _extracted_subjects(extraction: Extraction, curated: Curated) -> list[LinkSubject]:
    session = extraction.report.front.meeting_key
    out: list[LinkSubject] = []
    for d in extraction.decisions:
        if d.span.paragraph is None:
            continue
        text = d.span.exact if d.object_text in d.span.exact else _join(d.span.exact, d.object_text)
        out.append(LinkSubject(iris.decision(session, iris.span_key(d.span) or 0, d.ordinal), "decision", text,
                               _paragraph(session, d.span)))
    statement_iris = iris.statements(session, [(iris.span_key(s.span) or 0, s.speaker) for s in extraction.statements])
    for s, node in zip(extraction.statements, statement_iris, strict=True):
        if s.span.paragraph is None:
            continue
        out.append(LinkSubject(node, "statement", s.span.exact, _paragraph(session, s.span)))
    for c in extraction.commitments:
        if c.span.paragraph is None:
            continue
        mint = iris.progress if c.kind == "achieved" else iris.commitment
        kind = "progress" if c.kind == "achieved" else "commitment"
        out.append(LinkSubject(mint(session, iris.span_key(c.span) or 0, c.ordinal), kind, c.description,
                               _paragraph(session, c.span), measure=c.measure))
    return out


def _paragraph(session: int, span: SourceSpan) -> URIRef | None:
    key = iris.span_key(span)
    return iris.paragraph(session, key) if key is not None else None


# --- the method --------------------------------------------------------------------------------
@dataclass
class _Candidates:
    """Evidence collected per (subject, target), in the order found."""

    by_pair: dict[tuple[URIRef, str], list[Evidence]] = field(default_factory=dict)
    subjects: dict[URIRef, LinkSubject] = field(default_factory=dict)

    def add(self, subject: LinkSubject, target: str, evidence: Evidence) -> None:
        self.subjects[subject.iri] = subject
        self.by_pair.setdefault((subject.iri, target), []).append(evidence)


class SdgLinker:
    """Holds the curated inputs and the target index; one instance links any extraction."""

    def __init__(self, curated: Curated):
        self.curated = curated
        self.rules = load_rules(curated)
        self.curated_links = load_curated_links(curated)
        self.measures = curated.by_key("measures")

    @cached_property
    def index(self) -> TargetIndex:
        return TargetIndex(target_texts(self.curated))

    @cached_property
    def goal_index(self) -> TargetIndex:
        goals = {row["code"]: row["title_en"] for row in self.curated.rows("sdg") if row["kind"] == "goal"}
        return TargetIndex(goals)

    def link(self, extraction: Extraction) -> Linking:
        subjects = link_subjects(extraction, self.curated)
        found = _Candidates()
        for subject in subjects:
            self._term_rules(subject, found)
            self._measure_mapping(subject, found)
            self._lexical(subject, found)
        unresolved = self._curated_adds(subjects, found)
        links = [self._finish(found.subjects[iri], target, evidence) for (iri, target), evidence in found.by_pair.items()]
        vetoes = {(c.subject, c.target): c for c in self.curated_links if c.action == "veto"}
        kept = tuple(sorted((l for l in links if l.key not in vetoes), key=_link_order))
        vetoed = tuple(Vetoed(l, vetoes[l.key].reason) for l in sorted(links, key=_link_order) if l.key in vetoes)
        return Linking(kept, vetoed, tuple(unresolved))

    def _term_rules(self, subject: LinkSubject, found: _Candidates) -> None:
        for rule in self.rules:
            if not rule.applies_to(subject.kind):
                continue
            hits = list(dict.fromkeys(m.group(0) for m in rule.pattern.finditer(subject.text)))
            if hits:
                found.add(subject, rule.target, Evidence(
                    "term-rule", f"data/{RULES_FILE.as_posix()}#{rule.key}", tuple(hits), rule.reason))

    def _measure_mapping(self, subject: LinkSubject, found: _Candidates) -> None:
        if subject.measure is None:
            return
        row = self.measures.get(subject.measure)
        if row is None or not row.get("sdg_target"):
            return
        found.add(subject, row["sdg_target"], Evidence(
            "measure-mapping", f"data/curated/measures.csv#{subject.measure}", (row["label"],),
            f"The commitment's measure '{row['label']}' maps to target {row['sdg_target']} in measures.csv."))

    def _lexical(self, subject: LinkSubject, found: _Candidates) -> None:
        for match in self.index.best_matches(subject.text, threshold=LEXICAL_THRESHOLD,
                                             min_shared=LEXICAL_MIN_SHARED):
            found.add(subject, match.code, Evidence(
                "lexical-similarity", f"data/vocab/sdg.csv#{match.code}", match.shared,
                f"TF-IDF cosine {match.score:.3f} >= {LEXICAL_THRESHOLD} with the official text of "
                f"target {match.code}, on the sentence: {match.sentence}"))

    def _curated_adds(self, subjects: list[LinkSubject], found: _Candidates) -> list[str]:
        by_path = {subject_path(s.iri): s for s in subjects}
        unresolved = []
        for c in self.curated_links:
            if c.action != "add":
                continue
            subject = by_path.get(c.subject)
            if subject is None:
                unresolved.append(f"{c.ref}: subject {c.subject} is not in this extraction")
                continue
            found.add(subject, c.target, Evidence("curated", c.ref, (), f"{c.reason} (judged by {c.judged_by})"))
        return unresolved

    def _finish(self, subject: LinkSubject, target: str, evidence: list[Evidence]) -> SdgLink:
        index = self.index if "." in target else self.goal_index
        score = index.score(subject.text, target).score
        return SdgLink(subject, target, score, tuple(evidence))


def _link_order(link: SdgLink) -> tuple[str, str]:
    return str(link.subject.iri), link.target


def plan_links(extraction: Extraction, curated: Curated) -> Linking:
    """The links as records (for evaluation and reports); :func:`link_sdgs` turns them into RDF."""
    return SdgLinker(curated).link(extraction)


# --- RDF --------------------------------------------------------------------------------------
def link_sdgs(extraction: Extraction, curated: Curated) -> Graph:
    """The ``links-sdg`` named graph for one extraction (plus the session-independent links
    of programme areas, mechanisms and projects, identical from every report)."""
    return links_to_graph(plan_links(extraction, curated).links)


def links_to_graph(links: tuple[SdgLink, ...]) -> Graph:
    graph = Graph(identifier=links_graph_iri())
    bind_prefixes(graph)
    agent = linker_agent_iri()
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal("neaspec-kg SDG linker (neaspec_kg.sdg.link)", lang="en")))
    for link in links:
        _add_link(graph, link, agent)
    return graph


def _add_link(graph: Graph, link: SdgLink, agent: URIRef) -> None:
    target = sdg_iri(link.target)
    node = link_iri(link.subject.iri, target)
    graph.add((link.subject.iri, DCTERMS.subject, target))
    graph.add((node, RDF.type, NEA.SdgLink))
    graph.add((node, NEA.linkSubject, link.subject.iri))
    graph.add((node, NEA.linkTarget, target))
    graph.add((node, NEA.score, Literal(_decimal(link.score), datatype=XSD.decimal)))
    graph.add((node, PROV.wasAttributedTo, agent))
    if link.subject.evidence is not None:
        graph.add((node, PROV.wasDerivedFrom, link.subject.evidence))
    for evidence in link.evidence:
        graph.add((node, NEA.linkMethod, method_iri(evidence.method)))
        graph.add((node, PROV.wasDerivedFrom, Literal(evidence.derived_from)))
        for term in evidence.terms:
            graph.add((node, NEA.matchedTerm, Literal(term)))
        if evidence.reason:
            graph.add((node, RDFS.comment, Literal(evidence.reason, lang="en")))


def _decimal(score: float) -> Decimal:
    return Decimal(repr(score)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


__all__ = [
    "KINDS",
    "LEXICAL_MIN_SHARED",
    "LEXICAL_THRESHOLD",
    "METHODS",
    "LinkSubject",
    "Linking",
    "SdgLink",
    "canonical_sdg_iri",
    "link_iri",
    "link_sdgs",
    "links_to_graph",
    "method_iri",
    "plan_links",
    "subject_path",
]
