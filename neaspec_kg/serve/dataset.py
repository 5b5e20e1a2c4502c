"""The dataset as the server describes it: VoID, DCAT-AP 3 and schema.org Dataset.

When a release published by ``neaspec-kg publish`` (under ``settings.dist_dir``) was made
from the build being served, its metadata files are served as they are (with every
distribution, size and checksum); otherwise the same description is computed from the
store being served, without distributions. Computed once, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store
from rdflib import Graph

from neaspec_kg.publish import list_releases, names
from neaspec_kg.publish.dcat import dcat_graph
from neaspec_kg.publish.metadata import (
    FACTS_FILE,
    ReleaseInfo,
    dataset_facts,
    read_facts,
    schema_org_dataset,
    void_graph,
)
from neaspec_kg.sdg.kos import UN_KOS_DATASET
from neaspec_kg.settings import Settings
from neaspec_kg.store.release import Release

DCT_LICENSE = "http://purl.org/dc/terms/license"
# conneg key -> rdflib serializer name
# A description is one graph: as N-Quads and TriG it is written as N-Triples and Turtle, which are
# valid N-Quads and TriG of the default graph (rdflib refuses N-Quads of a graph, and writes TriG
# of one under a new blank node each time).
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml",
                  "nquads": "nt", "trig": "turtle"}


@dataclass
class DatasetDescription:
    store: Store
    release: Release
    settings: Settings
    _seen: tuple = ()
    _releases: list[dict] = field(default_factory=list)
    _derived: dict[str, object] = field(default_factory=dict)  # made from the list of releases

    @property
    def releases(self) -> list[dict]:
        """Releases published under dist_dir, newest first; read again whenever that folder
        changes (a new ``publish`` is seen without a restart)."""
        seen = _signature(self.settings.dist_dir / "releases")
        if seen != self._seen:
            self._releases = list_releases(self.settings.dist_dir)
            self._seen = seen
            self._derived.clear()
        return self._releases

    def _once(self, name: str, make):
        self.releases  # noqa: B018  (a new list of releases drops what was derived from the old)
        if name not in self._derived:
            self._derived[name] = make()
        return self._derived[name]

    @property
    def published(self) -> dict | None:
        """The published release made from the build being served, if any."""
        return next((r for r in self.releases if r.get("build") == self.release.release), None)

    def _published_file(self, path: str) -> Path | None:
        if self.published is None:
            return None
        candidate = self.settings.dist_dir / "releases" / self.published["version"] / path
        return candidate if candidate.is_file() else None

    @property
    def info(self) -> ReleaseInfo:
        return self._once("info", self._info)

    def _info(self) -> ReleaseInfo:
        built = self.release.built_at[:10]
        return ReleaseInfo(
            version=self.release.release,
            released=date.fromisoformat(built) if built else date.today(),
            previous=self.releases[0]["version"] if self.releases else None,
            facts=self._facts(),
            kos_citation=self.kos_citation,
        )

    def _facts(self):
        """Counted by the build (facts.json beside the store); else over every quad here, which
        takes 8-10 s at 30 sessions."""
        kept = read_facts(self.release.store_path.parent / FACTS_FILE)
        return kept if kept is not None else dataset_facts(self.store, self.release.graphs)

    @cached_property
    def kos_citation(self) -> str:
        """The citation the UN SDG KOS licence requires, as the served KOS graph states it."""
        for quad in self.store.quads_for_pattern(NamedNode(str(UN_KOS_DATASET)), NamedNode(DCT_LICENSE), None, None):
            if isinstance(quad.object, Literal):
                return quad.object.value
        return ""

    def graph(self, kind: str) -> Graph:
        """``void`` or ``dcat``: the published file when there is one, else computed."""
        return self._once(kind, lambda: self._graph(kind))

    def _graph(self, kind: str) -> Graph:
        published = self._published_file(names.VOID_TTL if kind == "void" else names.DCAT_TTL)
        if published is not None:
            return Graph().parse(published, format="turtle")
        return void_graph(self.info) if kind == "void" else dcat_graph(self.info)

    def serialize(self, kind: str, fmt_key: str) -> bytes:
        return self.graph(kind).serialize(format=RDFLIB_FORMATS[fmt_key], encoding="utf-8")

    @property
    def schema_org_json(self) -> str:
        return self._once("schema_org_json", self._schema_org_json)

    def _schema_org_json(self) -> str:
        """schema.org Dataset JSON-LD, safe to embed in a <script> element."""
        published = self._published_file(names.SCHEMA_ORG)
        data = json.loads(published.read_text(encoding="utf-8")) if published else schema_org_dataset(self.info)
        return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _signature(folder: Path) -> tuple:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()))
    except OSError:
        return ()
