"""The build: data/ -> validated named graphs -> build/current (dump, store, summary).

A build writes into a fresh folder and only then swaps the ``build/current`` symlink, so
a failed or interrupted build leaves the last good build in place. When nothing the
build reads has changed (sources, ontology, shapes, code), it does nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF

from neaspec_kg import __version__, iris
from neaspec_kg.build_cache import ReportCache, validate_reports
from neaspec_kg.build_progress import Progress, format_summary, reuse_text
from neaspec_kg.curated import Curated, CuratedDataError
from neaspec_kg.extract import extract_all
from neaspec_kg.folders import remove_stale, staging_folder, swap_symlink
from neaspec_kg.namespaces import BASE
from neaspec_kg.publish.metadata import FACTS_FILE, dataset_facts, write_facts
from neaspec_kg.rdf import assemble_dataset, curated_graph, ontology_graph, records_graph, report_graph
from neaspec_kg.records import DataQualityWarning, Extraction, ReportError
from neaspec_kg.report import parse_report
from neaspec_kg.report.sources import SUFFIXES as REPORT_SUFFIXES
from neaspec_kg.search import build_search_index
from neaspec_kg.settings import Settings
from neaspec_kg.shrink import ShrinkError, check_shrink, report_counts, report_key
from neaspec_kg.store import write_store
from neaspec_kg.store.release import in_use

BUILD_FORMAT = 2  # bump when the layout of a build folder changes (2: text/, report_counts)
KEEP_BUILDS = 3


class BuildError(Exception):
    """The build stopped; the message says where (file, line, paragraph) and why."""


@dataclass
class BuildResult:
    folder: Path
    release: str
    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]
    warnings: list[DataQualityWarning]
    seconds: float
    skipped: bool = False
    paragraphs_with_facts: dict[str, list[int]] = field(default_factory=dict)
    sdg_evaluation: dict = field(default_factory=dict)


# --- inputs -------------------------------------------------------------------------------
def input_files(settings: Settings) -> list[Path]:
    """Everything a build reads; its digest decides whether a rebuild is needed."""
    root = settings.root
    files: list[Path] = []
    for folder, patterns in ((settings.data_dir, ("**/*",)), (settings.ontology_dir, ("*.ttl",)),
                             (settings.shapes_dir, ("*.ttl",)), (root / "neaspec_kg", ("**/*.py", "**/*.rq")),
                             (settings.queries_dir, ("*.rq",))):
        for pattern in patterns:
            files.extend(p for p in folder.glob(pattern) if p.is_file())
    return sorted(set(files))


def sources_digest(settings: Settings) -> str:
    digest = hashlib.sha256(f"{BUILD_FORMAT}:{__version__}:{BASE}".encode())
    for path in input_files(settings):
        digest.update(str(path.relative_to(settings.root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def current_summary(settings: Settings) -> dict | None:
    path = settings.current_build / "build.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


# --- stages ------------------------------------------------------------------------------------
def report_files(settings: Settings) -> list[Path]:
    """The reports as published (.pdf, .docx) or as text (.txt) in data/reports/."""
    folder = settings.data_dir / "reports"
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES) \
        if folder.is_dir() else []


def read_reports(settings: Settings, curated: Curated, cache: ReportCache | None = None,
                 reused: set[str] | None = None) -> list[Extraction]:
    """Every report, parsed and extracted, or read from ``cache`` when neither it nor the code
    changed (its file name is then added to ``reused``)."""
    reports = report_files(settings)
    if not reports:
        raise BuildError(f"{settings.data_dir / 'reports'}: no report (*.pdf, *.docx or *.txt) to read")
    extractions: list[Extraction] = []
    sessions: dict[int | str, str] = {}
    for path in reports:
        extraction = cache.extraction(path) if cache is not None else None
        if extraction is not None and reused is not None:
            reused.add(path.name)
        if extraction is None:
            try:
                extraction = extract_all(parse_report(path, curated, settings.build_dir / "cache" / "word"), curated)
            except ReportError as exc:
                raise BuildError(str(exc)) from exc
            if cache is not None:
                cache.keep_extraction(path, extraction)
        number = extraction.report.front.meeting_key  # SOM-3 and NFP-3 are different meetings
        if number in sessions:
            raise BuildError(f"{path.name}: a report of {extraction.report.front.name} was already read from "
                             f"{sessions[number]}")
        sessions[number] = path.name
        extractions.append(extraction)
    return extractions


def sdg_graphs(settings: Settings, extractions: list[Extraction], curated: Curated) -> tuple[list[Graph], dict]:
    """The UN SDG KOS graph, the SDG links graph, and the links' precision on the hand-judged set."""
    from neaspec_kg.sdg.evaluate import METHODS, Score, evaluate, load_gold
    from neaspec_kg.sdg.kos import kos_graph
    from neaspec_kg.sdg.link import SdgLinker, links_to_graph

    links = Graph(identifier=iris.named_graph("links-sdg"))
    gold = load_gold(curated)
    totals: dict[str, Score] = {}
    linker = SdgLinker(curated)  # its vocabulary index is built once, for every report
    for extraction in extractions:
        linking = linker.link(extraction)
        links += links_to_graph(linking.links)
        ev = evaluate(linking, gold)
        for key, score in [("published", ev.overall), ("automatic", ev.automatic), *ev.by_method.items()]:
            t = totals.get(key, Score(0, 0, 0))
            totals[key] = Score(t.judged + score.judged, t.correct + score.correct, t.produced + score.produced)
    evaluation = {key: {"produced": s.produced, "judged": s.judged, "correct": s.correct,
                        "precision": round(s.precision, 3) if s.precision is not None else None}
                  for key, s in totals.items() if key in ("published", "automatic", *METHODS)}
    return [kos_graph(settings.data_dir), links], evaluation


def statistics(dataset: Dataset) -> tuple[int, dict[str, int], dict[str, int]]:
    graphs: dict[str, int] = {}
    classes: Counter[str] = Counter()
    seen: set[tuple[URIRef, URIRef]] = set()
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        graphs[str(graph.identifier)] = len(graph)
        for s, _, o in graph.triples((None, RDF.type, None)):
            if (s, o) not in seen:
                seen.add((s, o))
                classes[str(o)] += 1
    return sum(graphs.values()), dict(sorted(graphs.items())), dict(sorted(classes.items()))


def write_nquads(dataset: Dataset, path: Path) -> None:
    """Sorted N-Quads; blank nodes get canonical labels so equal sources give equal bytes."""
    lines: set[str] = set()
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        triples = to_canonical_graph(graph) if _has_blank_nodes(graph) else graph
        suffix = f" <{graph.identifier}> ."
        for line in triples.serialize(format="nt").splitlines():
            if line.strip():
                lines.add(line.rstrip()[:-1].rstrip() + suffix)  # "<s> <p> <o> ." -> "<s> <p> <o> <g> ."
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")


def _has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in graph)


def paragraphs_with_facts(dataset: Dataset) -> dict[str, list[int]]:
    """Per report graph, the paragraph numbers at least one extracted fact is derived from."""
    from rdflib.namespace import PROV

    from neaspec_kg.namespaces import NEA

    covered: dict[str, list[int]] = {}
    for graph in dataset.graphs():
        if not str(graph.identifier).startswith(str(iris.report_graph(0)).rsplit("/", 1)[0]):
            continue
        numbers = set()
        for _, _, para in graph.triples((None, PROV.wasDerivedFrom, None)):
            number = graph.value(para, NEA.paragraphNumber)
            if number is not None:
                numbers.add(int(number))
        covered[str(graph.identifier)] = sorted(numbers)
    return covered


def make_dataset(settings: Settings, curated: Curated,
                 step: Callable[[str], None] = lambda _name: None, cache: ReportCache | None = None,
                 reused: set[str] | None = None,
                 graph_files: dict[str, str] | None = None) -> tuple[Dataset, list[Extraction], dict]:
    """All named graphs from the sources, not yet validated: (dataset, extractions, SDG-link precision).
    ``reused`` is given the reports read from ``cache``, ``graph_files`` each report graph's file."""
    step("parsing and extracting reports")
    extractions = read_reports(settings, curated, cache, reused)
    step("building named graphs")
    graphs = [ontology_graph(settings.ontology_dir), curated_graph(curated, extractions)]
    for x in extractions:
        graphs.append(report_graph(x, curated))
        if graph_files is not None:
            graph_files[str(graphs[-1].identifier)] = x.report.source
    graphs.append(records_graph(curated))
    step("linking to the UN SDG vocabularies")
    sdg, sdg_evaluation = sdg_graphs(settings, extractions, curated)
    return assemble_dataset(graphs + sdg), extractions, sdg_evaluation


def build_signature(settings: Settings) -> str:
    """The digest of everything a build reads except the reports (code, shapes, ontology, curated
    tables, vocabularies, queries): the version of the per-report cache entries."""
    reports = settings.data_dir / "reports"
    digest = hashlib.sha256(f"{BUILD_FORMAT}:{__version__}:{BASE}".encode())
    for path in input_files(settings):
        if reports in path.parents:
            continue
        digest.update(str(path.relative_to(settings.root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# --- the build ----------------------------------------------------------------------------------
def run_build(settings: Settings, *, force: bool = False, progress: bool = True,
              out: Callable[[str], None] | None = None, accept_shrink: tuple[str, ...] = ()) -> BuildResult:
    """Build, validate and swap in a new build; ``accept_shrink`` names report files whose far
    smaller extraction (against the last good build) is intended."""
    say = out or (lambda text: print(text, file=sys.stderr))
    started = time.perf_counter()
    digest = sources_digest(settings)
    summary = current_summary(settings)
    if not force and summary and summary.get("sources_digest") == digest and (settings.current_build / "store").is_dir():
        say(f"build is up to date (release {summary['release']}); nothing to do")
        return BuildResult(settings.current_build.resolve(), summary["release"], summary["triples"], summary["graphs"],
                           summary["classes"], [], 0.0, skipped=True)

    steps = Progress(progress, say)
    cache = ReportCache(settings.build_dir / "cache" / "reports", build_signature(settings), steps.note)
    extracted_before: set[str] = set()
    graph_files: dict[str, str] = {}
    try:
        steps.start("reading curated tables")
        curated = Curated(settings.data_dir)
        dataset, extractions, sdg_evaluation = make_dataset(settings, curated, steps.start, cache, extracted_before,
                                                            graph_files)
        for note in check_shrink(extractions, summary, accept_shrink):
            say(f"note: {note}")
        steps.start("validating against the SHACL shapes")
        validation, validated_before = validate_reports(dataset, graph_files, report_files(settings), settings, cache,
                                                         steps.start)
        for x in extractions:
            steps.note(f"{x.report.source}: " + reuse_text(x.report.source in extracted_before,
                                                           x.report.source in validated_before))
        if not validation.conforms:
            raise BuildError("the graph violates the SHACL shapes; the last good build is kept.\n" + validation.text)
        steps.start("writing the dump and loading the store")
        result = _write_build(settings, dataset, extractions, digest, started, sdg_evaluation)
    except (CuratedDataError, ShrinkError) as exc:
        raise BuildError(str(exc)) from exc
    except OSError as exc:  # a full disk, a read-only folder: one line, and the last good build stays
        where = exc.filename or settings.build_dir
        raise BuildError(f"{where}: cannot write the build ({exc.strerror or exc}); the last good build is kept") from exc
    finally:
        steps.stop()
    say(format_summary(result))
    return result


def _write_build(settings: Settings, dataset: Dataset, extractions: list[Extraction], digest: str,
                 started: float, sdg_evaluation: dict) -> BuildResult:
    builds = settings.build_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    remove_stale(builds)  # what a killed build left behind
    staging = staging_folder(builds)
    try:
        nquads = staging / "dataset.nq"
        write_nquads(dataset, nquads)
        release = hashlib.sha256(nquads.read_bytes()).hexdigest()[:12]
        write_store(nquads, staging / "store")
        build_search_index(staging / "store", staging / "search.sqlite")
        triples, graphs, classes = statistics(dataset)
        write_facts(dataset_facts(pyoxigraph.Store.read_only(str(staging / "store")), graphs), staging / FACTS_FILE)
        warnings = [w for x in extractions for w in x.warnings]
        covered = paragraphs_with_facts(dataset)
        seconds = time.perf_counter() - started
        summary = {
            "release": release,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sources_digest": digest,
            "base_iri": BASE,
            "version": __version__,
            "triples": triples,
            "graphs": graphs,
            "classes": classes,
            "reports": [x.report.source for x in extractions],
            # What the next build compares its extractions with (neaspec_kg.shrink).
            "report_counts": {report_key(x): report_counts(x) for x in extractions},
            "paragraphs_with_facts": {g: len(v) for g, v in covered.items()},
            # SDG links scored against data/curated/sdg-gold.csv (links judged by hand).
            "sdg_link_precision": sdg_evaluation,
            "warnings": [str(w) for w in warnings],
            "seconds": round(seconds, 2),
        }
        (staging / "build.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        (staging / "warnings.txt").write_text("".join(f"{w}\n" for w in warnings))
        write_texts_read(extractions, staging / "text")
        final = builds / release
        if final.exists():
            # Same release id, same quads: the store there is this one, and a server may be
            # answering from it. Keep it; only the summary (sources digest, time) is new.
            for name in ("build.json", "warnings.txt", "search.sqlite", FACTS_FILE):
                os.replace(staging / name, final / name)
            shutil.rmtree(final / "text", ignore_errors=True)
            os.replace(staging / "text", final / "text")
            shutil.rmtree(staging)
        else:
            staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_symlink(settings.current_build, final)
    _prune(builds, keep=final)
    return BuildResult(final, release, triples, graphs, classes, warnings, seconds, paragraphs_with_facts=covered,
                       sdg_evaluation=sdg_evaluation)


def write_texts_read(extractions: list[Extraction], folder: Path) -> None:
    """The text each report was read as (``text/{file}.txt``): line numbers in warnings point into it,
    and for a PDF or Word file it is the text the facts and their quoted spans come from."""
    folder.mkdir(exist_ok=True)
    for x in extractions:
        (folder / f"{x.report.source}.txt").write_text(x.report.text, encoding="utf-8")


def _prune(builds: Path, keep: Path) -> None:
    """Keep the newest ``KEEP_BUILDS`` builds, and any build a server answers from."""
    olds = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".") and p != keep
                   and not in_use(p)), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds[KEEP_BUILDS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
