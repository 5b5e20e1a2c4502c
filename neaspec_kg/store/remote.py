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
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
)

from neaspec_kg.errors import BackendError, QueryTimeout, RequestError
from neaspec_kg.namespaces import PREFIX_IRIS
from neaspec_kg.settings import Settings
from neaspec_kg.store import guard
from neaspec_kg.store.answer import Answer, QueryJob, serialize_result
from neaspec_kg.store.release import Release
from neaspec_kg.store.workers import JobTimeout, WorkerEnded, Workers

HEALTH_TIMEOUT_S = 3  # what /health waits for the store's answer
ERROR_HEAD_BYTES = 64 << 10  # what is read of a store's error answer
QUAD_LIMIT = 10_000  # quads one page look-up asks for (the embedded store's pages take at most 6,000)


def shown(url: str) -> str:
    """``url`` as it may be printed: without a user and password in it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


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

    def __init__(self, settings: Settings):
        self.url = settings.backend_url
        self.base = settings.base_iri
        self._client = httpx.Client(timeout=settings.query_timeout_s + 5)
        # A store that does not take the connection is "cannot be reached" (502), not a slow query.
        self._async = httpx.AsyncClient(timeout=httpx.Timeout(settings.query_timeout_s + 5, connect=5))
        # The pages' SELECTs, remembered as the embedded store's are: one store object serves one release.
        self.select = lru_cache(maxsize=512)(self._select)
        self.release = self._read_release()
        self.known_graphs = frozenset(self.release.graphs)
        self.timeouts = 0
        self.max_answer_bytes = settings.backend_max_answer_bytes
        self.checks = Workers(settings.query_workers or os.cpu_count() or 1, "-", None, PREFIX_IRIS)
        self._checks_started = False

    # --- what the store holds ------------------------------------------------------------------------
    def _read_release(self) -> Release:
        rows = self.select(
            f"SELECT ?release ?built ?g ?n WHERE {{ GRAPH <{serving_graph(self.base)}> {{ "
            "?r <http://purl.org/dc/terms/identifier> ?release ; <http://purl.org/dc/terms/created> ?built ; "
            "<http://rdfs.org/ns/void#subset> ?s . ?s <http://rdfs.org/ns/void#sparqlGraph> ?g ; "
            "<http://rdfs.org/ns/void#triples> ?n } }", dataset=False)
        if not rows:
            raise BackendError("the SPARQL store holds no release of this dataset: "
                               "run `neaspec-kg load --into URL` first")
        sizes = {row["g"].value: int(row["n"].value) for row in rows}
        return Release(release=rows[0]["release"].value, store_path=Path("/nonexistent"),
                       built_at=rows[0]["built"].value, graphs=sizes, triples=sum(sizes.values()))

    def graph_sizes(self) -> dict[str, int]:
        return dict(self.release.graphs)

    # --- bounded look-ups and the pages' own queries ------------------------------------------------------
    def _release_dataset(self) -> list[tuple[str, str]]:
        """The release's dataset: the union graph as default graph, its graphs as named graphs."""
        graphs = sorted(self.release.graphs)
        return [("default-graph-uri", union_graph(self.base)), *(("named-graph-uri", g) for g in graphs)]

    def _post(self, params: list[tuple[str, str]], accept: str) -> httpx.Response:
        try:
            response = self._client.post(self.url, content=urlencode(params), headers=_headers(accept))
        except httpx.TimeoutException as exc:
            raise QueryTimeout("the SPARQL store behind this server did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"the SPARQL store behind this server cannot be reached ({type(exc).__name__})") from exc
        _check(response)
        return response

    def _select(self, sparql: str, dataset: bool = True) -> list[dict]:
        """The rows of a SELECT over the release's dataset (``dataset=False``: the store's own)."""
        params = [("query", sparql), *(self._release_dataset() if dataset else ())]
        response = self._post(params, "application/sparql-results+json")
        solutions = _results(response.content)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names} for row in solutions]

    def quads_for_pattern(self, s=None, p=None, o=None, g=None) -> Iterator[Quad]:
        if isinstance(g, DefaultGraph):
            return iter(())  # the default graph is the union: every statement is in a named graph
        terms = {"s": s, "p": p, "o": o, "g": g}
        pattern = " ".join(str(t) if t is not None else f"?{v}" for v, t in terms.items() if v != "g")
        graph = str(g) if g is not None else "?g"
        # A whole graph (its page, its download, the dataset's description) is read whole, as from
        # the embedded store; other look-ups are bounded.
        size = self.release.graphs.get(g.value) if isinstance(g, NamedNode) and s is p is o is None else None
        limit = QUAD_LIMIT if size is None else size + 1
        query = f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }} LIMIT {limit}"
        quads = []
        for row in self._select(query):  # not remembered: up to QUAD_LIMIT rows, or a whole graph
            values = {v: (terms[v] if terms[v] is not None else row.get(v)) for v in terms}
            quads.append(Quad(values["s"], values["p"], values["o"], values["g"]))
        return iter(quads)

    def __iter__(self) -> Iterator[Quad]:
        for graph in sorted(self.release.graphs):
            yield from self.quads_for_pattern(g=NamedNode(graph))

    # --- SPARQL from users -------------------------------------------------------------------------------------
    async def ready(self, timeout_s: float = 120) -> None:
        await asyncio.to_thread(self._select, "SELECT * WHERE { } LIMIT 1", False)
        if not self._checks_started:
            self._checks_started = True
            await self.checks.start()
        await self.checks.run("ready", None, timeout_s, timeout_s)

    async def _refuse_as_embedded(self, job: QueryJob, timeout_s: float) -> None:
        """What the embedded store would refuse is refused before the store sees it (a query worker
        of no store checks it, and is ended past the time limit, as a query of the embedded store)."""
        try:
            refused = await self.checks.run("check", (job, self.known_graphs), timeout_s, timeout_s + 5)
        except JobTimeout:
            self.timeouts += 1
            raise QueryTimeout(f"the query could not be checked within {timeout_s:g} s, the limit of this endpoint; "
                               "it was stopped") from None
        except WorkerEnded:
            raise RequestError("the query could not be checked (the process checking it ended)", 500) from None
        if refused is not None:
            raise RequestError(refused.body.decode().rstrip(), refused.status)

    async def query(self, job: QueryJob, timeout_s: float) -> Answer:
        deadline = asyncio.get_running_loop().time() + timeout_s
        await self._refuse_as_embedded(job, timeout_s)
        form = guard.query_form(job.query)
        accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        # \u escapes expanded as the embedded store reads them; relative IRIs resolved against this
        # server's endpoint, as there (a store would resolve them against its own, unseen, address),
        # unless the query has a BASE of its own (Virtuoso takes only one).
        text = guard.unescape_codepoints(job.query)
        if job.base_iri and not guard.has_base(text):
            text = f"BASE <{job.base_iri}>\n{text}"
        params = [("query", text)]
        if job.names_dataset:
            params += [("default-graph-uri", g) for g in job.default_graphs or ()]
            params += [("named-graph-uri", g) for g in job.named_graphs or ()]
        elif not guard.inspect(job.query).has_dataset:
            params += self._release_dataset()
        body = await self._fetch(params, accept, max(0.0, deadline - asyncio.get_running_loop().time()), timeout_s)
        return await asyncio.to_thread(_answer, body, accept, job)  # tens of MB take a second: not on the loop

    async def _fetch(self, params: list[tuple[str, str]], accept: str, timeout_s: float, limit_s: float) -> bytes:
        """The store's answer, read within ``timeout_s`` in all (what is left of the limit ``limit_s``;
        not per read: a store that sends rows steadily would never time out) and at most
        ``max_answer_bytes`` of it; past either the connection is closed, which stops the store sending."""
        try:
            async with asyncio.timeout(timeout_s), self._async.stream(
                    "POST", self.url, content=urlencode(params), headers=_headers(accept)) as response:
                if response.status_code >= 400:  # the reason, from the first bytes of the store's answer
                    head = b""
                    async for chunk in response.aiter_bytes():
                        head += chunk
                        if len(head) >= ERROR_HEAD_BYTES:
                            break
                    _check_status(response.status_code, head.decode("utf-8", errors="replace"))
                parts, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_answer_bytes:
                        raise RequestError(f"the answer is larger than {self.max_answer_bytes} bytes, the limit of "
                                           "this endpoint; add LIMIT/OFFSET to page through it, or download the data dump")
                    parts.append(chunk)
                return b"".join(parts)
        except TimeoutError:
            self.timeouts += 1
            raise QueryTimeout(f"the query did not finish within {limit_s:g} s, the limit of this endpoint") from None
        except httpx.HTTPError as exc:
            raise BackendError(f"the SPARQL store behind this server cannot be reached ({type(exc).__name__})") from exc

    def health(self) -> dict[str, int]:
        """What /health reports (the embedded store's query workers: none here), once the store has
        answered an empty ASK within a few seconds (else why not, as ``unavailable``)."""
        facts = {"workers": 0, "workers_alive": 0, "workers_in_memory": 0, "killed_queries": self.timeouts,
                 "worker_crashes": 0, "workers_replaced": 0, "workers_failed_starts": 0}
        try:
            response = self._client.post(self.url, content=urlencode({"query": "ASK {}"}),
                                         headers=_headers("application/sparql-results+json"), timeout=HEALTH_TIMEOUT_S)
            _check(response)
        except (httpx.HTTPError, RequestError) as exc:
            why = str(exc) if isinstance(exc, RequestError) else f"it did not answer ({type(exc).__name__})"
            facts["unavailable"] = f"the SPARQL store behind this server cannot answer: {why}"
        return facts

    def close(self) -> None:
        self._client.close()
        if self._checks_started:
            self.checks.close(kill=True)

    def retire(self) -> None:
        self._client.close()
        if self._checks_started:
            self.checks.close(kill=False)


def _headers(accept: str) -> dict[str, str]:
    # A form POST: Virtuoso hangs on a direct POST (application/sparql-query).
    return {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}


def _check(response: httpx.Response) -> None:
    if response.status_code >= 400:
        _check_status(response.status_code, response.text)


def _check_status(status: int, text: str) -> None:
    """A 4xx of the store is the query's fault (its message, shortened); a 5xx is the store's."""
    text = text[:500].strip()
    if status in (400, 406, 415):
        raise RequestError(f"the SPARQL store refused the query: {text}", 400)
    raise BackendError(f"the SPARQL store behind this server failed (HTTP {status}: {text})")


def _answer(body: bytes, accept: str, job: QueryJob) -> Answer:
    """The store's answer, parsed and written as the embedded store writes it."""
    if accept == "application/n-triples":
        return serialize_result([q.triple for q in parse(body, format=RdfFormat.N_TRIPLES)], job, PREFIX_IRIS)

    def again():
        return _results(body)

    return serialize_result(again(), job, PREFIX_IRIS, again)


# Virtuoso names blank nodes ``nodeID://b10085`` in its JSON answers, which is no blank node label.
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_VIRTUOSO_ASK = re.compile(rb'"vars"\s*:\s*\[\s*"__ASK_RETVAL"\s*\]')


def _results(body: bytes) -> QuerySolutions | QueryBoolean:
    """A store's SPARQL JSON answer, parsed. Virtuoso 7 answers an ASK as one variable,
    ``__ASK_RETVAL``, bound to 1 in a row when true and with no row when false: read as the boolean."""
    if _VIRTUOSO_ASK.search(body[:200]):
        solutions = parse_query_results(body, format=QueryResultsFormat.JSON)
        value = any(row["__ASK_RETVAL"] is not None and row["__ASK_RETVAL"].value == "1" for row in solutions)
        return parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"),
                                   format=QueryResultsFormat.JSON)
    return parse_query_results(_VIRTUOSO_BNODE.sub(rb"\1", body), format=QueryResultsFormat.JSON)

