"""Benchmark graphs: the real build (1x) and synthetic ones at N times its number of sessions.

A synthetic session is the real SOM-27 extraction (neaspec_kg.records) re-keyed and varied
from a seed, so it has the same counts per session of paragraphs with text, statements,
decisions, commitments, projects, events and plans, and goes through the project's real
RDF stage (``report_graph``) and real SDG linker (``link_sdgs``). Curated tables (States,
taxa, projects, programme areas) are the real ones; only their use varies per session:

* paragraph text: about a third of the lower-case words are swapped for words of the same
  length from the same report, and every year is shifted by the session's distance from
  SOM-27; both keep the length, so every SourceSpan's offsets stay valid and its
  ``exact`` is re-read from the new text;
* the six member States are permuted per session (speakers, attendance, commitments,
  officers, hosts of plans ...), taxa likewise; persons get seeded names;
* keys that are per session in real reports (financial report, conclusions, activity plans
  by year, event editions, next-session plans) follow the session number.

Session numbers run 1..N; session 27 is the real extraction unchanged. Output per scale, in
``benchmarks/work/scale-<N>/`` (cached, keyed by seed, real release and this file):

* ``dataset.nq``  the named graphs, written by ``neaspec_kg.build.write_nquads``
* ``store/``      our store, made by ``neaspec_kg.store.write_store`` (union as default graph)
* ``peers.nq``    dataset.nq plus the deduplicated union as default-graph triples, so peers
                  that load N-Quads with their own loaders answer from the same default graph
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
REAL_SESSION = 27
DEFAULT_SEED = 20261124
GENERATOR_VERSION = 2  # bump when a change here changes the generated graphs (invalidates the cache)
SAME_LENGTH_SHARE = 0.3
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_WORD = re.compile(r"\b[a-z]{4,}\b")
_ORDINAL_KEY = re.compile(r"^(.*)-(\d{1,3})$")
_YEAR_KEY = re.compile(r"^(.*)-((?:19|20)\d\d)$")
_FAMILY = ("KIM", "LI", "SATO", "BAT", "IVANOV", "PARK", "WANG", "TANAKA", "DORJ", "PETROV", "CHOI", "ZHANG")
_GIVEN = ("Minjun", "Wei", "Haruto", "Tuya", "Olga", "Jiwoo", "Fang", "Yui", "Bold", "Sergei", "Seoyeon", "Lei")


# --- one synthetic session -----------------------------------------------------------
class SessionVariant:
    """Re-keys and varies the real extraction into session ``n`` (deterministic from the seed)."""

    def __init__(self, real, curated, meetings: dict[int, tuple[str, str]], n: int, seed: int):
        self.real, self.curated, self.n = real, curated, n
        self.delta = n - real.report.front.session_number
        self.rng = random.Random(seed * 100_003 + n)
        states = sorted(curated.countries)
        self.state_map = dict(zip(states, self.rng.sample(states, len(states))))
        taxa = list(curated.by_key("taxa"))
        self.taxon_map = dict(zip(taxa, self.rng.sample(taxa, len(taxa))))
        self.host = meetings.get((n - 1) % max(meetings) + 1) if meetings else None
        self.person_map: dict[str, str] = {}
        self.words = _words_by_length(real.report.paragraphs)

    # helpers
    def year(self, y: int | None) -> int | None:
        return None if y is None else y + self.delta

    def day(self, d: date | None) -> date | None:
        if d is None:
            return None
        try:
            return d.replace(year=d.year + self.delta)
        except ValueError:  # 29 February
            return d.replace(year=d.year + self.delta, day=28)

    def years_in(self, text: str | None) -> str | None:
        return None if text is None else _YEAR.sub(lambda m: str(int(m.group()) + self.delta), text)

    def state(self, name: str | None) -> str | None:
        return self.state_map.get(name, name) if name is not None else None

    def person(self, name: str) -> str:
        if name not in self.person_map:
            self.person_map[name] = f"{self.rng.choice(_FAMILY)} {self.rng.choice(_GIVEN)}"
        return self.person_map[name]

    def document_key(self, key: str) -> str:
        if key.startswith(("financial-report-som-", "conclusions-som-")):
            return key.rsplit("-", 1)[0] + f"-{self.n}"
        if key.startswith("activity-plan-"):
            return self.years_in(key)
        return key

    def event_key(self, key: str) -> str:
        if m := _YEAR_KEY.match(key):
            return f"{m.group(1)}-{int(m.group(2)) + self.delta}"
        if (m := _ORDINAL_KEY.match(key)) and int(m.group(2)) + self.delta >= 1:
            return f"{m.group(1)}-{int(m.group(2)) + self.delta}"
        # An edition before the first (early sessions): a key of this session's own, not edition 1
        # for all of them (which made one event reported at 25 sessions, with every one's dates).
        return f"{key}-som-{self.n}"

    def vary_text(self, text: str) -> str:
        def swap(m: re.Match) -> str:
            pool = self.words.get(len(m.group()))
            return self.rng.choice(pool) if pool and self.rng.random() < SAME_LENGTH_SHARE else m.group()

        return self.years_in(_WORD.sub(swap, text))

    # the variant
    def build(self):
        from neaspec_kg.records import DataQualityWarning, Quantity

        x, rp = self.real, dataclasses.replace
        report = x.report
        paragraphs = tuple(rp(p, text=self.vary_text(p.text)) for p in report.paragraphs)
        city, country = self.host or (report.front.city, report.front.country)
        front = rp(report.front, session_number=self.n, title=_title(report.front.title, self.n),
                   start_date=self.day(report.front.start_date), end_date=self.day(report.front.end_date),
                   city=city, country=country)
        source = f"som{self.n}-report.txt"
        warnings = tuple(rp(w, file=source) for w in x.warnings)
        report = rp(report, source=source, sha256=hashlib.sha256(f"{source}:{self.rng.random()}".encode()).hexdigest(),
                    front=front, paragraphs=paragraphs, warnings=tuple(rp(w, file=source) for w in report.warnings))
        assert all(isinstance(w, DataQualityWarning) for w in warnings)

        def person(p):
            if p is None:
                return None
            name = self.person(p.name)
            return rp(p, name=name, family_name=name.split()[0], country=self.state(p.country))

        def commitment(c):
            q = c.quantity
            if q is not None:
                factor = Decimal(self.rng.randint(50, 150)) / 100
                q = Quantity(value=(q.value * factor).quantize(q.value), unit=q.unit, text=q.text)
            return rp(c, actor=self.state(c.actor), quantity=q, description=self.years_in(c.description),
                      target_year=self.year(c.target_year), baseline_year=self.year(c.baseline_year),
                      reference_year=self.year(c.reference_year))

        def event(e):
            key = self.event_key(e.key)
            ordinal = e.ordinal
            if ordinal is not None and _ORDINAL_KEY.match(e.key) and not _YEAR_KEY.match(e.key):
                ordinal = max(1, ordinal + self.delta)
            return rp(e, key=key, ordinal=ordinal, name=self.years_in(e.name), start_date=self.day(e.start_date),
                      end_date=self.day(e.end_date), period=self.years_in(e.period), country=self.state(e.country),
                      organizers=tuple(self.state(o) for o in e.organizers))

        variant = rp(
            x, report=report, warnings=warnings,
            attendance=rp(x.attendance, states=tuple(self.state(s) for s in x.attendance.states)) if x.attendance else None,
            officers=tuple(rp(o, person=person(o.person), country=self.state(o.country)) for o in x.officers),
            persons=tuple(person(p) for p in x.persons),
            statements=tuple(
                rp(s, speaker=self.state(s.speaker) if s.speaker_kind == "state" else
                   self.person(s.speaker) if s.speaker_kind == "person" else s.speaker, person=person(s.person))
                for s in x.statements),
            decisions=tuple(
                rp(d, object_text=self.years_in(d.object_text), addressee=self.state(d.addressee),
                   documents=tuple(self.document_key(k) for k in d.documents),
                   events=tuple(self.event_key(k) for k in d.events),
                   planned_session=None if d.planned_session is None else d.planned_session + self.delta)
                for d in x.decisions),
            documents=tuple(rp(d, key=self.document_key(d.key), title=self.years_in(d.title), year=self.year(d.year))
                            for d in x.documents),
            projects=tuple(rp(p, funders=tuple(self.state(f) for f in p.funders),
                              taxa=tuple(self.taxon_map[t] for t in p.taxa)) for p in x.projects),
            commitments=tuple(commitment(c) for c in x.commitments),
            events=tuple(event(e) for e in x.events),
            plans=tuple(rp(p, session=p.session + self.delta, host=self.state(p.host), timing=self.years_in(p.timing))
                        for p in x.plans),
        )
        texts = {(p.section, p.number): p.text for p in paragraphs}
        return _respan(variant, texts)


def _title(title: str, n: int) -> str:
    _, sep, tail = title.partition(" Senior Officials Meeting")
    return f"Report of the {_ordinal(n)}{sep}{tail}" if sep else f"{title} (session {n})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _words_by_length(paragraphs) -> dict[int, list[str]]:
    pools: dict[int, set[str]] = {}
    for p in paragraphs:
        for w in _WORD.findall(p.text):
            pools.setdefault(len(w), set()).add(w)
    return {k: sorted(v) for k, v in pools.items()}


def _respan(obj, texts):
    """Re-read every SourceSpan's ``exact`` from the varied paragraph texts (offsets unchanged)."""
    from neaspec_kg.records import Report, SourceSpan

    if isinstance(obj, SourceSpan):
        text = texts.get((obj.section, obj.paragraph))
        if text is not None and obj.end <= len(text):
            return dataclasses.replace(obj, exact=text[obj.start:obj.end])
        return obj
    if isinstance(obj, Report):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: _respan(getattr(obj, f.name), texts) for f in dataclasses.fields(obj)}
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, tuple):
        return tuple(_respan(v, texts) for v in obj)
    return obj


# --- the pipeline, in worker processes --------------------------------------------------------
_STATE: dict = {}


def _init_worker() -> None:
    from neaspec_kg.build import read_reports
    from neaspec_kg.curated import Curated
    from neaspec_kg.settings import load_settings

    settings = load_settings()
    curated = Curated(settings.data_dir)
    real = [x for x in read_reports(settings, curated) if x.report.front.session_number == REAL_SESSION]
    if not real:
        raise SystemExit(f"benchmarks/generate.py: no SOM-{REAL_SESSION} report in {settings.data_dir / 'reports'}")
    meetings = {int(r["som_number"]): (r["city"], r["country"]) for r in curated.rows("meetings")
                if r.get("city") and r.get("country") in curated.countries}
    _STATE.update(settings=settings, curated=curated, real=real[0], meetings=meetings)


def _session_nquads(job: tuple[int, int, str]) -> tuple[int, str, dict]:
    """Session ``n``: variant -> report_graph + link_sdgs -> N-Quads file; returns counts."""
    from rdflib import Graph

    from neaspec_kg import iris
    from neaspec_kg.build import write_nquads
    from neaspec_kg.rdf import assemble_dataset, report_graph
    from neaspec_kg.sdg.link import link_sdgs

    n, seed, out = job
    curated, real = _STATE["curated"], _STATE["real"]
    x = real if n == REAL_SESSION else SessionVariant(real, curated, _STATE["meetings"], n, seed).build()
    links = Graph(identifier=iris.named_graph("links-sdg"))
    links += link_sdgs(x, curated)
    write_nquads(assemble_dataset([report_graph(x, curated), links]), Path(out))
    counts = {"paragraphs": sum(1 for p in x.report.paragraphs if p.text), "statements": len(x.statements),
              "decisions": len(x.decisions), "commitments": len(x.commitments), "projects": len(x.projects),
              "events": len(x.events), "plans": len(x.plans)}
    return n, out, counts


# --- a scale on disk ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Scale:
    factor: int
    folder: Path
    meta: dict

    @property
    def store(self) -> Path:
        return self.folder / "store"

    @property
    def dataset(self) -> Path:
        return self.folder / "dataset.nq"

    @property
    def peers_nq(self) -> Path:
        return self.folder / "peers.nq"

    @property
    def triples(self) -> int:
        return int(self.meta["union_triples"])


def real_build(folder: Path | None = None) -> Path:
    """The real build (a folder with dataset.nq): ``folder``, or build/current."""
    from neaspec_kg.settings import load_settings

    current = Path(folder) if folder is not None else load_settings().current_build
    if not (current / "dataset.nq").is_file():
        raise SystemExit(f"benchmarks: no real build in {current}; run `.venv/bin/neaspec-kg build` first")
    return current.resolve()


def cache_key(factor: int, seed: int, real: Path) -> str:
    real_id = f"{real.name}:{(real / 'dataset.nq').stat().st_size}"
    return hashlib.sha256(f"{GENERATOR_VERSION}:{factor}:{seed}:{real_id}".encode()).hexdigest()[:16]


def ensure_scale(factor: int, seed: int = DEFAULT_SEED, work: Path = WORK, say=print,
                 real: Path | None = None, keep: bool = False) -> Scale:
    """The graph of ``factor`` times the real number of sessions, generated once and cached.

    The cache is keyed by the real build's release; ``keep`` reuses a synthetic graph made
    from an older release (same factor, seed and generator version) instead of regenerating.
    """
    folder = work / f"scale-{factor}"
    real = real_build(real)
    key = cache_key(factor, seed, real)
    meta_path = folder / "meta.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        same = meta.get("key") == key or (
            keep and factor != 1 and (meta.get("factor"), meta.get("seed"), meta.get("version", GENERATOR_VERSION))
            == (factor, seed, GENERATOR_VERSION))
        if same and (folder / "store").is_dir() and (folder / "peers.nq").is_file():
            if not (folder / "build.json").is_file():
                _write_build_json(folder, meta)
            if not (folder / "facts.json").is_file():
                _write_facts(folder)
            return Scale(factor, folder, meta)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    if factor == 1:
        shutil.copyfile(real / "dataset.nq", folder / "dataset.nq")
        shutil.copyfile(real / "build.json", folder / "real-build.json")
        sessions = 1
    else:
        sessions = _generate(folder, factor, seed, counts, say)
    generated = time.perf_counter() - started
    say(f"scale {factor}x: loading our store (neaspec_kg.store.write_store) ...")
    from neaspec_kg.store import write_store as load_store

    t = time.perf_counter()
    load_store(folder / "dataset.nq", folder / "store")
    loaded = time.perf_counter() - t
    quads, union = _write_peers_nq(folder / "dataset.nq", folder / "peers.nq")
    meta = {"key": key, "version": GENERATOR_VERSION, "factor": factor, "seed": seed, "sessions": sessions, "real_release": real.name,
            "quads": quads, "union_triples": union, "per_session": counts,
            "generate_s": round(generated, 1), "load_store_s": round(loaded, 1)}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    _write_build_json(folder, meta)
    _write_facts(folder)
    say(f"scale {factor}x: {sessions} sessions, {quads:,} quads, {union:,} triples in the union "
        f"(generated in {generated:.0f} s, store loaded in {loaded:.0f} s)")
    return Scale(factor, folder, meta)


def _generate(folder: Path, factor: int, seed: int, counts: dict, say) -> int:
    from neaspec_kg.build import write_nquads
    from neaspec_kg.rdf import assemble_dataset, curated_graph, ontology_graph
    from neaspec_kg.sdg.kos import kos_graph

    sessions = factor  # the real build has one session
    parts = folder / "parts"
    parts.mkdir()
    _init_worker()
    settings, curated = _STATE["settings"], _STATE["curated"]
    shared = parts / "shared.nq"
    write_nquads(assemble_dataset([ontology_graph(settings.ontology_dir), curated_graph(curated),
                                   kos_graph(settings.data_dir)]), shared)
    jobs = [(n, seed, str(parts / f"som-{n}.nq")) for n in range(1, sessions + 1)]
    procs = max(1, min(os.cpu_count() or 1, 4))
    say(f"scale {factor}x: generating {sessions} sessions on {procs} processes ...")
    files = [shared]
    started = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs, initializer=_init_worker) as pool:
        for done, (n, out, c) in enumerate(pool.imap(_session_nquads, jobs, chunksize=4), start=1):
            files.append(Path(out))
            if n == REAL_SESSION or not counts:
                counts.update(c)
            if done % 50 == 0:
                say(f"  {done}/{sessions} sessions ({time.perf_counter() - started:.0f} s)")
    with open(folder / "dataset.nq", "wb") as target:
        for f in files:
            with open(f, "rb") as source:
                shutil.copyfileobj(source, target)
    shutil.rmtree(parts)
    return sessions


def _write_facts(folder: Path) -> None:
    """The facts a build keeps beside its store (what the dataset's descriptions state)."""
    import pyoxigraph

    from neaspec_kg.publish.metadata import FACTS_FILE, dataset_facts, write_facts

    graphs = json.loads((folder / "build.json").read_text())["graphs"]
    write_facts(dataset_facts(pyoxigraph.Store.read_only(str(folder / "store")), graphs), folder / FACTS_FILE)


def _write_build_json(folder: Path, meta: dict) -> None:
    """The build contract beside the store (release id, triples per graph), as a real build has.

    Without it the server would name the release by fingerprint and count every named
    graph's quads at start-up, which a real build never makes it do.
    """
    # dataset.nq is the sessions' files one after another, so a triple that several sessions
    # state (an SDG link, a shared label) is on several lines: count each once, as a store does.
    seen: set[str] = set()
    graphs: dict[str, int] = {}
    with open(folder / "dataset.nq", encoding="utf-8") as src:
        for line in src:
            line = line.rstrip(" .\n")
            if line and line not in seen:
                seen.add(line)
                graph = line[line.rfind(" <") + 2:-1]
                graphs[graph] = graphs.get(graph, 0) + 1
    summary = {"release": f"bench{meta['factor']}-{meta['key'][:7]}", "built_at": "", "triples": sum(graphs.values()),
               "graphs": dict(sorted(graphs.items())), "classes": {}, "note": "written by benchmarks/generate.py"}
    if (folder / "real-build.json").is_file():  # 1x: the real build's own summary
        summary = json.loads((folder / "real-build.json").read_text())
    (folder / "build.json").write_text(json.dumps(summary, indent=2) + "\n")


def _write_peers_nq(dataset: Path, out: Path) -> tuple[int, int]:
    """dataset.nq + the union of its graphs as default-graph triples, each once."""
    union: set[str] = set()
    quads = 0
    with open(dataset, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            line = line.rstrip("\n")
            if not line:
                continue
            quads += 1
            dst.write(line + "\n")
            union.add(line[: line.rstrip(" .").rfind(" <")] + " .")
        dst.writelines(triple + "\n" for triple in union)
    return quads, len(union)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,30,400")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for factor in (int(s) for s in args.scales.split(",")):
        scale = ensure_scale(factor, args.seed)
        print(json.dumps(scale.meta))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
