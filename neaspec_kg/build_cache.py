"""What a build keeps per report, so that an unchanged report is neither re-extracted nor
re-validated (issue 17): its extraction, and the SHACL findings of its own nodes.

Each entry is keyed by the report's source bytes and the build signature (the digest of
everything else a build reads: code, shapes, ontology, curated tables, vocabularies), so a
changed report, shape, extractor or table invalidates it. A validation entry is also keyed by
what the report's nodes can reach outside their report (the description of every node it
mentions but does not own, neaspec_kg.validate_split), so a change of the curated tables or of a
node another report shares is seen too.

An entry is one file: a JSON header line (format, key, SHA-256 of the payload) and the payload.
An entry whose payload does not match its checksum, or that cannot be read, is reported and
rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from rdflib import Dataset, URIRef


from neaspec_kg.records import Extraction
from neaspec_kg.settings import Settings
from neaspec_kg.validate import Finding, ValidationReport

CACHE_FORMAT = 1


class ReportCache:
    def __init__(self, folder: Path, signature: str, say: Callable[[str], None]):
        self.folder, self.signature, self.say = folder, signature, say

    # --- extraction ---------------------------------------------------------------------------
    def source_key(self, path: Path) -> str:
        return _sha256(self.signature.encode(), path.read_bytes())

    def extraction(self, path: Path) -> Extraction | None:
        payload = self._read(path.name, "extraction", self.source_key(path))
        if payload is None:
            return None
        try:
            extraction = pickle.loads(payload)
        except Exception as exc:  # a payload that passed its checksum but does not unpickle: rebuild it
            self.say(f"{path.name}: cache entry unreadable ({type(exc).__name__}); extracting again")
            return None
        return extraction if isinstance(extraction, Extraction) else None

    def keep_extraction(self, path: Path, extraction: Extraction) -> None:
        self._write(path.name, "extraction", self.source_key(path), pickle.dumps(extraction, protocol=5))

    # --- validation ------------------------------------------------------------------------------
    def validation_key(self, path: Path, dataset: Dataset, graph: URIRef, owned: frozenset[URIRef]) -> str:
        return _sha256(self.source_key(path).encode(), _owned_digest(owned), _reach_digest(dataset, graph, owned))

    def validation(self, name: str, key: str) -> list[Finding] | None:
        payload = self._read(name, "validation", key)
        if payload is None:
            return None
        try:
            return [Finding(**row) for row in json.loads(payload)]
        except (ValueError, TypeError) as exc:
            self.say(f"{name}: cache entry unreadable ({type(exc).__name__}); validating again")
            return None

    def keep_validation(self, name: str, key: str, findings: list[Finding]) -> None:
        payload = json.dumps([asdict(f) for f in findings], ensure_ascii=False).encode()
        self._write(name, "validation", key, payload)

    # --- entries ---------------------------------------------------------------------------------
    def entry(self, name: str, kind: str) -> Path:
        return self.folder / f"{name}.{kind}"

    def _read(self, name: str, kind: str, key: str) -> bytes | None:
        path = self.entry(name, kind)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        head, sep, payload = raw.partition(b"\n")
        try:
            header = json.loads(head) if sep else None
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
            self.say(f"{name}: cache entry {path.name} is damaged (no valid header); rebuilding it")
            return None
        if header.get("key") != key:
            return None  # the report, the code or the context changed: an old entry, not a damaged one
        if header.get("sha256") != hashlib.sha256(payload).hexdigest():
            self.say(f"{name}: cache entry {path.name} is damaged (checksum mismatch); rebuilding it")
            return None
        return payload

    def _write(self, name: str, kind: str, key: str, payload: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.entry(name, kind)
        header = json.dumps({"format": CACHE_FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()})
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(header.encode() + b"\n" + payload)
        os.replace(temporary, path)  # a killed build leaves the old entry or the new one, never half


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _owned_digest(owned: frozenset[URIRef]) -> bytes:
    return "\n".join(sorted(owned)).encode()


def _reach_digest(dataset: Dataset, graph: URIRef, owned: frozenset[URIRef]) -> bytes:
    """Every triple, in any graph, about a node the report mentions without owning it (a State,
    a concept, a session, a node another report shares): what a check can reach from its nodes."""
    report = dataset.graph(graph)
    mentioned = {t for s, _, o in report for t in (s, o) if isinstance(t, URIRef)} - owned
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for node in mentioned
                   for g in dataset.graphs() for s, p, o in g.triples((node, None, None)))
    return "\n".join(lines).encode()


# --- the build's validation step -------------------------------------------------------------
def validate_reports(dataset: Dataset, files: dict[str, str], reports: list[Path], settings: Settings,
                     cache: ReportCache, step: Callable[[str], None]) -> tuple[ValidationReport, set[str]]:
    """SHACL validation per report graph (neaspec_kg.validate_split), an unchanged report's findings
    read from ``cache``: (the report, the file names whose findings were reused). ``files``: the
    report file of each report graph."""
    from neaspec_kg.validate import validate_dataset

    paths = {p.name: p for p in reports}
    keys: dict[str, str] = {}
    reused: set[str] = set()

    def key(unit) -> str | None:
        name = files.get(unit.key)
        if name is None or name not in paths:
            return None
        keys[unit.key] = keys.get(unit.key) or cache.validation_key(paths[name], dataset, URIRef(unit.key), unit.owned)
        return keys[unit.key]

    def cached(unit):
        k = key(unit)
        found = cache.validation(files[unit.key], k) if k else None
        if found is not None:
            reused.add(files[unit.key])
        return found

    def keep(unit, findings) -> None:
        k = key(unit)
        if k:
            cache.keep_validation(files[unit.key], k, findings)

    return validate_dataset(dataset, settings, step, cached=cached, keep=keep), reused
