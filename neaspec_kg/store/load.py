"""``neaspec-kg load --into URL``: put the current build into an existing SPARQL 1.1 store.

1. Every named graph of the build, and their union (the release's default graph), is written
   under a staging name of its own (``urn:neaspec-kg:staging:<release>:<graph>``) through the
   Graph Store Protocol (PUT, HTTP digest or basic authentication from the settings).
2. The triple count of every staged graph is checked against the build.
3. Only then one SPARQL Update request moves each staged graph onto its real name, drops the
   graphs of the previous release that the new one lacks, and rewrites the serving graph (which
   release the store holds, its graphs and their sizes). Readers (``serve --backend``) take up
   the new release when the serving graph changes.
A failure at 1 or 2 leaves the previous release as it was, and the staged graphs are dropped.

Oxigraph server applies an update request as one transaction, so no reader sees a mix of two
releases. Virtuoso runs the operations of one request in turn: for the short time of the
moves a query may see some graphs of the new release and some of the old one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

import httpx
from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from neaspec_kg.errors import BackendError
from neaspec_kg.settings import Settings
from neaspec_kg.store.remote import auth, serving_graph, shown, union_graph

STAGING = "urn:neaspec-kg:staging:"


def load_into(settings: Settings) -> str:
    """Load ``settings.current_build`` into the store at ``settings.backend_url``; a report line."""
    build = settings.current_build
    try:
        release = json.loads((build / "build.json").read_text(encoding="utf-8"))["release"]
    except (OSError, ValueError, KeyError) as exc:
        raise BackendError(f"no build to load at {build} ({type(exc).__name__}: {exc}); "
                           "`neaspec-kg build` makes one") from None
    # A graph is a set: a triple on two lines of the dump is sent, and counted, once.
    sets: dict[str, dict] = defaultdict(dict)
    union: dict = {}
    for quad in parse(path=str(build / "dataset.nq"), format=RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, NamedNode):
            sets[quad.graph_name.value].setdefault(quad.triple, None)
            union.setdefault(quad.triple, None)
    graphs = {graph: list(triples) for graph, triples in sets.items()}
    graphs[union_graph(settings.base_iri)] = list(union)
    with httpx.Client(timeout=300, auth=auth(settings)) as client:
        store = _Store(client, settings)
        staged = {graph: f"{STAGING}{release}:{graph}" for graph in graphs}
        # Left by an earlier load of this release that was killed (another release's may be a load
        # under way; its MOVE would fail, not empty a graph, had they gone).
        store.drop_quietly([g for g in store.staged_graphs() if g.startswith(f"{STAGING}{release}:")])
        try:
            for graph, triples in graphs.items():
                store.put(staged[graph], triples)
            for graph, triples in graphs.items():
                found = store.count(staged[graph])
                if found != len(triples):
                    raise BackendError(f"graph <{graph}>: {found} triples arrived, {len(triples)} were sent; "
                                       "the previous release is left in place")
            old = store.served_graphs() - set(graphs)
            store.update(_switch(settings, release, graphs, staged, old))
        except BaseException:
            store.drop_quietly(staged.values())
            raise
    sizes = {g: len(t) for g, t in graphs.items() if g != union_graph(settings.base_iri)}
    return (f"release {release}: {len(sizes)} graphs, {sum(sizes.values()):,} triples loaded into "
            f"{shown(settings.backend_url)} and checked; readers now see this release")


def _switch(settings: Settings, release: str, graphs: dict[str, list], staged: dict[str, str],
            old: set[str]) -> str:
    base, serving = settings.base_iri, serving_graph(settings.base_iri)
    ops = [f"MOVE GRAPH <{staged[g]}> TO GRAPH <{g}>" for g in sorted(graphs)]  # a staged graph gone: an error
    ops += [f"DROP SILENT GRAPH <{g}>" for g in sorted(old)]
    subsets = []
    for k, graph in enumerate(sorted(g for g in graphs if g != union_graph(base))):
        node = f"<{base}dataset#loaded-{k}>"
        subsets.append(f"<{base}dataset> <http://rdfs.org/ns/void#subset> {node} . {node} "
                       f"<http://rdfs.org/ns/void#sparqlGraph> <{graph}> ; "
                       f"<http://rdfs.org/ns/void#triples> {len(graphs[graph])} .")
    created = datetime.now(UTC).isoformat(timespec="seconds")
    ops.append(f"DROP SILENT GRAPH <{serving}>")
    ops.append(f"INSERT DATA {{ GRAPH <{serving}> {{ <{base}dataset> <http://purl.org/dc/terms/identifier> "
               f"{json.dumps(release)} ; <http://purl.org/dc/terms/created> {json.dumps(created)} . "
               + " ".join(subsets) + " } }")
    return " ;\n".join(ops)


class _Store:
    def __init__(self, client: httpx.Client, settings: Settings):
        self.client, self.settings = client, settings
        self.gsp = settings.backend_gsp_url or settings.backend_url
        self.update_url = settings.backend_update_url or settings.backend_url

    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendError(f"{shown(url)}: cannot be reached ({type(exc).__name__}); the previous release is "
                               "left in place") from exc
        if response.status_code == 401:
            raise BackendError(f"{shown(url)}: the store refused the credentials (NEASPEC_KG_BACKEND_USER / "
                               "NEASPEC_KG_BACKEND_PASSWORD); the previous release is left in place")
        if response.status_code >= 400:
            hint = ""
            if method == "PUT" and not self.settings.backend_gsp_url:
                hint = (" (is it the store's Graph Store endpoint? NEASPEC_KG_BACKEND_GSP_URL names it: Oxigraph "
                        "server's /store, Virtuoso's /sparql-graph-crud-auth)")
            raise BackendError(f"{shown(url)}: HTTP {response.status_code} {response.text[:300].strip()}{hint}; "
                               "the previous release is left in place")
        return response

    def put(self, graph: str, triples: list) -> None:
        body = serialize(triples, format=RdfFormat.N_TRIPLES) if triples else b""
        self._send("PUT", self.gsp, params={"graph": graph}, content=body,
                   headers={"Content-Type": "application/n-triples"})

    def _bindings(self, query: str) -> list[dict]:
        response = self._send("POST", self.settings.backend_url, headers={"Accept": "application/sparql-results+json"},
                              data={"query": query})
        return response.json()["results"]["bindings"]

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(self._bindings(query)[0]["n"]["value"])

    def served_graphs(self) -> set[str]:
        query = (f"SELECT ?g WHERE {{ GRAPH <{serving_graph(self.settings.base_iri)}> "
                 "{ ?s <http://rdfs.org/ns/void#sparqlGraph> ?g } }")
        return {b["g"]["value"] for b in self._bindings(query)}

    def staged_graphs(self) -> list[str]:
        query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "  # Virtuoso lists no graph for GRAPH ?g {}
                 f"FILTER(STRSTARTS(STR(?g), {json.dumps(STAGING)})) }}")
        return [b["g"]["value"] for b in self._bindings(query)]

    def update(self, text: str) -> None:
        self._send("POST", self.update_url, data={"update": text})

    def drop_quietly(self, graphs) -> None:
        if not graphs:
            return
        try:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except BackendError:
            pass  # the staged graphs are left; the next load replaces them


__all__ = ["load_into"]
