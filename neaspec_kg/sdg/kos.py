"""The UN SDG Knowledge Organization System, loaded as its own named graph.

Only the KOS *data* (goals, targets, indicators) is loaded. ``sdgs-ontology.ttl`` is
never loaded: it declares ``dct:subject rdfs:domain skos:Concept``, which would make
every SDG-tagged decision a ``skos:Concept`` under RDFS reasoning (VOCABULARIES.md,
pitfall 4). No ``owl:sameAs`` is added: SDGIO indicators are classes, so the KOS's own
``skos:exactMatch`` links are the only bridge (pitfall 5).

The KOS licence requires a citation; it is read from the KOS's ``void.ttl`` and kept in
the graph (on the UN dataset node) so that dataset metadata can copy it.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, VOID

from neaspec_kg import iris
from neaspec_kg.namespaces import SDG, SDGO, bind_prefixes

KOS_DIR = Path("vocab") / "un-sdg-kos"
KOS_FILE = KOS_DIR / "sdg-kos-goals-targets-indicators.ttl"
VOID_FILE = KOS_DIR / "void.ttl"
# The dataset node of the UN's own VoID description (void.ttl).
UN_KOS_DATASET = URIRef("http://metadata.un.org/sdg/void.ttl#SDG")
KOS_SCHEME = URIRef("http://metadata.un.org/sdg")
# Literal-valued and homepage facts of the UN dataset node worth keeping with the data.
_VOID_KEPT = (DCTERMS.title, DCTERMS.license, DCTERMS.created, DCTERMS.modified, DCTERMS.issued,
              DCTERMS.creator, DCTERMS.publisher, FOAF.homepage, VOID.uriSpace)

# Goal "13", target "13.2" / "13.a"; nothing else is a goal or target code.
GOAL_OR_TARGET_RE = re.compile(r"^(?:[1-9]|1[0-7])(?:\.(?:[1-9][0-9]?|[a-z]))?$")
_SDG_HTTPS = "https://metadata.un.org/sdg/"


def kos_graph_iri() -> URIRef:
    return iris.named_graph("sdg-kos")


def kos_graph(data_dir: Path) -> Graph:
    """The UN SDG KOS (data only) plus the UN's dataset description with its licence.

    Returns a Graph whose identifier is the ``sdg-kos`` named graph.
    """
    graph = Graph(identifier=kos_graph_iri())
    bind_prefixes(graph)
    graph.parse(data_dir / KOS_FILE, format="turtle")
    for p, o in _void_description(data_dir):
        graph.add((UN_KOS_DATASET, p, o))
    graph.add((UN_KOS_DATASET, RDF.type, VOID.Dataset))
    graph.add((UN_KOS_DATASET, VOID.rootResource, KOS_SCHEME))
    return graph


def _void_description(data_dir: Path) -> list[tuple[URIRef, URIRef | Literal]]:
    void = Graph()
    void.parse(data_dir / VOID_FILE, format="turtle")
    return sorted((p, o) for p, o in void.predicate_objects(UN_KOS_DATASET) if p in _VOID_KEPT)


def kos_licence(data_dir: Path) -> str:
    """The KOS licence text with the citation it requires, verbatim from ``void.ttl``."""
    void = Graph()
    void.parse(data_dir / VOID_FILE, format="turtle")
    value = void.value(UN_KOS_DATASET, DCTERMS.license)
    if value is None:
        raise ValueError(f"{data_dir / VOID_FILE}: no dcterms:license on {UN_KOS_DATASET}")
    return str(value)


def sdg_iri(code: str) -> URIRef:
    """Goal or target IRI (``"13.2"`` -> ``http://metadata.un.org/sdg/13.2``).

    Indicator IRIs are never computed (repeated indicators share a ``C20xxxx`` IRI):
    look those up in ``data/vocab/sdg.csv``.
    """
    if not GOAL_OR_TARGET_RE.match(code):
        raise ValueError(f"{code!r} is not an SDG goal or target code (e.g. '13' or '13.2')")
    return SDG[code]


def canonical_sdg_iri(iri: str) -> URIRef:
    """``https://metadata.un.org/sdg/7`` (as OpenAlex writes it) -> the canonical http IRI."""
    if iri.startswith(_SDG_HTTPS):
        return URIRef(str(SDG) + iri[len(_SDG_HTTPS):])
    return URIRef(iri)


def sdg_code(iri: str) -> str:
    """``http://metadata.un.org/sdg/13.2`` (or its https alias) -> ``"13.2"``."""
    canonical = str(canonical_sdg_iri(iri))
    if not canonical.startswith(str(SDG)):
        raise ValueError(f"{iri!r} is not a UN SDG KOS IRI")
    return canonical[len(str(SDG)):]


def goal_and_target_texts(graph: Graph) -> dict[str, str]:
    """Code -> English prefLabel for every goal and target in a KOS graph.

    Where the dump has two English labels (target 12.3 has a truncated "By 2030,d"),
    the longest is the official text (SOURCES.md, known issues).
    """
    texts: dict[str, str] = {}
    for cls in (SDGO.Goal, SDGO.Target):
        for concept in graph.subjects(RDF.type, cls):
            labels = [str(o) for o in graph.objects(concept, SKOS.prefLabel)
                      if isinstance(o, Literal) and o.language == "en"]
            if labels:
                texts[sdg_code(str(concept))] = max(labels, key=lambda s: (len(s), s))
    return dict(sorted(texts.items(), key=lambda kv: code_sort_key(kv[0])))


def code_sort_key(code: str) -> tuple[int, int, str]:
    """Official order: 13 < 13.1 < 13.3 < 13.a; 8.2 < 8.10."""
    goal, _, target = code.partition(".")
    if not target:
        return int(goal), -1, ""
    return int(goal), int(target) if target.isdigit() else 100, target
