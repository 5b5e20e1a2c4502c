"""A remote store: an existing SPARQL 1.1 store (Virtuoso, Oxigraph server) behind the seam.

What the embedded store does, over the SPARQL 1.1 Protocol: the same guard before anything is
sent (updates, SERVICE, FROM), the same time limit and row cap, and answers re-serialized here,
so that formats and bytes are those of the embedded store. The release and its graphs are read
from the store itself (written by ``load``), so every server in front of one store reports the
same release.

Every query without a dataset of its own is sent with the release's dataset: the union graph as
default graph and the release's graphs as named graphs (``load`` writes both). Stores differ in
what a query without a dataset sees (Virtuoso: every graph, with a triple once per graph holding
it); naming the dataset gives the embedded store's answer on each of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
)

from neaspec_kg.errors import BackendError, QueryTimeout, RequestError
from neaspec_kg.namespaces import PREFIXES
from neaspec_kg.settings import Settings
from neaspec_kg.store import guard
from neaspec_kg.store.answer import Answer, QueryJob, check_query, serialize_result
from neaspec_kg.store.release import Release

QUAD_LIMIT = 10_000  # quads one page look-up asks for (the embedded store's pages take at most 6,000)


def serving_graph(base: str) -> str:
    """Where ``load`` records which release the store holds, and its graphs with their sizes."""
    return base + "graph/serving"


def union_graph(base: str) -> str:
    """The release's default graph: the union of its named graphs, deduplicated (as the build's)."""
    return base + "graph/default"


def auth(settings: Settings) -> httpx.Auth | None:
    if not settings.backend_user:
        return None
    return httpx.DigestAuth(settings.backend_user, settings.backend_password.get_secret_value())


def served_release(settings: Settings) -> str | None:
    """The release the store holds now (``load`` switches it); None when it cannot be asked."""
    query = (f"SELECT ?release WHERE {{ GRAPH <{serving_graph(settings.base_iri)}> {{ "
             "?r <http://purl.org/dc/terms/identifier> ?release } }")
    try:
        response = httpx.post(settings.backend_url, content=urlencode({"query": query}),
                              headers=_headers("application/sparql-results+json"), timeout=10)
        bindings = response.json()["results"]["bindings"] if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError, KeyError):
        return None
    return bindings[0]["release"]["value"] if bindings else None


class RemoteStore:
    kind = "remote"

    def __init__(self, settings: Settings, timeout_s: float = 30):
        self.settings = settings
        self.url = settings.backend_url
        self.base = settings.base_iri
        self.prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        self._client = httpx.Client(timeout=timeout_s)
        self._async = httpx.AsyncClient(timeout=timeout_s)
        self.release, self._sizes = self._read_release()
        self.known_graphs = frozenset(self._sizes)
        self.workers = 0
        self.timeouts = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        return cls(settings, settings.query_timeout_s + 5)

    # --- what the store holds ------------------------------------------------------------------------
    def _read_release(self) -> tuple[Release, dict[str, int]]:
        rows = self._select_raw(
            f"SELECT ?release ?built ?g ?n WHERE {{ GRAPH <{serving_graph(self.base)}> {{ "
            "?r <http://purl.org/dc/terms/identifier> ?release ; <http://purl.org/dc/terms/created> ?built ; "
            "<http://rdfs.org/ns/void#subset> ?s . ?s <http://rdfs.org/ns/void#sparqlGraph> ?g ; "
            "<http://rdfs.org/ns/void#triples> ?n } }", dataset=False)
        if not rows:
            raise BackendError(f"the SPARQL store at {self.url} holds no release of this dataset: "
                               "run `neaspec-kg load --into URL` first")
        sizes = {row["g"].value: int(row["n"].value) for row in rows}
        release = Release(release=rows[0]["release"].value, store_path=Path("/nonexistent"),
                          built_at=rows[0]["built"].value, graphs=sizes, triples=sum(sizes.values()))
        return release, sizes

    def graph_sizes(self) -> dict[str, int]:
        return dict(self._sizes)

    # --- bounded look-ups and the pages' own queries ------------------------------------------------------
    def _params(self, query: str, dataset: bool) -> list[tuple[str, str]]:
        params = [("query", query)]
        if dataset:
            params.append(("default-graph-uri", union_graph(self.base)))
            params += [("named-graph-uri", g) for g in sorted(self._sizes)]
        return params

    def _post(self, params: list[tuple[str, str]], accept: str) -> httpx.Response:
        try:
            response = self._client.post(self.url, content=urlencode(params), headers=_headers(accept))
        except httpx.TimeoutException as exc:
            raise QueryTimeout("the SPARQL store behind this server did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"the SPARQL store behind this server cannot be reached ({type(exc).__name__})") from exc
        _check(response)
        return response

    def _select_raw(self, query: str, dataset: bool = True) -> list[dict]:
        response = self._post(self._params(query, dataset and hasattr(self, "_sizes")), "application/sparql-results+json")
        solutions = parse_query_results(response.content, format=QueryResultsFormat.JSON)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names} for row in solutions]

    def select(self, sparql: str) -> list[dict]:
        return self._select_raw(sparql)

    def quads_for_pattern(self, s=None, p=None, o=None, g=None) -> Iterator[Quad]:
        if isinstance(g, DefaultGraph):
            return iter(())  # the default graph is the union: every statement is in a named graph
        terms = {"s": s, "p": p, "o": o, "g": g}
        pattern = " ".join(str(t) if t is not None else f"?{v}" for v, t in terms.items() if v != "g")
        graph = str(g) if g is not None else "?g"
        query = f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }} LIMIT {QUAD_LIMIT}"
        quads = []
        for row in self._select_raw(query):
            values = {v: (terms[v] if terms[v] is not None else row.get(v)) for v in terms}
            quads.append(Quad(values["s"], values["p"], values["o"], values["g"]))
        return iter(quads)

    def __iter__(self) -> Iterator[Quad]:
        for graph in sorted(self._sizes):
            yield from self.quads_for_pattern(g=NamedNode(graph))

    # --- SPARQL from users -------------------------------------------------------------------------------------
    async def ready(self, timeout_s: float = 120) -> None:
        await asyncio.to_thread(self._select_raw, "SELECT * WHERE { } LIMIT 1", False)

    async def query(self, job: QueryJob, timeout_s: float) -> Answer:
        await asyncio.wait_for(asyncio.to_thread(check_query, job, self.known_graphs), timeout_s)
        form = guard.query_form(job.query)
        accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        own_dataset = job.default_graphs is not None or job.named_graphs is not None
        params = [("query", job.query)]
        if own_dataset:
            params += [("default-graph-uri", g) for g in job.default_graphs or ()]
            params += [("named-graph-uri", g) for g in job.named_graphs or ()]
        elif not guard.inspect(job.query).has_dataset:
            params = self._params(job.query, True)
        try:
            response = await self._async.post(self.url, content=urlencode(params), headers=_headers(accept),
                                              timeout=timeout_s)
        except httpx.TimeoutException:
            self.timeouts += 1
            raise QueryTimeout(f"the query did not finish within {timeout_s:g} s, the limit of this endpoint") from None
        except httpx.HTTPError as exc:
            raise BackendError(f"the SPARQL store behind this server cannot be reached ({type(exc).__name__})") from exc
        _check(response)
        if accept == "application/n-triples":
            return serialize_result([q.triple for q in parse(response.content, format=RdfFormat.N_TRIPLES)], job,
                                    self.prefixes)

        def again():
            return parse_query_results(response.content, format=QueryResultsFormat.JSON)

        return serialize_result(again(), job, self.prefixes, again)

    def close(self) -> None:
        self._client.close()

    def retire(self) -> None:
        self.close()


def _headers(accept: str) -> dict[str, str]:
    # A form POST: Virtuoso hangs on a direct POST (application/sparql-query).
    return {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}


def _check(response: httpx.Response) -> None:
    """A 4xx of the store is the query's fault (its message, shortened); a 5xx is the store's."""
    if response.status_code < 400:
        return
    text = response.text[:500].strip()
    if response.status_code in (400, 406, 415):
        raise RequestError(f"the SPARQL store refused the query: {text}", 400)
    raise BackendError(f"the SPARQL store behind this server failed (HTTP {response.status_code})")
