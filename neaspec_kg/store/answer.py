"""Run one SPARQL query on a pyoxigraph store and serialize the answer to bytes.

This is the whole query path of the embedded store: it runs inside a query worker process
(``store.embedded``), and a test, a notebook or a benchmark can call it directly. Faults of
the request come back as answers with a 4xx status, never raised: a worker must outlive
every query it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, Store, serialize

from neaspec_kg import formats
from neaspec_kg.errors import RequestError
from neaspec_kg.store import guard, results


@dataclass(frozen=True)
class QueryJob:
    query: str
    format: str | None = None  # a formats key chosen by the caller; None: negotiate here
    accept: str | None = None
    format_param: tuple[str, ...] = ()  # the request's ``format`` values
    default_graphs: tuple[str, ...] | None = None  # protocol dataset (default-graph-uri)
    named_graphs: tuple[str, ...] | None = None  # protocol dataset (named-graph-uri)
    base_iri: str | None = None
    max_rows: int = 100_000
    service_allow: tuple[str, ...] = ()

    @property
    def names_dataset(self) -> bool:
        """The request names its own dataset, which replaces the query's (SPARQL 1.1 Protocol §2.1.4)."""
        return self.default_graphs is not None or self.named_graphs is not None


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    format: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    worker: tuple[int, bool] | None = None  # (pid, holds its copy in memory) of the embedded store's worker


RDF_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}


def error(status: int, message: str) -> Answer:
    return Answer(status=status, body=(message.rstrip() + "\n").encode())


def serialize_graph(triples, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples (or quads) in one of the GRAPH_FORMATS; prefixes only where the syntax has them."""
    rdf_format = RDF_FORMATS[fmt]
    if fmt in ("turtle", "trig", "rdfxml") and prefixes:
        used = used_prefixes(triples, prefixes)
        if used:
            return serialize(triples, format=rdf_format, prefixes=used)
    return serialize(triples, format=rdf_format)


def used_prefixes(triples, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI of ``triples`` is in (readable Turtle)."""
    by_ns = {ns: p for p, ns in prefixes.items()}
    used: dict[str, str] = {}
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if not isinstance(term, NamedNode):
                continue
            iri = term.value
            ns = iri[:max(iri.rfind("#"), iri.rfind("/")) + 1]
            if ns in by_ns and by_ns[ns] not in used:
                used[by_ns[ns]] = ns
    return used


def check_query(job: QueryJob, known_graphs: frozenset[str]) -> None:
    """What the endpoint refuses whatever the engine: updates, SERVICE, FROM outside the dataset."""
    if guard.query_form(job.query) == "UPDATE":
        raise guard.QueryRefused(guard.UPDATE_REFUSED, 403)
    found = guard.inspect(job.query)
    guard.check_services(found, job.service_allow)
    guard.check_graphs(found.from_graphs, known_graphs, "FROM")
    guard.check_graphs(found.from_named, known_graphs, "FROM NAMED")


# What the guard and oxigraph raise for a query they refuse or cannot answer (see ``engine_error``).
ENGINE_ERRORS = (RequestError, SyntaxError, ValueError, TypeError, OSError, RuntimeError)


def run_query(store: Store, job: QueryJob, known_graphs: frozenset[str], prefixes: dict[str, str] | None = None) -> Answer:
    """Answer ``job`` from ``store``; refusals and errors come back as 4xx/5xx answers, never raised."""
    try:
        check_query(job, known_graphs)
        return _oxigraph(store, job, prefixes)
    except ENGINE_ERRORS as exc:
        return engine_error(exc, bool(job.service_allow))


def check_for_store(empty: Store, job: QueryJob, known_graphs: frozenset[str]) -> Answer | None:
    """The refusal the embedded store would give ``job``, or None: checked in a query worker (it
    may take long, and it is stopped at the time limit) before the query goes to another store. The
    query is planned on ``empty`` (a store without quads; an ASK as the SELECT of its pattern, which
    is not evaluated at once), then its IRIs are read for a store's own functions (``bif:``...),
    which a planner may drop unevaluated but the store would run."""
    text, pos = guard.after_prologue(job.query)
    ask = guard.query_form(job.query) == "ASK"
    try:
        check_query(job, known_graphs)
        try:
            empty.query(text[:pos] + "SELECT *" + text[pos + len("ASK"):] if ask else text, base_iri=job.base_iri)
        except (SyntaxError, RuntimeError):
            if ask:  # said as for the ASK itself (its positions): it fails before it runs
                empty.query(text, base_iri=job.base_iri)
            raise
        foreign = guard.foreign_iris(job.query)
        if foreign:
            raise guard.QueryRefused(f"<{foreign[0]}> names a function or predicate of one store's own, which this "
                                     "endpoint refuses: it answers standard SPARQL 1.1", 400)
    except ENGINE_ERRORS as exc:
        return engine_error(exc)
    return None


def engine_error(exc: Exception, federated: bool = False) -> Answer:
    """The answer for an error raised by the guard or by oxigraph while planning or answering."""
    if isinstance(exc, RequestError):
        return error(exc.status, str(exc))
    if isinstance(exc, SyntaxError):
        return error(400, f"SPARQL syntax error: {exc}")
    if isinstance(exc, (ValueError, TypeError)):  # oxigraph's evaluation errors (a bad string, IRI, ...)
        return error(400, f"the query cannot be evaluated: {exc}")
    if isinstance(exc, RuntimeError) and "custom function" in str(exc):  # a function IRI it does not know
        return error(400, f"the query cannot be evaluated: {exc} by this endpoint")
    if isinstance(exc, RuntimeError):
        return error(500, f"query failed: {exc}")
    return error(502 if federated else 500, f"query failed: {exc}")  # the store, or an allowed SERVICE, failed


def _pick(job: QueryJob, offered: tuple[formats.Format, ...]) -> formats.Format:
    if job.format and any(f.key == job.format for f in offered):
        return formats.BY_KEY[job.format]
    return formats.choose(job.accept, job.format_param, offered)


def _oxigraph(store: Store, job: QueryJob, prefixes: dict[str, str] | None) -> Answer:
    kwargs: dict = {}
    if job.names_dataset:
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs or ()]
        kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs or ()]
    # Otherwise the store's default graph answers: the build materializes there the union of
    # all named graphs, deduplicated (the documented default-graph policy; oxigraph's own
    # union mode would return a triple once per graph holding it).
    # \u escapes are expanded before the parser, anywhere in the query (SPARQL 1.1 19.2), as the
    # guard read it; oxigraph expands them only inside strings and IRIs.
    text = guard.unescape_codepoints(job.query)

    def again():
        return store.query(text, base_iri=job.base_iri, **kwargs)

    return serialize_result(again(), job, prefixes, again)


def serialize_result(result, job: QueryJob, prefixes: dict[str, str] | None = None, again=None) -> Answer:
    """An answer (solutions, boolean, triples: from oxigraph, or parsed from a remote store's
    answer) in the format the job asks for, capped at ``job.max_rows``; ``again`` gives the
    same solutions anew (used only to count the rows of an answer near the cap)."""
    if isinstance(result, QuerySolutions):
        fmt = _pick(job, formats.RESULT_FORMATS)
        body = results.select_answer(fmt.key, result, again, job.max_rows)
    elif isinstance(result, QueryBoolean):
        fmt = _pick(job, formats.BOOLEAN_FORMATS)
        body = result.serialize(format=results.ENGINE_FORMATS[fmt.key])
    elif isinstance(result, (QueryTriples, list)):
        fmt = _pick(job, formats.GRAPH_FORMATS)
        body = serialize_graph(list(results.capped(result, job.max_rows)), fmt.key, prefixes)
    else:
        raise TypeError(f"unexpected query result {type(result).__name__}")
    return Answer(200, body, formats.content_type(fmt), fmt.key)


def known_graphs_of(store: Store) -> frozenset[str]:
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
