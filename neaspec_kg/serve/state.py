"""What a web process serves: the current release behind the store seam, and what is derived
from it (Linked Data look-ups, the dataset description, vocabularies, the answer cache).

A new build under ``build/current`` is taken up in the running process: the new release is
opened and its query workers answer a first question before requests go to it; requests under
way finish on the old one, whose workers then stop. No connection is closed, so no request
is lost across a switch. A release that cannot be opened is logged and left alone (tried
again when its build.json changes); the old one keeps answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from neaspec_kg.namespaces import PREFIX_IRIS
from neaspec_kg.pages.linked_data import LinkedData
from neaspec_kg.pages.vocabulary import Vocabulary, load_vocabulary
from neaspec_kg.serve.answers import AnswerCache
from neaspec_kg.serve.dataset import DatasetDescription
from neaspec_kg.serve.examples import Example, load_examples
from neaspec_kg.settings import Settings
from neaspec_kg.store import GraphStore
from neaspec_kg.store.release import hold

log = logging.getLogger("neaspec_kg.serve")
GRAPH_PAGE_LIMIT = 200_000


class Current:
    """One release as served: its store and everything derived from it."""

    def __init__(self, settings: Settings, store: GraphStore):
        self.settings, self.store = settings, store
        self.base = settings.base_iri
        self.release = store.release
        self.graph_sizes = store.graph_sizes()
        self.linked_data = LinkedData(store, self.base)
        self.dataset = DatasetDescription(store, self.release, settings)
        self._vocabularies: dict[str, Vocabulary | None] = {}
        self._default_triples: int | None = None

    def default_graph_triples(self) -> int:
        """The triples of the default graph (the union of the graphs, each triple once; the sum of
        the graphs' sizes counts a triple once per graph holding it), counted once per release."""
        if self._default_triples is None:
            rows = self.store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            self._default_triples = int(rows[0]["n"].value)
        return self._default_triples

    def vocabulary(self, kind: str) -> Vocabulary | None:
        if kind not in self._vocabularies:
            folder = self.settings.ontology_dir if kind == "ontology" else self.settings.shapes_dir
            graph = self.base + "graph/" + kind
            fallback = self.linked_data.graph_quads(graph, GRAPH_PAGE_LIMIT) if graph in self.store.known_graphs else None
            self._vocabularies[kind] = load_vocabulary(self.base + kind, folder, fallback)
        return self._vocabularies[kind]


def build_signature(current_build: Path) -> Callable[[], tuple[str, int] | None]:
    """Where build/current points and when its build.json changed: a new build changes it."""

    def signature() -> tuple[str, int] | None:
        try:
            target = current_build.resolve(strict=True)
            return str(target), (target / "build.json").stat().st_mtime_ns
        except OSError:
            return None

    return signature


class Serving:
    """The release a web process answers from, swapped when a new build appears."""

    def __init__(self, settings: Settings, open_store: Callable[[], GraphStore],
                 follow: Callable[[], object] | None):
        self.settings = settings
        self.prefixes = PREFIX_IRIS
        self.examples: list[Example] = load_examples(settings.queries_dir)
        self.cache = AnswerCache(settings.answer_cache_bytes, settings.answer_cache_entry_bytes)
        self._open = open_store
        # What changes when there is a new release to take up (build_signature, or the release a
        # remote store holds); None: the release served never changes (serve --store).
        self._follow = follow
        self._seen: object = None
        self._held: dict[str, int] = {}
        self._task: asyncio.Task | None = None
        self.current: Current | None = None
        self.switches = 0
        self.on_release: Callable[[Current], object] | None = None  # called with each release served
        self.warming: threading.Thread | None = None  # the pages of the release being made ahead

    async def start(self) -> None:
        self.current = await self._open_current()
        self._announce(self.current)
        if self._follow is not None:
            self._seen = self._follow()
            self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.current is not None:
            self.current.store.close()
        for fd in self._held.values():
            os.close(fd)

    async def _open_current(self) -> Current:
        store = await asyncio.to_thread(self._open)
        try:  # the workers start while this process reads what its pages need
            current, _ = await asyncio.gather(asyncio.to_thread(Current, self.settings, store), store.ready())
        except BaseException:
            store.close()
            raise
        folder = store.release.store_path.parent if store.kind == "embedded" else None
        if folder is not None and str(folder) not in self._held:
            self._held[str(folder)] = hold(folder)  # the build does not prune a folder in use
        return current

    def _announce(self, current: Current) -> None:
        if self.on_release is not None:
            self.on_release(current)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.follow_interval_s)
            seen = await asyncio.to_thread(self._follow)
            if seen is None or seen == self._seen:
                continue
            self._seen = seen
            try:
                fresh = await self._open_current()
            except Exception as exc:  # a release that cannot be served must not stop this one
                log.error("serve: the new release %s cannot be served (%s); still serving release %s",
                          seen, exc, self.current.release.release if self.current else "?")
                continue
            old, self.current = self.current, fresh
            self.switches += 1
            log.warning("serve: now serving release %s", fresh.release.release)
            self._announce(fresh)
            if old is not None:
                old.store.retire()
                folder = str(old.release.store_path.parent)
                if old.release.store_path != fresh.release.store_path and folder in self._held:
                    os.close(self._held.pop(folder))  # the build may prune it now
